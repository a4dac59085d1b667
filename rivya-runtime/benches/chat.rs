//! Chat streaming costs, measured against a lean loopback server (`tests/support/raw.rs`) that
//! serves the contract's event shapes (`session`, `delta` × n, `completion`):
//! - the client's added latency to the first delta over a raw reqwest read of the same stream;
//! - client CPU per delta over a 100,000-delta stream (and the same bytes read raw);
//! - peak client heap while a 1 MB answer streams in (and arrives whole, non-streaming).
//!
//! Run with `cargo bench -p rivya-runtime --bench chat`. The client runs on a current-thread
//! runtime on the main thread; only that thread's allocations and CPU are counted.

#[path = "../tests/support/raw.rs"]
mod raw;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use raw::{RawServer, Reply};
use rivya_models::gpt_5_3_codex_chat::Request;
use rivya_runtime::{ChatEvent, Client};
use serde_json::json;

struct Counting;

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            let live = LIVE.load(Ordering::Relaxed);
            LIVE.fetch_sub(layout.size().min(live), Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

const HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

/// A whole streamed turn whose answer is `pieces` concatenated, as the contract shapes it.
fn sse_turn(pieces: &[String]) -> Vec<u8> {
    let mut out = String::from(HEAD);
    let session = json!({"id": "chatcmpl_b", "session_id": "chs_b", "model": "gpt-5-3-codex-chat",
                         "credits": {"reserved": 20, "final": 0}});
    out.push_str(&format!("event: session\nid: 0\ndata: {session}\n\n"));
    for (i, p) in pieces.iter().enumerate() {
        let d = json!({"id": "chatcmpl_b", "session_id": "chs_b", "delta": p});
        out.push_str(&format!("event: delta\nid: {}\ndata: {d}\n\n", i + 1));
    }
    let content = pieces.concat();
    out.push_str(&format!(
        "event: completion\nid: {}\ndata: {}\n\n",
        pieces.len() + 1,
        completion(&content)
    ));
    out.into_bytes()
}

fn completion(content: &str) -> serde_json::Value {
    json!({"id": "chatcmpl_b", "object": "chat.completion", "session_id": "chs_b",
           "model": "gpt-5-3-codex-chat", "created_at": "2026-05-11T00:00:00.000Z",
           "message": {"id": "msg_b", "role": "assistant", "content": content},
           "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
           "credits": {"reserved": 20, "final": 1}})
}

/// `n` pieces of 16 characters.
fn pieces(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("piece {i:>9} ")).collect()
}

fn client(url: &str) -> Client {
    Client::builder()
        .api_key("rvya_sk_bench")
        .base_url(url)
        .request_timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    rivya_runtime::install_tls_provider();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    COUNTED.with(|c| c.set(true));
    rt.block_on(first_delta_latency());
    rt.block_on(cpu_per_delta());
    rt.block_on(one_megabyte_answer());
}

/// Time from sending the turn to holding the first delta: the SDK (validate, encode, retry
/// loop, SSE parse, classification) against reqwest reading the same bytes until the first
/// delta event's blank line. One fresh connection each, alternating, median of 400.
async fn first_delta_latency() {
    let body = sse_turn(&pieces(8));
    let server = RawServer::start(false, move |_| Reply::Raw(body.clone()));
    let url = format!("{}/api/v1/chat/completions/stream", server.url());
    let client = client(&server.url());
    let http = reqwest::Client::new();
    let req = Request::new("hello");
    let payload = serde_json::to_vec(&req).unwrap();
    let (mut sdk, mut raw) = (Vec::new(), Vec::new());
    for i in 0..440 {
        let t = Instant::now();
        let mut stream = client.chat_stream(&req).await.unwrap();
        while let Some(ev) = stream.next().await {
            if let ChatEvent::Delta { .. } = ev.unwrap() {
                break;
            }
        }
        let a = t.elapsed();
        let t = Instant::now();
        let mut resp = http
            .post(&url)
            .bearer_auth("rvya_sk_bench")
            .header("Idempotency-Key", Client::new_idempotency_key())
            .header("Content-Type", "application/json")
            .body(payload.clone())
            .send()
            .await
            .unwrap();
        let mut seen = Vec::new();
        while let Some(chunk) = resp.chunk().await.unwrap() {
            seen.extend_from_slice(&chunk);
            let at = seen.windows(12).position(|w| w == b"event: delta");
            if at.is_some_and(|at| seen[at..].windows(2).any(|w| w == b"\n\n")) {
                break;
            }
        }
        let b = t.elapsed();
        if i >= 40 {
            sdk.push(a);
            raw.push(b);
        }
    }
    let (s, r) = (median(sdk), median(raw));
    println!(
        "first delta (loopback, new connection): SDK {:.1} µs, raw reqwest {:.1} µs, added {:.1} µs (medians of 400)",
        s.as_secs_f64() * 1e6,
        r.as_secs_f64() * 1e6,
        (s.as_secs_f64() - r.as_secs_f64()) * 1e6
    );
}

