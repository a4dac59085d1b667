//! Production concerns against local servers: non-enveloped 4xx answers end a wait at once,
//! a user-supplied `reqwest::Client` carries every call, and `run_value` does the whole run
//! for an untyped body.

mod support;

use std::time::Duration;

use rivya_runtime::{Client, Error, PollPolicy, RetryPolicy};
use serde_json::json;
use support::raw::task_json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast(builder: rivya_runtime::ClientBuilder, base: &str) -> Client {
    builder
        .api_key("rvya_sk_test")
        .base_url(base)
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(2),
            initial_interval: Duration::from_millis(2),
            max_interval: Duration::from_millis(4),
            deadline: Duration::from_secs(30),
            ..PollPolicy::default()
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_4xx_without_the_envelope_ends_a_wait_at_once() {
    for (status, body) in [
        (401, "<html><body>Unauthorized</body></html>"),
        (404, ""),
        (403, "forbidden by the proxy"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        let c = fast(Client::builder(), &server.uri());
        let err = c.wait("task_html").await.unwrap_err();
        assert_eq!(err.task_id(), Some("task_html"), "the paid task is named");
        match &err {
            Error::Wait { source, .. } => {
                assert!(
                    matches!(**source, Error::Decode { status: s, .. } if s == status),
                    "{err}"
                );
            }
            other => panic!("{status}: {other}"),
        }
        let polls = server.received_requests().await.unwrap().len();
        assert_eq!(polls, 1, "{status}: not retried until the deadline");
    }
    // A 5xx without the envelope is still transient: the wait goes on.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(task_json("task_ok", "succeeded"), "application/json"),
        )
        .mount(&server)
        .await;
    let c = fast(Client::builder(), &server.uri());
    assert!(c.wait("task_ok").await.is_ok());
}

#[tokio::test]
async fn a_user_supplied_http_client_carries_every_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/credits"))
        .and(header("x-corp-tag", "blue"))
        .and(header("authorization", "Bearer rvya_sk_test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"current_credits": 7})))
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-corp-tag", "blue".parse().unwrap());
    rivya_runtime::install_tls_provider(); // this reqwest::Client is built before any of ours
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let c = fast(Client::builder().http_client(http), &server.uri());
    assert_eq!(c.credits().await.unwrap().current_credits, 7.0);
}

#[tokio::test]
async fn run_value_validates_creates_and_waits() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/generations"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(task_json("task_v", "queued"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/generations/task_v"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(task_json("task_v", "succeeded"), "application/json"),
        )
        .mount(&server)
        .await;
    let c = fast(Client::builder(), &server.uri());
    let done = c
        .run_value(&json!({"model": "kling-3-0", "prompt": "p", "params": {"duration": "5"}}))
        .await
        .unwrap();
    assert_eq!(done.id, "task_v");
    // An invalid body never leaves the machine.
    let before = server.received_requests().await.unwrap().len();
    let err = c
        .run_value(&json!({"model": "kling-3-0", "prompt": "p", "params": {"duration": "99"}}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

#[test]
fn reference_items_for_video_and_audio() {
    use rivya_models::{MediaKind, ReferenceMediaItem};
    let v = ReferenceMediaItem::video("https://x/v.mp4").duration(5.0, "dt_1");
    assert_eq!(v.kind, MediaKind::Video);
    assert_eq!(v.duration_token.as_deref(), Some("dt_1"));
    let a = ReferenceMediaItem::audio("https://x/a.wav");
    assert_eq!(a.kind, MediaKind::Audio);
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        json!({"url": "https://x/a.wav", "kind": "audio"})
    );
}
