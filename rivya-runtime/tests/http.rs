//! The client against real local HTTP servers: retries, idempotency, decoding, polling (uploads:
//! `uploads.rs`).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rivya_models::kling_3_0;
use rivya_runtime::{Client, Error, ErrorCode, PollPolicy, RetryPolicy, TaskStatus, WaitOptions};
use serde_json::json;
use support::raw::{RawServer, Reply, task_json};
use support::{KEY, client, envelope, idem_keys};
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn task(id: &str, status: &str) -> serde_json::Value {
    serde_json::from_str(&task_json(id, status)).unwrap()
}

fn request() -> kling_3_0::Request {
    kling_3_0::Request::new("A cinematic product reveal")
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn a_create_through_503_and_a_dropped_connection_yields_one_task() {
    // Attempt 1: 503. Attempt 2: the task is created, then the connection is closed before
    // the answer. Attempt 3: the same key replays the same task.
    let state = Arc::new(Mutex::new((
        0u32,
        Vec::<String>::new(),
        Vec::<(String, String)>::new(),
    )));
    let s = state.clone();
    let server = RawServer::start(true, move |req| {
        let mut st = s.lock().unwrap();
        st.0 += 1;
        let key = req.header("idempotency-key").unwrap_or_default().to_owned();
        st.1.push(key.clone());
        if st.0 == 1 {
            let body = envelope("public_api_disabled").to_string();
            return Reply::Json(503, body, vec![]);
        }
        let id = match st.2.iter().find(|(k, _)| *k == key) {
            Some((_, id)) => id.clone(),
            None => {
                let id = format!("task_{}", st.2.len() + 1);
                st.2.push((key, id.clone()));
                id
            }
        };
        if st.0 == 2 {
            Reply::Drop
        } else {
            Reply::Json(200, task_json(&id, "queued"), vec![])
        }
    });
    let submitted = client(&server.url()).create(&request()).await.unwrap();
    let st = state.lock().unwrap();
    assert_eq!(st.0, 3, "three attempts");
    assert_eq!(st.2.len(), 1, "exactly one task created");
    assert!(
        st.1.iter().all(|k| k == &submitted.idempotency_key),
        "{:?}",
        st.1
    );
    assert_eq!(submitted.task.id, st.2[0].1);
}

#[tokio::test]
async fn every_retried_attempt_carries_the_same_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/generations"))
        .respond_with(ResponseTemplate::new(500).set_body_json(envelope("internal_error")))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/generations"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header_exists("idempotency-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(task("task_9", "queued")))
        .mount(&server)
        .await;
    let out = client(&server.uri())
        .create_with_key(&request(), "my-own-key")
        .await
        .unwrap();
    assert_eq!(out.idempotency_key, "my-own-key");
    let reqs = received(&server).await;
    assert_eq!(idem_keys(&reqs), ["my-own-key"; 3]);
    let body: serde_json::Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(body["params"]["duration"], "5");
}

