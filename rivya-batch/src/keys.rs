//! Stable names: the default key of an item, the idempotency keys of its create and of its
//! reference uploads, and content hashes. All derive from content, never from time or chance,
//! so a crashed run that lost every in-memory value re-derives the very same keys.

use rivya_rules::stamp::hex;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Lowercase hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// JSON with object keys sorted at every level, so equal values hash equally whatever order
/// the manifest wrote them in (and whatever map type serde_json was built with).
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The key of an item that has none: 16 hex digits of the hash of its canonical content. Two
/// identical lines get the same key, and the second is reported as a duplicate.
pub fn default_item_key(content: &Value) -> String {
    sha256_hex(canonical_json(content).as_bytes())[..16].to_owned()
}

/// The `Idempotency-Key` of an item's create: the same for every attempt, every run and
/// every worker of this batch, and different in any other batch.
pub fn create_key(batch_id: &str, item_key: &str) -> String {
    let h = sha256_hex(format!("create\n{batch_id}\n{item_key}").as_bytes());
    format!("rvb-{batch_id}-{}", &h[..32])
}

/// The `Idempotency-Key` of an item's create in attempt `attempt` (1, then one more per
/// `rivya batch retry`): the attempt is part of the key, so a retried item is a new task, and
/// attempt 1 keeps [`create_key`], so ledgers written before attempts existed resume as
/// before.
pub fn attempt_key(batch_id: &str, item_key: &str, attempt: u32) -> String {
    if attempt <= 1 {
        return create_key(batch_id, item_key);
    }
    let h = sha256_hex(format!("create\n{batch_id}\n{item_key}\n{attempt}").as_bytes());
    format!("rvb-{batch_id}-{}-a{attempt}", &h[..28])
}

/// The `Idempotency-Key` of a reference upload (one per content hash and model).
pub fn upload_key(batch_id: &str, content_sha256: &str, model: &str) -> String {
    let h = sha256_hex(format!("upload\n{batch_id}\n{content_sha256}\n{model}").as_bytes());
    format!("rvu-{batch_id}-{}", &h[..32])
}

/// A fresh batch id: 64 random bits in hex.
pub fn new_batch_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// A file name stem from an item key: the characters the download helper keeps (ASCII
/// letters, digits, `-`, `_`) kept, the rest replaced, and a short hash added when anything
/// was replaced or cut, so two keys never share a stem (`a.b` and `a_b` included).
pub fn file_stem(key: &str) -> String {
    let clean: String = key
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean == key {
        clean
    } else {
        format!("{clean}-{}", &sha256_hex(key.as_bytes())[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_ignores_key_order() {
        let a = json!({"b": 1, "a": {"y": [1, {"q": 2, "p": 3}], "x": "s"}});
        let b = json!({"a": {"x": "s", "y": [1, {"p": 3, "q": 2}]}, "b": 1});
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(default_item_key(&a), default_item_key(&b));
        assert_ne!(default_item_key(&a), default_item_key(&json!({"b": 2})));
    }

    #[test]
    fn keys_are_stable_and_scoped_by_batch() {
        assert_eq!(create_key("b1", "k"), create_key("b1", "k"));
        assert_ne!(create_key("b1", "k"), create_key("b2", "k"));
        assert_ne!(create_key("b1", "k"), create_key("b1", "k2"));
        assert!(create_key("b1", "k").len() <= 64);
        assert_eq!(attempt_key("b1", "k", 1), create_key("b1", "k"));
        assert_ne!(attempt_key("b1", "k", 2), create_key("b1", "k"));
        assert_ne!(attempt_key("b1", "k", 2), attempt_key("b1", "k", 3));
        assert!(attempt_key("b1", "k", u32::MAX).len() <= 64);
    }

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("shot-01"), "shot-01");
        assert_ne!(file_stem("a/b"), file_stem("a_b"));
        assert_ne!(file_stem("a.b"), file_stem("a_b"));
        // What the download helper would make of the stem is the stem itself.
        for key in ["a.b", "a_b", "x y", "é", &"k".repeat(200)] {
            let stem = file_stem(key);
            assert_eq!(rivya_runtime::sanitize_stem(&stem), stem, "{key}");
        }
        assert!(!file_stem("../etc").contains('/'));
        assert!(!file_stem("..").starts_with(".."));
    }
}
