//! `cargo xtask catalog`: drift between the specs and a saved `GET /api/v1/models` response,
//! checked on fixture specs against fixture catalogs.

mod common;

use codegen::drift::{self, Disagreement};
use common::{root, specs_in};

fn catalog(name: &str) -> String {
    std::fs::read_to_string(root().join("codegen/tests/catalog").join(name)).unwrap()
}

fn compare(name: &str) -> drift::Drift {
    drift::compare(&catalog(name), name, &specs_in("codegen/tests/fixtures")).unwrap()
}

#[test]
fn a_catalog_in_step_with_the_specs_has_no_drift() {
    let d = compare("in-sync.json");
    assert!(d.is_empty(), "{}", d.to_text());
    assert_eq!(d.to_text(), "catalog: no drift\n");
}

#[test]
fn seeded_drift_is_reported_fact_by_fact() {
    let d = compare("drifted.json");
    assert_eq!(d.models_without_spec, ["brand-new-model"]);
    assert_eq!(d.specs_without_model, ["keywords"]);
    let got: Vec<(&str, &str, &str, &str)> = d
        .disagreements
        .iter()
        .map(
            |Disagreement {
                 model,
                 field,
                 spec,
                 catalog,
             }| {
                (
                    model.as_str(),
                    field.as_str(),
                    spec.as_str(),
                    catalog.as_str(),
                )
            },
        )
        .collect();
    assert_eq!(
        got,
        [
            ("every-kind", "base_credits", "7", "9"),
            ("every-kind", "billing", "METERED", "FIXED"),
            ("every-kind", "max_prompt_length", "100", "120"),
            (
                "every-kind",
                "file_kinds",
                "audio, image, video",
                "image, video"
            ),
            (
                "every-kind",
                "params",
                "caption, lines, loop, scale, steps, strength, style, voice",
                "caption, lines, loop, scale, seed, steps, strength, style, voice"
            ),
            ("every-kind", "api_status", "available", "coming_soon"),
            ("obstacle-course", "max_prompt_length", "10", "none"),
        ]
    );
    let text = d.to_text();
    assert!(
        text.contains("every-kind: base_credits: spec 7 / catalog 9"),
        "{text}"
    );
    assert!(
        text.ends_with("1 model(s) without spec, 1 spec(s) without model, 7 disagreement(s)\n")
    );
    let json: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(json["models_without_spec"][0], "brand-new-model");
    assert_eq!(json["disagreements"].as_array().unwrap().len(), 7);
}

#[test]
fn a_catalog_of_the_wrong_shape_is_refused_with_a_reason() {
    let specs = specs_in("codegen/tests/fixtures");
    for (text, want) in [
        ("not json", "not JSON"),
        (
            "{\"object\": \"list\"}",
            "expected `{\"object\": \"list\", \"data\": [...]}`",
        ),
        (
            "{\"data\": [{\"name\": \"x\"}]}",
            "data[0] has no string `id`",
        ),
        (
            "{\"data\": [{\"id\": \"a\"}, {\"id\": \"a\"}]}",
            "data[1]: `a` is listed twice",
        ),
    ] {
        let err = drift::compare(text, "models.json", &specs)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
        assert!(err.starts_with("catalog: models.json: "), "{err}");
    }
}

/// A chat entry is compared on the facts a chat spec states (category, billing, credits, the
/// message limit, attachment kinds); its `params` (the shared chat fields) and its opaque
/// `chat_capabilities` are not facts of the spec.
#[test]
fn chat_entries_are_compared_on_chat_facts() {
    let specs: Vec<_> = specs_in("specs")
        .into_iter()
        .filter(|s| s.file_name == "gpt-5-3-codex-chat.yaml")
        .collect();
    let entry = |credits: u32, category: &str| {
        serde_json::json!({"object": "list", "data": [{
            "id": "gpt-5-3-codex-chat", "display_name": "GPT-5.3 Codex", "category": category,
            "base_credits": credits, "billing_type": "TOKEN_BASED", "max_prompt_length": 20000,
            "file_kinds": ["image"], "api_status": "available",
            "params": [{"key": "message"}, {"key": "session_id"}],
            "chat_capabilities": {"streaming": true, "web_search": true}
        }]})
        .to_string()
    };
    let same = drift::compare(&entry(4, "chat"), "chat.json", &specs).unwrap();
    assert!(same.is_empty(), "{}", same.to_text());
    let drifted = drift::compare(&entry(5, "image"), "chat.json", &specs).unwrap();
    let fields: Vec<&str> = drifted
        .disagreements
        .iter()
        .map(|d| d.field.as_str())
        .collect();
    assert_eq!(fields, ["base_credits", "category"]);
}
