//! A spec's own examples must satisfy the spec: each documented request is judged by the very
//! rules the generated code will apply (`rivya_rules::body::validate`), before anything is
//! written. A draft that lost a parameter the page's JSON uses fails here, naming the key.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use rivya_rules as rules;
use serde_json::Value;

use crate::ir::{self, Kind};

/// Every violation of every example of `m`, as (YAML path of the example, message).
pub fn violations(m: &ir::Model) -> Vec<(&'static str, String)> {
    let examples = [
        ("examples.minimal", m.minimal_example.as_deref()),
        ("examples.reference", m.reference_example.as_deref()),
    ];
    let mut found = Vec::new();
    for (path, text) in examples {
        // Unparseable JSON and a wrong `model` are reported by the checker already.
        let Some(Ok(Value::Object(body))) = text.map(serde_json::from_str::<Value>) else {
            continue;
        };
        if body.get("model").and_then(Value::as_str) != Some(m.id.as_str()) {
            continue;
        }
        let mut v = rules::Violations::default();
        rules::body::validate(info(m), &body, &mut v);
        if let Err(e) = v.finish(&m.id) {
            found.extend(e.violations.iter().map(|v| (path, v.to_string())));
        }
    }
    found
}

/// The descriptor the generated module will hold for `m`, built at run time.
///
/// The rules read `&'static` descriptors (as generated code provides them), so this one is
/// leaked — once per distinct spec text, interned by the spec's hash, so repeated generation
/// (tests, benchmarks) does not grow memory.
fn info(m: &ir::Model) -> &'static rules::ModelInfo {
    static INTERNED: Mutex<BTreeMap<String, &'static rules::ModelInfo>> =
        Mutex::new(BTreeMap::new());
    let mut interned = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    interned
        .entry(m.spec_hash.clone())
        .or_insert_with(|| Box::leak(Box::new(build(m))))
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_all<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

fn build(m: &ir::Model) -> rules::ModelInfo {
    rules::ModelInfo {
        id: leak(&m.id),
        display_name: leak(&m.display_name),
        capability: m.capability,
        inputs: leak_all(m.inputs.clone()),
        files_api: m.files_api,
        billing: m.billing,
        base_credits: m.base_credits,
        prompt_required: m.prompt_required,
        prompt_max_chars: m.prompt_max_chars,
        params_required: m.params_required,
        params: leak_all(m.params.iter().map(param).collect()),
        upload: m.upload.as_ref().map(|u| rules::UploadPolicy {
            max_files: u.max_files,
            kinds: leak_all(
                u.kinds
                    .iter()
                    .map(|k| rules::KindLimit {
                        kind: k.kind,
                        max_bytes: u64::from(k.max_size_mb) * 1_000_000,
                        mime_types: leak_all(k.mime_types.iter().map(|s| leak(s)).collect()),
                    })
                    .collect(),
            ),
            reference_rule: leak(&u.reference_rule),
        }),
        chat: m.chat.map(|c| rules::ChatInfo {
            max_attachments: c.max_attachments,
            web_search: c.web_search,
            reasoning_effort: c.reasoning_effort,
        }),
        source_url: leak(&m.source_url),
        minimal_example: None,
        reference_example: None,
    }
}

fn param(p: &ir::Param) -> rules::ParamInfo {
    let kind = match &p.kind {
        Kind::Select {
            options, default, ..
        } => rules::ParamKind::Select {
            options: leak_all(options.iter().map(|o| leak(&o.value)).collect()),
            default: default.map(|d| leak(&options[d].value)),
        },
        Kind::Number {
            integer,
            min,
            max,
            step,
            default,
        } => rules::ParamKind::Number {
            integer: *integer,
            min: *min,
            max: *max,
            step: *step,
            default: *default,
        },
        Kind::Text { default } => rules::ParamKind::Text {
            default: default.as_deref().map(leak),
        },
        Kind::Url => rules::ParamKind::Url,
        Kind::List { min_items, fields } => rules::ParamKind::List {
            min_items: *min_items,
            fields: leak_all(fields.iter().map(|f| leak(&f.key)).collect()),
        },
    };
    rules::ParamInfo {
        key: leak(&p.key),
        description: leak(&p.description),
        required: p.required,
        kind,
    }
}
