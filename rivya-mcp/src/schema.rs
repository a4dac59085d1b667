//! The JSON Schema (draft 2020-12) of one model's request body, built from its [`ModelInfo`].
//!
//! `describe_model` returns it so an agent can build a valid call without guessing. It states
//! only what the spec states: options, defaults, ranges, required keys, descriptions. Rules a
//! schema cannot say exactly (prompt length counted in UTF-16 units, a step counted from a
//! minimum that is not a multiple of it) are said in `description`, and the server's own
//! validation stays the judge. When the per-model files of `openapi/models/<id>.json` land,
//! [`model_schema`] is the one function to swap for them.

use serde_json::{Map, Value, json};

use rivya_models::rules::REFERENCES_KEY;
use rivya_models::{MediaKind, ModelInfo, ParamInfo, ParamKind, UploadPolicy};
use rivya_rules::chat::REASONING_EFFORTS;

/// The JSON Schema of a request body of `info`'s model (a generation body, or a chat turn for
/// a chat model).
pub fn model_schema(info: &ModelInfo) -> Value {
    let (properties, required) = match &info.chat {
        Some(_) => chat_body(info),
        None => generation_body(info),
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("{} ({}) request body", info.display_name, info.id),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn generation_body(info: &ModelInfo) -> (Map<String, Value>, Vec<&'static str>) {
    let mut props = Map::new();
    props.insert("model".into(), json!({"const": info.id}));
    props.insert("prompt".into(), text_limit(info, "The prompt"));
    props.insert("params".into(), params_schema(info));
    props.insert(
        "client_request_id".into(),
        json!({"type": "string", "description": "Your trace id (not an idempotency key)."}),
    );
    let mut required = vec!["model"];
    if info.prompt_required {
        required.push("prompt");
    }
    if info.params_required {
        required.push("params");
    }
    (props, required)
}

fn chat_body(info: &ModelInfo) -> (Map<String, Value>, Vec<&'static str>) {
    let chat = info.chat.unwrap_or(rivya_models::ChatInfo {
        max_attachments: 0,
        web_search: false,
        reasoning_effort: false,
    });
    let mut props = Map::new();
    props.insert("model".into(), json!({"const": info.id}));
    props.insert(
        "message".into(),
        text_limit(info, "The message of this turn"),
    );
    props.insert(
        "session_id".into(),
        json!({"type": "string", "minLength": 1,
               "description": "Continue this session; omit to start a new one."}),
    );
    props.insert(
        "attachments".into(),
        json!({"type": "array", "maxItems": chat.max_attachments,
               "description": "Images uploaded through the Files API.",
               "items": {"type": "object", "properties": {"file_id": {"type": "string", "minLength": 1}},
                         "required": ["file_id"], "additionalProperties": false}}),
    );
    props.insert(
        "enable_web_search".into(),
        if chat.web_search {
            json!({"type": "boolean", "default": false})
        } else {
            json!({"const": false, "description": "This model has no web search."})
        },
    );
    if chat.reasoning_effort {
        props.insert(
            "reasoning_effort".into(),
            json!({"type": "string", "enum": REASONING_EFFORTS, "default": "default"}),
        );
    }
    props.insert("client_request_id".into(), json!({"type": "string"}));
    (props, vec!["model", "message"])
}

/// A prompt or message: its limit in characters, counted as UTF-16 code units.
fn text_limit(info: &ModelInfo, what: &str) -> Value {
    let mut s = json!({"type": "string"});
    let mut description = format!("{what}.");
    if info.prompt_required || info.is_chat() {
        s["minLength"] = json!(1);
        description.push_str(" Must not be blank.");
    }
    if let Some(max) = info.prompt_max_chars {
        s["maxLength"] = json!(max);
        description.push_str(&format!(
            " At most {max} characters, counted in UTF-16 units."
        ));
    }
    s["description"] = json!(description);
    s
}

fn params_schema(info: &ModelInfo) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for p in info.params {
        props.insert(p.key.to_owned(), param_schema(p));
        if p.required {
            required.push(p.key);
        }
    }
    if let Some(policy) = &info.upload {
        props.insert(REFERENCES_KEY.to_owned(), references_schema(policy));
    }
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

/// One parameter: its JSON type, options, range, default and description.
pub fn param_schema(p: &ParamInfo) -> Value {
    let mut s = match p.kind {
        ParamKind::Select { options, default } => {
            let mut s = json!({"type": "string", "enum": options});
            if let Some(d) = default {
                s["default"] = json!(d);
            }
            s
        }
        ParamKind::Number { .. } => number_schema(p),
        ParamKind::Text { default } => {
            let mut s = json!({"type": "string"});
            if let Some(d) = default {
                s["default"] = json!(d);
            }
            s
        }
        ParamKind::Url => json!({"type": "string", "format": "uri", "pattern": "^https?://"}),
        ParamKind::List { min_items, fields } => {
            let item_props: Map<String, Value> = fields
                .iter()
                .map(|f| ((*f).to_owned(), json!({"type": "string"})))
                .collect();
            json!({"type": "array", "minItems": min_items, "items": {
                "type": "object", "properties": item_props, "required": fields,
                "additionalProperties": false}})
        }
        // A kind added later: say nothing we cannot vouch for.
        _ => json!({}),
    };
    s["description"] = json!(p.description);
    s
}

fn number_schema(p: &ParamInfo) -> Value {
    let ParamKind::Number {
        integer,
        min,
        max,
        step,
        default,
    } = p.kind
    else {
        return json!({});
    };
    let mut s = json!({"type": if integer { "integer" } else { "number" }});
    if let Some(lo) = min {
        s["minimum"] = rivya_models::catalog::number(lo);
    }
    if let Some(hi) = max {
        s["maximum"] = rivya_models::catalog::number(hi);
    }
    if let Some(d) = default {
        s["default"] = rivya_models::catalog::number(d);
    }
    // `multipleOf` counts from 0; the rule counts from the minimum, so say it only when the two
    // agree, and put the step in the description otherwise.
    if let Some(st) = step {
        let base = min.unwrap_or(0.0);
        if rivya_models::rules::on_step(base, 0.0, st) {
            s["multipleOf"] = rivya_models::catalog::number(st);
        } else {
            s["x-step-from-minimum"] = rivya_models::catalog::number(st);
        }
    }
    s
}

fn references_schema(policy: &UploadPolicy) -> Value {
    let kinds: Vec<&str> = policy.kinds.iter().map(|k| k.kind.as_str()).collect();
    let mimes: Vec<&str> = policy
        .kinds
        .iter()
        .flat_map(|k| k.mime_types.iter().copied())
        .collect();
    let needs_token = policy.kinds.iter().any(|k| k.kind.has_duration());
    let mut description = format!(
        "Reference files uploaded through the Files API (the `upload` tool returns the item). {}",
        policy.reference_rule
    );
    if needs_token {
        description.push_str(" Video and audio items must carry their durationToken.");
    }
    json!({
        "type": "array",
        "maxItems": policy.max_files,
        "description": description,
        "items": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "format": "uri"},
                "kind": {"type": "string", "enum": kinds},
                "name": {"type": "string"},
                "mimeType": {"type": "string", "enum": mimes},
                "durationSeconds": {"type": "number"},
                "durationToken": {"type": "string"},
            },
            "required": ["url", "kind"],
        },
    })
}

