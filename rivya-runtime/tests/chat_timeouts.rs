//! Chat streams against a server that goes quiet: before the answer (retried, then reported
//! with the key) and mid-stream (never retried; reported with the text so far).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rivya_models::gpt_5_3_codex_chat::Request;
use rivya_runtime::{Client, Error, RetryPolicy};
use support::raw::{RawServer, Reply};

const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

fn impatient(url: &str, retries: u32) -> Client {
    Client::builder()
        .api_key(support::KEY)
        .base_url(url)
        .request_timeout(Duration::from_millis(150))
        .retry_policy(RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_stream_silent_longer_than_the_request_timeout_is_broken() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = RawServer::start(false, move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        let session = r#"{"id":"chatcmpl_1","session_id":"chs_1"}"#;
        let delta = r#"{"id":"chatcmpl_1","delta":"Hello"}"#;
        let body =
            format!("{SSE_HEAD}event: session\ndata: {session}\n\nevent: delta\ndata: {delta}\n\n");
        Reply::Stall(body.into_bytes(), Duration::from_secs(2))
    });
    let client = impatient(&server.url(), 3);
    let stream = client.chat_stream(&Request::new("hi")).await.unwrap();
    let err = stream.into_completion().await.unwrap_err();
    let Error::ChatStreamBroken {
        progress, reason, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(reason.starts_with("no data for"), "{reason}");
    assert_eq!(progress.text, "Hello");
    assert_eq!(progress.session_id.as_deref(), Some("chs_1"));
    assert_eq!(progress.turn_id.as_deref(), Some("chatcmpl_1"));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a started stream is never retried"
    );
}

#[tokio::test]
async fn no_answer_is_retried_with_the_key_then_reported_with_it() {
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = keys.clone();
    let server = RawServer::start(true, move |req| {
        let key = req.header("idempotency-key").unwrap_or_default().to_owned();
        seen.lock().unwrap().push(key);
        Reply::Stall(Vec::new(), Duration::from_secs(2))
    });
    let client = impatient(&server.url(), 2);
    let req = Request::new("hi").session("chs_7");
    let err = client.chat_stream(&req).await.unwrap_err();
    let Error::ChatStreamBroken {
        progress, reason, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(reason.starts_with("no answer within"), "{reason}");
    assert_eq!(progress.session_id.as_deref(), Some("chs_7"));
    assert!(progress.text.is_empty() && progress.turn_id.is_none());
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 3, "the first attempt and two retries");
    assert!(keys.iter().all(|k| *k == progress.idempotency_key));
}
