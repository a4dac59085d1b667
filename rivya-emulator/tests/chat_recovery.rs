//! Chat turns that must not be lost or paid twice, over raw HTTP: idempotent turns across both
//! endpoints, cut streams and error events, faults before a stream starts, and turns and keys
//! remembered across a restart on the same state directory.

mod chat_support;

use chat_support::{Api, MODEL, code, deltas, turn_body};
use rivya_emulator::{ChatFault, Config, Emulator, Fault};
use serde_json::Value;
#[tokio::test]
async fn one_key_is_one_turn_on_either_endpoint() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let start = api.wallet().await;
    let body = turn_body("only once");
    let (st, first) = api.turn(&body, Some("turn-1")).await;
    assert_eq!(st, 200);
    let (events, clean) = api.stream(&body, Some("turn-1")).await;
    assert!(clean);
    assert_eq!(events[0].event, "session");
    assert_eq!(events.last().unwrap().data, first);
    assert_eq!(deltas(&events), first["message"]["content"]);
    let (_, again) = api.turn(&body, Some("turn-1")).await;
    assert_eq!(again, first);

    let stats = api.stats().await;
    assert_eq!(stats["chat_turns_created"], 1);
    assert_eq!(stats["chat_turns_replayed"], 2);
    let fin = first["credits"]["final"].as_f64().unwrap();
    assert_eq!(api.wallet().await, start - fin, "charged once");

    let (st, json) = api.turn(&turn_body("something else"), Some("turn-1")).await;
    assert_eq!(code(st, &json), (409, "idempotency_conflict"));
    let resp = api
        .post(
            "/api/v1/chat/completions/stream",
            &turn_body("x"),
            Some(&"k".repeat(256)),
        )
        .send()
        .await
        .unwrap();
    let st = resp.status().as_u16();
    let json: Value = resp.json().await.unwrap();
    assert_eq!(code(st, &json), (400, "validation_failed"));
    assert_eq!(api.stats().await["chat_turns_created"], 1);
}

#[tokio::test]
async fn a_cut_stream_was_charged_and_the_key_returns_the_whole_turn() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let start = api.wallet().await;
    emu.inject_chat_faults([ChatFault::CutAfter(3)]);
    let body = turn_body("a message long enough to take several deltas");
    let (events, clean) = api.stream(&body, Some("cut-1")).await;
    assert!(!clean, "the connection was closed mid-stream");
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["session", "delta", "delta"]);
    let stats = api.stats().await;
    assert_eq!(stats["chat_turns_created"], 1);
    let spent = stats["chat_credits_spent"].as_f64().unwrap();
    assert!(spent >= 1.0);
    assert_eq!(api.wallet().await, start - spent);

    let (st, whole) = api.turn(&body, Some("cut-1")).await;
    assert_eq!(st, 200);
    assert_eq!(whole["id"], events[0].data["id"]);
    let content = whole["message"]["content"].as_str().unwrap();
    assert!(content.starts_with(&deltas(&events)) && content.len() > deltas(&events).len());
    let stats = api.stats().await;
    assert_eq!(
        (
            stats["chat_turns_created"].as_u64(),
            stats["chat_turns_replayed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        api.wallet().await,
        start - spent,
        "the resend costs nothing"
    );
}

#[tokio::test]
async fn the_seeded_cut_rate_cuts_new_streams_only() {
    let emu = Emulator::start(Config {
        faults: rivya_emulator::FaultRates {
            chat_stream_cut: 1.0,
            ..Default::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let api = Api::new(&emu);
    let body = turn_body("cut me somewhere, please, anywhere at all");
    let (events, clean) = api.stream(&body, Some("r")).await;
    assert!(!clean);
    assert_eq!(events[0].event, "session");
    assert!(events.iter().all(|e| e.event != "completion"));
    let (events, clean) = api.stream(&body, Some("r")).await;
    assert!(clean, "a replay streams whole");
    assert_eq!(events.last().unwrap().event, "completion");
}

#[tokio::test]
async fn an_error_event_refunds_the_turn_and_the_key_runs_it_again() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let start = api.wallet().await;
    emu.inject_chat_faults([ChatFault::ErrorAfter(2)]);
    let body = turn_body("this one fails first");
    let (events, clean) = api.stream(&body, Some("err-1")).await;
    assert!(clean);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["session", "delta", "error"]);
    let err = &events[2].data["error"];
    assert!(err["code"].is_string() && err["message"].is_string() && err["requestId"].is_string());
    assert_eq!(api.wallet().await, start, "refunded");
    let sid = events[0].data["session_id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/api/v1/chat/sessions/{sid}")).await.1["turns"],
        0
    );

    let (st, done) = api.turn(&body, Some("err-1")).await;
    assert_eq!(st, 200);
    assert_eq!(done["session_id"], sid, "the failed turn's session");
    assert_eq!(
        done["message"]["content"],
        format!("[{MODEL}] turn 1: you said: this one fails first")
    );
    let fin = done["credits"]["final"].as_f64().unwrap();
    assert_eq!(api.wallet().await, start - fin);
    let (_, again) = api.turn(&body, Some("err-1")).await;
    assert_eq!(again, done);
    let stats = api.stats().await;
    assert_eq!(
        stats["chat_turns_created"], 2,
        "the failed turn and its rerun"
    );
    assert_eq!(stats["chat_credits_spent"].as_f64(), Some(fin));
}

