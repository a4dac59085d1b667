//! Typed errors. Every error that follows a create carries what is needed to recover: the
//! idempotency key (retry the create safely) or the task id (find the paid task again).

use std::fmt;
use std::time::Duration;

use rivya_models::ValidationError;

use rivya_models::UploadRejection;

use crate::types::{Task, TaskStatus};

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

/// An error response with the documented envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// `error.code`.
    pub code: ErrorCode,
    /// `error.message`.
    pub message: String,
    /// `error.requestId`, for support.
    pub request_id: Option<String>,
    /// The idempotency key the call carried (creates and uploads).
    pub idempotency_key: Option<String>,
    /// `Retry-After`, when the server sent a usable one.
    pub retry_after: Option<Duration>,
}

/// Everything that can go wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks the model's documented rules; nothing was sent.
    Validation(ValidationError),
    /// A file was refused locally before any byte was sent.
    UploadRejected {
        /// The file (its path, or the name given for bytes).
        file: String,
        /// Why.
        reason: UploadRejection,
    },
    /// The server answered with an error envelope.
    Api(ApiError),
    /// The task ran and failed (its reserved credits are refunded).
    TaskFailed(Box<Task>),
    /// Waiting hit its deadline; the task may still finish — resume with its id.
    WaitTimeout {
        /// The task to resume.
        task_id: String,
        /// The last status seen.
        last_status: TaskStatus,
        /// How long the wait lasted.
        elapsed: Duration,
    },
    /// Waiting stopped on an error that will not go away by itself (the task id is kept).
    Wait {
        /// The task being waited for.
        task_id: String,
        /// The error.
        source: Box<Error>,
    },
    /// The request did not complete (connect, timeout, broken body) after every retry.
    Transport {
        /// The transport error.
        source: TransportError,
        /// The idempotency key the call carried.
        idempotency_key: Option<String>,
    },
    /// A response body that is not what the contract says (an HTML error page, bad JSON).
    Decode {
        /// The HTTP status.
        status: u16,
        /// The raw body, kept for diagnosis.
        body: String,
        /// What did not fit.
        message: String,
        /// The idempotency key the call carried.
        idempotency_key: Option<String>,
    },
    /// An answer outside the API's envelope (a result file's host said no).
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body, or what was wrong with the answer.
        body: String,
    },
    /// Saving a result file failed. The task is paid and done: download it again later.
    Download {
        /// The task whose result this was (set by [`crate::Client::download_result`]).
        task_id: Option<String>,
        /// The file's URL.
        url: String,
        /// What went wrong.
        source: Box<Error>,
    },
    /// The task has no result to save (it has not succeeded).
    NoResult {
        /// The task.
        task_id: String,
        /// Its status.
        status: TaskStatus,
    },
    /// A local file could not be read or written.
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The client is not configured for this call (no API key, bad base URL …).
    Config(String),
    /// A chat stream ended before its turn completed: cut, reset, idle too long, or closed
    /// without a completion event. The turn may exist and be charged: send it again with the
    /// same idempotency key and body (see `rivya_runtime::chat`) to get it, charged once.
    ChatStreamBroken {
        /// What the stream had told before it broke.
        progress: Box<ChatProgress>,
        /// Why the stream is considered broken.
        reason: String,
        /// The transport error, when that is what broke it.
        source: Option<TransportError>,
    },
    /// A chat stream ended with an `error` event: the turn failed after it began (and, by the
    /// contract, is not charged).
    ChatFailed {
        /// The error the event carried (with the turn's idempotency key).
        error: Box<ApiError>,
        /// What the stream had told before the error.
        progress: Box<ChatProgress>,
    },
    /// An id that cannot be one URL path segment (empty, `.` or `..`); nothing was sent.
    InvalidId {
        /// What the id names (`task id`, `file id`, `webhook id` …).
        what: &'static str,
        /// The id as given.
        id: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// An idempotency key that cannot be sent as a header; nothing was sent, and a retry
    /// would not help.
    InvalidIdempotencyKey {
        /// The key as given.
        key: String,
        /// Why it was refused.
        reason: &'static str,
    },
}

/// What a chat stream had told when it stopped early: everything needed to recover the turn.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ChatProgress {
    /// The session, when the request named one or an event did.
    pub session_id: Option<String>,
    /// The turn id (`chatcmpl_…`), when an event carried it.
    pub turn_id: Option<String>,
    /// The key every attempt of the turn carried; resend the turn with it.
    pub idempotency_key: String,
    /// The answer's text received so far.
    pub text: String,
    /// How many events had arrived.
    pub events: u64,
}

impl fmt::Display for ChatProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[idempotency key {}", self.idempotency_key)?;
        if let Some(s) = &self.session_id {
            write!(f, ", session {s}")?;
        }
        if let Some(t) = &self.turn_id {
            write!(f, ", turn {t}")?;
        }
        write!(
            f,
            ", {} events, {} bytes of text received]",
            self.events,
            self.text.len()
        )
    }
}

