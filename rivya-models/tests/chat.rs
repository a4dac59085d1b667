//! Chat turns: the typed `ChatRequest` and the untyped validator judge a turn the same way,
//! and the body is exactly what the API documents.

use rivya_models::catalog::validate_value;
use rivya_models::{
    Attachment, ChatInfo, ChatRequest, ChatTurn, ModelInfo, ReasoningEffort, ViolationKind,
    gpt_5_3_codex_chat, gpt_5_4_codex_chat,
};
use serde_json::json;

#[test]
fn a_turn_serializes_to_the_documented_body() {
    let req = gpt_5_3_codex_chat::Request::new("Plan a launch")
        .session("chs_1")
        .attachment("file_1")
        .web_search(true)
        .reasoning_effort(ReasoningEffort::Xhigh)
        .client_request_id("trace-1");
    assert!(req.validate().is_ok());
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({
            "model": "gpt-5-3-codex-chat",
            "session_id": "chs_1",
            "message": "Plan a launch",
            "attachments": [{"file_id": "file_1"}],
            "enable_web_search": true,
            "reasoning_effort": "xhigh",
            "client_request_id": "trace-1"
        })
    );
    // Unset fields are left out, so the server's defaults apply.
    let bare = gpt_5_3_codex_chat::Request::new("hi");
    assert_eq!(
        serde_json::to_value(&bare).unwrap(),
        json!({"model": "gpt-5-3-codex-chat", "message": "hi"})
    );
}

#[test]
fn a_dotted_model_id_goes_on_the_wire_unchanged() {
    let req = gpt_5_4_codex_chat::Request::new("hi");
    assert_eq!(req.info().id, "gpt-5.4-codex-chat");
    let body = serde_json::to_value(&req).unwrap();
    assert_eq!(body["model"], "gpt-5.4-codex-chat");
    assert_eq!(validate_value(&body).unwrap().id, "gpt-5.4-codex-chat");
}

#[test]
fn every_violation_is_reported_both_ways() {
    // 10,001 emoji are 20,002 UTF-16 code units: over the 20,000 limit.
    let long = "😀".repeat(10_001);
    let req = gpt_5_3_codex_chat::Request::new(long.clone())
        .session(" ")
        .attachments((0..11).map(|i| Attachment::new(format!("file_{i}"))));
    let typed = req.validate().unwrap_err();
    let untyped = validate_value(&serde_json::to_value(&req).unwrap()).unwrap_err();
    for err in [&typed, &untyped] {
        assert!(err.has("message"), "{err}");
        assert!(err.has("session_id"), "{err}");
        assert!(err.has("attachments"), "{err}");
        let too_long = err.violations.iter().find(|v| v.path == "message").unwrap();
        assert_eq!(
            too_long.kind,
            ViolationKind::TooLong {
                max: 20_000,
                actual: 20_002
            }
        );
    }
    let mut typed_paths: Vec<_> = typed.violations.iter().map(|v| &v.path).collect();
    let mut untyped_paths: Vec<_> = untyped.violations.iter().map(|v| &v.path).collect();
    typed_paths.sort();
    untyped_paths.sort();
    assert_eq!(typed_paths, untyped_paths);
}

#[test]
fn a_blank_message_is_refused() {
    let err = gpt_5_3_codex_chat::Request::new(" \n")
        .validate()
        .unwrap_err();
    assert_eq!(err.violations[0].kind, ViolationKind::Blank);
}

#[test]
fn untyped_chat_bodies_are_checked_field_by_field() {
    let body = json!({
        "model": "gpt-5-3-codex-chat",
        "message": 5,
        "prompt": "generation key",
        "enable_web_search": "yes",
        "reasoning_effort": "extreme",
        "attachments": [{"file_id": ""}, {"url": "https://x"}, "file_3"],
    });
    let err = validate_value(&body).unwrap_err();
    let paths: Vec<&str> = err.violations.iter().map(|v| v.path.as_str()).collect();
    for want in [
        "message",
        "prompt",
        "enable_web_search",
        "reasoning_effort",
        "attachments[0].file_id",
        "attachments[1].url",
        "attachments[1].file_id",
        "attachments[2]",
    ] {
        assert!(paths.contains(&want), "missing {want} in {err}");
    }
    // A missing message is named, not silently accepted.
    let err = validate_value(&json!({"model": "gpt-5-3-codex-chat"})).unwrap_err();
    assert_eq!(err.violations[0].path, "message");
    assert_eq!(err.violations[0].kind, ViolationKind::Required);
}

/// A text-only chat model without web search or reasoning (no shipped page has one yet).
fn text_only() -> ModelInfo {
    ModelInfo {
        chat: Some(ChatInfo {
            max_attachments: 0,
            web_search: false,
            reasoning_effort: false,
        }),
        upload: None,
        ..gpt_5_3_codex_chat::INFO
    }
}

#[test]
fn what_a_model_lacks_is_refused() {
    let body = json!({
        "model": "gpt-5-3-codex-chat",
        "message": "hi",
        "attachments": [{"file_id": "file_1"}],
        "enable_web_search": true,
        "reasoning_effort": "low",
    });
    let mut v = rivya_models::Violations::default();
    rivya_rules_body(&text_only(), &body, &mut v);
    let err = v.finish("text-only").unwrap_err();
    let kinds: Vec<_> = err
        .violations
        .iter()
        .map(|v| (&v.path[..], &v.kind))
        .collect();
    assert!(kinds.contains(&("attachments", &ViolationKind::AttachmentsNotAccepted)));
    assert!(kinds.contains(&("enable_web_search", &ViolationKind::FieldNotSupported)));
    assert!(kinds.contains(&("reasoning_effort", &ViolationKind::FieldNotSupported)));
    // Asking for no web search is harmless on a model without it.
    let mut v = rivya_models::Violations::default();
    rivya_rules_body(
        &text_only(),
        &json!({"model": "x", "message": "hi", "enable_web_search": false}),
        &mut v,
    );
    assert!(v.is_empty());
}

fn rivya_rules_body(info: &ModelInfo, body: &serde_json::Value, v: &mut rivya_models::Violations) {
    rivya_rules::body::validate(info, body.as_object().unwrap(), v);
}

#[test]
fn reasoning_effort_parses_its_wire_values() {
    for e in ReasoningEffort::ALL {
        assert_eq!(e.as_str().parse::<ReasoningEffort>().unwrap(), e);
    }
    let err = "max".parse::<ReasoningEffort>().unwrap_err();
    assert!(
        err.to_string()
            .contains("default, minimal, low, medium, high, xhigh")
    );
}

#[test]
fn generic_code_reaches_any_chat_model_through_the_trait() {
    fn model_of(turn: &dyn ChatTurnInfo) -> &'static str {
        turn.id()
    }
    trait ChatTurnInfo {
        fn id(&self) -> &'static str;
    }
    impl<T: ChatTurn> ChatTurnInfo for T {
        fn id(&self) -> &'static str {
            self.info().id
        }
    }
    let a: ChatRequest<gpt_5_3_codex_chat::Model> = gpt_5_3_codex_chat::Request::new("x");
    assert_eq!(model_of(&a), "gpt-5-3-codex-chat");
    assert_eq!(ChatTurn::session_id(&a.session("s")), Some("s"));
}
