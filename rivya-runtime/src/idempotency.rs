//! Idempotency keys: what a key may hold (checked before anything is sent, never retried).

use crate::error::Error;

/// The longest idempotency key sent (the emulator refuses longer ones).
pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 255;

/// Checks a key before it becomes an `Idempotency-Key` header: 1 to 255 bytes of printable
/// ASCII (space to `~`), no leading or trailing space (a header would lose it), no CR, LF or
/// other control character. A bad key is refused at once; no attempt is made.
pub fn check_idempotency_key(key: &str) -> Result<(), Error> {
    let reason = if key.is_empty() {
        "it is empty"
    } else if key.len() > MAX_IDEMPOTENCY_KEY_BYTES {
        "it is longer than 255 bytes"
    } else if !key.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        "it holds a control character (CR, LF …) or non-ASCII; only printable ASCII is allowed"
    } else if key.starts_with(' ') || key.ends_with(' ') {
        "it starts or ends with a space"
    } else {
        return Ok(());
    };
    Err(Error::InvalidIdempotencyKey {
        key: key.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_survive_as_a_header() {
        for good in ["k", "order 17", "a-b_c.d~e:f", &"x".repeat(255)] {
            check_idempotency_key(good).unwrap();
        }
        for bad in [
            "",
            "a\r\nX-Evil: 1",
            "tab\there",
            "ключ",
            " lead",
            "trail ",
            &"x".repeat(256),
        ] {
            let e = check_idempotency_key(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidIdempotencyKey { .. }), "{bad:?}");
            // The key is shown escaped: no raw CR/LF reaches a terminal or a log line.
            assert!(!e.to_string().contains('\r'), "{e}");
        }
    }
}
