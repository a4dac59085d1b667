//! Ids in URLs: every id (task, file, webhook, chat session) becomes exactly one path segment.
//!
//! Percent-encoding alone is not enough: under the URL standard `.`, `..` and their encoded
//! forms (`%2e`, `%2E%2e` …) are dot segments that a URL parser removes, so `rivya status ..`
//! would become `GET /api/v1/`. Such ids, and the empty id, are refused before any request.

use crate::error::Error;

/// The longest id accepted (ids are short opaque strings; this only stops absurd input).
const MAX_ID_BYTES: usize = 1024;

/// Percent-encodes `id` as one URL path segment: ASCII letters, digits and `-_.~` stay as
/// they are, every other byte (including `/`, `%`, `?`, `#`, spaces and each byte of non-ASCII
/// UTF-8) becomes `%XX`. `what` names the id in the error (`task id`, `file id` …).
///
/// Refuses, without any request, an id that is empty, `.` or `..` (dot segments a URL parser
/// would remove) or longer than 1,024 bytes.
pub fn path_segment(what: &'static str, id: &str) -> Result<String, Error> {
    let reason = match id {
        "" => Some("it is empty"),
        "." | ".." => {
            Some("it is a dot segment (`.` or `..`), which would leave its URL path segment")
        }
        _ if id.len() > MAX_ID_BYTES => Some("it is longer than 1,024 bytes"),
        _ => None,
    };
    if let Some(reason) = reason {
        return Err(Error::InvalidId {
            what,
            id: id.to_owned(),
            reason,
        });
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(id: &str) -> String {
        path_segment("task id", id).unwrap()
    }

    #[test]
    fn reserved_and_non_ascii_bytes_are_encoded() {
        assert_eq!(seg("task_abc-1"), "task_abc-1");
        assert_eq!(seg("../credits"), "..%2Fcredits");
        assert_eq!(seg("a/b"), "a%2Fb");
        assert_eq!(seg("a b?c#"), "a%20b%3Fc%23");
        assert_eq!(seg("100%"), "100%25");
        // An encoded dot segment stays data: its `%` is encoded in turn.
        assert_eq!(seg("%2e%2e"), "%252e%252e");
        assert_eq!(seg("täsk"), "t%C3%A4sk");
        assert_eq!(seg("..."), "...");
        assert_eq!(seg(".hidden"), ".hidden");
    }

    #[test]
    fn dot_segments_and_empty_ids_are_refused() {
        for id in ["", ".", ".."] {
            let e = path_segment("webhook id", id).unwrap_err();
            let shown = e.to_string();
            assert!(shown.starts_with("webhook id"), "{shown}");
            assert!(matches!(e, Error::InvalidId { .. }), "{e:?}");
        }
        assert!(path_segment("file id", &"x".repeat(1025)).is_err());
    }
}
