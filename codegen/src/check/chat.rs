//! A chat spec: its `chat` section against the capability, the inputs and the sections a chat
//! model has no use for (params, upload). The shared chat fields are defined once, in
//! `rivya_rules::chat`; a spec only says how many attachments a turn takes and what it lacks.

use rivya_rules::{Capability, FilesApi, Input, MediaKind};

use super::Ctx;
use crate::ir;
use crate::spec::{ChatField, Spec};

/// How the attachments of a chat turn are described to people (docs, `INFO`).
const ATTACHMENT_RULE: &str =
    "Images uploaded through the Files API, attached to a turn by their `file_id`.";

/// The chat section, checked, or `None` for a generation model.
pub(super) fn resolve_chat(cx: &mut Ctx<'_>, spec: &Spec) -> Option<ir::Chat> {
    let is_chat = spec.capability == Capability::Chat;
    let Some(chat) = &spec.chat else {
        if is_chat {
            cx.err(
                "chat",
                "a chat model needs a `chat` section (`max_attachments`, or `without: [attachments]` for a text-only model)",
            );
        }
        return None;
    };
    if !is_chat {
        cx.err(
            "chat",
            "only a model with `capability: chat` has a chat section",
        );
        return None;
    }
    check_sections(cx, spec);
    for (i, f) in chat.without.iter().enumerate() {
        if chat.without[..i].contains(f) {
            cx.err(format!("chat.without[{i}]"), "listed twice");
        }
    }
    let lacks = |f: ChatField| chat.without.contains(&f);
    let max_attachments = match (chat.max_attachments, lacks(ChatField::Attachments)) {
        (Some(0), _) => {
            cx.err(
                "chat.max_attachments",
                "must be positive; a text-only model lists `attachments` under `without`",
            );
            0
        }
        (Some(_), true) => {
            cx.err(
                "chat.max_attachments",
                "the model lacks attachments (`without`), so it has no attachment limit",
            );
            0
        }
        (Some(n), false) => n,
        (None, true) => 0,
        (None, false) => {
            cx.err(
                "chat",
                "say how many images one turn may attach (`max_attachments`), or list `attachments` under `without`",
            );
            0
        }
    };
    let takes_files = spec.inputs.contains(&Input::File);
    if takes_files == lacks(ChatField::Attachments) {
        cx.err(
            "inputs",
            "a chat model lists `file` among its inputs exactly when it takes attachments",
        );
    }
    Some(ir::Chat {
        max_attachments,
        web_search: !lacks(ChatField::EnableWebSearch),
        reasoning_effort: !lacks(ChatField::ReasoningEffort),
    })
}

/// What a chat spec must not carry: params, an upload section, an optional message.
fn check_sections(cx: &mut Ctx<'_>, spec: &Spec) {
    if !spec.params.is_empty() || spec.params_required {
        cx.err(
            "params",
            "a chat model takes no `params`: its fields are the shared chat fields",
        );
    }
    if spec.upload.is_some() {
        cx.err(
            "upload",
            "chat attachments are images under the Files API's default limits; give `chat.max_attachments` instead",
        );
    }
    if spec.files_api != FilesApi::NotRequired {
        cx.err(
            "files_api",
            "a chat turn needs no upload unless it attaches images: `not_required`",
        );
    }
    if !spec.prompt.required {
        cx.err(
            "prompt.required",
            "a chat turn's message is always required",
        );
    }
}

/// The attachments' upload policy: images under the Files API's default limits.
pub(super) fn attachment_upload(chat: &ir::Chat) -> Option<ir::Upload> {
    (chat.max_attachments > 0).then(|| {
        let image = &rivya_rules::DEFAULT_LIMITS[0];
        ir::Upload {
            max_files: chat.max_attachments,
            kinds: vec![ir::KindLimit {
                kind: MediaKind::Image,
                max_size_mb: u32::try_from(image.max_bytes / 1_000_000).unwrap_or(u32::MAX),
                mime_types: image.mime_types.iter().map(|m| (*m).to_owned()).collect(),
            }],
            reference_rule: ATTACHMENT_RULE.to_owned(),
        }
    })
}
