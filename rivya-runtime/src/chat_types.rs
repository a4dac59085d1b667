//! Chat response types: the completed turn, sessions, and the typed events of a stream. Like
//! every response type of this crate they keep unknown fields (`extra`) and are
//! `#[non_exhaustive]`; the wire shapes they read are those of [`crate::chat`]'s assumptions.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Traced;
use crate::error::ApiError;

/// One completed chat turn: the answer of `POST /api/v1/chat/completions`, and the data of a
/// stream's final event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatCompletion {
    /// The turn id (`chatcmpl_…`).
    pub id: String,
    /// The session this turn belongs to; send it with the next turn to continue.
    pub session_id: String,
    /// The model id.
    #[serde(default)]
    pub model: String,
    /// Creation time, ISO-8601 UTC.
    #[serde(default)]
    pub created_at: Option<String>,
    /// The assistant's answer.
    pub message: ChatMessage,
    /// Tokens counted for the turn.
    #[serde(default)]
    pub usage: Usage,
    /// Credits reserved before the model call and settled from the usage.
    #[serde(default)]
    pub credits: ChatCredits,
    /// Fields this client does not know yet (`object` …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ChatCompletion {
    /// The answer's text.
    pub fn content(&self) -> &str {
        &self.message.content
    }
}

/// A message of a turn: the assistant's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessage {
    /// The message id.
    #[serde(default)]
    pub id: String,
    /// `assistant` (or `user` in a session's history); kept as sent.
    #[serde(default)]
    pub role: String,
    /// The text.
    #[serde(default)]
    pub content: String,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Token usage of one turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Usage {
    /// Tokens of the message (and attachments).
    #[serde(default)]
    pub input_tokens: u64,
    /// Tokens of the answer.
    #[serde(default)]
    pub output_tokens: u64,
    /// Their sum, as the server counted it.
    #[serde(default)]
    pub total_tokens: u64,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The credits of one turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatCredits {
    /// Reserved before the model call.
    #[serde(default, with = "rivya_models::wire::decimal")]
    pub reserved: f64,
    /// Charged once settled from the token usage (`final` on the wire).
    #[serde(default, rename = "final", with = "rivya_models::wire::decimal")]
    pub final_: f64,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A chat session (`GET /api/v1/chat/sessions/{id}` carries its `messages`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatSession {
    /// The session id (`chs_…`).
    pub id: String,
    /// The model every turn of the session uses.
    #[serde(default)]
    pub model: String,
    /// Creation time, ISO-8601 UTC.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Time of the last turn, ISO-8601 UTC.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Completed turns.
    #[serde(default)]
    pub turns: u64,
    /// The history, oldest first (only when one session is fetched).
    #[serde(default)]
    pub messages: Vec<ChatSessionMessage>,
    /// Fields this client does not know yet (`object` …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One message of a session's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatSessionMessage {
    /// The message id.
    #[serde(default)]
    pub id: String,
    /// `user` or `assistant`; kept as sent.
    #[serde(default)]
    pub role: String,
    /// The text.
    #[serde(default)]
    pub content: String,
    /// Creation time, ISO-8601 UTC.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /api/v1/chat/sessions`: the account's API sessions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatSessionList {
    /// The sessions (without their messages).
    pub data: Vec<ChatSession>,
    /// Fields this client does not know yet (`object` …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One event of a chat stream, classified by the rules in [`crate::chat`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// The next piece of the answer.
    Delta {
        /// The text to append.
        text: String,
    },
    /// The turn is complete: the whole message, its usage and credits. Last event.
    Completed(Box<ChatCompletion>),
    /// The turn failed after the stream began (the server refunds it). Last event; its
    /// `idempotency_key` is the turn's.
    Error(ApiError),
    /// Any other event (`session` among them), kept as it came. Never a failure.
    Other {
        /// The SSE event type (`message` when unnamed).
        event: String,
        /// The raw data.
        data: String,
        /// The SSE last event id, if one was set.
        id: Option<String>,
    },
}

impl Traced for ChatCompletion {}
impl Traced for ChatSession {}
impl Traced for ChatSessionList {}
