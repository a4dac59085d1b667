//! Chat turns: one message per turn, the history kept by the server in a session.
//!
//! Every chat model shares the same request fields, so one hand-written type serves them all:
//! each generated chat module names `pub type Request = ChatRequest<Model>`. What a model lacks
//! (attachments on a text-only model, say) is in its [`ModelInfo::chat`] and judged by
//! [`validate`](ChatRequest::validate), with the same rules as an untyped body.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use rivya_rules::chat::{self as rules, REASONING_EFFORTS};

use crate::{ChatInfo, ModelInfo, UnknownOption, ValidationError, Violations};

/// A chat model of the catalog, as a type (each generated chat module's `Model`).
pub trait ChatModel: Copy + Default + fmt::Debug + Send + Sync + 'static {
    /// Everything the model's page documents; `INFO.chat` is always `Some`.
    const INFO: &'static ModelInfo;

    /// The API model id (`gpt-5-3-codex-chat`).
    fn id() -> &'static str {
        Self::INFO.id
    }
}

/// One chat turn for the model `M`: the body of `POST /api/v1/chat/completions` (and of
/// `/stream`). `model` comes from the type.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest<M> {
    /// The next user message.
    pub message: String,
    /// The session to continue; `None` starts a new one.
    pub session_id: Option<String>,
    /// Images uploaded through the Files API, by id.
    pub attachments: Vec<Attachment>,
    /// Ask for web search (applies only where the model supports it).
    pub enable_web_search: Option<bool>,
    /// How hard the model should reason; the server's default is [`ReasoningEffort::Default`].
    pub reasoning_effort: Option<ReasoningEffort>,
    /// An optional id for tracing the request in your own systems (not an idempotency key).
    pub client_request_id: Option<String>,
    model: PhantomData<M>,
}

/// An image attachment: the `file_id` an upload through `/api/v1/files` returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// The uploaded file's id.
    pub file_id: String,
}

impl Attachment {
    /// An attachment of the uploaded file `file_id`.
    pub fn new(file_id: impl Into<String>) -> Self {
        Self {
            file_id: file_id.into(),
        }
    }
}

impl<M: ChatModel> ChatRequest<M> {
    /// A turn that starts a new session with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            session_id: None,
            attachments: Vec::new(),
            enable_web_search: None,
            reasoning_effort: None,
            client_request_id: None,
            model: PhantomData,
        }
    }

    /// Continues the session `id` (from an earlier turn's `session_id`).
    pub fn session(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// Appends an image attachment by its uploaded file id.
    pub fn attachment(mut self, file_id: impl Into<String>) -> Self {
        self.attachments.push(Attachment::new(file_id));
        self
    }

    /// Replaces every attachment.
    pub fn attachments(mut self, items: impl IntoIterator<Item = Attachment>) -> Self {
        self.attachments = items.into_iter().collect();
        self
    }

    /// Turns web search on or off.
    pub fn web_search(mut self, on: bool) -> Self {
        self.enable_web_search = Some(on);
        self
    }

    /// Sets the reasoning effort.
    pub fn reasoning_effort(mut self, effort: ReasoningEffort) -> Self {
        self.reasoning_effort = Some(effort);
        self
    }

    /// Sets `client_request_id`, your own trace id.
    pub fn client_request_id(mut self, id: impl Into<String>) -> Self {
        self.client_request_id = Some(id.into());
        self
    }

    /// The metadata of this turn's model.
    pub fn info(&self) -> &'static ModelInfo {
        M::INFO
    }

    /// Checks every documented rule and returns all violations, each with its path.
    pub fn validate(&self) -> Result<(), ValidationError> {
        ChatTurn::validate(self)
    }
}

/// What code generic over chat models (a client, a batch) can ask of any chat turn.
pub trait ChatTurn: Serialize {
    /// The metadata of this turn's model.
    fn info(&self) -> &'static ModelInfo;

    /// The session this turn continues, if any.
    fn session_id(&self) -> Option<&str>;

    /// Checks every documented rule and returns all violations, each with its path.
    fn validate(&self) -> Result<(), ValidationError>;
}

impl<M: ChatModel> ChatTurn for ChatRequest<M> {
    fn info(&self) -> &'static ModelInfo {
        M::INFO
    }

    fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Violations::default();
        let chat = chat_info(M::INFO);
        if let Some(id) = &self.session_id {
            rules::session_id(id, &mut v);
        }
        rules::message(M::INFO, Some(&self.message), &mut v);
        rules::attachment_count(&chat, self.attachments.len(), &mut v);
        for (i, a) in self.attachments.iter().enumerate() {
            rules::attachment_id(i, &a.file_id, &mut v);
        }
        if let Some(on) = self.enable_web_search {
            rules::web_search(&chat, on, &mut v);
        }
        if let Some(effort) = self.reasoning_effort {
            rules::reasoning_effort(&chat, effort.as_str(), &mut v);
        }
        v.finish(M::INFO.id)
    }
}

/// A chat model's [`ChatInfo`]; a model generated without one takes nothing optional.
fn chat_info(info: &ModelInfo) -> ChatInfo {
    info.chat.unwrap_or(ChatInfo {
        max_attachments: 0,
        web_search: false,
        reasoning_effort: false,
    })
}

impl<M: ChatModel> Serialize for ChatRequest<M> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ChatRequest", 7)?;
        st.serialize_field("model", M::INFO.id)?;
        if let Some(id) = &self.session_id {
            st.serialize_field("session_id", id)?;
        } else {
            st.skip_field("session_id")?;
        }
        st.serialize_field("message", &self.message)?;
        if self.attachments.is_empty() {
            st.skip_field("attachments")?;
        } else {
            st.serialize_field("attachments", &self.attachments)?;
        }
        match self.enable_web_search {
            Some(on) => st.serialize_field("enable_web_search", &on)?,
            None => st.skip_field("enable_web_search")?,
        }
        match self.reasoning_effort {
            Some(e) => st.serialize_field("reasoning_effort", e.as_str())?,
            None => st.skip_field("reasoning_effort")?,
        }
        match &self.client_request_id {
            Some(id) => st.serialize_field("client_request_id", id)?,
            None => st.skip_field("client_request_id")?,
        }
        st.end()
    }
}

/// The shared `reasoning_effort` option ("when supported" by the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReasoningEffort {
    /// The model's own default (`default`).
    #[default]
    Default,
    /// `minimal`.
    Minimal,
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
    /// `xhigh`.
    Xhigh,
}

impl ReasoningEffort {
    /// Every option, in the documented order.
    pub const ALL: [Self; 6] = [
        Self::Default,
        Self::Minimal,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Xhigh,
    ];

    /// The wire values, in the documented order.
    pub const OPTIONS: &'static [&'static str] = REASONING_EFFORTS;

    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Minimal => "minimal",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Xhigh => "xhigh",
        }
    }
}

impl fmt::Display for ReasoningEffort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReasoningEffort {
    type Err = UnknownOption;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownOption::new("reasoning_effort", s, Self::OPTIONS))
    }
}

impl Serialize for ReasoningEffort {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReasoningEffort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
