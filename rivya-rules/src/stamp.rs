//! The two stamps the workspace writes into its records (ledgers, the journal, idempotency
//! keys, the emulator's state): a digest as lowercase hex, and a time as milliseconds since
//! the Unix epoch. Here, in the crate every other one depends on, so each is written once.

use std::time::{SystemTime, UNIX_EPOCH};

/// Lowercase hex, two digits per byte (`[0x0a, 0xff]` → `"0aff"`).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Milliseconds since the Unix epoch by this machine's wall clock (0 for a clock set before
/// 1970): records compared across processes and restarts, so never a monotonic clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_with_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0a, 0xab, 0xff]), "000aabff");
        assert_eq!(hex(&[]), "");
    }
}