#[tokio::test]
async fn non_retryable_codes_are_not_retried() {
    let cases = [
        (400, "validation_failed", ErrorCode::ValidationFailed),
        (402, "insufficient_credits", ErrorCode::InsufficientCredits),
        (503, "insufficient_credits", ErrorCode::InsufficientCredits),
        (409, "idempotency_conflict", ErrorCode::IdempotencyConflict),
        (404, "not_found", ErrorCode::NotFound),
        (401, "api_key_missing", ErrorCode::ApiKeyMissing),
        (401, "api_key_invalid", ErrorCode::ApiKeyInvalid),
        (401, "api_key_revoked", ErrorCode::ApiKeyRevoked),
        (401, "api_key_expired", ErrorCode::ApiKeyExpired),
        (403, "api_scope_denied", ErrorCode::ApiScopeDenied),
        (
            418,
            "brand_new_code",
            ErrorCode::Unknown("brand_new_code".into()),
        ),
    ];
    for (status, code, want) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(envelope(code)))
            .mount(&server)
            .await;
        let err = client(&server.uri()).create(&request()).await.unwrap_err();
        assert_eq!(received(&server).await.len(), 1, "{code} was retried");
        let Error::Api(api) = &err else {
            panic!("{err}")
        };
        assert_eq!((api.status, &api.code), (status, &want));
        assert_eq!(api.request_id.as_deref(), Some("req_1"));
        assert_eq!(err.idempotency_key(), api.idempotency_key.as_deref());
        assert!(err.idempotency_key().is_some());
        assert!(!err.to_string().contains(KEY));
    }
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_the_cap() {
    // (Retry-After, the value the error reports): a larger or unreadable value counts as
    // the cap, and the call waits the cap (50 ms here) and retries instead of giving up.
    let cases = [
        ("0", 0),
        ("1", 1),
        ("-3", 60),
        ("garbage", 60),
        ("120", 120),
        ("99999999999999999999999", u64::MAX),
    ];
    for (value, reported) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/credits"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", value)
                    .set_body_json(envelope("rate_limited")),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/credits"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"current_credits": 123})))
            .mount(&server)
            .await;
        let capped = Client::builder()
            .api_key(KEY)
            .base_url(server.uri())
            .retry_policy(RetryPolicy {
                max_retry_after: Duration::from_millis(50),
                ..RetryPolicy::default()
            })
            .build()
            .unwrap();
        let result = capped.credits().await;
        assert_eq!(received(&server).await.len(), 2, "Retry-After: {value}");
        assert!(result.is_ok(), "Retry-After: {value}");

        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", value)
                    .set_body_json(envelope("rate_limited")),
            )
            .mount(&server)
            .await;
        let once = Client::builder()
            .api_key(KEY)
            .base_url(server.uri())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let Err(Error::Api(api)) = once.credits().await else {
            panic!("a 429 error")
        };
        assert_eq!(
            api.retry_after,
            Some(Duration::from_secs(reported)),
            "{value}"
        );
    }
}

#[tokio::test]
async fn unknown_fields_statuses_and_codes_decode() {
    let server = MockServer::start().await;
    let mut t = task("task_x", "paused_for_review");
    t["priority"] = json!("high");
    t["result"] = json!({"primary_url": null, "urls": [], "thumbnails": ["a"]});
    Mock::given(method("GET"))
        .and(path("/api/v1/generations/task_x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(t))
        .mount(&server)
        .await;
    let task = client(&server.uri()).task("task_x").await.unwrap();
    assert_eq!(task.status, TaskStatus::Unknown("paused_for_review".into()));
    assert!(!task.is_terminal());
    assert_eq!(task.extra["priority"], "high");
    assert_eq!(task.result.unwrap().extra["thumbnails"][0], "a");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(envelope("maintenance_window")))
        .mount(&server)
        .await;
    let err = client(&server.uri()).credits().await.unwrap_err();
    assert_eq!(
        received(&server).await.len(),
        4,
        "unknown code on 503 is retried"
    );
    assert_eq!(
        err.code(),
        Some(&ErrorCode::Unknown("maintenance_window".into()))
    );
}

#[tokio::test]
async fn malformed_json_and_html_pages_become_typed_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"current_credits\": "))
        .mount(&server)
        .await;
    match client(&server.uri()).credits().await.unwrap_err() {
        Error::Decode { status, body, .. } => {
            assert_eq!(status, 200);
            assert_eq!(body, "{\"current_credits\": ");
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        received(&server).await.len(),
        1,
        "a bad success body is not retried"
    );

    let server = MockServer::start().await;
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let err = client(&server.uri()).create(&request()).await.unwrap_err();
    assert_eq!(received(&server).await.len(), 4, "a 502 page is retried");
    match &err {
        Error::Decode {
            status,
            body,
            idempotency_key,
            ..
        } => {
            assert_eq!(*status, 502);
            assert_eq!(body, html);
            assert!(idempotency_key.is_some());
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn invalid_requests_and_missing_keys_never_reach_the_network() {
    let server = MockServer::start().await;
    let bad = kling_3_0::Request::new("x".repeat(2001));
    let err = client(&server.uri()).create(&bad).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    let err = client(&server.uri()).run(&bad).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    let keyless = Client::builder().base_url(server.uri()).build().unwrap();
    assert!(matches!(
        keyless.create(&request()).await,
        Err(Error::Config(_))
    ));
    let untyped = json!({"model": "kling-3-0", "prompt": "p", "params": {"duration": "99"}});
    let err = client(&server.uri())
        .create_value(&untyped, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("params.duration"), "{err}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn the_catalog_is_public() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list",
            "data": [{"id": "kling-3-0", "category": "video", "base_credits": 90, "params": [{"odd": true}]},
                     {"id": "future-model", "category": "hologram"}]
        })))
        .mount(&server)
        .await;
    let keyless = Client::builder().base_url(server.uri()).build().unwrap();
    let list = keyless.models().await.unwrap();
    assert_eq!(list.data.len(), 2);
    assert_eq!(
        list.data[0].capability,
        Some(rivya_models::Capability::Video)
    );
    assert_eq!(list.data[0].base_credits, Some(90));
    assert_eq!(list.data[1].capability, None);
    assert_eq!(list.data[1].extra["category"], "hologram");
    assert!(
        received(&server).await[0]
            .headers
            .get("authorization")
            .is_none()
    );
}

