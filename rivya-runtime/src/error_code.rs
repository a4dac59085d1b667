//! Which error codes a retry may fix. The codes themselves are the API's wire vocabulary,
//! defined once in `rivya_rules` for the client and the emulator alike.

pub use rivya_models::ErrorCode;

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
