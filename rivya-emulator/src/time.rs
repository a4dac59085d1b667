//! The wall clock in milliseconds, and ISO-8601 UTC timestamps with milliseconds, as the API
//! writes them.

use std::time::{SystemTime, UNIX_EPOCH};

/// `2026-05-11T00:00:00.000Z`.
pub fn iso8601(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Milliseconds since the Unix epoch (wall clock: tasks must age across processes).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_like_the_api() {
        let t = UNIX_EPOCH + Duration::from_millis(1_778_457_600_123);
        assert_eq!(iso8601(t), "2026-05-11T00:00:00.123Z");
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
