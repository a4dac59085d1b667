//! Idempotency keys derived from a call's content, never from time or chance: an agent that
//! repeats a call (after a timeout, a dropped connection, a restart of this server) sends the
//! very same key, so the API returns the same task and charges once.

use serde_json::Value;

// One definition of the content hash and canonical JSON, shared with the batch's keys.
pub use rivya_batch::keys::{canonical_json, sha256_hex};

/// The `Idempotency-Key` of a `generate` or `chat` call: the tool, the server's session and
/// the call's canonical content (which includes its optional `request_key`).
pub fn call_key(session: &str, tool: &str, content: &Value) -> String {
    let h = sha256_hex(format!("{tool}\n{session}\n{}", canonical_json(content)).as_bytes());
    format!("rvm-{tool}-{}", &h[..40])
}

/// The `Idempotency-Key` of an upload: one per session, file content and model.
pub fn upload_key(session: &str, content_sha256: &str, model: &str) -> String {
    let h = sha256_hex(format!("upload\n{session}\n{content_sha256}\n{model}").as_bytes());
    format!("rvm-upload-{}", &h[..40])
}

/// A fresh session id: 64 random bits in hex.
pub fn new_session() -> String {
    format!("{:016x}", fastrand::u64(..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_follow_content_not_key_order() {
        let a = json!({"model": "m", "params": {"b": "1", "a": "2"}});
        let b = json!({"params": {"a": "2", "b": "1"}, "model": "m"});
        assert_eq!(call_key("s", "generate", &a), call_key("s", "generate", &b));
        assert_ne!(call_key("s", "generate", &a), call_key("t", "generate", &a));
        assert_ne!(call_key("s", "generate", &a), call_key("s", "chat", &a));
        let c = json!({"model": "m", "params": {"a": "2", "b": "1"}, "request_key": "2"});
        assert_ne!(call_key("s", "generate", &a), call_key("s", "generate", &c));
        assert!(call_key("s", "generate", &a).len() <= 64);
    }

    #[test]
    fn upload_keys_are_scoped_by_session_and_model() {
        assert_eq!(upload_key("s", "h", "m"), upload_key("s", "h", "m"));
        assert_ne!(upload_key("s", "h", "m"), upload_key("s", "h", "n"));
        assert_ne!(upload_key("s", "h", "m"), upload_key("t", "h", "m"));
    }
}
