//! The untyped path: a JSON request body judged by the same rules as the typed `validate()`.
//!
//! `rivya_models::catalog::validate_value` finds the model and calls [`validate`]; the generator
//! calls it too, to prove each spec's own examples satisfy the spec.

use serde_json::{Map, Value};

use crate::chat::{self, ATTACHMENT_FIELD, CHAT_FIELDS, ChatInfo};
use crate::rules::{self, REFERENCES_KEY};
use crate::{
    MediaKind, ModelInfoOf, ParamInfoOf, ParamKindOf, ReferenceMediaItem, ViolationKind, Violations,
};

/// Checks a request body of `info`'s model (its `model` key already matched): top-level keys,
/// the prompt and every param — or, for a chat model, the chat turn's fields — pushing each
/// violation with its path.
pub fn validate(info: &ModelInfoOf<'_>, obj: &Map<String, Value>, v: &mut Violations) {
    if let Some(chat) = &info.chat {
        return validate_chat(info, chat, obj, v);
    }
    for (key, value) in obj {
        match key.as_str() {
            "model" => {}
            "prompt" | "client_request_id" => {
                if !value.is_string() {
                    v.push(key.as_str(), wrong("string"), type_of(value));
                }
            }
            "params" => {
                if !value.is_object() {
                    v.push("params", wrong("object"), type_of(value));
                }
            }
            other => v.push(other, ViolationKind::UnknownKey, ""),
        }
    }
    rules::prompt(info, obj.get("prompt").and_then(Value::as_str), v);

    let empty = Map::new();
    let params = match obj.get("params") {
        Some(Value::Object(p)) => p,
        Some(_) => &empty,
        None => {
            if info.params_required {
                v.push("params", ViolationKind::Required, "");
            }
            &empty
        }
    };
    check_params(info, params, v);
}

fn check_params(info: &ModelInfoOf<'_>, params: &Map<String, Value>, v: &mut Violations) {
    for (key, value) in params {
        if key == REFERENCES_KEY {
            check_references(info, value, v);
            continue;
        }
        let Some(param) = info.param(key) else {
            v.push(format!("params.{key}"), ViolationKind::UnknownKey, "");
            continue;
        };
        check_param(param, value, v);
    }
    for param in info.params {
        rules::required(param, params.contains_key(param.key), v);
    }
}

fn check_param(param: &ParamInfoOf<'_>, value: &Value, v: &mut Violations) {
    let mismatch =
        |v: &mut Violations| v.push(param.path(), wrong(param.kind.type_name()), type_of(value));
    match (param.kind, value) {
        (ParamKindOf::Select { .. }, Value::String(s)) => rules::select(param, s, v),
        (ParamKindOf::Text { .. }, Value::String(_)) => {}
        (ParamKindOf::Url, Value::String(s)) => rules::url(param, s, v),
        (ParamKindOf::Number { integer: true, .. }, Value::Number(n)) => match n.as_i64() {
            Some(i) => rules::integer(param, i, v),
            None => mismatch(v),
        },
        (ParamKindOf::Number { integer: false, .. }, Value::Number(n)) => match n.as_f64() {
            Some(f) => rules::number(param, f, v),
            None => mismatch(v),
        },
        (ParamKindOf::List { fields, .. }, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_list_item(param, fields, i, item, v);
            }
            rules::list_len(param, items.len(), v);
        }
        _ => mismatch(v),
    }
}

/// A chat turn's body: the shared chat fields, judged by [`crate::chat`].
fn validate_chat(
    info: &ModelInfoOf<'_>,
    chat: &ChatInfo,
    obj: &Map<String, Value>,
    v: &mut Violations,
) {
    for (key, value) in obj {
        match (key.as_str(), value) {
            ("model", _) => {}
            ("message" | "client_request_id", Value::String(_)) => {}
            ("session_id", Value::String(s)) => chat::session_id(s, v),
            ("enable_web_search", Value::Bool(on)) => chat::web_search(chat, *on, v),
            ("reasoning_effort", Value::String(s)) => chat::reasoning_effort(chat, s, v),
            ("attachments", Value::Array(items)) => check_attachments(chat, items, v),
            ("enable_web_search", other) => v.push(key.as_str(), wrong("boolean"), type_of(other)),
            ("attachments", other) => v.push(key.as_str(), wrong("array"), type_of(other)),
            (k, other) if CHAT_FIELDS.contains(&k) => {
                v.push(key.as_str(), wrong("string"), type_of(other));
            }
            _ => v.push(key.as_str(), ViolationKind::UnknownKey, ""),
        }
    }
    chat::message(info, obj.get("message").and_then(Value::as_str), v);
}