/// Serves `statuses` in turn for one task, then the last one forever.
async fn task_sequence(server: &MockServer, id: &str, statuses: &[&str]) {
    for (i, s) in statuses.iter().enumerate() {
        let last = i + 1 == statuses.len();
        let mock = Mock::given(method("GET"))
            .and(path(format!("/api/v1/generations/{id}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(task(id, s)))
            .with_priority(u8::try_from(i + 1).unwrap());
        let mock = if last { mock } else { mock.up_to_n_times(1) };
        mock.mount(server).await;
    }
}

#[tokio::test]
async fn run_creates_then_waits_and_reports_progress() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(task("task_r", "queued")))
        .mount(&server)
        .await;
    task_sequence(
        &server,
        "task_r",
        &["queued", "processing", "processing", "succeeded"],
    )
    .await;
    let seen = Mutex::new(Vec::new());
    let options =
        WaitOptions::default().on_status(|t| seen.lock().unwrap().push(t.status.to_string()));
    let done = client(&server.uri())
        .run_with(&request(), options)
        .await
        .unwrap();
    assert_eq!(
        done.result.unwrap().primary_url.as_deref(),
        Some("https://cdn.test/task_r.mp4")
    );
    assert_eq!(*seen.lock().unwrap(), ["queued", "processing", "succeeded"]);
}

#[tokio::test]
async fn waits_resume_by_id_and_failures_keep_it() {
    let server = MockServer::start().await;
    task_sequence(&server, "task_f", &["processing", "failed"]).await;
    let err = client(&server.uri()).wait("task_f").await.unwrap_err();
    assert_eq!(err.task_id(), Some("task_f"));
    assert!(matches!(err, Error::TaskFailed(_)));

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(envelope("not_found")))
        .mount(&server)
        .await;
    let err = client(&server.uri()).wait("task_gone").await.unwrap_err();
    assert_eq!(err.task_id(), Some("task_gone"));
    assert_eq!(err.code(), Some(&ErrorCode::NotFound));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_wait_past_its_deadline_hands_back_the_task_id() {
    let server = MockServer::start().await;
    task_sequence(&server, "task_slow", &["processing"]).await;
    let options = WaitOptions::default().policy(PollPolicy {
        first_poll: Duration::from_millis(5),
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(10),
        deadline: Duration::from_millis(60),
        ..PollPolicy::default()
    });
    let err = client(&server.uri())
        .wait_with("task_slow", options)
        .await
        .unwrap_err();
    match err {
        Error::WaitTimeout {
            task_id,
            last_status,
            ..
        } => {
            assert_eq!(task_id, "task_slow");
            assert_eq!(last_status, TaskStatus::Processing);
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn dropping_a_wait_stops_all_polling() {
    let server = MockServer::start().await;
    task_sequence(&server, "task_d", &["processing"]).await;
    let c = client(&server.uri());
    let _ = tokio::time::timeout(Duration::from_millis(40), c.wait("task_d")).await;
    // A request already on the wire when the future was dropped may still land; let it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let before = received(&server).await.len();
    assert!(before > 0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        received(&server).await.len(),
        before,
        "no poll after the future was dropped"
    );
}

#[tokio::test]
async fn the_api_key_never_shows_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(envelope("api_key_invalid")))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let err = c.credits().await.unwrap_err();
    for shown in [format!("{c:?}"), format!("{err:?}"), err.to_string()] {
        assert!(!shown.contains(KEY) && !shown.contains("secret"), "{shown}");
    }
    // A transport error (nothing listening) does not show it either.
    let dead = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = dead.credits().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }));
    assert!(!format!("{err:?}").contains(KEY));
}
