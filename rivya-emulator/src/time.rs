//! ISO-8601 UTC timestamps with milliseconds, as the API writes them.

use std::time::{Duration, UNIX_EPOCH};

/// A record time (milliseconds since the epoch, as `rivya_rules::stamp::now_ms` gives it) as
/// the API writes it: `2026-05-11T00:00:00.000Z`.
pub fn iso8601(ms: u64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_api() {
        assert_eq!(iso8601(1_778_457_600_123), "2026-05-11T00:00:00.123Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    }
}