impl Error {
    /// The idempotency key of the failed create or upload, to retry it safely.
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.idempotency_key.as_deref(),
            Self::Transport {
                idempotency_key, ..
            }
            | Self::Decode {
                idempotency_key, ..
            } => idempotency_key.as_deref(),
            Self::ChatStreamBroken { progress, .. } | Self::ChatFailed { progress, .. } => {
                Some(&progress.idempotency_key)
            }
            _ => None,
        }
    }

    /// The chat session this error concerns, when known.
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Self::ChatStreamBroken { progress, .. } | Self::ChatFailed { progress, .. } => {
                progress.session_id.as_deref()
            }
            _ => None,
        }
    }

    /// The id of the task this error concerns, when a task exists.
    pub fn task_id(&self) -> Option<&str> {
        match self {
            Self::TaskFailed(task) => Some(&task.id),
            Self::WaitTimeout { task_id, .. }
            | Self::Wait { task_id, .. }
            | Self::NoResult { task_id, .. } => Some(task_id),
            Self::Download { task_id, .. } => task_id.as_deref(),
            _ => None,
        }
    }

    /// The API error code, when the server sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api(e) => Some(&e.code),
            Self::ChatFailed { error, .. } => Some(&error.code),
            Self::Wait { source, .. } | Self::Download { source, .. } => source.code(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(e) => write!(f, "{e}"),
            Self::UploadRejected { file, reason } => {
                write!(f, "{file}: refused before upload: {reason}")
            }
            Self::Api(e) => {
                write!(f, "API error {} `{}`: {}", e.status, e.code, e.message)?;
                if let Some(id) = &e.request_id {
                    write!(f, " (request {id})")?;
                }
                if let Some(key) = &e.idempotency_key {
                    write!(f, " [idempotency key {key}]")?;
                }
                Ok(())
            }
            Self::TaskFailed(task) => {
                let (code, message) = task
                    .error
                    .as_ref()
                    .map_or(("unknown", ""), |e| (e.code.as_str(), e.message.as_str()));
                write!(f, "task {} failed: {code}: {message}", task.id)
            }
            Self::WaitTimeout {
                task_id,
                last_status,
                elapsed,
            } => write!(
                f,
                "task {task_id} still {last_status} after {elapsed:.0?}; resume waiting with its id"
            ),
            Self::Wait { task_id, source } => write!(f, "waiting for task {task_id}: {source}"),
            Self::Transport {
                source,
                idempotency_key,
            } => {
                write!(f, "transport error: {source}")?;
                if let Some(key) = idempotency_key {
                    write!(f, " [idempotency key {key}]")?;
                }
                Ok(())
            }
            Self::Decode {
                status,
                message,
                body,
                ..
            } => {
                let preview: String = body.chars().take(120).collect();
                write!(
                    f,
                    "undecodable response (HTTP {status}): {message}; body starts: {preview:?}"
                )
            }
            Self::Http { status, body } => write!(f, "HTTP {status}: {body}"),
            Self::Download {
                task_id,
                url,
                source,
            } => {
                write!(f, "downloading {url}")?;
                if let Some(id) = task_id {
                    write!(f, " (task {id})")?;
                }
                write!(f, ": {source}")
            }
            Self::NoResult { task_id, status } => {
                write!(f, "task {task_id} has no result to save (status {status})")
            }
            Self::Io { path, source } => write!(f, "{path}: {source}"),
            Self::Config(m) => write!(f, "client configuration: {m}"),
            Self::ChatStreamBroken { .. } | Self::ChatFailed { .. } => self.fmt_chat(f),
            Self::InvalidId { .. } | Self::InvalidIdempotencyKey { .. } => self.fmt_refused(f),
        }
    }
}

impl Error {
    /// The message of a chat stream that stopped early: why, and how to recover.
    fn fmt_chat(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChatStreamBroken {
                progress, reason, ..
            } => write!(
                f,
                "chat stream broken: {reason}; resend the turn with the same key {progress}"
            ),
            Self::ChatFailed { error, progress } => write!(
                f,
                "chat turn failed mid-stream: `{}`: {} {progress}",
                error.code, error.message
            ),
            _ => Ok(()),
        }
    }
}

impl Error {
    /// The input refused before sending, shown escaped and cut to 80 characters.
    fn fmt_refused(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, value, reason) = match self {
            Self::InvalidId { what, id, reason } => (*what, id, *reason),
            Self::InvalidIdempotencyKey { key, reason } => ("idempotency key", key, *reason),
            _ => return Ok(()),
        };
        let shown: String = value.chars().take(80).collect();
        write!(f, "{what} {shown:?} refused: {reason}; nothing was sent")
    }
}

/// Replaces every signing secret (`whsec_…`) and API key (`rvya_sk_…`) in a response body
/// kept for diagnosis, so a decode error never prints one.
pub(crate) fn redact_secrets(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    loop {
        let next = ["whsec_", "rvya_sk_"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, *p)))
            .min();
        let Some((i, prefix)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        out.push_str(prefix);
        out.push_str("<redacted>");
        let tail = &rest[i + prefix.len()..];
        let end = tail
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'))
            })
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
}

/// Why a request did not complete: a connection refused or reset, a timeout, a body cut off.
///
/// It wraps the HTTP library's error without exposing it, so upgrading that library is never a
/// breaking change for code that matches on [`Error`].
#[derive(Debug)]
pub struct TransportError(reqwest::Error);

impl TransportError {
    pub(crate) fn new(e: reqwest::Error) -> Self {
        Self(e)
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }

    /// Whether the connection could not be made.
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Validation(e) => Some(e),
            Self::Wait { source, .. } | Self::Download { source, .. } => Some(source.as_ref()),
            Self::Transport { source, .. }
            | Self::ChatStreamBroken {
                source: Some(source),
                ..
            } => Some(source),
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Self::Validation(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_kept_for_diagnosis_lose_their_secrets() {
        let body = r#"{"id":"whend_1","signing_secret":"whsec_c2VjcmV0+/=","k":"rvya_sk_abc"}"#;
        let e = Error::Decode {
            status: 200,
            body: redact_secrets(body),
            message: "x".into(),
            idempotency_key: None,
        };
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(!shown.contains("c2VjcmV0"), "{shown}");
            assert!(!shown.contains("rvya_sk_abc"), "{shown}");
            assert!(shown.contains("whsec_<redacted>"), "{shown}");
        }
    }
}