/// Client CPU for a 100,000-delta stream read through the SDK, and for the same bytes read
/// raw (the transport's share).
async fn cpu_per_delta() {
    let n = 100_000usize;
    let body = sse_turn(&pieces(n));
    let bytes = body.len();
    let server = RawServer::start(false, move |_| Reply::Raw(body.clone()));
    let client = client(&server.url());
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/chat/completions/stream", server.url());
    let (mut sdk, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let cpu0 = thread_cpu_ns();
        let mut stream = client.chat_stream(&Request::new("hello")).await.unwrap();
        let mut deltas = 0usize;
        while let Some(ev) = stream.next().await {
            if let ChatEvent::Delta { .. } = ev.unwrap() {
                deltas += 1;
            }
        }
        assert_eq!(deltas, n);
        sdk.push(thread_cpu_ns() - cpu0);
        let cpu0 = thread_cpu_ns();
        let mut resp = http.post(&url).body("{}").send().await.unwrap();
        let mut total = 0;
        while let Some(chunk) = resp.chunk().await.unwrap() {
            total += chunk.len();
        }
        assert!(total > 0);
        raw.push(thread_cpu_ns() - cpu0);
    }
    let body = sse_turn(&pieces(n));
    let cpu0 = thread_cpu_ns();
    let mut parser = rivya_runtime::sse::SseParser::new();
    let mut events = 0;
    for chunk in body.chunks(16 * 1024) {
        parser.push(chunk);
        while parser.next_event().is_some() {
            events += 1;
        }
    }
    assert_eq!(events, n + 2);
    let parse_only = (thread_cpu_ns() - cpu0) as f64 / n as f64;
    println!("SSE parser alone: {parse_only:.0} ns per delta event");
    sdk.sort();
    raw.sort();
    let (s, r) = (sdk[2] as f64 / n as f64, raw[2] as f64 / n as f64);
    println!(
        "100,000 deltas ({:.1} MB of SSE): SDK {s:.0} ns client CPU per delta, raw reqwest read {r:.0} ns; parsing and typing cost {:.0} ns per delta (medians of 5)",
        bytes as f64 / 1e6,
        s - r
    );
}

/// Peak client heap while a 1 MB answer arrives: streamed (65,536 deltas of 16 characters,
/// then the completion repeating the whole content) and non-streaming.
async fn one_megabyte_answer() {
    let parts = pieces(65_536);
    let size: usize = parts.iter().map(String::len).sum();
    let stream_body = sse_turn(&parts);
    let whole = completion(&parts.concat()).to_string();
    let server = RawServer::start(false, move |req| {
        if req.path.ends_with("/stream") {
            Reply::Raw(stream_body.clone())
        } else {
            Reply::Json(200, whole.clone(), vec![])
        }
    });
    let client = client(&server.url());
    let req = Request::new("hello");
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let done = client
        .chat_stream(&req)
        .await
        .unwrap()
        .into_completion()
        .await
        .unwrap();
    let streamed = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(done.content().len(), size);
    drop(done);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let done = client.chat(&req).await.unwrap();
    let whole_peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(done.content().len(), size);
    let mb = |b: usize| b as f64 / 1_048_576.0;
    println!(
        "1 MB answer ({size} bytes): peak client heap streamed {:.2} MiB ({:.1}× the answer), non-streaming {:.2} MiB ({:.1}×)",
        mb(streamed),
        streamed as f64 / size as f64,
        mb(whole_peak),
        whole_peak as f64 / size as f64
    );
}
