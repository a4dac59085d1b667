//! The validation rules, written once. Typed `validate()` methods (generated) and the untyped
//! [`body::validate`](crate::body::validate) call these same functions with the
//! same [`ParamInfo`] descriptors, so a request is judged the same whichever way it is built.

use crate::{
    MediaKind, ModelInfoOf, ParamInfoOf, ParamKindOf, ReferenceMediaItem, ViolationKind, Violations,
};

/// The path of the reference list inside a request body.
pub const REFERENCES_KEY: &str = "referenceMediaItems";

/// Checks the prompt: presence, non-blank when required, length in UTF-16 code units.
///
/// UTF-16 is the conservative count: it is never smaller than the count in `char`s, so a prompt
/// we accept is never rejected by a server counting either way.
pub fn prompt(info: &ModelInfoOf<'_>, prompt: Option<&str>, v: &mut Violations) {
    text_limit(info, "prompt", info.prompt_required, prompt, v);
}

/// The prompt rule for the text at `path` (a generation's `prompt`, a chat turn's `message`):
/// presence and non-blank when `required`, and the model's limit in UTF-16 code units.
pub fn text_limit(
    info: &ModelInfoOf<'_>,
    path: &str,
    required: bool,
    text: Option<&str>,
    v: &mut Violations,
) {
    match text {
        None if required => v.push(path, ViolationKind::Required, ""),
        None => {}
        Some(p) => {
            if required && p.trim().is_empty() {
                v.push(path, ViolationKind::Blank, "");
            }
            if let Some(max) = info.prompt_max_chars {
                let actual = p.encode_utf16().count();
                if actual > max as usize {
                    v.push(path, ViolationKind::TooLong { max, actual }, "");
                }
            }
        }
    }
}

/// Reports a required parameter that is absent.
pub fn required(param: &ParamInfoOf<'_>, present: bool, v: &mut Violations) {
    if param.required && !present {
        v.push(param.path(), ViolationKind::Required, "");
    }
}

/// Checks a select value against its options (typed enums cannot break this rule).
pub fn select(param: &ParamInfoOf<'_>, value: &str, v: &mut Violations) {
    if let ParamKindOf::Select { options, .. } = param.kind
        && !options.contains(&value)
    {
        let options = options.iter().map(|o| o.to_string()).collect();
        v.push(param.path(), ViolationKind::NotAnOption { options }, value);
    }
}

/// Checks an integer parameter's range and step.
pub fn integer(param: &ParamInfoOf<'_>, value: i64, v: &mut Violations) {
    // Every documented bound (up to int32 max) is exact in f64.
    number(param, value as f64, v);
}

/// Checks a number parameter's range and step.
pub fn number(param: &ParamInfoOf<'_>, value: f64, v: &mut Violations) {
    let ParamKindOf::Number { min, max, step, .. } = param.kind else {
        return;
    };
    let shown = crate::wire::format_number(value);
    if !value.is_finite() || min.is_some_and(|lo| value < lo) || max.is_some_and(|hi| value > hi) {
        v.push(param.path(), ViolationKind::OutOfRange { min, max }, shown);
        return;
    }
    if let Some(step) = step
        && !on_step(value, min.unwrap_or(0.0), step)
    {
        v.push(param.path(), ViolationKind::OffStep { step }, shown);
    }
}

/// Whether `value` is `base + k·step` for a whole `k`, allowing for binary rounding of decimal
/// steps such as 0.05 (0.15 / 0.05 is 2.9999999999999996 in f64). The one tolerance used for
/// requests, spec defaults and spec diffs alike.
pub fn on_step(value: f64, base: f64, step: f64) -> bool {
    if step <= 0.0 {
        return true;
    }
    let k = (value - base) / step;
    (k - k.round()).abs() <= 1e-9 * k.abs().max(1.0)
}

