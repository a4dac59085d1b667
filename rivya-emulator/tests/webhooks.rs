//! Webhooks end to end: endpoints managed with the typed client, signed deliveries from the
//! emulator verified by the runnable receiver example (rivya-runtime/examples), duplicates
//! handled once, retries after failures, out-of-order arrival, and secret rotation.

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../../rivya-runtime/examples/webhook_receiver.rs"]
mod receiver;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use rivya_emulator::{Config, Emulator, FaultRates, WebhookFault};
use rivya_runtime::{
    Client, ErrorCode, NewWebhook, PollPolicy, RetryPolicy, WebhookEvent, WebhookEventType,
    WebhookUpdate, WebhookVerifier,
};
use serde_json::json;

fn config(faults: FaultRates) -> Config {
    Config {
        queued_for: Duration::from_millis(5),
        processing_for: Duration::from_millis(20),
        webhook_retries: vec![Duration::from_millis(20); 3],
        faults,
        ..Config::default()
    }
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.api_key())
        .base_url(emu.base_url())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(5),
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(10),
            deadline: Duration::from_secs(10),
            ..PollPolicy::default()
        })
        .build()
        .unwrap()
}

/// Serves `app` on a free loopback port until the test ends; returns its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Polls `check` until it holds (a bound for failure, not a timing assertion).
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..500 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never happened: {what}");
}

type Events = Arc<Mutex<Vec<WebhookEvent>>>;

