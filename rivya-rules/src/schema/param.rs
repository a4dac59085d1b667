//! `params`: each parameter's type, options or range, default and description, and
//! `referenceMediaItems` under the model's upload policy.

use serde_json::{Map, Value, json};

use super::text::{http_url, not_blank};
use crate::rules::REFERENCES_KEY;
use crate::wire::json_number;
use crate::{MediaKind, ModelInfoOf, ParamInfoOf, ParamKindOf, UploadPolicyOf};

/// The `params` object: every parameter, then the reference items.
pub(super) fn params(info: &ModelInfoOf<'_>) -> Value {
    let mut props = Map::new();
    for p in info.params {
        props.insert(p.key.to_owned(), param(p));
    }
    props.insert(REFERENCES_KEY.into(), references(info.upload.as_ref()));
    let required: Vec<&str> = info
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.key)
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

/// One parameter's schema: its type, options or range, default and description.
///
/// A list's item fields are typed (strings) but not described: the descriptor names them only.
pub fn param(p: &ParamInfoOf<'_>) -> Value {
    let mut s = Map::new();
    let mut put = |k: &str, v: Value| {
        s.insert(k.to_owned(), v);
    };
    match p.kind {
        ParamKindOf::Select { options, default } => {
            put("type", "string".into());
            put("enum", json!(options));
            if let Some(d) = default {
                put("default", d.into());
            }
        }
        ParamKindOf::Number {
            integer,
            min,
            max,
            step,
            default,
        } => {
            put("type", if integer { "integer" } else { "number" }.into());
            if let Some(min) = min {
                put("minimum", json_number(min));
            }
            if let Some(max) = max {
                put("maximum", json_number(max));
            }
            if let Some(step) = step {
                step_keys(integer, min.unwrap_or(0.0), step, &mut put);
            }
            if let Some(d) = default {
                put("default", json_number(d));
            }
            if integer {
                put(
                    "x-rivya-integer",
                    "an integer literal (no fraction or exponent) that fits in 64 bits".into(),
                );
            }
        }
        ParamKindOf::Text { default } => {
            put("type", "string".into());
            if let Some(d) = default {
                put("default", d.into());
            }
        }
        ParamKindOf::Url => {
            put("type", "string".into());
            put("pattern", http_url().into());
        }
        ParamKindOf::List { min_items, fields } => {
            put("type", "array".into());
            if min_items > 0 {
                put("minItems", min_items.into());
            }
            let item_props: Map<String, Value> = fields
                .iter()
                .map(|f| ((*f).to_owned(), json!({"type": "string"})))
                .collect();
            put(
                "items",
                json!({"type": "object", "properties": item_props, "required": fields,
                       "additionalProperties": false}),
            );
        }
    }
    s.insert("description".into(), p.description.into());
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
fn references(upload: Option<&UploadPolicyOf<'_>>) -> Value {
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

fn reference_item(upload: &UploadPolicyOf<'_>) -> Value {
    let kinds: Vec<&str> = upload.kinds.iter().map(|k| k.kind.as_str()).collect();
    let nullable = |t: &str, d: &str| json!({"type": [t, "null"], "description": d});
    let mut per_kind: Vec<Value> = upload
        .kinds
        .iter()
        .map(|k| {
            let mut mimes: Vec<Value> = k.mime_types.iter().map(|m| (*m).into()).collect();
            mimes.push(Value::Null);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn number(integer: bool, min: Option<f64>, step: f64) -> Value {
        param(&ParamInfoOf {
            key: "n",
            description: "A number",
            required: false,
            kind: ParamKindOf::Number {
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
