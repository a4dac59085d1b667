//! Errors and options as an application meets them: `Error::status`/`is_retryable` agree with
//! what the retry loop did, `ApiError` is a standard error, per-call options reach every
//! endpoint through `Client::with_options` and leave the client alone, and a wait's first
//! delay is the caller's choice.

mod support;

use std::error::Error as _;
use std::time::Duration;

use rivya_models::kling_3_0;
use rivya_runtime::{
    ApiError, Client, Error, ErrorCode, PollPolicy, RequestOptions, RetryPolicy, WaitOptions,
};
use serde_json::json;
use support::raw::task_json;
use support::{client, envelope};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn status_and_retryability_say_what_the_retry_loop_did() {
    // (status, body, retryable): the loop makes 1 + 3 attempts exactly when retryable.
    let cases: &[(u16, Option<&str>, bool)] = &[
        (400, Some("validation_failed"), false),
        (402, Some("insufficient_credits"), false),
        (409, Some("idempotency_conflict"), false),
        (404, Some("not_found"), false),
        (401, Some("api_key_invalid"), false),
        (403, Some("api_scope_denied"), false),
        // The code decides first: a passing condition whatever the status …
        (429, Some("rate_limited"), true),
        (503, Some("public_api_disabled"), true),
        (503, Some("validation_failed"), false),
        // … and the status decides for codes this client does not know.
        (503, Some("overloaded_now"), true),
        (408, Some("slow_down"), true),
        (418, Some("teapot"), false),
        // No envelope at all: the status.
        (502, None, true),
        (401, None, false),
    ];
    for &(status, code, retryable) in cases {
        let server = MockServer::start().await;
        let reply = match code {
            Some(c) => ResponseTemplate::new(status).set_body_json(envelope(c)),
            None => ResponseTemplate::new(status).set_body_string("<html>gateway</html>"),
        };
        Mock::given(method("GET"))
            .and(path("/api/v1/credits"))
            .respond_with(reply)
            .mount(&server)
            .await;
        let err = client(&server.uri()).credits().await.unwrap_err();
        let case = format!("{status} {code:?}");
        assert_eq!(err.status(), Some(status), "{case}");
        assert_eq!(err.is_retryable(), retryable, "{case}: {err}");
        let attempts = if retryable { 4 } else { 1 };
        assert_eq!(count(&server).await, attempts, "{case}: the loop agrees");
        if let Some(c) = code {
            assert_eq!(err.code(), Some(&ErrorCode::from(c)), "{case}");
            // `Error::Api`'s source is the `ApiError`, a standard error with the same text.
            let api = err.source().and_then(|s| s.downcast_ref::<ApiError>());
            let api = api.expect("an ApiError source");
            assert_eq!(api.is_retryable(), retryable, "{case}");
            assert_eq!(err.to_string(), api.to_string());
            assert!(
                api.to_string()
                    .starts_with(&format!("API error {status} `{c}`")),
                "{api}"
            );
        }
    }
}

#[tokio::test]
async fn transport_errors_are_retryable_and_have_no_status() {
    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = client(&format!("http://127.0.0.1:{port}"))
        .credits()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    // Refused locally: never retryable, no status.
    let err = client("http://127.0.0.1:9").task("..").await.unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn per_call_options_apply_to_their_handle_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/credits"))
        .respond_with(ResponseTemplate::new(503).set_body_json(envelope("public_api_disabled")))
        .mount(&server)
        .await;
    let base = client(&server.uri());
    let once = base.with_options(
        RequestOptions::new()
            .retry_policy(RetryPolicy::none())
            .header("X-Correlation-Id", "order-1234")
            .unwrap(),
    );
    let err = once.credits().await.unwrap_err();
    assert!(
        err.is_retryable(),
        "still retryable: the policy said not to"
    );
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1, "RetryPolicy::none: one attempt");
    let got = reqs[0].headers.get("x-correlation-id").unwrap();
    assert_eq!(got.to_str().unwrap(), "order-1234");
    assert!(reqs[0].headers.get("authorization").is_some(), "auth kept");

    // The client it came from is unchanged: its own policy (3 retries), no extra header.
    base.credits().await.unwrap_err();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1 + 4);
    assert!(
        reqs[1..]
            .iter()
            .all(|r| !r.headers.contains_key("x-correlation-id"))
    );

    // Options stack: a second layer adds a header and keeps the first layer's policy.
    let both = once.with_options(RequestOptions::new().header("x-tenant", "t1").unwrap());
    both.task("task_1").await.unwrap_err();
    let reqs = server.received_requests().await.unwrap();
    let last = reqs.last().unwrap();
    assert_eq!(reqs.len(), 6, "one attempt, as the first layer says");
    assert_eq!(last.url.path(), "/api/v1/generations/task_1");
    assert!(last.headers.contains_key("x-tenant") && last.headers.contains_key("x-correlation-id"));
    // The handle's Debug names headers, never their values.
    let shown = format!("{both:?}");
    assert!(
        shown.contains("x-tenant") && !shown.contains("order-1234"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_per_call_timeout_replaces_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/credits"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"balance": 5}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let hurried = client(&server.uri()).with_options(
        RequestOptions::new()
            .timeout(Duration::from_millis(50))
            .retry_policy(RetryPolicy::none()),
    );
    match hurried.credits().await.unwrap_err() {
        Error::Transport { source, .. } => assert!(source.is_timeout(), "{source}"),
        other => panic!("expected a timeout, got {other}"),
    }
}

#[tokio::test]
async fn run_with_keeps_the_callers_first_poll_choice() {
    // The schedule's first delay is an hour: only the caller's `delay_first_poll(false)` lets
    // this wait poll at once (the guard turns a regression into a failure, not a hang).
    let server = MockServer::start().await;
    let created: serde_json::Value = serde_json::from_str(&task_json("task_9", "queued")).unwrap();
    let done: serde_json::Value = serde_json::from_str(&task_json("task_9", "succeeded")).unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(created))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/generations/task_9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(done))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(support::KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let slow_start = PollPolicy {
        first_poll: Duration::from_secs(3600),
        deadline: Duration::from_secs(7200),
        ..PollPolicy::default()
    };
    let mut seen = Vec::new();
    let options = WaitOptions::new()
        .policy(slow_start)
        .delay_first_poll(false)
        .on_status(|t| seen.push(t.status.to_string()));
    let req = kling_3_0::Request::new("A cinematic product reveal");
    let run = client.run_with(&req, options);
    let task = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the first poll did not wait the schedule's first delay")
        .unwrap();
    assert_eq!(task.id, "task_9");
    assert_eq!(seen, ["queued", "succeeded"]);
}