/// The accepted kinds of an upload policy, for people (`image (≤10 MB: jpeg, png, webp)`).
pub fn kinds_text(policy: &UploadPolicy) -> String {
    policy
        .kinds
        .iter()
        .map(|k| {
            let mb = k.max_bytes as f64 / 1_000_000.0;
            let mimes: Vec<&str> = k
                .mime_types
                .iter()
                .map(|m| m.split('/').nth(1).unwrap_or(m))
                .collect();
            format!("{} (≤{mb} MB: {})", kind_name(k.kind), mimes.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_name(kind: MediaKind) -> &'static str {
    kind.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kling_schema_lists_options_defaults_and_limits() {
        let info = rivya_models::catalog::find("kling-3-0").unwrap();
        let s = model_schema(info);
        let duration = &s["properties"]["params"]["properties"]["duration"];
        assert_eq!(duration["type"], "string");
        assert_eq!(duration["default"], "5");
        assert!(duration["enum"].as_array().unwrap().contains(&json!("10")));
        assert_eq!(s["properties"]["prompt"]["maxLength"], 2000);
        assert_eq!(s["required"], json!(["model", "prompt"]));
        let refs = &s["properties"]["params"]["properties"]["referenceMediaItems"];
        assert_eq!(refs["maxItems"], 2);
        assert_eq!(
            refs["items"]["properties"]["kind"]["enum"],
            json!(["image"])
        );
    }

    #[test]
    fn every_model_has_a_schema_with_its_params() {
        for info in rivya_models::catalog::all() {
            let s = model_schema(info);
            assert_eq!(s["properties"]["model"]["const"], info.id);
            if !info.is_chat() {
                let props = s["properties"]["params"]["properties"].as_object().unwrap();
                for p in info.params {
                    assert!(props.contains_key(p.key), "{}: {}", info.id, p.key);
                }
            } else {
                assert!(s["properties"]["message"].is_object());
            }
        }
    }
}
