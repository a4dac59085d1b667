//! One model's create body as a JSON Schema (2020-12), built from its descriptor: a
//! generation's `POST /api/v1/generations` body or a chat model's `POST /api/v1/chat/completions`
//! turn.
//!
//! This is the one builder: the generator writes `openapi/models/<id>.json` with it (adding only
//! the page's prose the descriptor does not carry) and `rivya mcp`'s `describe_model` returns it,
//! so an agent reads the schema that is published.
//!
//! Everything [`crate::body::validate`] checks is stated in standard keywords, except the rules
//! no JSON Schema keyword can state, each named under an `x-rivya-` key:
//!
//! - `x-rivya-max-utf16-units`: prompts and messages are counted in UTF-16 code units;
//!   `maxLength` (code points) is never stricter, so it is kept as the schema's approximation.
//! - `x-rivya-step`: `{"base", "step"}` where a value must be `base + k·step` and `multipleOf`
//!   (which counts from zero, and exactly) would not say the same.
//! - `x-rivya-integer`: integers are written as integer literals (`2`, not `2.0` or `2e0`) and
//!   fit in 64 bits; JSON Schema calls `2.0` an integer.
//! - `x-rivya-reference-rule`: the page's rule on mixing reference files, as prose; neither the
//!   SDK nor the schema enforces more of it than the count and the kinds.

mod param;
mod text;

use serde_json::{Map, Value, json};

use crate::ModelInfoOf;
use crate::chat::{ATTACHMENT_FIELD, REASONING_EFFORTS};

pub use param::param;
use text::not_blank;

/// The dialect every schema is written in (its `$schema`).
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of `info`'s create body as a file of its own: `$schema` first, then [`body`].
pub fn standalone(info: &ModelInfoOf<'_>) -> Value {
    let mut s = Map::new();
    s.insert("$schema".into(), DIALECT.into());
    if let Value::Object(body) = body(info) {
        s.extend(body);
    }
    Value::Object(s)
}

/// The schema of `info`'s create body without `$schema` (an OpenAPI document embeds it as is).
pub fn body(info: &ModelInfoOf<'_>) -> Value {
    let (what, fields, required) = match &info.chat {
        Some(chat) => (
            "A chat turn (`POST /api/v1/chat/completions`)",
            chat_fields(info, chat),
            vec!["model", "message"],
        ),
        None => (
            "A generation task (`POST /api/v1/generations`)",
            generation_fields(info),
            generation_required(info),
        ),
    };
    let mut props = Map::new();
    props.insert(
        "model".into(),
        json!({"const": info.id, "description": "The model id."}),
    );
    props.extend(fields);
    let mut s = Map::new();
    s.insert("title".into(), info.display_name.into());
    s.insert(
        "description".into(),
        format!(
            "{what} for {} ({}).",
            info.display_name,
            info.capability.as_str()
        )
        .into(),
    );
    s.insert("type".into(), "object".into());
    s.insert("properties".into(), Value::Object(props));
    s.insert("required".into(), json!(required));
    s.insert("additionalProperties".into(), false.into());
    Value::Object(s)
}

fn generation_required(info: &ModelInfoOf<'_>) -> Vec<&'static str> {
    let mut required = vec!["model"];
    if info.prompt_required {
        required.push("prompt");
    }
    if info.params_required {
        required.push("params");
    }
    required
}

fn generation_fields(info: &ModelInfoOf<'_>) -> Map<String, Value> {
    let mut props = Map::new();
    let prompt = text_limit("The prompt.", info.prompt_required, info.prompt_max_chars);
    props.insert("prompt".into(), prompt);
    props.insert("params".into(), param::params(info));
    props.insert("client_request_id".into(), client_request_id());
    props
}

fn client_request_id() -> Value {
    json!({"type": "string", "description": "Your trace id (not an idempotency key)."})
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

/// The shared chat fields ([`crate::chat`]), narrowed to what this model takes.
fn chat_fields(info: &ModelInfoOf<'_>, chat: &crate::ChatInfo) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert(
        "session_id".into(),
        json!({"type": "string", "pattern": not_blank(),
               "description": "Continues this session; omit it to start a new one."}),
    );
    let message = text_limit("This turn's message.", true, info.prompt_max_chars);
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
    props.insert("client_request_id".into(), client_request_id());
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
