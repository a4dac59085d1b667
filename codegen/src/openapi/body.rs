//! One model's create body as a JSON Schema (2020-12): a generation's `POST /api/v1/generations`
//! body or a chat model's `POST /api/v1/chat/completions` turn.
//!
//! Everything `rivya_rules::body::validate` checks is stated in standard keywords, except the
//! rules no JSON Schema keyword can state, each named under an `x-rivya-` key:
//!
//! - `x-rivya-max-utf16-units`: prompts and messages are counted in UTF-16 code units;
//!   `maxLength` (code points) is never stricter, so it is kept as the schema's approximation.
//! - `x-rivya-step`: `{"base", "step"}` where a value must be `base + k·step` and `multipleOf`
//!   (which counts from zero, and exactly) would not say the same.
//! - `x-rivya-integer`: integers are written as integer literals (`2`, not `2.0` or `2e0`) and
//!   fit in 64 bits; JSON Schema calls `2.0` an integer.
//! - `x-rivya-reference-rule`: the page's rule on mixing reference files, as prose; neither the
//!   SDK nor the schema enforces more of it than the count and the kinds.

use serde_json::{Map, Value, json};

use rivya_rules::MediaKind;
use rivya_rules::chat::{ATTACHMENT_FIELD, REASONING_EFFORTS};
use rivya_rules::rules::REFERENCES_KEY;
use rivya_rules::wire::json_number;

use super::text::{http_url, not_blank};
use crate::ir::{Chat, Kind, Model, Param, Upload};

/// The dialect every schema is written in.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The model's create body, without `$schema` (the OpenAPI document embeds it as is).
pub fn body(m: &Model) -> Value {
    let (what, fields, mut required) = match &m.chat {
        Some(chat) => (
            "A chat turn (`POST /api/v1/chat/completions`)",
            chat_fields(m, chat),
            vec!["model", "message"],
        ),
        None => (
            "A generation task (`POST /api/v1/generations`)",
            generation_fields(m),
            generation_required(m),
        ),
    };
    let mut props = Map::new();
    props.insert(
        "model".into(),
        json!({"const": m.id, "description": "The model id."}),
    );
    props.extend(fields);
    required.dedup();
    let mut s = Map::new();
    s.insert("title".into(), m.display_name.clone().into());
    s.insert(
        "description".into(),
        format!("{what} for {} ({}).", m.display_name, m.capability.as_str()).into(),
    );
    s.insert("type".into(), "object".into());
    s.insert("properties".into(), Value::Object(props));
    s.insert("required".into(), json!(required));
    s.insert("additionalProperties".into(), false.into());
    if !m.notes.is_empty() {
        s.insert("x-rivya-notes".into(), json!(m.notes));
    }
    Value::Object(s)
}

/// The standalone file: `$schema` first, then the body.
pub fn standalone(m: &Model) -> Value {
    let mut s = Map::new();
    s.insert("$schema".into(), DIALECT.into());
    if let Value::Object(body) = body(m) {
        s.extend(body);
    }
    Value::Object(s)
}

fn generation_required(m: &Model) -> Vec<&'static str> {
    let mut required = vec!["model"];
    if m.prompt_required {
        required.push("prompt");
    }
    if m.params_required {
        required.push("params");
    }
    required
}

fn generation_fields(m: &Model) -> Map<String, Value> {
    let mut props = Map::new();
    let prompt = text_limit("The prompt.", m.prompt_required, m.prompt_max_chars);
    props.insert("prompt".into(), prompt);
    props.insert("params".into(), params(m));
    props.insert(
        "client_request_id".into(),
        json!({"type": "string", "description": "Your trace id (not an idempotency key)."}),
    );
    props
}

/// A prompt or message: a string, non-blank when required, within the model's limit.
fn text_limit(description: &str, required: bool, max: Option<u32>) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), "string".into());
    let description = match max {
        Some(max) => {
            format!("{description} At most {max} characters, counted in UTF-16 code units.")
        }
        None => description.to_owned(),
    };
    s.insert("description".into(), description.into());
    if required {
        s.insert("pattern".into(), not_blank().into());
    }
    if let Some(max) = max {
        s.insert("maxLength".into(), max.into());
        s.insert("x-rivya-max-utf16-units".into(), max.into());
    }
    Value::Object(s)
}

