//! What differs between two request bodies sent with one idempotency key, so an
//! `idempotency_conflict` can say which parameter changed instead of only that one did.

use serde_json::Value;

/// The most paths named; more are counted.
const MAX_PATHS: usize = 8;

/// The paths (`prompt`, `params.duration`, `params.referenceMediaItems[0].url`) where `then`
/// and `now` differ, at most eight, then `… and N more`.
pub fn differences(then: &Value, now: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(then, now, String::new(), &mut out);
    if out.len() > MAX_PATHS {
        let more = out.len() - MAX_PATHS;
        out.truncate(MAX_PATHS);
        out.push(format!("… and {more} more"));
    }
    out
}

fn walk(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    let at = |p: &str| {
        if p.is_empty() {
            "the body".to_owned()
        } else {
            p.to_owned()
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x
                .keys()
                .chain(y.keys().filter(|k| !x.contains_key(*k)))
                .collect();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => walk(v, w, p, out),
                    (Some(_), None) => out.push(format!("{p} (set then, absent now)")),
                    (None, _) => out.push(format!("{p} (absent then, set now)")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                walk(v, w, format!("{path}[{i}]"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            out.push(format!(
                "{} ({} items then, {} now)",
                at(&path),
                x.len(),
                y.len()
            ));
        }
        _ if a != b => out.push(at(&path)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_each_changed_path() {
        let then = json!({"model": "m", "prompt": "a", "params": {"duration": 5,
            "referenceMediaItems": [{"url": "https://x/1"}]}});
        let now = json!({"model": "m", "prompt": "b", "params": {"seed": 1,
            "referenceMediaItems": [{"url": "https://x/2"}]}});
        assert_eq!(
            differences(&then, &now),
            [
                "prompt",
                "params.duration (set then, absent now)",
                "params.referenceMediaItems[0].url",
                "params.seed (absent then, set now)",
            ]
        );
        assert!(differences(&then, &then).is_empty());
        let many: serde_json::Map<String, Value> =
            (0..12).map(|i| (format!("k{i}"), json!(i))).collect();
        let d = differences(&json!({}), &Value::Object(many));
        assert_eq!(d.len(), 9);
        assert_eq!(d[8], "… and 4 more");
    }
}
