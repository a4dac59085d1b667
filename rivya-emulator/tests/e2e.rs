//! The runtime against the emulator over real loopback HTTP: every shipped model, uploads,
//! every injected fault (one task, one charge), resumed waits, and an exact wallet.

use std::time::Duration;

use rivya_emulator::{Config, Emulator, Fault};
use rivya_models::{catalog, kling_3_0};
use rivya_runtime::{Client, Error, ErrorCode, PollPolicy, RetryPolicy, Upload};
use serde_json::{Value, json};

fn fast() -> Config {
    Config {
        queued_for: Duration::from_millis(5),
        processing_for: Duration::from_millis(15),
        ..Config::default()
    }
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.api_key())
        .base_url(emu.base_url())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(5),
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(20),
            deadline: Duration::from_secs(10),
            ..PollPolicy::default()
        })
        .jitter_seed(3)
        .build()
        .unwrap()
}

/// The default request of a model: its documented minimal request, or one built from the
/// documented defaults (plus a value for each required param without one).
fn default_request(info: &rivya_models::ModelInfo) -> Value {
    if let Some(ex) = info.minimal_example {
        return serde_json::from_str(ex).unwrap();
    }
    let params = catalog::default_params(info);
    json!({"model": info.id, "prompt": "An emulated end-to-end run", "params": params})
}

#[tokio::test]
async fn every_shipped_model_runs_with_its_default_request() {
    let emu = Emulator::start(fast()).await.unwrap();
    let c = client(&emu);
    let mut expected = 0.0;
    // Chat models take turns, not tasks (tests/chat.rs).
    let generation_models: Vec<_> = catalog::all().iter().filter(|i| !i.is_chat()).collect();
    for info in &generation_models {
        let sub = c
            .create_value(&default_request(info), None)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", info.id));
        let done = c
            .wait(&sub.task.id)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", info.id));
        assert_eq!(done.model, info.id);
        assert!(
            done.result.and_then(|r| r.primary_url).is_some(),
            "{}",
            info.id
        );
        expected += f64::from(info.base_credits);
    }
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, generation_models.len());
    assert_eq!(stats.charged, expected);
    assert_eq!(
        c.credits().await.unwrap().current_credits,
        10_000.0 - expected
    );
}

#[tokio::test]
async fn upload_then_reference_then_download() {
    let emu = Emulator::start(fast()).await.unwrap();
    let c = client(&emu);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(50_000, 1);
    let up = c
        .upload(Upload::bytes(png, "ref.png").model::<kling_3_0::Model>())
        .await
        .unwrap();
    assert_eq!(
        c.file(up.file.id.as_deref().unwrap()).await.unwrap().url,
        up.file.url
    );
    let req = kling_3_0::Request::new("Reveal").reference(up.to_reference());
    let task = c.run(&req).await.unwrap();
    let url = task.result.unwrap().primary_url.unwrap();
    let bytes = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(
        rivya_models::files::detect(&bytes).map(|(_, m)| m),
        Some("video/mp4")
    );

    // The emulator applies the model's upload policy itself: a GIF is refused server-side.
    let gif = reqwest::multipart::Form::new()
        .text("kind", "image")
        .text("model", "kling-3-0")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"GIF89a\x01\x00".to_vec()).file_name("a.gif"),
        );
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/files", emu.base_url()))
        .bearer_auth(emu.api_key())
        .multipart(gif)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
}

#[tokio::test]
async fn every_injected_fault_is_survived_with_one_task_and_one_charge() {
    let faults = [
        Fault::RateLimited {
            retry_after_secs: 0,
        },
        Fault::Unavailable,
        Fault::ServerError,
        Fault::Slow(Duration::from_millis(50)),
        Fault::DropAfterCreate,
    ];
    for fault in faults {
        let emu = Emulator::start(fast()).await.unwrap();
        emu.inject([fault, fault]);
        let c = client(&emu);
        let task = c
            .run(&kling_3_0::Request::new("Survive"))
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        let stats = emu.stats();
        assert_eq!(stats.tasks_created, 1, "{fault:?}");
        assert_eq!(stats.charged, 90.0, "{fault:?}");
        assert_eq!(stats.credits, 10_000.0 - 90.0, "{fault:?}");
        assert_eq!(task.final_credits, Some(90.0));
    }
}

