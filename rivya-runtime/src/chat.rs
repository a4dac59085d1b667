//! Chat: one message per turn, the history kept by the server in a session, answered whole
//! ([`Client::chat`]) or as Server-Sent Events ([`Client::chat_stream`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), rivya_runtime::Error> {
//! use futures_util::StreamExt;
//! use rivya_models::gpt_5_3_codex_chat::Request;
//! use rivya_runtime::ChatEvent;
//!
//! let client = rivya_runtime::Client::from_env()?;
//! let first = client.chat(&Request::new("Name three sorting algorithms")).await?;
//! let next = Request::new("Which is stable?").session(&first.session_id);
//! let mut stream = client.chat_stream(&next).await?;
//! while let Some(event) = stream.next().await {
//!     if let ChatEvent::Delta { text } = event? {
//!         print!("{text}");
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Wire assumptions
//!
//! The API documentation gives the request and the completed-turn object; it leaves the SSE
//! events, errors after a stream began, the sessions endpoints and the replay of an
//! `Idempotency-Key` unspecified. This client assumes the following (and the emulator serves
//! exactly this); everything below that is not in the documentation is an assumption.
//!
//! - **Endpoints.** `POST /api/v1/chat/completions` answers `200` with the completion object;
//!   `POST /api/v1/chat/completions/stream` answers `200 text/event-stream`. Both take the same
//!   body: `model`, `message`, and optionally `session_id`, `attachments: [{"file_id"}]`,
//!   `enable_web_search`, `reasoning_effort`, `client_request_id`. Non-2xx answers carry the
//!   usual error envelope.
//! - **Completion object.** `{id, object: "chat.completion", session_id, model, created_at,
//!   message: {id, role, content}, usage: {input_tokens, output_tokens, total_tokens},
//!   credits: {reserved, final}}`; unknown fields are kept, never refused.
//! - **Stream events** (each with an SSE `id`): `session` first (the turn and session ids, the
//!   reserved credits), then zero or more `delta` (`{"delta": "text piece"}`; concatenated in
//!   order they are the content), then `completion` (the completion object) on success or
//!   `error` (an error envelope) on failure. Comments may appear anywhere.
//! - **Classification is tolerant**, since the real server may name things otherwise: an event
//!   is `Completed` when named `completion`/`completed`/`done` or when its data is a completion
//!   object (`"object": "chat.completion"`, or `message` and `usage`); `Error` when named
//!   `error` or when its data holds an `error` object; `Delta` when its name contains `delta`
//!   or its data has a string `delta` (or `delta.content`); data `[DONE]` ends the stream
//!   quietly. Anything else, `session` included, is `Other` (see
//!   [`ChatEvent`](crate::ChatEvent)), never a failure; any event whose data has top-level
//!   `session_id` / `id` strings tells the stream the session and turn ids it reports.
//! - **Broken streams.** A stream that ends before a completion or error event (EOF, reset,
//!   idle longer than the request timeout, an undecodable completion) ends in
//!   [`Error::ChatStreamBroken`] with the session id (if seen), the turn id (if seen), the
//!   idempotency key and the text received so far. An `error` event ends the stream; the turn
//!   is then not charged, and [`ChatStream::into_completion`] returns [`Error::ChatFailed`].
//! - **Idempotency (the recovery assumption).** One `Idempotency-Key` per turn, minted before
//!   the first attempt and sent on every retry. Its scope is the turn across both endpoints:
//!   the same key with the same body returns the same turn (the completion object, or a stream
//!   of `session`, the whole content as deltas, `completion`) and charges nothing more; the
//!   same key with another body is `409 idempotency_conflict`. So a broken stream is recovered
//!   by sending the same turn again with the error's key, preferably to the non-streaming
//!   endpoint ([`Client::chat_with_key`]).
//! - **Retries** happen only before a stream's first byte: transport errors before the answer
//!   and `408`/`429`/`5xx` (honouring `Retry-After`). Once a `200` stream began, nothing is
//!   retried automatically.
//! - **Sessions.** `GET /api/v1/chat/sessions` → `{"object": "list", "data": [session…]}`,
//!   newest first; `GET /api/v1/chat/sessions/{id}` → one session with its `messages`; a
//!   session is `{id, object: "chat.session", model, created_at, updated_at, turns,
//!   messages?: [{id, role, content, created_at}]}`; an unknown id is `404 not_found`.
//! - **Attachments** are images uploaded through the Files API and sent by their file id
//!   ([`Client::upload_attachment`] checks them against the model first).

