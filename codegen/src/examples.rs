//! A spec's own examples must satisfy the spec: each documented request is judged by the very
//! rules the generated code will apply (`rivya_rules::body::validate`), before anything is
//! written. A draft that lost a parameter the page's JSON uses fails here, naming the key.

use rivya_rules as rules;
use serde_json::Value;

use crate::{descriptor, ir};

/// Every violation of every example of `m`, as (YAML path of the example, message).
pub fn violations(m: &ir::Model) -> Vec<(&'static str, String)> {
    // The descriptor the generated `INFO` is written from, examples included.
    descriptor::with(m, |info| {
        let examples = [
            ("examples.minimal", info.minimal_example),
            ("examples.reference", info.reference_example),
        ];
        let mut found = Vec::new();
        for (path, text) in examples {
            // Unparseable JSON and a wrong `model` are reported by the checker already.
            let Some(Ok(Value::Object(body))) = text.map(serde_json::from_str::<Value>) else {
                continue;
            };
            if body.get("model").and_then(Value::as_str) != Some(info.id) {
                continue;
            }
            let mut v = rules::Violations::default();
            rules::body::validate(info, &body, &mut v);
            if let Err(e) = v.finish(info.id) {
                found.extend(e.violations.iter().map(|v| (path, v.to_string())));
            }
        }
        found
    })
}
