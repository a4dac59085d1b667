//! The chat half of the API: the request fields every chat model shares, defined once here, and
//! the rules that judge a chat turn (`POST /api/v1/chat/completions`).
//!
//! A chat spec does not list these fields; it states only what its model lacks
//! ([`ChatInfo`]). Typed requests (`rivya_models::ChatRequest`) and the untyped
//! [`crate::body::validate`] both call the functions below.

use crate::{ModelInfoOf, ViolationKind, Violations};

/// The wire values of `reasoning_effort`, in the documented order; `default` is the default.
pub const REASONING_EFFORTS: &[&str] = &["default", "minimal", "low", "medium", "high", "xhigh"];

/// The keys a chat turn's body may carry (API.md, Chat).
pub const CHAT_FIELDS: &[&str] = &[
    "model",
    "session_id",
    "message",
    "attachments",
    "enable_web_search",
    "reasoning_effort",
    "client_request_id",
];

/// The only key of an attachment item: the id of an image uploaded through the Files API.
pub const ATTACHMENT_FIELD: &str = "file_id";

/// What a chat model takes of the shared chat fields (a part of its descriptor).
pub use crate::info::ChatInfo;

/// Checks the message: present, non-blank, and within the model's limit in UTF-16 code units
/// (the same count as a generation prompt).
pub fn message(info: &ModelInfoOf<'_>, message: Option<&str>, v: &mut Violations) {
    crate::rules::text_limit(info, "message", true, message, v);
}

/// Checks how many attachments a turn carries.
pub fn attachment_count(chat: &ChatInfo, len: usize, v: &mut Violations) {
    if len == 0 {
        return;
    }
    if chat.max_attachments == 0 {
        v.push("attachments", ViolationKind::AttachmentsNotAccepted, "");
    } else if len > chat.max_attachments as usize {
        v.push(
            "attachments",
            ViolationKind::TooManyAttachments {
                max: chat.max_attachments,
            },
            len.to_string(),
        );
    }
}

/// Checks one attachment's file id: a non-blank string (the server checks it names an image).
pub fn attachment_id(index: usize, file_id: &str, v: &mut Violations) {
    if file_id.trim().is_empty() {
        v.push(
            format!("attachments[{index}].{ATTACHMENT_FIELD}"),
            ViolationKind::Blank,
            "",
        );
    }
}

/// Checks `reasoning_effort`: one of [`REASONING_EFFORTS`], on a model that takes it.
pub fn reasoning_effort(chat: &ChatInfo, value: &str, v: &mut Violations) {
    if !chat.reasoning_effort {
        v.push("reasoning_effort", ViolationKind::FieldNotSupported, value);
    } else if !REASONING_EFFORTS.contains(&value) {
        v.push(
            "reasoning_effort",
            ViolationKind::NotAnOption {
                options: REASONING_EFFORTS.iter().map(|e| e.to_string()).collect(),
            },
            value,
        );
    }
}

/// Checks `enable_web_search` on a model that lacks web search: asking for it is refused,
/// sending `false` is harmless.
pub fn web_search(chat: &ChatInfo, enabled: bool, v: &mut Violations) {
    if enabled && !chat.web_search {
        v.push(
            "enable_web_search",
            ViolationKind::FieldNotSupported,
            "true",
        );
    }
}

/// Checks a session id: when given, a non-blank string.
pub fn session_id(session_id: &str, v: &mut Violations) {
    if session_id.trim().is_empty() {
        v.push("session_id", ViolationKind::Blank, "");
    }
}