#[tokio::test]
async fn faults_before_the_stream_starts_create_nothing() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    emu.inject([
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        Fault::Unavailable,
    ]);
    for expected in [(429, "rate_limited"), (503, "public_api_disabled")] {
        let resp = api
            .post(
                "/api/v1/chat/completions/stream",
                &turn_body("hi"),
                Some("f"),
            )
            .send()
            .await
            .unwrap();
        let st = resp.status().as_u16();
        let json: Value = resp.json().await.unwrap();
        assert_eq!(code(st, &json), expected);
    }
    assert_eq!(api.stats().await["chat_turns_created"], 0);
    let (events, clean) = api.stream(&turn_body("hi"), Some("f")).await;
    assert!(clean && events.last().unwrap().event == "completion");
}

#[tokio::test]
async fn a_restarted_emulator_remembers_turns_and_keys() {
    let dir = std::env::temp_dir().join(format!("rivya-chat-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || Config {
        state_dir: Some(dir.clone()),
        ..Config::default()
    };
    let body = turn_body("remember me");
    let first = {
        let emu = Emulator::start(config()).await.unwrap();
        Api::new(&emu).turn(&body, Some("persist")).await.1
    };
    let emu = Emulator::start(config()).await.unwrap();
    let api = Api::new(&emu);
    let (st, again) = api.turn(&body, Some("persist")).await;
    assert_eq!(st, 200);
    assert_eq!(again, first);
    let sid = first["session_id"].as_str().unwrap();
    let (_, session) = api.get(&format!("/api/v1/chat/sessions/{sid}")).await;
    assert_eq!(session["turns"], 1);
    let (st, json) = api.turn(&turn_body("changed"), Some("persist")).await;
    assert_eq!(code(st, &json), (409, "idempotency_conflict"));
    let stats = api.stats().await;
    assert_eq!(stats["chat_turns_created"], 1);
    assert_eq!(stats["chat_turns_replayed"], 1);
    assert_eq!(stats["chat_credits_spent"], first["credits"]["final"]);
    drop(emu);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_cut_after_every_event_index_sends_exactly_those_events() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let body = turn_body("cut everywhere");
    let (whole, _) = api.stream(&body, None).await;
    let total = whole.len();
    for n in 0..=total {
        emu.inject_chat_faults([ChatFault::CutAfter(n)]);
        let (events, clean) = api.stream(&body, None).await;
        assert_eq!(events.len(), n, "cut after {n}");
        // Cutting after the last event cuts nothing.
        assert_eq!(clean, n == total, "cut after {n}");
        let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
        let expected: Vec<&str> = whole[..n].iter().map(|e| e.event.as_str()).collect();
        assert_eq!(names, expected);
    }
    // Every cut turn was created and charged: one per stream.
    assert_eq!(api.stats().await["chat_turns_created"], total + 2);
}

#[tokio::test]
async fn a_turn_whose_answer_was_dropped_is_charged_once() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let start = api.wallet().await;
    let body = turn_body("the answer to this is lost on the way");
    for path in [
        "/api/v1/chat/completions",
        "/api/v1/chat/completions/stream",
    ] {
        emu.inject([Fault::DropAfterCreate]);
        let lost = match api.post(path, &body, Some("drop-1")).send().await {
            Err(_) => true,
            Ok(resp) => resp.bytes().await.is_err(),
        };
        assert!(lost, "{path}: the connection was closed");
    }
    let (st, turn) = api.turn(&body, Some("drop-1")).await;
    assert_eq!(st, 200);
    let stats = api.stats().await;
    assert_eq!(stats["chat_turns_created"], 1);
    assert_eq!(
        stats["chat_turns_replayed"], 2,
        "the dropped stream and the resend"
    );
    let fin = turn["credits"]["final"].as_f64().unwrap();
    assert_eq!(api.wallet().await, start - fin);
}
