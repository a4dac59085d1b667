//! Saving results against a raw loopback server: `.part` then rename, extension from the
//! content type, SHA-256, retries, `Range` resumes, and names that cannot escape the folder.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rivya_runtime::{Client, Error, RetryPolicy, Task};
use sha2::{Digest, Sha256};
use support::raw::{RawRequest, RawServer, Reply};

fn client() -> Client {
    Client::builder()
        .api_key("rvya_sk_test")
        .base_url("http://127.0.0.1:9")
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rivya-dl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn body(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..len - 8).map(|i| (i * 7 % 251) as u8));
    b
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A full HTTP response with these headers and body; `cut` stops the body early (the
/// connection then closes, so the client sees a short body).
fn response(status: &str, headers: &[(&str, String)], body: &[u8], cut: Option<usize>) -> Reply {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body[..cut.unwrap_or(body.len())]);
    Reply::Raw(bytes)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn task(id: &str, urls: &[String]) -> Task {
    serde_json::from_value(serde_json::json!({
        "id": id, "status": "succeeded",
        "result": {"primary_url": urls.first(), "urls": urls},
    }))
    .unwrap()
}

#[tokio::test]
async fn a_file_is_streamed_hashed_and_named_from_its_content_type() {
    let data = body(100_000);
    let d = data.clone();
    let server = RawServer::start(false, move |_| {
        response("200 OK", &[("Content-Type", "image/png".into())], &d, None)
    });
    let dir = temp_dir("plain");
    let got = client()
        .download(&format!("{}/out/file", server.url()), &dir, "shot")
        .await
        .unwrap();
    assert_eq!(got.path, dir.join("shot.png"));
    assert_eq!(got.size, 100_000);
    assert_eq!(got.sha256, sha(&data));
    assert_eq!(got.content_type.as_deref(), Some("image/png"));
    assert_eq!(std::fs::read(&got.path).unwrap(), data);
    assert_eq!(files_in(&dir), ["shot.png"], "no .part left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_broken_body_resumes_with_range_when_the_server_supports_it() {
    let data = body(50_000);
    let seen = Arc::new(Mutex::new(Vec::<(Option<String>, Option<String>)>::new()));
    let (d, s) = (data.clone(), seen.clone());
    let server = RawServer::start(false, move |req: &RawRequest| {
        let range = req.header("range").map(str::to_owned);
        let n = {
            let mut s = s.lock().unwrap();
            s.push((range.clone(), req.header("if-range").map(str::to_owned)));
            s.len()
        };
        match (n, range) {
            // The first answer breaks off after 20,000 bytes.
            (1, _) => response(
                "200 OK",
                &[
                    ("Content-Type", "video/mp4".into()),
                    ("ETag", "\"v7\"".into()),
                ],
                &d,
                Some(20_000),
            ),
            (_, Some(r)) => {
                let start: usize = r
                    .trim_start_matches("bytes=")
                    .trim_end_matches('-')
                    .parse()
                    .unwrap();
                response(
                    "206 Partial Content",
                    &[
                        ("Content-Type", "video/mp4".into()),
                        (
                            "Content-Range",
                            format!("bytes {start}-{}/{}", d.len() - 1, d.len()),
                        ),
                    ],
                    &d[start..],
                    None,
                )
            }
            (_, None) => response("500 Oops", &[], b"no range", None),
        }
    });
    let dir = temp_dir("resume");
    let got = client()
        .download(&format!("{}/r", server.url()), &dir, "clip")
        .await
        .unwrap();
    assert_eq!(got.path, dir.join("clip.mp4"));
    assert_eq!(std::fs::read(&got.path).unwrap(), data);
    assert_eq!(got.sha256, sha(&data), "the hash covers the whole file");
    assert_eq!(got.size, 50_000);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (None, None),
            (Some("bytes=20000-".to_owned()), Some("\"v7\"".to_owned()))
        ],
        "the rest is asked for, if the file is still the same"
    );
    assert_eq!(files_in(&dir), ["clip.mp4"], "no .part or .meta left");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_server_without_ranges_gets_a_fresh_download() {
    // A `.part` of this URL from an earlier run; the server ignores Range and sends all.
    let data = body(4096);
    let d = data.clone();
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let r = ranges.clone();
    let server = RawServer::start(false, move |req: &RawRequest| {
        r.lock()
            .unwrap()
            .push(req.header("range").map(str::to_owned));
        response("200 OK", &[("Content-Type", "audio/mpeg".into())], &d, None)
    });
    let dir = temp_dir("norange");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("{}/song", server.url());
    std::fs::write(dir.join("song.part"), b"garbage from before").unwrap();
    std::fs::write(dir.join("song.part.meta"), format!("{url}\n\n")).unwrap();
    let got = client()
        .download(&format!("{url}?sig=new"), &dir, "song")
        .await
        .unwrap();
    assert_eq!(got.path, dir.join("song.mp3"));
    assert_eq!(std::fs::read(&got.path).unwrap(), data);
    assert_eq!(files_in(&dir), ["song.mp3"]);
    assert_eq!(*ranges.lock().unwrap(), [Some("bytes=19-".to_owned())]);

    // A `.part` another URL left under the same name is never resumed.
    std::fs::write(dir.join("song.part"), b"another file's start").unwrap();
    std::fs::write(dir.join("song.part.meta"), "http://elsewhere.test/x\n\n").unwrap();
    client().download(&url, &dir, "song").await.unwrap();
    assert_eq!(ranges.lock().unwrap()[1], None);
    assert_eq!(std::fs::read(dir.join("song.mp3")).unwrap(), data);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn transient_statuses_are_retried_and_refusals_are_not() {
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let data = body(64);
    let d = data.clone();
    let server = RawServer::start(false, move |req: &RawRequest| {
        *c.lock().unwrap() += 1;
        match req.path.as_str() {
            "/flaky" if *c.lock().unwrap() < 3 => {
                response("503 Busy", &[("Retry-After", "0".into())], b"busy", None)
            }
            "/flaky" => response("200 OK", &[], &d, None),
            _ => response(
                "401 Unauthorized",
                &[("Content-Type", "text/html".into())],
                b"<html>signature expired</html>",
                None,
            ),
        }
    });
    let dir = temp_dir("status");
    // No content type and no extension in the URL: `bin`.
    let got = client()
        .download(&format!("{}/flaky", server.url()), &dir, "x")
        .await
        .unwrap();
    assert_eq!(got.path, dir.join("x.bin"));
    assert_eq!(*calls.lock().unwrap(), 3);

    *calls.lock().unwrap() = 0;
    let url = format!("{}/denied.png", server.url());
    let err = client()
        .download_result(&task("task_paid_1", std::slice::from_ref(&url)), &dir)
        .await
        .unwrap_err();
    assert_eq!(*calls.lock().unwrap(), 1, "a 401 is not retried");
    assert_eq!(err.task_id(), Some("task_paid_1"), "the paid task is named");
    let text = err.to_string();
    assert!(
        text.contains("task_paid_1") && text.contains(&url),
        "{text}"
    );
    assert!(text.contains("HTTP 401"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn server_supplied_ids_never_become_paths() {
    let data = body(32);
    let d = data.clone();
    let server = RawServer::start(false, move |_| {
        response("200 OK", &[("Content-Type", "image/png".into())], &d, None)
    });
    let root = temp_dir("escape");
    let dir = root.join("out");
    for id in ["../x", "/tmp/abs", "..", "a/../../b"] {
        let urls = [
            format!("{}/1.png", server.url()),
            format!("{}/2.png", server.url()),
        ];
        let saved = client()
            .download_result(&task(id, &urls), &dir)
            .await
            .unwrap();
        assert_eq!(saved.len(), 2);
        for s in &saved {
            assert_eq!(s.path.parent(), Some(dir.as_path()), "{id}: {:?}", s.path);
        }
    }
    assert_eq!(files_in(&root), ["out"], "nothing was written beside --out");
    assert_eq!(
        files_in(&dir),
        [
            "__-1.png",
            "__-2.png",
            "___x-1.png",
            "___x-2.png",
            "_tmp_abs-1.png",
            "_tmp_abs-2.png",
            "a_______b-1.png",
            "a_______b-2.png",
        ]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_task_without_a_result_is_an_error_naming_it() {
    let t: Task =
        serde_json::from_value(serde_json::json!({"id": "task_q", "status": "queued"})).unwrap();
    let err = client()
        .download_result(&t, &temp_dir("none"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoResult { .. }));
    assert_eq!(err.task_id(), Some("task_q"));
    let err = client()
        .download("file:///etc/passwd", &temp_dir("none"), "x")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not an absolute http(s) URL"),
        "{err}"
    );
}

#[tokio::test]
async fn directories_are_any_path_like_value() {
    let data = body(16);
    let d = data.clone();
    let server = RawServer::start(false, move |_| {
        response("200 OK", &[("Content-Type", "image/png".into())], &d, None)
    });
    let dir = temp_dir("aspath");
    let as_str: &str = dir.to_str().unwrap();
    let got = client()
        .download(&format!("{}/a", server.url()), as_str, "s")
        .await
        .unwrap();
    assert_eq!(got.path, dir.join("s.png"));
    let url = format!("{}/b", server.url());
    let saved = client()
        .download_result(&task("task_p", &[url]), dir.clone())
        .await
        .unwrap();
    assert_eq!(saved[0].path, dir.join("task_p-1.png"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_file_into_memory_without_the_key_and_resumed_with_range() {
    let data = body(30_000);
    let seen = Arc::new(Mutex::new(Vec::<(Option<String>, Option<String>)>::new()));
    let (d, s) = (data.clone(), seen.clone());
    let server = RawServer::start(false, move |req: &RawRequest| {
        assert!(
            req.header("authorization").is_none(),
            "no API key to a file host"
        );
        let range = req.header("range").map(str::to_owned);
        let n = {
            let mut s = s.lock().unwrap();
            s.push((range.clone(), req.header("if-range").map(str::to_owned)));
            s.len()
        };
        let etag = ("ETag", "\"v1\"".to_owned());
        match range {
            // The first answer breaks off after 10,000 bytes.
            None if n == 1 => response("200 OK", &[etag], &d, Some(10_000)),
            None => response("200 OK", &[etag], &d, None),
            Some(r) => {
                let start: usize = r["bytes=".len()..r.len() - 1].parse().unwrap();
                let range = format!("bytes {start}-{}/{}", d.len() - 1, d.len());
                response(
                    "206 Partial",
                    &[("Content-Range", range)],
                    &d[start..],
                    None,
                )
            }
        }
    });
    let got = client()
        .download_bytes(&format!("{}/clip.mp4", server.url()))
        .await
        .unwrap();
    assert_eq!(got, data);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (None, None),
            (Some("bytes=10000-".to_owned()), Some("\"v1\"".to_owned()))
        ]
    );
}

#[tokio::test]
async fn a_file_into_memory_keeps_the_size_cap_and_the_retry_rule() {
    let data = body(5_000);
    let d = data.clone();
    let server = RawServer::start(false, move |req: &RawRequest| match req.path.as_str() {
        "/announced" => response("200 OK", &[], &d, None),
        // No Content-Length: the body runs until the connection closes.
        "/unannounced" => {
            let mut raw = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
            raw.extend_from_slice(&d);
            Reply::Raw(raw)
        }
        _ => response("404 Not Found", &[], b"gone", None),
    });
    let small = Client::builder().max_download_bytes(1_000).build().unwrap();
    for route in ["announced", "unannounced"] {
        let url = format!("{}/{route}", server.url());
        let err = small.download_bytes(&url).await.unwrap_err();
        assert!(matches!(err, Error::Download { .. }), "{route}: {err}");
        assert!(
            err.to_string().contains("more than 1000 bytes"),
            "{route}: {err}"
        );
        assert!(!err.is_retryable(), "{route}");
    }
    let url = format!("{}/announced", server.url());
    assert_eq!(client().download_bytes(&url).await.unwrap(), data);
    let err = client()
        .download_bytes(&format!("{}/missing", server.url()))
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.is_retryable()), (Some(404), false));
    let err = client().download_bytes("ftp://x/y").await.unwrap_err();
    assert!(
        err.to_string().contains("not an absolute http(s) URL"),
        "{err}"
    );
}
