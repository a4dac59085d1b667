//! The chat half of the emulator over raw HTTP (no chat client: the wire itself is under test):
//! the error codes and their envelope, streams that concatenate to the complete answer,
//! settlement by the documented rule, sessions, and padded replies.

mod chat_support;

use chat_support::{Api, MODEL, code, deltas, expected_credits, turn_body};
use rivya_emulator::{Config, Emulator};
use serde_json::{Value, json};
/// Turns refused with each chat error: body, status, code.
fn refused_turns(session: &str, audio: &str, video: &str) -> Vec<(Value, u16, &'static str)> {
    vec![
        (
            json!({"model": "no-such-model", "message": "hi"}),
            400,
            "chat_model_not_supported",
        ),
        (
            json!({"model": "kling-3-0", "message": "hi"}),
            400,
            "chat_model_not_supported",
        ),
        (
            json!({"model": MODEL, "message": "x".repeat(20_001), "reasoning_effort": "max"}),
            400,
            "validation_failed",
        ),
        (
            json!({"model": "gpt-5-3-codex-chat", "message": "hi", "session_id": session}),
            409,
            "chat_session_conflict",
        ),
        (
            json!({"model": MODEL, "message": "hi", "session_id": "chs_nope"}),
            404,
            "not_found",
        ),
        (
            json!({"model": MODEL, "message": "hi", "attachments": [{"file_id": "file_nope"}]}),
            400,
            "chat_attachment_not_supported",
        ),
        (
            json!({"model": MODEL, "message": "hi", "attachments": [{"file_id": audio}]}),
            400,
            "chat_attachment_not_supported",
        ),
        (
            json!({"model": MODEL, "message": "hi", "attachments": [{"file_id": video}]}),
            400,
            "chat_attachment_not_supported",
        ),
    ]
}

#[tokio::test]
async fn every_chat_error_code_comes_in_the_envelope_and_costs_nothing() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let (s, first) = api.turn(&turn_body("hello"), None).await;
    assert_eq!(s, 200, "{first}");
    let session = first["session_id"].as_str().unwrap();
    let wallet = api.wallet().await;

    let audio = api
        .upload("audio", "a.mp3", b"ID3\x04\0\0\0\0\0\0an mp3".to_vec())
        .await;
    let video = api
        .upload(
            "video",
            "a.mp4",
            b"\0\0\0\x18ftypmp42\0\0\0\0an mp4".to_vec(),
        )
        .await;
    let cases = refused_turns(session, &audio, &video);
    for (body, status, expected) in &cases {
        for path in [
            "/api/v1/chat/completions",
            "/api/v1/chat/completions/stream",
        ] {
            let resp = api.post(path, body, None).send().await.unwrap();
            let st = resp.status().as_u16();
            let json: Value = resp.json().await.unwrap();
            assert_eq!(
                code(st, &json),
                (*status, *expected),
                "{path} {body}: {json}"
            );
        }
    }
    // The rule violations are listed, each with its path.
    let (_, json) = api.turn(&cases[2].0, None).await;
    let msg = json["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("message") && msg.contains("reasoning_effort"),
        "{msg}"
    );

    let (st, json) = api.get("/api/v1/chat/sessions/chs_nope").await;
    assert_eq!(code(st, &json), (404, "not_found"));
    assert_eq!(api.wallet().await, wallet, "refusals cost nothing");
    assert_eq!(api.stats().await["chat_turns_created"], 1);
}

#[tokio::test]
async fn the_generation_route_refuses_chat_models() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    // A chat model on the generation route is refused with a pointer to the chat route.
    let resp = api
        .post(
            "/api/v1/generations",
            &json!({"model": MODEL, "prompt": "hi"}),
            None,
        )
        .send()
        .await
        .unwrap();
    let st = resp.status().as_u16();
    let json: Value = resp.json().await.unwrap();
    assert_eq!(code(st, &json), (400, "validation_failed"));
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/api/v1/chat/completions")
    );

    assert_eq!(api.stats().await["tasks_created"], 0);
}

#[tokio::test]
async fn chat_models_are_listed_with_their_capabilities() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let (st, list) = Api::new(&emu).get("/api/v1/models").await;
    assert_eq!(st, 200);
    let models = list["data"].as_array().unwrap();
    let chat = models.iter().find(|m| m["id"] == MODEL).unwrap();
    assert_eq!(chat["category"], "chat");
    assert_eq!(chat["billing_type"], "TOKEN_BASED");
    assert_eq!(chat["requires_files_api"], false);
    assert_eq!(chat["chat_capabilities"]["max_attachments"], 10);
    let kling = models.iter().find(|m| m["id"] == "kling-3-0").unwrap();
    assert!(kling.get("chat_capabilities").is_none());
    // Every entry reads back into the client's type with the facts of its spec.
    assert_eq!(models.len(), rivya_models::catalog::all().len());
    for m in models {
        let entry: rivya_models::CatalogModel = serde_json::from_value(m.clone()).unwrap();
        let spec = rivya_models::CatalogModel::from(entry.spec().expect("a compiled model"));
        let facts = |e: &rivya_models::CatalogModel| {
            (
                e.display_name.clone(),
                e.capability,
                e.billing,
                e.base_credits,
            )
        };
        assert_eq!(facts(&entry), facts(&spec), "{m}");
        assert_eq!(entry.api_status.as_deref(), Some("available"));
    }
}

#[tokio::test]
async fn a_turn_the_wallet_cannot_reserve_is_insufficient_credits() {
    let emu = Emulator::start(Config {
        credits: 14.0,
        ..Config::default()
    })
    .await
    .unwrap();
    let api = Api::new(&emu);
    // 2 input tokens reserve 3 * ceil(4098 / 1000) = 15 credits.
    let (st, json) = api.turn(&turn_body("hello"), Some("k1")).await;
    assert_eq!(code(st, &json), (402, "insufficient_credits"));
    assert_eq!(api.wallet().await, 14.0);
    assert_eq!(api.stats().await["chat_turns_created"], 0);
}

