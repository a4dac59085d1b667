//! A minimal HTTP/1.1 server on loopback, for what wiremock cannot do (close a connection after
//! the work is done) and for benchmarks that need a lean peer. One thread per connection;
//! every response closes its connection. The server stops when dropped.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// One request as received.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The body (empty when the server was told to discard bodies).
    pub body: Vec<u8>,
    /// How many body bytes arrived.
    pub body_len: usize,
}

impl RawRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to do with a request.
pub enum Reply {
    /// Answer with a status and a JSON body, plus extra headers.
    Json(u16, String, Vec<(String, String)>),
    /// Close the connection without answering.
    Drop,
    /// Write these bytes as they are (status line, headers, body — possibly cut short), then
    /// close the connection.
    Raw(Vec<u8>),
    /// Write these bytes, then keep the connection open, silent, for this long before closing.
    Stall(Vec<u8>, std::time::Duration),
    /// Write each part, flushed, with this pause before each after the first, then close (a
    /// stream that arrives over time).
    Paced(Vec<Vec<u8>>, std::time::Duration),
}

pub struct RawServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl RawServer {
    /// Serves `handler` on 127.0.0.1, closing each connection after its response;
    /// `keep_bodies` false discards bodies as they stream in.
    pub fn start(
        keep_bodies: bool,
        handler: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::spawn(keep_bodies, false, handler)
    }

    /// Like [`RawServer::start`], but keeps connections open for further requests.
    pub fn start_keep_alive(
        handler: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::spawn(false, true, handler)
    }

    fn spawn(
        keep_bodies: bool,
        keep_alive: bool,
        handler: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let flag = stop.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let handler = handler.clone();
                thread::spawn(move || {
                    let Ok(read_half) = conn.try_clone() else {
                        return;
                    };
                    let mut reader = BufReader::with_capacity(64 * 1024, read_half);
                    let mut conn = conn;
                    while let Ok(true) =
                        serve(&mut reader, &mut conn, keep_bodies, keep_alive, &*handler)
                    {
                    }
                });
            }
        });
        RawServer { addr, stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop
    }
}

/// Serves one request; `Ok(true)` when the connection stays open for another.
fn serve(
    reader: &mut BufReader<TcpStream>,
    conn: &mut TcpStream,
    keep: bool,
    keep_alive: bool,
    handler: &(dyn Fn(&RawRequest) -> Reply + Send + Sync),
) -> std::io::Result<bool> {
    let Some((method, path, headers)) = read_head(reader)? else {
        return Ok(false); // the client closed the connection
    };
    let (body, body_len) = read_body(reader, &headers, keep)?;
    let req = RawRequest {
        method,
        path,
        headers,
        body,
        body_len,
    };
    respond(conn, keep_alive, handler(&req))
}

type Head = (String, String, Vec<(String, String)>);

/// The request line and headers; `None` when the client closed the connection.
fn read_head(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Head>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    Ok(Some((method, path, headers)))
}

/// The body (kept only when `keep`, so huge uploads are counted without being held) and its
/// length, by `Content-Length` or chunked encoding.
fn read_body(
    reader: &mut BufReader<TcpStream>,
    headers: &[(String, String)],
    keep: bool,
) -> std::io::Result<(Vec<u8>, usize)> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    const BUF: usize = 64 * 1024;
    let (mut body, mut body_len) = (Vec::new(), 0);
    let mut buf = vec![0u8; BUF];
    // Reads exactly `len` body bytes (or to EOF).
    let mut read_exact = |reader: &mut BufReader<TcpStream>, len: usize| -> std::io::Result<()> {
        let mut left = len;
        while left > 0 {
            let n = reader.read(&mut buf[..left.min(BUF)])?;
            if n == 0 {
                break;
            }
            body_len += n;
            if keep {
                body.extend_from_slice(&buf[..n]);
            }
            left -= n;
        }
        Ok(())
    };
    if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        read_exact(reader, len)?;
    } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            if size == 0 {
                line.clear();
                reader.read_line(&mut line)?;
                break;
            }
            read_exact(reader, size)?;
            line.clear();
            reader.read_line(&mut line)?; // CRLF after the chunk
        }
    }
    Ok((body, body_len))
}

/// Writes the handler's reply; `Ok(true)` when the connection stays open.
fn respond(conn: &mut TcpStream, keep_alive: bool, reply: Reply) -> std::io::Result<bool> {
    match reply {
        Reply::Drop => Ok(false),
        Reply::Raw(bytes) => {
            conn.write_all(&bytes)?;
            conn.flush()?;
            Ok(false)
        }
        Reply::Stall(bytes, pause) => {
            conn.write_all(&bytes)?;
            conn.flush()?;
            thread::sleep(pause);
            Ok(false)
        }
        Reply::Paced(parts, pause) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    thread::sleep(pause);
                }
                conn.write_all(part)?;
                conn.flush()?;
            }
            Ok(false)
        }
        Reply::Json(status, json, extra) => {
            let connection = if keep_alive { "keep-alive" } else { "close" };
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {connection}\r\n",
                json.len()
            );
            for (k, v) in extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            head.push_str(&json);
            conn.write_all(head.as_bytes())?;
            conn.flush()?;
            Ok(keep_alive)
        }
    }
}

/// A task object as the API returns it.
pub fn task_json(id: &str, status: &str) -> String {
    let result = if status == "succeeded" {
        format!(
            r#"{{"primary_url":"https://cdn.test/{id}.mp4","urls":["https://cdn.test/{id}.mp4"]}}"#
        )
    } else {
        "null".to_owned()
    };
    format!(
        r#"{{"id":"{id}","status":"{status}","model":"kling-3-0","reserved_credits":90,"final_credits":0,"created_at":"2026-05-11T00:00:00.000Z","updated_at":"2026-05-11T00:00:00.000Z","result":{result},"error":null}}"#
    )
}