use rivya_models::{
    Attachment, ChatTurn, MediaKind, ModelInfo, UploadRejection, ValidationError, ViolationKind,
    Violations, catalog,
};
use serde_json::Value;

use crate::chat_stream::{self, ChatStream};
use crate::chat_types::{ChatCompletion, ChatSession, ChatSessionList};
use crate::client::Client;
use crate::error::Error;
use crate::files::Upload;
use crate::idempotency::check_idempotency_key;
use crate::segment::path_segment;

pub(crate) const COMPLETIONS: &str = "chat/completions";

impl Client {
    /// Sends one chat turn and returns the completed answer (the non-streaming endpoint). The
    /// turn is validated first and never sent when invalid; one idempotency key is minted for
    /// the turn and sent on every retry (see the [module docs](crate::chat)).
    pub async fn chat<R: ChatTurn>(&self, req: &R) -> Result<ChatCompletion, Error> {
        self.chat_with_key(req, Client::new_idempotency_key()).await
    }

    /// [`Client::chat`] with your own idempotency key: resending a turn whose answer you did
    /// not see (a broken stream's key) returns that turn, charged once.
    pub async fn chat_with_key<R: ChatTurn>(
        &self,
        req: &R,
        idempotency_key: impl Into<String>,
    ) -> Result<ChatCompletion, Error> {
        ChatTurn::validate(req)?;
        let key = idempotency_key.into();
        check_idempotency_key(&key)?;
        self.post(COMPLETIONS, Some(encode(req)?), Some(&key)).await
    }

    /// Sends an untyped chat turn (a CLI, a proxy), validated with the same rules and refused
    /// unless `model` is a chat model.
    pub async fn chat_value(&self, body: &Value) -> Result<ChatCompletion, Error> {
        self.chat_value_with_key(body, Client::new_idempotency_key())
            .await
    }

    /// [`Client::chat_value`] with your own idempotency key.
    pub async fn chat_value_with_key(
        &self,
        body: &Value,
        idempotency_key: impl Into<String>,
    ) -> Result<ChatCompletion, Error> {
        validate_chat_value(body)?;
        let key = idempotency_key.into();
        check_idempotency_key(&key)?;
        self.post(COMPLETIONS, Some(encode(body)?), Some(&key))
            .await
    }

    /// Sends one chat turn to the streaming endpoint. Returns once the server accepted it
    /// (retries happen only before then); the [`ChatStream`] yields its events and knows the
    /// turn's key, session and text so far.
    pub async fn chat_stream<R: ChatTurn>(&self, req: &R) -> Result<ChatStream, Error> {
        self.chat_stream_with_key(req, Client::new_idempotency_key())
            .await
    }

    /// [`Client::chat_stream`] with your own idempotency key.
    pub async fn chat_stream_with_key<R: ChatTurn>(
        &self,
        req: &R,
        idempotency_key: impl Into<String>,
    ) -> Result<ChatStream, Error> {
        ChatTurn::validate(req)?;
        let key = idempotency_key.into();
        check_idempotency_key(&key)?;
        let session = req.session_id().map(str::to_owned);
        chat_stream::open(self, encode(req)?, key, session).await
    }

    /// [`Client::chat_stream`] for an untyped turn, validated like [`Client::chat_value`].
    pub async fn chat_stream_value(&self, body: &Value) -> Result<ChatStream, Error> {
        self.chat_stream_value_with_key(body, Client::new_idempotency_key())
            .await
    }