#[tokio::test]
async fn a_streamed_turn_concatenates_to_the_complete_answer() {
    let emu = Emulator::start(Config {
        faults: rivya_emulator::FaultRates {
            chat_delta_delay: std::time::Duration::from_millis(1),
            ..Default::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let api = Api::new(&emu);
    let body = json!({"model": MODEL, "message": "Tell me about the sea, é and 😀", "enable_web_search": true});
    let (_, complete) = api.turn(&body, None).await;
    let (events, clean) = api.stream(&body, None).await;
    assert!(clean);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"session"));
    assert_eq!(names.last(), Some(&"completion"));
    assert!(names[1..names.len() - 1].iter().all(|n| *n == "delta"));
    assert!(names.len() > 3, "several deltas: {names:?}");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i.to_string());
    }
    let done = &events.last().unwrap().data;
    assert_eq!(deltas(&events), done["message"]["content"]);
    // A new session each time, so the same deterministic reply and charge.
    assert_eq!(done["message"]["content"], complete["message"]["content"]);
    assert_eq!(done["usage"], complete["usage"]);
    assert_eq!(done["credits"], complete["credits"]);
    assert_eq!(done["object"], "chat.completion");
    let content = done["message"]["content"].as_str().unwrap();
    assert!(content.ends_with(" (web search on)"), "{content}");
    let session = &events[0].data;
    assert_eq!(session["id"], done["id"]);
    assert_eq!(session["session_id"], done["session_id"]);
    assert_eq!(session["credits"]["reserved"], done["credits"]["reserved"]);
    assert!(
        events[1..]
            .iter()
            .all(|e| e.data["session_id"] == done["session_id"] || e.event == "completion")
    );
}

#[tokio::test]
async fn settlement_follows_the_documented_rule() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(5_000, 1);
    let image = api.upload("image", "a.png", png).await;
    let start = api.wallet().await;
    let cases = [
        ("gpt-5-2-chat", 3, "hello".to_owned(), 0),
        ("gpt-5-3-codex-chat", 4, "x".repeat(8_000), 0),
        ("gpt-5-2-chat", 3, "😀".repeat(10_000), 0),
        ("gemini-2-5-flash-chat", 1, "look at this".to_owned(), 2),
    ];
    let mut spent = 0;
    let mut settled = Vec::new();
    for (model, base, message, images) in &cases {
        let attachments: Vec<Value> = (0..*images).map(|_| json!({"file_id": image})).collect();
        let body = json!({"model": model, "message": message, "attachments": attachments});
        let (st, json) = api.turn(&body, None).await;
        assert_eq!(st, 200, "{json}");
        let reply = json["message"]["content"].as_str().unwrap();
        assert_eq!(reply, format!("[{model}] turn 1: you said: {message}"));
        let (input, output, reserved, fin) = expected_credits(*base, message, *images, reply);
        assert_eq!(
            json["usage"],
            json!({"input_tokens": input, "output_tokens": output, "total_tokens": input + output}),
            "{model}"
        );
        assert_eq!(
            json["credits"],
            json!({"reserved": reserved, "final": fin}),
            "{model}"
        );
        spent += fin;
        settled.push((reserved, fin));
    }
    // Cases on each side of the rule: the floor of 1, below the reservation, capped by it.
    assert_eq!(settled[0].1, 1);
    assert!(
        settled[1].1 > 1 && settled[1].1 < settled[1].0,
        "{settled:?}"
    );
    assert_eq!(settled[2].1, settled[2].0, "{settled:?}");
    assert_eq!(api.wallet().await, start - spent as f64);
    assert_eq!(api.stats().await["chat_credits_spent"], spent);
}

#[tokio::test]
async fn replies_are_padded_to_the_requested_size() {
    let emu = Emulator::start(Config {
        chat_reply_bytes: Some(100_000),
        ..Config::default()
    })
    .await
    .unwrap();
    let api = Api::new(&emu);
    let (events, clean) = api.stream(&turn_body("big"), None).await;
    assert!(clean);
    assert_eq!(deltas(&events).len(), 100_000);
    assert_eq!(events.len(), 2 + 100_000 / 16);
}

#[tokio::test]
async fn sessions_continue_and_list_newest_first() {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let api = Api::new(&emu);
    let (_, a) = api.turn(&turn_body("one"), None).await;
    let sid = a["session_id"].as_str().unwrap();
    let (_, b) = api
        .turn(
            &json!({"model": MODEL, "message": "two", "session_id": sid}),
            None,
        )
        .await;
    assert_eq!(b["session_id"], sid);
    assert_eq!(
        b["message"]["content"],
        format!("[{MODEL}] turn 2: you said: two")
    );
    let (_, other) = api.turn(&turn_body("elsewhere"), None).await;

    let (st, list) = api.get("/api/v1/chat/sessions").await;
    assert_eq!(st, 200);
    assert_eq!(list["object"], "list");
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [other["session_id"].as_str().unwrap(), sid]);
    assert!(list["data"][0].get("messages").is_none());

    let (st, s) = api.get(&format!("/api/v1/chat/sessions/{sid}")).await;
    assert_eq!(st, 200);
    assert_eq!(s["object"], "chat.session");
    assert_eq!(s["model"], MODEL);
    assert_eq!(s["turns"], 2);
    let roles: Vec<&str> = s["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant"]);
    assert_eq!(s["messages"][2]["content"], "two");
    assert_eq!(s["messages"][3]["id"], b["message"]["id"]);
}
