//! An API error the emulator answers (sent in the documented envelope by `routes.rs`).

use rivya_models::ErrorCode;

/// An API error to send: status, code, message, and `Retry-After` when set.
#[derive(Debug, Clone)]
pub struct ApiErr {
    pub status: u16,
    pub code: ErrorCode,
    pub message: String,
    pub retry_after: Option<u64>,
}

/// Codes the emulator answers that the API documents for no route (a stand-in's own failures).
pub fn internal_error() -> ErrorCode {
    ErrorCode::Unknown("internal_error".to_owned())
}

/// The code of a request with a method the route does not take.
pub fn method_not_allowed() -> ErrorCode {
    ErrorCode::Unknown("method_not_allowed".to_owned())
}

impl ApiErr {
    pub fn new(status: u16, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}
