//! Chat pages: a request contract of shared chat fields (`model`, `session_id`, `message`,
//! `attachments`, `enable_web_search`, `reasoning_effort`, `client_request_id`) instead of
//! `prompt` and `params`. The fields are defined once in `rivya_rules::chat`, so a chat draft
//! records only what the page says of them: which rows it has, and the message limit.

use serde_json::Value;

use super::contract::row_keys;
use super::header::Header;
use super::page::{self, Found};
use super::{Draft, ImportError};

/// Rows that tell a chat contract apart from a generation one (which has `prompt`, `params`).
const CHAT_KEYS: &[&str] = &["model", "message", "session_id", "client_request_id"];

/// Image attachments per turn when the page does not say (no chat page seen does): the SDK's
/// conservative choice, flagged for a maintainer.
pub const DEFAULT_MAX_ATTACHMENTS: u32 = 10;

/// What a chat draft says of the shared chat fields.
#[derive(Debug, Clone)]
pub struct ChatDraft {
    /// Image attachments per turn; `None` for a text-only model.
    pub max_attachments: Option<u32>,
    /// Shared fields the page's contract does not list.
    pub without: Vec<&'static str>,
}

/// The index of a chat contract table: three of its four telling rows, `message` among them.
pub fn find(tables: &[Found]) -> Option<usize> {
    let score = |t: &Found| {
        let keys = row_keys(t);
        let n = CHAT_KEYS.iter().filter(|k| keys.contains(k)).count();
        if keys.contains(&"message") { n } else { 0 }
    };
    let best = (0..tables.len()).max_by_key(|&i| (score(&tables[i]), std::cmp::Reverse(i)))?;
    (score(&tables[best]) >= 3).then_some(best)
}

/// The draft of a chat page whose contract is `table`.
pub fn draft(
    lines: &[&str],
    table: &Found,
    head: Header,
    file_name: &str,
    reviewed: &str,
) -> Result<Draft, ImportError> {
    let mut warnings = Vec::new();
    let keys = row_keys(table);
    let partial = table.at_end;
    if partial {
        warnings.push(
            "the page ends inside the chat contract: it may be cut off; the spec is marked partial"
                .into(),
        );
    }
    let takes_files = head.inputs.iter().any(|i| i == "file");
    let without = lacking(&keys, takes_files, partial);
    let max_attachments = (!without.contains(&"attachments")).then(|| {
        warnings.push(format!(
            "the page does not say how many images one turn may attach: {DEFAULT_MAX_ATTACHMENTS} is the SDK's conservative choice; confirm"
        ));
        DEFAULT_MAX_ATTACHMENTS
    });
    if takes_files && without.contains(&"attachments") {
        warnings.push("inputs name `file` but the contract has no `attachments` row: read as text-only; check".into());
    }
    let (minimal, reference) = examples(&lines.join("\n"));
    if minimal.is_none() {
        warnings.push(
            "no complete minimal request on the page (cut off?); examples.minimal is left out"
                .into(),
        );
    }
    let display_name = super::header::display_name(lines, &head.id).unwrap_or_else(|| {
        warnings.push("display name not found; set `display_name`".into());
        head.id.clone()
    });
    let (language, url) = super::source(file_name, &head.id);
    let notes = partial
        .then(|| "The stored page is cut off inside its chat contract: fields after the cut are taken as on every other chat page; check them against the live page.".to_owned())
        .into_iter()
        .collect();
    let inputs = if without.contains(&"attachments") {
        vec!["text".to_owned()]
    } else {
        head.inputs.clone()
    };
    Ok(Draft {
        file: file_name.to_owned(),
        display_name,
        capability: "chat".to_owned(),
        inputs,
        billing: head.billing.clone(),
        base_credits: head.base_credits,
        prompt_required: true,
        prompt_max: head.prompt_max,
        params_required: false,
        params: Vec::new(),
        upload: None,
        chat: Some(ChatDraft {
            max_attachments,
            without,
        }),
        language,
        url,
        reviewed: reviewed.to_owned(),
        partial,
        notes,
        minimal,
        reference,
        warnings,
        rust_names: Vec::new(),
        id: head.id,
    })
}

/// The shared fields the contract does not list. A cut table shows only its first rows, so a
/// field that would come after the cut is not taken as lacking.
fn lacking(keys: &[&str], takes_files: bool, partial: bool) -> Vec<&'static str> {
    let listed = |k: &str| keys.contains(&k);
    let seen = |k: &str| listed(k) || (partial && !listed("client_request_id"));
    let mut without = Vec::new();
    if !takes_files || !listed("attachments") {
        without.push("attachments");
    }
    for key in ["enable_web_search", "reasoning_effort"] {
        if !seen(key) {
            without.push(key);
        }
    }
    without
}

/// The page's chat requests: objects with `model` and `message` that are not responses
/// (`object`); the one with `attachments` is the reference request.
fn examples(text: &str) -> (Option<String>, Option<String>) {
    let objects = page::json_objects(text);
    let requests: Vec<&(Value, String)> = objects
        .iter()
        .filter(|(v, _)| {
            v.get("model").is_some() && v.get("message").is_some() && v.get("object").is_none()
        })
        .collect();
    let with = |refs: bool| {
        requests
            .iter()
            .find(|(v, _)| v.get("attachments").is_some() == refs)
            .map(|(_, t)| t.clone())
    };
    (with(false), with(true))
}
