//! The client against real local HTTP servers: retries, idempotency, decoding, polling, uploads.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rivya_models::{MediaKind, kling_3_0, wan_2_6};
use rivya_runtime::{
    Client, Error, ErrorCode, PollPolicy, RetryPolicy, TaskStatus, Upload, UploadRejection,
    WaitOptions,
};
use serde_json::json;
use support::raw::{RawServer, Reply, task_json};
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "rvya_sk_test_secret_0123456789";

/// A client with instant retries and polls, so real-time tests stay fast.
fn client(base: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(2),
            initial_interval: Duration::from_millis(2),
            max_interval: Duration::from_millis(5),
            deadline: Duration::from_secs(5),
            ..PollPolicy::default()
        })
        .jitter_seed(7)
        .build()
        .unwrap()
}

fn envelope(code: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": format!("{code} happened"), "requestId": "req_1"}})
}

fn task(id: &str, status: &str) -> serde_json::Value {
    serde_json::from_str(&task_json(id, status)).unwrap()
}

fn request() -> kling_3_0::Request {
    kling_3_0::Request::new("A cinematic product reveal")
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn idem_keys(reqs: &[Request]) -> Vec<String> {
    reqs.iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        })
        .collect()
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
    // (Retry-After, attempts the server should see, success?)
    let cases = [
        ("0", 2, true),
        ("1", 2, true),
        ("-3", 2, true),
        ("garbage", 2, true),
        ("120", 1, false),
    ];
    for (value, attempts, ok) in cases {
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
        let result = client(&server.uri()).credits().await;
        assert_eq!(
            received(&server).await.len(),
            attempts,
            "Retry-After: {value}"
        );
        assert_eq!(result.is_ok(), ok, "Retry-After: {value}");
        if let Err(Error::Api(api)) = result {
            assert_eq!(api.retry_after, Some(Duration::from_secs(120)));
        }
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
    assert_eq!(list.data[1].category.as_deref(), Some("hologram"));
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

/// The parts of a multipart body, as (name, file name, bytes).
fn multipart_parts(req: &Request) -> Vec<(String, Option<String>, Vec<u8>)> {
    let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = format!("--{}", ct.split("boundary=").nth(1).unwrap());
    let body = &req.body;
    let find = |from: usize, needle: &[u8]| {
        body[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let mut pos = find(0, boundary.as_bytes()).unwrap() + boundary.len();
    while body[pos..].starts_with(b"\r\n") {
        let head_end = find(pos, b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&body[pos + 2..head_end]).into_owned();
        let next = find(head_end, format!("\r\n{boundary}").as_bytes()).unwrap();
        let name = head
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let file = head
            .split("filename=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_owned());
        parts.push((name, file, body[head_end + 4..next].to_vec()));
        pos = next + 2 + boundary.len();
    }
    parts
}

fn png_bytes(len: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend((0..len - 8).map(|i| (i % 251) as u8));
    v
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("rivya-test-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

#[tokio::test]
async fn uploads_stream_the_whole_file_with_one_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files"))
        .respond_with(ResponseTemplate::new(503).set_body_json(envelope("public_api_disabled")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "file_1", "url": "https://cdn.test/f.png", "expires_at": "later"}),
        ))
        .mount(&server)
        .await;
    let bytes = png_bytes(300_000);
    let file = temp_file("ref.png", &bytes);
    let up = client(&server.uri())
        .upload(Upload::path(&file).model::<kling_3_0::Kling3_0>())
        .await
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        idem_keys(&reqs),
        [up.idempotency_key.clone(), up.idempotency_key.clone()]
    );
    for req in &reqs {
        let parts = multipart_parts(req);
        let get = |n: &str| parts.iter().find(|p| p.0 == n).unwrap();
        assert_eq!(get("kind").2, b"image");
        assert_eq!(get("model").2, b"kling-3-0");
        assert_eq!(get("file").1.as_deref(), Some(up.name.as_str()));
        assert!(
            get("file").2 == bytes,
            "the file arrived intact and in full"
        );
    }
    let item = up.to_reference();
    assert_eq!(
        (item.kind, item.mime_type.as_deref()),
        (MediaKind::Image, Some("image/png"))
    );
    assert_eq!(up.file.extra["expires_at"], "later");
    assert!(
        kling_3_0::Request::new("p")
            .reference(item)
            .validate()
            .is_ok()
    );
}

#[tokio::test]
async fn video_uploads_carry_their_duration_token_into_the_reference() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"url": "https://cdn.test/v.mp4", "duration_token": "dt_1", "duration_seconds": 5})))
        .mount(&server)
        .await;
    let mut mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0".to_vec();
    mp4.resize(4096, 0);
    let up = client(&server.uri())
        .upload(
            Upload::bytes(mp4, "clip.mp4")
                .kind(MediaKind::Video)
                .model::<wan_2_6::Wan2_6>(),
        )
        .await
        .unwrap();
    let item = up.to_reference();
    assert_eq!(item.duration_token.as_deref(), Some("dt_1"));
    assert_eq!(item.duration_seconds, Some(5.0));
    assert!(
        wan_2_6::Request::new("p")
            .reference(item)
            .validate()
            .is_ok()
    );
}

#[tokio::test]
async fn oversize_and_mistyped_files_are_refused_before_any_byte_is_sent() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    let big = temp_file("big.png", &png_bytes(12_000_000));
    let err = c
        .upload(Upload::path(&big).model::<kling_3_0::Kling3_0>())
        .await
        .unwrap_err();
    std::fs::remove_file(&big).unwrap();
    assert!(
        matches!(
            err,
            Error::UploadRejected {
                reason: UploadRejection::TooLarge {
                    size: 12_000_000,
                    max: 10_000_000
                },
                ..
            }
        ),
        "{err}"
    );
    let gif = Upload::bytes(b"GIF89a\x01\x00\x01\x00".to_vec(), "anim.png")
        .model::<kling_3_0::Kling3_0>();
    let err = c.upload(gif).await.unwrap_err();
    assert!(
        err.to_string().contains("image/gif is not accepted"),
        "{err}"
    );
    let text = Upload::bytes(b"just text".to_vec(), "notes.png");
    assert!(matches!(
        c.upload(text).await.unwrap_err(),
        Error::UploadRejected {
            reason: UploadRejection::UnknownType,
            ..
        }
    ));
    let missing = c
        .upload(Upload::path("/nonexistent/ref.png"))
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }));
    assert!(received(&server).await.is_empty());
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