/// Checks the item count of a list parameter.
pub fn list_len(param: &ParamInfoOf<'_>, len: usize, v: &mut Violations) {
    if let ParamKindOf::List { min_items, .. } = param.kind
        && len < min_items as usize
    {
        v.push(
            param.path(),
            ViolationKind::TooFewItems { min: min_items },
            len.to_string(),
        );
    }
}

/// Checks reference media against the model's upload policy: count, kind, MIME type, URL, and
/// the duration token of video and audio items.
pub fn references(info: &ModelInfoOf<'_>, items: &[ReferenceMediaItem], v: &mut Violations) {
    reference_count(info, items.len(), v);
    for (i, item) in items.iter().enumerate() {
        reference_item(info, i, item, v);
    }
}

/// Checks how many reference items a request carries.
pub fn reference_count(info: &ModelInfoOf<'_>, len: usize, v: &mut Violations) {
    let path = format!("params.{REFERENCES_KEY}");
    match &info.upload {
        None if len > 0 => v.push(path, ViolationKind::UploadsNotAccepted, ""),
        Some(policy) if len > policy.max_files as usize => v.push(
            path,
            ViolationKind::TooManyFiles {
                max: policy.max_files,
            },
            len.to_string(),
        ),
        _ => {}
    }
}

/// Checks one reference item, found at `index` of the list.
pub fn reference_item(
    info: &ModelInfoOf<'_>,
    index: usize,
    item: &ReferenceMediaItem,
    v: &mut Violations,
) {
    let Some(policy) = &info.upload else {
        return; // already reported by `reference_count`
    };
    let at = |field: &str| format!("params.{REFERENCES_KEY}[{index}].{field}");
    if !is_http_url(&item.url) {
        v.push(at("url"), ViolationKind::InvalidUrl, item.url.as_str());
    }
    match policy.kind(item.kind) {
        None => v.push(
            at("kind"),
            ViolationKind::KindNotAccepted {
                accepted: policy.kinds.iter().map(|k| k.kind.as_str()).collect(),
            },
            item.kind.as_str(),
        ),
        Some(limit) => {
            if let Some(mime) = &item.mime_type
                && !limit.mime_types.contains(&mime.as_str())
            {
                v.push(
                    at("mimeType"),
                    ViolationKind::MimeNotAccepted {
                        accepted: limit.mime_types.iter().map(|m| m.to_string()).collect(),
                    },
                    mime.as_str(),
                );
            }
        }
    }
    if item.kind.has_duration()
        && item
            .duration_token
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
    {
        v.push(at("durationToken"), ViolationKind::MissingDurationToken, "");
    }
}

/// Whether the kinds a model accepts include `kind`.
pub fn accepts_kind(info: &ModelInfoOf<'_>, kind: MediaKind) -> bool {
    info.upload.is_some_and(|p| p.kind(kind).is_some())
}

/// Checks a URL parameter: an absolute `http(s)` URL.
pub fn url(param: &ParamInfoOf<'_>, value: &str, v: &mut Violations) {
    if !is_http_url(value) {
        v.push(param.path(), ViolationKind::InvalidUrl, value);
    }
}

/// An absolute `http` or `https` URL with a host and no whitespace. Deliberately small: the
/// server resolves the URL; this only catches values that cannot be one.
pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_tolerate_binary_rounding() {
        assert!(on_step(0.15, 0.0, 0.05));
        assert!(on_step(1.2, 0.7, 0.05));
        assert!(on_step(2.5, 1.0, 0.1));
        assert!(!on_step(0.52, 0.0, 0.05));
        assert!(!on_step(7.5, 6.0, 1.0));
        assert!(on_step(-1.0, -1.0, 1.0));
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://cdn.example.com/a.png"));
        assert!(is_http_url("http://localhost:8080/x"));
        assert!(!is_http_url("ftp://example.com/a.png"));
        assert!(!is_http_url("https:///a.png"));
        assert!(!is_http_url("https://exa mple.com/"));
        assert!(!is_http_url("reference-image.png"));
    }
}