fn params(m: &Model) -> Value {
    let mut props = Map::new();
    for p in &m.params {
        props.insert(p.key.clone(), param(p));
    }
    props.insert(REFERENCES_KEY.into(), references(m.upload.as_ref()));
    let required: Vec<&str> = m
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.key.as_str())
        .collect();
    let mut s = Map::new();
    s.insert("type".into(), "object".into());
    s.insert(
        "description".into(),
        "The model's parameters; keys are sent verbatim.".into(),
    );
    s.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        s.insert("required".into(), json!(required));
    }
    s.insert("additionalProperties".into(), false.into());
    Value::Object(s)
}

/// One parameter: its type, options or range, default and description.
pub fn param(p: &Param) -> Value {
    let mut s = Map::new();
    let mut put = |k: &str, v: Value| {
        s.insert(k.to_owned(), v);
    };
    match &p.kind {
        Kind::Select {
            options, default, ..
        } => {
            put("type", "string".into());
            put(
                "enum",
                json!(options.iter().map(|o| &o.value).collect::<Vec<_>>()),
            );
            if let Some(d) = default {
                put("default", options[*d].value.clone().into());
            }
        }
        Kind::Number {
            integer,
            min,
            max,
            step,
            default,
        } => {
            put("type", if *integer { "integer" } else { "number" }.into());
            if let Some(min) = min {
                put("minimum", json_number(*min));
            }
            if let Some(max) = max {
                put("maximum", json_number(*max));
            }
            if let Some(step) = step {
                step_keys(*integer, min.unwrap_or(0.0), *step, &mut put);
            }
            if let Some(d) = default {
                put("default", json_number(*d));
            }
            if *integer {
                put(
                    "x-rivya-integer",
                    "an integer literal (no fraction or exponent) that fits in 64 bits".into(),
                );
            }
        }
        Kind::Text { default } => {
            put("type", "string".into());
            if let Some(d) = default {
                put("default", d.clone().into());
            }
        }
        Kind::Url => {
            put("type", "string".into());
            put("pattern", http_url().into());
        }
        Kind::List { min_items, fields } => {
            put("type", "array".into());
            if *min_items > 0 {
                put("minItems", (*min_items).into());
            }
            let item_props: Map<String, Value> = fields
                .iter()
                .map(|f| {
                    let field = json!({"type": "string", "description": f.description});
                    (f.key.clone(), field)
                })
                .collect();
            let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
            put(
                "items",
                json!({"type": "object", "properties": item_props, "required": keys,
                       "additionalProperties": false}),
            );
        }
    }
    s.insert("description".into(), p.description.clone().into());
    Value::Object(s)
}

/// `multipleOf` where it says exactly what the rule says (a whole step on integers, counted from
/// a base that is itself a multiple); `x-rivya-step` otherwise (decimal steps are checked with
/// a rounding tolerance, and a step counts from the minimum).
fn step_keys(integer: bool, base: f64, step: f64, put: &mut impl FnMut(&str, Value)) {
    let whole = step.fract() == 0.0 && step > 0.0;
    if integer && whole && (base % step) == 0.0 {
        if step != 1.0 {
            put("multipleOf", json_number(step));
        }
    } else {
        put(
            "x-rivya-step",
            json!({"base": json_number(base), "step": json_number(step)}),
        );
    }
}

/// `params.referenceMediaItems` under the model's upload policy.
fn references(upload: Option<&Upload>) -> Value {
    let Some(upload) = upload else {
        return json!({
            "type": "array",
            "maxItems": 0,
            "description": "This model takes no reference files.",
        });
    };
    json!({
        "type": "array",
        "description": "Reference files uploaded through the Files API (`POST /api/v1/files`).",
        "maxItems": upload.max_files,
        "items": reference_item(upload),
        "x-rivya-reference-rule": upload.reference_rule,
    })
}