/// The example's receiver on a free port, with every POST counted.
async fn start_receiver(secret: &str, url_slot: &str) -> (Events, Arc<AtomicUsize>) {
    let events: Events = Arc::default();
    let posts = Arc::new(AtomicUsize::new(0));
    let (e, p) = (events.clone(), posts.clone());
    let app = receiver::router(WebhookVerifier::new(secret).unwrap(), move |ev| {
        e.lock().unwrap().push(ev.clone());
    })
    .layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let p = p.clone();
            async move {
                p.fetch_add(1, Ordering::SeqCst);
                next.run(req).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind(url_slot).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (events, posts)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_receiver_verifies_deliveries_once_each() {
    // Every message is sent twice: the receiver must act on it once.
    let emu = Emulator::start(config(FaultRates {
        webhook_duplicate: 1.0,
        ..FaultRates::default()
    }))
    .await
    .unwrap();
    let c = client(&emu);
    let slot = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = slot.local_addr().unwrap();
    drop(slot);
    let endpoint = c
        .create_webhook(&NewWebhook::new("e2e", format!("http://{addr}/webhooks")))
        .await
        .unwrap();
    let secret = endpoint.signing_secret.clone().expect("the secret, once");
    assert!(secret.starts_with("whsec_"));
    let (events, posts) = start_receiver(&secret, &addr.to_string()).await;

    let ok = c
        .run_value(&json!({"model": "kling-3-0", "prompt": "p"}))
        .await
        .unwrap();
    emu.fail_next_tasks(1);
    let failed = c
        .run_value(&json!({"model": "kling-3-0", "prompt": "q"}))
        .await
        .unwrap_err();
    let failed_id = failed.task_id().unwrap().to_owned();
    eventually("both events handled", || events.lock().unwrap().len() == 2).await;
    eventually("every duplicate arrived", || {
        posts.load(Ordering::SeqCst) == 4
    })
    .await;
    let events = events.lock().unwrap().clone();
    let by_task = |id: &str| events.iter().find(|e| e.task.id == id).unwrap().clone();
    let good = by_task(&ok.id);
    assert_eq!(good.event_type, WebhookEventType::GenerationSucceeded);
    assert_eq!(
        good.task.result, ok.result,
        "the same task object as a poll"
    );
    let bad = by_task(&failed_id);
    assert_eq!(bad.event_type, WebhookEventType::GenerationFailed);
    assert_eq!(bad.task.error.unwrap().code, "generation_failed");

    // The emulator records a delivery once the receiver's answer is back, which may be just
    // after the receiver counted it: wait for the record, then check it.
    let mut deliveries = Vec::new();
    for _ in 0..500 {
        deliveries = c.webhook_deliveries(&endpoint.id).await.unwrap();
        let delivered =
            |d: &rivya_runtime::WebhookDelivery| d.status.as_deref() == Some("delivered");
        if deliveries.len() == 2 && deliveries.iter().all(delivered) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert!(
        deliveries
            .iter()
            .all(|d| d.status.as_deref() == Some("delivered")),
        "{deliveries:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_deliveries_are_retried_with_the_same_id() {
    let emu = Emulator::start(config(FaultRates::default()))
        .await
        .unwrap();
    let c = client(&emu);
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s = seen.clone();
    let flaky = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let s = s.clone();
            async move {
                let mut seen = s.lock().unwrap();
                seen.push(headers["webhook-id"].to_str().unwrap().to_owned());
                if seen.len() < 3 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let url = serve(flaky).await;
    let endpoint = c
        .create_webhook(&NewWebhook::new("flaky", format!("{url}/hook")))
        .await
        .unwrap();
    c.run_value(&json!({"model": "kling-3-0", "prompt": "p"}))
        .await
        .unwrap();
    eventually("delivered on the third attempt", || {
        seen.lock().unwrap().len() == 3
    })
    .await;
    let ids = seen.lock().unwrap().clone();
    assert!(ids.iter().all(|i| *i == ids[0]), "one webhook-id: {ids:?}");
    let c2 = c.clone();
    let id = endpoint.id.clone();
    let mut status = None;
    for _ in 0..100 {
        let d = c2.webhook_deliveries(&id).await.unwrap();
        if d[0].status.as_deref() == Some("delivered") {
            status = Some((d[0].attempts, d[0].status.clone()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, Some((Some(3), Some("delivered".to_owned()))));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_message_arrives_after_a_later_event() {
    let emu = Emulator::start(Config {
        faults: FaultRates {
            webhook_late_by: Duration::from_secs(1),
            ..FaultRates::default()
        },
        ..config(FaultRates::default())
    })
    .await
    .unwrap();
    let c = client(&emu);
    let slot = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = slot.local_addr().unwrap();
    drop(slot);
    let endpoint = c
        .create_webhook(&NewWebhook::new("order", format!("http://{addr}/webhooks")))
        .await
        .unwrap();
    let (events, _) = start_receiver(
        endpoint.signing_secret.as_deref().unwrap(),
        &addr.to_string(),
    )
    .await;
    emu.inject_webhook_faults([WebhookFault::Late, WebhookFault::None]);
    let body = json!({"model": "kling-3-0", "prompt": "p"});
    let first = c.create_value(&body, None).await.unwrap().task.id;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = c.create_value(&body, None).await.unwrap().task.id;
    eventually("both arrived", || events.lock().unwrap().len() == 2).await;
    let order: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.task.id.clone())
        .collect();
    assert_eq!(order, [second, first], "the held-back message came last");
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoints_are_managed_with_typed_calls() {
    let emu = Emulator::start(config(FaultRates::default()))
        .await
        .unwrap();
    let c = client(&emu);
    let types = c.webhook_event_types().await.unwrap();
    let names: Vec<_> = types.iter().filter_map(|t| t.r#type.clone()).collect();
    assert_eq!(names, ["generation.succeeded", "generation.failed"]);

    let err = c
        .create_webhook(&NewWebhook::new("bad", "ftp://nope"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::WebhookUrlRejected));

    let slot = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = slot.local_addr().unwrap();
    drop(slot);
    let created = c
        .create_webhook(
            &NewWebhook::new("only-failures", format!("http://{addr}/webhooks"))
                .event_types(["generation.failed"]),
        )
        .await
        .unwrap();
    let old_secret = created.signing_secret.clone().unwrap();
    let listed = c.webhooks().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].signing_secret, None, "the secret is shown once");
    let got = c.webhook(&created.id).await.unwrap();
    assert_eq!(got.event_types, ["generation.failed"]);

    let updated = c
        .update_webhook(
            &created.id,
            &WebhookUpdate {
                name: Some("everything".into()),
                event_types: Some(vec![
                    "generation.succeeded".into(),
                    "generation.failed".into(),
                ]),
                ..WebhookUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("everything"));
    assert_eq!(updated.event_types.len(), 2);

    // After a rotation, deliveries carry both signatures: old and new secrets verify.
    let rotated = c.rotate_webhook_secret(&created.id).await.unwrap();
    let new_secret = rotated.signing_secret.unwrap();
    assert_ne!(new_secret, old_secret);
    let (events, _) = start_receiver(&old_secret, &addr.to_string()).await;
    let test = c.test_webhook(&created.id).await.unwrap();
    assert!(test["delivery_id"].is_string(), "{test}");
    eventually("the test delivery", || events.lock().unwrap().len() == 1).await;
    assert_eq!(events.lock().unwrap()[0].task.id, "task_webhook_test");

    c.delete_webhook(&created.id).await.unwrap();
    assert!(c.webhooks().await.unwrap().is_empty());
    let gone = c.webhook(&created.id).await.unwrap_err();
    assert_eq!(gone.code(), Some(&ErrorCode::NotFound));
}