fn check_attachments(chat: &ChatInfo, items: &[Value], v: &mut Violations) {
    chat::attachment_count(chat, items.len(), v);
    for (i, item) in items.iter().enumerate() {
        let at = format!("attachments[{i}]");
        let Some(obj) = item.as_object() else {
            v.push(at, wrong("object"), type_of(item));
            continue;
        };
        for key in obj.keys().filter(|k| *k != ATTACHMENT_FIELD) {
            v.push(format!("{at}.{key}"), ViolationKind::UnknownKey, "");
        }
        match obj.get(ATTACHMENT_FIELD) {
            Some(Value::String(id)) => chat::attachment_id(i, id, v),
            None => v.push(
                format!("{at}.{ATTACHMENT_FIELD}"),
                ViolationKind::Required,
                "",
            ),
            Some(other) => v.push(
                format!("{at}.{ATTACHMENT_FIELD}"),
                wrong("string"),
                type_of(other),
            ),
        }
    }
}

fn check_list_item(
    param: &ParamInfoOf<'_>,
    fields: &[&str],
    index: usize,
    item: &Value,
    v: &mut Violations,
) {
    let at = format!("{}[{index}]", param.path());
    let Some(obj) = item.as_object() else {
        v.push(at, wrong("object"), type_of(item));
        return;
    };
    for (key, value) in obj {
        if !fields.contains(&key.as_str()) {
            v.push(format!("{at}.{key}"), ViolationKind::UnknownKey, "");
        } else if !value.is_string() {
            v.push(format!("{at}.{key}"), wrong("string"), type_of(value));
        }
    }
    for field in fields {
        if !obj.contains_key(*field) {
            v.push(format!("{at}.{field}"), ViolationKind::Required, "");
        }
    }
}

fn check_references(info: &ModelInfoOf<'_>, value: &Value, v: &mut Violations) {
    let path = format!("params.{REFERENCES_KEY}");
    let Some(items) = value.as_array() else {
        v.push(path, wrong("array"), type_of(value));
        return;
    };
    rules::reference_count(info, items.len(), v);
    if info.upload.is_none() {
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if let Some(parsed) = parse_reference(&format!("{path}[{i}]"), item, v) {
            rules::reference_item(info, i, &parsed, v);
        }
    }
}

/// Reads one reference item field by field, so each shape error gets its own path.
fn parse_reference(at: &str, item: &Value, v: &mut Violations) -> Option<ReferenceMediaItem> {
    let Some(obj) = item.as_object() else {
        v.push(at, wrong("object"), type_of(item));
        return None;
    };
    let before = v.len();
    for key in obj.keys() {
        if !REFERENCE_FIELDS.contains(&key.as_str()) {
            v.push(format!("{at}.{key}"), ViolationKind::UnknownKey, "");
        }
    }
    let url = string_field(at, obj, "url", true, v);
    let kind = string_field(at, obj, "kind", true, v).and_then(|k| {
        let kind = MediaKind::from_wire(&k);
        if kind.is_none() {
            let options = ["image", "video", "audio"].map(String::from).to_vec();
            v.push(
                format!("{at}.kind"),
                ViolationKind::NotAnOption { options },
                k,
            );
        }
        kind
    });
    let name = string_field(at, obj, "name", false, v);
    let mime_type = string_field(at, obj, "mimeType", false, v);
    let duration_token = string_field(at, obj, "durationToken", false, v);
    let duration_seconds = match obj.get("durationSeconds") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(other) => {
            v.push(
                format!("{at}.durationSeconds"),
                wrong("number"),
                type_of(other),
            );
            None
        }
    };
    if v.len() != before {
        // Missing fields (no position in the request) come last.
        v.order_since(before, |path| {
            let key = path.strip_prefix(at).and_then(|p| p.strip_prefix('.'));
            key.and_then(|key| obj.keys().position(|k| k == key))
                .unwrap_or(usize::MAX)
        });
        return None;
    }
    Some(ReferenceMediaItem {
        url: url?,
        kind: kind?,
        name,
        mime_type,
        duration_seconds,
        duration_token,
    })
}

/// A string field of a reference item; `null` counts as absent.
fn string_field(
    at: &str,
    obj: &Map<String, Value>,
    key: &str,
    required: bool,
    v: &mut Violations,
) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => {
            if required {
                v.push(format!("{at}.{key}"), ViolationKind::Required, "");
            }
            None
        }
        Some(other) => {
            v.push(format!("{at}.{key}"), wrong("string"), type_of(other));
            None
        }
    }
}

const REFERENCE_FIELDS: &[&str] = &[
    "url",
    "kind",
    "name",
    "mimeType",
    "durationSeconds",
    "durationToken",
];

fn wrong(expected: &'static str) -> ViolationKind {
    ViolationKind::WrongType { expected }
}

/// The JSON type of a value, for messages.
pub fn type_of(value: &Value) -> String {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
    .to_owned()
}