fn reference_item(upload: &Upload) -> Value {
    let kinds: Vec<&str> = upload.kinds.iter().map(|k| k.kind.as_str()).collect();
    let nullable = |t: &str, d: &str| json!({"type": [t, "null"], "description": d});
    let mut per_kind: Vec<Value> = upload
        .kinds
        .iter()
        .map(|k| {
            let mut mimes = json!(k.mime_types);
            if let Value::Array(list) = &mut mimes {
                list.push(Value::Null);
            }
            json!({
                "if": {"properties": {"kind": {"const": k.kind.as_str()}}, "required": ["kind"]},
                "then": {"properties": {"mimeType": {"enum": mimes}}},
            })
        })
        .collect();
    // Clips carry the upload's duration token whatever the model accepts (the rules say so of
    // every video and audio item, even one whose kind is refused).
    let clips = [MediaKind::Video, MediaKind::Audio].map(MediaKind::as_str);
    per_kind.push(json!({
        "if": {"properties": {"kind": {"enum": clips}}, "required": ["kind"]},
        "then": {
            "properties": {"durationToken": {"type": "string", "pattern": not_blank()}},
            "required": ["durationToken"],
        },
    }));
    json!({
        "type": "object",
        "properties": {
            "url": {"type": "string", "pattern": http_url(), "description": "The file's URL, as the upload returned it."},
            "kind": {"type": "string", "enum": kinds, "description": "The file's kind."},
            "name": nullable("string", "The file name."),
            "mimeType": nullable("string", "The detected MIME type; must be one the kind accepts."),
            "durationSeconds": nullable("number", "The clip's duration in seconds."),
            "durationToken": nullable("string", "The upload's `duration_token`; required for video and audio."),
        },
        "required": ["url", "kind"],
        "additionalProperties": false,
        "allOf": per_kind,
    })
}

/// The shared chat fields (`rivya_rules::chat`), narrowed to what this model takes.
fn chat_fields(m: &Model, chat: &Chat) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert(
        "session_id".into(),
        json!({"type": "string", "pattern": not_blank(),
               "description": "Continues this session; omit it to start a new one."}),
    );
    let message = text_limit("This turn's message.", true, m.prompt_max_chars);
    props.insert("message".into(), message);
    props.insert("attachments".into(), attachments(chat.max_attachments));
    let web_search = if chat.web_search {
        json!({"type": "boolean", "default": false, "description": "Lets the model search the web."})
    } else {
        json!({"const": false, "default": false, "description": "This model has no web search; only `false` is accepted."})
    };
    props.insert("enable_web_search".into(), web_search);
    let effort = if chat.reasoning_effort {
        json!({"type": "string", "enum": REASONING_EFFORTS, "default": REASONING_EFFORTS[0],
               "description": "How hard the model reasons."})
    } else {
        json!({"not": {}, "description": "This model does not take `reasoning_effort`."})
    };
    props.insert("reasoning_effort".into(), effort);
    props.insert(
        "client_request_id".into(),
        json!({"type": "string", "description": "Your trace id (not an idempotency key)."}),
    );
    props
}

fn attachments(max: u32) -> Value {
    if max == 0 {
        return json!({
            "type": "array",
            "maxItems": 0,
            "description": "This model is text only: it takes no attachments.",
        });
    }
    json!({
        "type": "array",
        "maxItems": max,
        "description": "Images uploaded through the Files API, by file id.",
        "items": {
            "type": "object",
            "properties": {ATTACHMENT_FIELD: {"type": "string", "pattern": not_blank()}},
            "required": [ATTACHMENT_FIELD],
            "additionalProperties": false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(integer: bool, min: Option<f64>, step: f64) -> Value {
        param(&Param {
            key: "n".into(),
            description: "A number".into(),
            required: false,
            field: "n".into(),
            type_name: "N".into(),
            kind: Kind::Number {
                integer,
                min,
                max: Some(100.0),
                step: Some(step),
                default: None,
            },
        })
    }

    /// `multipleOf` counts from zero and exactly: it is used only where that is the rule.
    #[test]
    fn multiple_of_only_where_it_is_exact() {
        let whole = number(true, Some(10.0), 5.0);
        assert_eq!(whole["multipleOf"], 5);
        assert!(whole.get("x-rivya-step").is_none());
        let unit = number(true, None, 1.0);
        assert!(unit.get("multipleOf").is_none() && unit.get("x-rivya-step").is_none());
        let shifted = number(true, Some(1.0), 5.0);
        assert!(shifted.get("multipleOf").is_none());
        assert_eq!(shifted["x-rivya-step"], json!({"base": 1, "step": 5}));
        let decimal = number(false, Some(0.0), 0.05);
        assert!(decimal.get("multipleOf").is_none());
        assert_eq!(decimal["x-rivya-step"], json!({"base": 0, "step": 0.05}));
        assert_eq!(decimal["type"], "number");
        assert!(decimal.get("x-rivya-integer").is_none());
        assert!(whole.get("x-rivya-integer").is_some());
    }
}
