//! The API's wire vocabulary that both sides speak: a task's status and the error codes of
//! the error envelope. The client (`rivya-runtime`) and the offline emulator both use these
//! one definitions, so neither depends on the other. New values arrive as `Unknown`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// The error code of an API error envelope (`error.code`). New codes arrive as `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The public API is switched off (503); retried later.
    PublicApiDisabled,
    /// No API key was sent (401).
    ApiKeyMissing,
    /// The API key is wrong (401).
    ApiKeyInvalid,
    /// The API key was revoked (401).
    ApiKeyRevoked,
    /// The API key expired (401).
    ApiKeyExpired,
    /// The key lacks the scope for this call (403).
    ApiScopeDenied,
    /// Too many requests (429); retried after `Retry-After`.
    RateLimited,
    /// The request broke a rule (400).
    ValidationFailed,
    /// No such task or file, or not yours (404).
    NotFound,
    /// The idempotency key was used before with a different body (409).
    IdempotencyConflict,
    /// Not enough credits.
    InsufficientCredits,
    /// A webhook URL was refused (400).
    WebhookUrlRejected,
    /// A chat turn named a model that is not a chat model (400).
    ChatModelNotSupported,
    /// A chat session of another account or model (409).
    ChatSessionConflict,
    /// A chat attachment that is not an uploaded image (400).
    ChatAttachmentNotSupported,
    /// A code this client does not know yet (or none, when the body had no envelope).
    Unknown(String),
}

impl ErrorCode {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::PublicApiDisabled => "public_api_disabled",
            Self::ApiKeyMissing => "api_key_missing",
            Self::ApiKeyInvalid => "api_key_invalid",
            Self::ApiKeyRevoked => "api_key_revoked",
            Self::ApiKeyExpired => "api_key_expired",
            Self::ApiScopeDenied => "api_scope_denied",
            Self::RateLimited => "rate_limited",
            Self::ValidationFailed => "validation_failed",
            Self::NotFound => "not_found",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::InsufficientCredits => "insufficient_credits",
            Self::WebhookUrlRejected => "webhook_url_rejected",
            Self::ChatModelNotSupported => "chat_model_not_supported",
            Self::ChatSessionConflict => "chat_session_conflict",
            Self::ChatAttachmentNotSupported => "chat_attachment_not_supported",
            Self::Unknown(s) => s,
        }
    }

    /// Whether the code is an authentication or authorization failure.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::ApiKeyMissing
                | Self::ApiKeyInvalid
                | Self::ApiKeyRevoked
                | Self::ApiKeyExpired
                | Self::ApiScopeDenied
        )
    }
}

impl From<&str> for ErrorCode {
    fn from(s: &str) -> Self {
        match s {
            "public_api_disabled" => Self::PublicApiDisabled,
            "api_key_missing" => Self::ApiKeyMissing,
            "api_key_invalid" => Self::ApiKeyInvalid,
            "api_key_revoked" => Self::ApiKeyRevoked,
            "api_key_expired" => Self::ApiKeyExpired,
            "api_scope_denied" => Self::ApiScopeDenied,
            "rate_limited" => Self::RateLimited,
            "validation_failed" => Self::ValidationFailed,
            "not_found" => Self::NotFound,
            "idempotency_conflict" => Self::IdempotencyConflict,
            "insufficient_credits" => Self::InsufficientCredits,
            "webhook_url_rejected" => Self::WebhookUrlRejected,
            "chat_model_not_supported" => Self::ChatModelNotSupported,
            "chat_session_conflict" => Self::ChatSessionConflict,
            "chat_attachment_not_supported" => Self::ChatAttachmentNotSupported,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ErrorCode::from(s.as_str()))
    }
}

/// A task's status. Unknown values are kept, and treated as not terminal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskStatus {
    /// Accepted, waiting to run.
    Queued,
    /// Running.
    Processing,
    /// Done; `result` holds the outputs.
    Succeeded,
    /// Done; `error` says why. Reserved credits are refunded.
    Failed,
    /// A status this client does not know yet.
    Unknown(String),
}

impl TaskStatus {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Unknown(s) => s,
        }
    }

    /// Whether the task will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

impl From<&str> for TaskStatus {
    fn from(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "processing" => Self::Processing,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(TaskStatus::from(s.as_str()))
    }
}