    /// [`Client::chat_stream_value`] with your own idempotency key.
    pub async fn chat_stream_value_with_key(
        &self,
        body: &Value,
        idempotency_key: impl Into<String>,
    ) -> Result<ChatStream, Error> {
        validate_chat_value(body)?;
        let session = body
            .get("session_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let key = idempotency_key.into();
        check_idempotency_key(&key)?;
        chat_stream::open(self, encode(body)?, key, session).await
    }

    /// The account's API chat sessions, newest first (`GET /api/v1/chat/sessions`).
    pub async fn chat_sessions(&self) -> Result<ChatSessionList, Error> {
        self.get("chat/sessions").await
    }

    /// One chat session with its messages (`GET /api/v1/chat/sessions/{id}`).
    pub async fn chat_session(&self, session_id: &str) -> Result<ChatSession, Error> {
        let path = format!(
            "chat/sessions/{}",
            path_segment("chat session id", session_id)?
        );
        self.get(&path).await
    }

    /// Uploads an image to attach to a chat turn of `model`. The file is checked first against
    /// the model's attachment policy (an image, of an accepted MIME type and size; a model that
    /// takes no attachments refuses every file), so a refused file sends nothing. Returns the
    /// attachment naming the uploaded file's id.
    pub async fn upload_attachment(
        &self,
        upload: Upload,
        model: &'static ModelInfo,
    ) -> Result<Attachment, Error> {
        let takes_images = model.chat.is_some_and(|c| c.max_attachments > 0);
        if !takes_images {
            return Err(Error::UploadRejected {
                file: upload.label(),
                reason: UploadRejection::KindNotAccepted {
                    kind: MediaKind::Image,
                    accepted: Vec::new(),
                },
            });
        }
        let uploaded = self
            .upload(upload.kind(MediaKind::Image).model_info(model))
            .await?;
        match &uploaded.file.id {
            Some(id) => Ok(Attachment::new(id.clone())),
            None => Err(Error::Decode {
                status: 200,
                body: serde_json::to_string(&uploaded.file).unwrap_or_default(),
                message: "the Files API answer has no `id`, which a chat attachment needs"
                    .to_owned(),
                idempotency_key: Some(uploaded.idempotency_key),
            }),
        }
    }
}

/// The request body as JSON bytes.
fn encode<T: serde::Serialize + ?Sized>(body: &T) -> Result<Vec<u8>, Error> {
    crate::error::to_json("the chat turn", body)
}

/// Validates an untyped chat body: a known model that is not a chat model is named as such
/// (rather than reported as a generation body missing its prompt), then the model's rules.
fn validate_chat_value(body: &Value) -> Result<(), Error> {
    let model = body.get("model").and_then(Value::as_str);
    if let Some(info) = model.and_then(catalog::find)
        && info.chat.is_none()
    {
        return Err(not_a_chat_model(info.id).into());
    }
    catalog::validate_value(body)?;
    Ok(())
}

/// "`id` is not a chat model; expected one of …".
fn not_a_chat_model(id: &str) -> ValidationError {
    let options = catalog::all()
        .iter()
        .filter(|m| m.chat.is_some())
        .map(|m| m.id.to_owned())
        .collect();
    let mut v = Violations::default();
    v.push("model", ViolationKind::NotAnOption { options }, id);
    v.finish(id)
        .expect_err("a violation was pushed, so finish reports it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generation_model_is_named_as_not_a_chat_model() {
        let body = serde_json::json!({"model": "kling-3-0", "prompt": "a cat"});
        let Err(Error::Validation(v)) = validate_chat_value(&body) else {
            panic!("refused")
        };
        assert_eq!(v.violations.len(), 1);
        assert_eq!(v.violations[0].path, "model");
        let shown = v.to_string();
        assert!(
            shown.contains("gpt-5-2-chat") && !shown.contains("kling-2-6"),
            "{shown}"
        );
    }
}
