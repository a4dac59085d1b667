//! A model's rivya-rules descriptor (`ModelInfo`), built once from the IR. The example check
//! validates the spec's examples against this value and `emit::info` writes the generated `INFO`
//! from it, so the rules that judged the examples are the ones the generated code holds.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use rivya_rules as rules;

use crate::ir::{self, Kind};

/// The descriptor of `m`, as the generated module will hold it.
///
/// rivya-rules' descriptors hold `&'static` data (generated code builds them as `static`s, and
/// a violation borrows a select's options and an upload's MIME types for `'static`), so one
/// built at run time must be leaked. It is built once per distinct spec text, interned by the
/// spec's hash: the check and the emitter get the very same value, and repeated generation
/// (tests, benchmarks) does not grow memory.
pub fn of(m: &ir::Model) -> &'static rules::ModelInfo {
    static INTERNED: Mutex<BTreeMap<String, &'static rules::ModelInfo>> =
        Mutex::new(BTreeMap::new());
    let mut interned = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    interned
        .entry(m.spec_hash.clone())
        .or_insert_with(|| Box::leak(Box::new(build(m))))
}

fn text(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn list<T>(items: impl IntoIterator<Item = T>) -> &'static [T] {
    Box::leak(items.into_iter().collect::<Vec<T>>().into_boxed_slice())
}

fn build(m: &ir::Model) -> rules::ModelInfo {
    rules::ModelInfo {
        id: text(&m.id),
        display_name: text(&m.display_name),
        capability: m.capability,
        inputs: list(m.inputs.iter().copied()),
        files_api: m.files_api,
        billing: m.billing,
        base_credits: m.base_credits,
        prompt_required: m.prompt_required,
        prompt_max_chars: m.prompt_max_chars,
        params_required: m.params_required,
        params: list(m.params.iter().map(param)),
        upload: m.upload.as_ref().map(|u| rules::UploadPolicy {
            max_files: u.max_files,
            kinds: list(u.kinds.iter().map(|k| rules::KindLimit {
                kind: k.kind,
                // Pages state megabytes; 1 MB is read as 1,000,000 bytes (see `KindLimit`).
                max_bytes: u64::from(k.max_size_mb) * 1_000_000,
                mime_types: list(k.mime_types.iter().map(|s| text(s))),
            })),
            reference_rule: text(&u.reference_rule),
        }),
        chat: m.chat.map(|c| rules::ChatInfo {
            max_attachments: c.max_attachments,
            web_search: c.web_search,
            reasoning_effort: c.reasoning_effort,
        }),
        source_url: text(&m.source_url),
        minimal_example: m.minimal_example.as_deref().map(text),
        reference_example: m.reference_example.as_deref().map(text),
    }
}

fn param(p: &ir::Param) -> rules::ParamInfo {
    let kind = match &p.kind {
        Kind::Select {
            options, default, ..
        } => rules::ParamKind::Select {
            options: list(options.iter().map(|o| text(&o.value))),
            default: default.map(|d| text(&options[d].value)),
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
            default: default.as_deref().map(text),
        },
        Kind::Url => rules::ParamKind::Url,
        Kind::List { min_items, fields } => rules::ParamKind::List {
            min_items: *min_items,
            fields: list(fields.iter().map(|f| text(&f.key))),
        },
    };
    rules::ParamInfo {
        key: text(&p.key),
        description: text(&p.description),
        required: p.required,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(file_name: &str, text: &str) -> ir::Model {
        crate::check::check(file_name, file_name, text).expect("a shipped spec checks")
    }

    #[test]
    fn the_check_and_the_emitter_share_one_value_per_spec() {
        let text = include_str!("../../specs/kling-2-6.yaml");
        let m = checked("kling-2-6.yaml", text);
        let again = checked("kling-2-6.yaml", text);
        assert!(std::ptr::eq(of(&m), of(&again)), "interned by spec text");

        let info = of(&m);
        assert_eq!(info.id, m.id);
        assert_eq!(info.minimal_example, m.minimal_example.as_deref());
        assert_eq!(info.reference_example, m.reference_example.as_deref());
        let keys: Vec<&str> = info.params.iter().map(|p| p.key).collect();
        let ir_keys: Vec<&str> = m.params.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys, ir_keys,
            "same params, same order: emit::info zips them"
        );
        let (upload, ir_upload) = (info.upload.unwrap(), m.upload.as_ref().unwrap());
        for (limit, ir_limit) in upload.kinds.iter().zip(&ir_upload.kinds) {
            assert_eq!(limit.kind, ir_limit.kind);
            assert_eq!(limit.max_bytes, u64::from(ir_limit.max_size_mb) * 1_000_000);
        }
    }

    #[test]
    fn a_chat_spec_describes_its_attachments() {
        let m = checked(
            "gpt-5-2-chat.yaml",
            include_str!("../../specs/gpt-5-2-chat.yaml"),
        );
        let info = of(&m);
        let chat = info.chat.expect("a chat model");
        assert_eq!(chat.max_attachments, m.chat.unwrap().max_attachments);
        assert_eq!(info.upload.is_some(), chat.max_attachments > 0);
    }
}
