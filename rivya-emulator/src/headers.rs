//! What handlers read from request headers: the API key and the idempotency key.

use axum::http::{HeaderMap, header};
use rivya_models::ErrorCode;

use crate::api_err::ApiErr;

/// The longest `Idempotency-Key` accepted, in bytes.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The `Authorization` header, as sent.
pub fn auth(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// The `Idempotency-Key`, refused unless it is 1 to 255 bytes of UTF-8 (a key we cannot
/// compare faithfully must not silently disable the replay).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiErr> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bad = |m: &str| {
        ApiErr::new(
            400,
            ErrorCode::ValidationFailed,
            format!("Idempotency-Key {m}"),
        )
    };
    let key = std::str::from_utf8(v.as_bytes()).map_err(|_| bad("must be UTF-8"))?;
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(bad(&format!(
            "must be 1 to {MAX_IDEMPOTENCY_KEY} bytes; this one is {}",
            key.len()
        )));
    }
    Ok(Some(key.to_owned()))
}
