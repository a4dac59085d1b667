//! ISO-8601 UTC timestamps with milliseconds, as the API writes them.

use std::time::SystemTime;

/// `2026-05-11T00:00:00.000Z`.
pub fn iso8601(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
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
