//! A model's rivya-rules descriptor, built from the IR by the one conversion below. The example
//! check validates the spec's examples against it and `emit::info` writes the generated `INFO`
//! from it, so the rules that judged the examples are the ones the generated code holds.

use rivya_rules as rules;

use crate::ir::{self, Kind};

/// Lends `f` the descriptor of `m`, as the generated module will hold it.
///
/// The descriptor borrows from the IR (`ModelInfoOf<'_>`, where generated code holds `'static`
/// data). The lists it points into — each parameter's words, each parameter, each kind's MIME
/// types and each kind — are gathered here first, so the descriptor is lent rather than returned.
pub fn with<R>(m: &ir::Model, f: impl FnOnce(&rules::ModelInfoOf<'_>) -> R) -> R {
    let words: Vec<Vec<&str>> = m.params.iter().map(words).collect();
    let params: Vec<_> = m
        .params
        .iter()
        .zip(&words)
        .map(|(p, w)| param(p, w))
        .collect();
    let ir_kinds = m.upload.iter().flat_map(|u| &u.kinds);
    let mime_types: Vec<Vec<&str>> = ir_kinds
        .clone()
        .map(|k| k.mime_types.iter().map(String::as_str).collect())
        .collect();
    let kinds: Vec<_> = ir_kinds
        .zip(&mime_types)
        .map(|(k, mime_types)| rules::KindLimitOf {
            kind: k.kind,
            // Pages state megabytes; 1 MB is read as 1,000,000 bytes (see `KindLimit`).
            max_bytes: u64::from(k.max_size_mb) * 1_000_000,
            mime_types,
        })
        .collect();
    f(&rules::ModelInfoOf {
        id: &m.id,
        display_name: &m.display_name,
        capability: m.capability,
        inputs: &m.inputs,
        files_api: m.files_api,
        billing: m.billing,
        base_credits: m.base_credits,
        prompt_required: m.prompt_required,
        prompt_max_chars: m.prompt_max_chars,
        params_required: m.params_required,
        params: &params,
        upload: m.upload.as_ref().map(|u| rules::UploadPolicyOf {
            max_files: u.max_files,
            kinds: &kinds,
            reference_rule: &u.reference_rule,
        }),
        chat: m.chat.map(|c| rules::ChatInfo {
            max_attachments: c.max_attachments,
            web_search: c.web_search,
            reasoning_effort: c.reasoning_effort,
        }),
        source_url: &m.source_url,
        minimal_example: m.minimal_example.as_deref(),
        reference_example: m.reference_example.as_deref(),
    })
}

/// A parameter's list of words: a select's option values or a list's field keys (none for
/// other kinds).
fn words(p: &ir::Param) -> Vec<&str> {
    match &p.kind {
        Kind::Select { options, .. } => options.iter().map(|o| o.value.as_str()).collect(),
        Kind::List { fields, .. } => fields.iter().map(|f| f.key.as_str()).collect(),
        Kind::Number { .. } | Kind::Text { .. } | Kind::Url => Vec::new(),
    }
}

fn param<'a>(p: &'a ir::Param, words: &'a [&'a str]) -> rules::ParamInfoOf<'a> {
    let kind = match &p.kind {
        Kind::Select {
            options, default, ..
        } => rules::ParamKindOf::Select {
            options: words,
            default: default.map(|d| options[d].value.as_str()),
        },
        Kind::Number {
            integer,
            min,
            max,
            step,
            default,
        } => rules::ParamKindOf::Number {
            integer: *integer,
            min: *min,
            max: *max,
            step: *step,
            default: *default,
        },
        Kind::Text { default } => rules::ParamKindOf::Text {
            default: default.as_deref(),
        },
        Kind::Url => rules::ParamKindOf::Url,
        Kind::List { min_items, .. } => rules::ParamKindOf::List {
            min_items: *min_items,
            fields: words,
        },
    };
    rules::ParamInfoOf {
        key: &p.key,
        description: &p.description,
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
    fn the_descriptor_says_what_the_ir_says() {
        let m = checked("kling-2-6.yaml", include_str!("../../specs/kling-2-6.yaml"));
        with(&m, |info| {
            assert_eq!(info.id, m.id);
            assert_eq!(info.minimal_example, m.minimal_example.as_deref());
            assert_eq!(info.reference_example, m.reference_example.as_deref());
            let keys: Vec<&str> = info.params.iter().map(|p| p.key).collect();
            let ir_keys: Vec<&str> = m.params.iter().map(|p| p.key.as_str()).collect();
            assert_eq!(
                keys, ir_keys,
                "same params, same order: emit::info zips them"
            );
            for (p, ir_p) in info.params.iter().zip(&m.params) {
                if let (
                    rules::ParamKindOf::Select { options, .. },
                    Kind::Select { options: ir, .. },
                ) = (p.kind, &ir_p.kind)
                {
                    let ir: Vec<&str> = ir.iter().map(|o| o.value.as_str()).collect();
                    assert_eq!(options, ir, "{}: options in page order", p.key);
                }
            }
            let (upload, ir_upload) = (info.upload.unwrap(), m.upload.as_ref().unwrap());
            assert_eq!(upload.kinds.len(), ir_upload.kinds.len());
            for (limit, ir_limit) in upload.kinds.iter().zip(&ir_upload.kinds) {
                assert_eq!(limit.kind, ir_limit.kind);
                assert_eq!(limit.max_bytes, u64::from(ir_limit.max_size_mb) * 1_000_000);
                assert_eq!(limit.mime_types, ir_limit.mime_types);
            }
        });
    }

    #[test]
    fn a_chat_spec_describes_its_attachments() {
        let m = checked(
            "gpt-5-2-chat.yaml",
            include_str!("../../specs/gpt-5-2-chat.yaml"),
        );
        with(&m, |info| {
            let chat = info.chat.expect("a chat model");
            assert_eq!(chat.max_attachments, m.chat.unwrap().max_attachments);
            assert_eq!(info.upload.is_some(), chat.max_attachments > 0);
        });
    }
}
