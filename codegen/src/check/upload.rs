//! The upload policy and the documented examples.

use super::Ctx;
use crate::spec::Spec;

pub(super) fn check_upload(cx: &mut Ctx<'_>, u: &crate::spec::UploadSpec) {
    if u.max_files == 0 {
        cx.err("upload.max_files", "must be at least 1");
    }
    if u.kinds.is_empty() {
        cx.err("upload.kinds", "list at least one accepted kind");
    }
    if u.reference_rule.trim().is_empty() {
        cx.err("upload.reference_rule", "must not be empty");
    }
    for (i, k) in u.kinds.iter().enumerate() {
        let path = format!("upload.kinds[{i}]");
        if u.kinds[..i].iter().any(|p| p.kind == k.kind) {
            cx.err(format!("{path}.kind"), "this kind is listed twice");
        }
        if k.max_size_mb == 0 {
            cx.err(format!("{path}.max_size_mb"), "must be positive");
        }
        if k.mime_types.is_empty() {
            cx.err(format!("{path}.mime_types"), "list at least one MIME type");
        }
        for (j, m) in k.mime_types.iter().enumerate() {
            let ok = m
                .split_once('/')
                .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty())
                && !m.contains(char::is_whitespace);
            if !ok {
                cx.err(
                    format!("{path}.mime_types[{j}]"),
                    format!("`{m}` is not a MIME type"),
                );
            }
        }
    }
}

/// Checks that an example body is JSON naming this model; keeps its text as written.
pub(super) fn example(
    cx: &mut Ctx<'_>,
    spec: &Spec,
    path: &str,
    text: Option<&str>,
) -> Option<String> {
    let text = text?.trim();
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) => cx.err(path, format!("not valid JSON: {e}")),
        Ok(v) if v.get("model").and_then(|m| m.as_str()) != Some(spec.id.as_str()) => cx.err(
            path,
            format!("the example must name `\"model\": \"{}\"`", spec.id),
        ),
        Ok(_) => {}
    }
    Some(text.to_owned())
}
