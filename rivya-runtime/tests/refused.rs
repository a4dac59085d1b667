//! What is refused before any request: ids that would leave their path segment (task, file and
//! webhook ids are percent-encoded on the wire; `.`, `..` and empty ids never sent) and
//! idempotency keys that cannot be a header (refused at once, not retried).

mod support;

use std::sync::{Arc, Mutex};

use rivya_runtime::{Client, Error, Upload, WebhookUpdate};
use support::client;
use support::raw::{RawServer, Reply, task_json};

/// A server that records every request line's path and answers 404 (or a task for GETs of
/// generations), so every call ends at once.
fn recording() -> (RawServer, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = RawServer::start(true, move |req| {
        s.lock()
            .unwrap()
            .push(format!("{} {}", req.method, req.path));
        if req.method == "GET" && req.path.starts_with("/api/v1/generations/") {
            return Reply::Json(200, task_json("task_1", "queued"), vec![]);
        }
        let body = r#"{"error":{"code":"not_found","message":"no"}}"#.to_owned();
        Reply::Json(404, body, vec![])
    });
    (server, seen)
}

/// Every id-taking call with `id`; the errors they came to.
async fn every_call(c: &Client, id: &str) -> Vec<Result<(), Error>> {
    vec![
        c.task(id).await.map(drop),
        c.file(id).await.map(drop),
        c.webhook(id).await.map(drop),
        c.update_webhook(id, &WebhookUpdate::default())
            .await
            .map(drop),
        c.delete_webhook(id).await,
        c.rotate_webhook_secret(id).await.map(drop),
        c.webhook_deliveries(id).await.map(drop),
        c.test_webhook(id).await.map(drop),
    ]
}

#[tokio::test]
async fn dot_segments_and_empty_ids_send_nothing() {
    let (server, seen) = recording();
    let c = client(&server.url());
    for id in ["..", ".", ""] {
        for r in every_call(&c, id).await {
            let e = r.expect_err("refused");
            assert!(matches!(e, Error::InvalidId { .. }), "{id:?}: {e:?}");
            assert!(e.to_string().contains("nothing was sent"), "{e}");
        }
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[tokio::test]
async fn reserved_characters_and_non_ascii_stay_inside_the_segment() {
    let (server, seen) = recording();
    let c = client(&server.url());
    let cases = [
        ("../credits", "..%2Fcredits"),
        ("a/b", "a%2Fb"),
        ("%2e%2e", "%252e%252e"),
        ("x?y", "x%3Fy"),
        ("x#y", "x%23y"),
        ("täsk", "t%C3%A4sk"),
    ];
    for (id, wire) in cases {
        seen.lock().unwrap().clear();
        let _ = every_call(&c, id).await;
        let paths = seen.lock().unwrap().clone();
        let expected = [
            format!("GET /api/v1/generations/{wire}"),
            format!("GET /api/v1/files/{wire}"),
            format!("GET /api/v1/webhooks/{wire}"),
            format!("PATCH /api/v1/webhooks/{wire}"),
            format!("DELETE /api/v1/webhooks/{wire}"),
            format!("POST /api/v1/webhooks/{wire}/rotate-secret"),
            format!("GET /api/v1/webhooks/{wire}/deliveries"),
            format!("POST /api/v1/webhooks/{wire}/test"),
        ];
        assert_eq!(paths, expected, "id {id:?}");
    }
}

#[tokio::test]
async fn keys_that_cannot_be_a_header_are_refused_without_a_retry() {
    let (server, seen) = recording();
    let c = client(&server.url());
    let body = serde_json::json!({"model": "kling-3-0", "prompt": "p"});
    for key in ["a\r\nX-Evil: 1", "ключ", "", &"k".repeat(256)] {
        let e = c
            .create_value(&body, Some(key.to_owned()))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidIdempotencyKey { .. }), "{e:?}");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let e = c
            .upload(Upload::bytes(png, "r.png").idempotency_key(key))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidIdempotencyKey { .. }), "{e:?}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}