#[tokio::test]
async fn a_wait_resumes_from_the_task_id_in_another_client() {
    let emu = Emulator::start(Config {
        processing_for: Duration::from_millis(200),
        ..fast()
    })
    .await
    .unwrap();
    let id = client(&emu)
        .create(&kling_3_0::Request::new("Resume"))
        .await
        .unwrap()
        .task
        .id;
    // A different client, as another process would have.
    let other = client(&emu);
    let done = other.wait(&id).await.unwrap();
    assert_eq!(done.id, id);
    assert_eq!(emu.stats().tasks_created, 1);
}

#[tokio::test]
async fn the_wallet_is_exact_after_successes_failures_and_refusals() {
    let emu = Emulator::start(Config {
        credits: 350.0,
        ..fast()
    })
    .await
    .unwrap();
    let c = client(&emu);
    // kling-3-0 costs 90: two succeed, one fails (refunded), then one more succeeds.
    c.run(&kling_3_0::Request::new("one")).await.unwrap();
    emu.fail_next_tasks(1);
    let err = c.run(&kling_3_0::Request::new("two")).await.unwrap_err();
    let failed_id = err
        .task_id()
        .expect("a failed task keeps its id")
        .to_owned();
    assert!(matches!(err, Error::TaskFailed(_)));
    assert_eq!(c.task(&failed_id).await.unwrap().final_credits, Some(0.0));
    c.run(&kling_3_0::Request::new("three")).await.unwrap();
    c.run(&kling_3_0::Request::new("four")).await.unwrap();
    // 350 − 3 × 90 = 80 left: a fifth run is refused for credits, and not retried.
    let err = c.run(&kling_3_0::Request::new("five")).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InsufficientCredits));
    let stats = emu.stats();
    assert_eq!(
        (stats.tasks_created, stats.charged, stats.refunded),
        (4, 270.0, 90.0)
    );
    assert_eq!(c.credits().await.unwrap().current_credits, 80.0);
}

#[tokio::test]
async fn idempotency_replays_and_conflicts() {
    let emu = Emulator::start(fast()).await.unwrap();
    let c = client(&emu);
    let a = c
        .create_with_key(&kling_3_0::Request::new("same"), "k1")
        .await
        .unwrap();
    let b = c
        .create_with_key(&kling_3_0::Request::new("same"), "k1")
        .await
        .unwrap();
    assert_eq!(a.task.id, b.task.id);
    let err = c
        .create_with_key(&kling_3_0::Request::new("different"), "k1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::IdempotencyConflict));
    assert_eq!(err.idempotency_key(), Some("k1"));
    assert_eq!(emu.stats().tasks_created, 1);
}

#[tokio::test]
async fn the_emulator_judges_with_the_generated_rules_and_checks_keys() {
    let emu = Emulator::start(fast()).await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/generations", emu.base_url());
    let bad = json!({"model": "kling-3-0", "prompt": "p", "params": {"duration": "99"}});
    let resp = http
        .post(&url)
        .bearer_auth(emu.api_key())
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("params.duration")
    );
    let resp = http
        .post(&url)
        .bearer_auth("rvya_sk_wrong")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http.post(&url).json(&bad).send().await.unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "api_key_missing");
    let models = Client::builder()
        .base_url(emu.base_url())
        .build()
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(models.data.len(), catalog::all().len());
    assert_eq!(emu.stats().tasks_created, 0);
}

/// `GET /_emulator/stats` counts from outside: one real task, one replay, the charge, and
/// `--queued-ms 0 --processing-ms 0` (zero durations) makes tasks finish at create.
#[tokio::test]
async fn stats_route_counts_replays_and_zero_durations_give_instant_tasks() {
    let emu = Emulator::start(Config {
        queued_for: Duration::ZERO,
        processing_for: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap();
    let c = client(&emu);
    let body = default_request(catalog::find("kling-3-0").unwrap());
    let first = c.create_value(&body, Some("key-1".into())).await.unwrap();
    assert_eq!(first.task.status.as_str(), "succeeded");
    let again = c.create_value(&body, Some("key-1".into())).await.unwrap();
    assert_eq!(again.task.id, first.task.id);
    let stats: Value = reqwest::get(format!("{}/_emulator/stats", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["tasks_created"], 1);
    assert_eq!(stats["creates_replayed"], 1);
    assert_eq!(stats["credits_spent"], 90.0);
    assert_eq!(stats["credits_balance"], 10_000.0 - 90.0);
}
