//! The error codes of the API's error envelope, and which of them a retry may fix.

use std::fmt;

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

/// Whether an API error code is worth retrying; unknown codes fall back to the status.
pub fn is_retryable(code: &ErrorCode, status: u16) -> bool {
    match code {
        ErrorCode::RateLimited | ErrorCode::PublicApiDisabled => true,
        ErrorCode::Unknown(_) => is_retryable_status(status),
        _ => false,
    }
}

/// Statuses that signal a passing condition: 408, 429, 500, 502, 503, 504.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_follow_the_code_then_the_status() {
        assert!(is_retryable(&ErrorCode::RateLimited, 429));
        assert!(is_retryable(&ErrorCode::PublicApiDisabled, 503));
        for code in [
            ErrorCode::ValidationFailed,
            ErrorCode::InsufficientCredits,
            ErrorCode::IdempotencyConflict,
            ErrorCode::NotFound,
            ErrorCode::ApiKeyInvalid,
            ErrorCode::ApiScopeDenied,
        ] {
            assert!(
                !is_retryable(&code, 503),
                "{code} must not be retried, whatever the status"
            );
        }
        assert!(is_retryable(&ErrorCode::Unknown("overloaded".into()), 503));
        assert!(!is_retryable(&ErrorCode::Unknown("teapot".into()), 418));
    }
}
