//! Output: results on stdout (JSON or text), errors and recovery notes on stderr (a JSON
//! object per line with `--json`, plain text otherwise).

use serde_json::{Value, json};

use crate::failure::Failure;

/// How this command prints.
#[derive(Debug, Clone, Copy)]
pub struct Render {
    /// JSON on stdout, JSON objects on stderr.
    pub json: bool,
}

impl Render {
    /// A result: `value` as JSON, or `text`.
    pub fn result(&self, value: &Value, text: &str) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        } else {
            println!("{text}");
        }
    }

    /// A note on stderr: `{"event": …, …fields}` with --json, `text` otherwise.
    pub fn note(&self, event: &str, fields: Value, text: &str) {
        if self.json {
            let mut v = json!({"event": event});
            if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), fields) {
                obj.extend(extra);
            }
            eprintln!("{v}");
        } else {
            eprintln!("{text}");
        }
    }

    /// A failure on stderr, with how to resume the task or the create it concerns.
    pub fn failure(&self, f: &Failure) {
        let hint = f.resume_hint();
        if self.json {
            let v = json!({"error": {
                "code": f.code,
                "message": f.message,
                "task_id": f.task_id,
                "session_id": f.session_id,
                "idempotency_key": f.idempotency_key,
                "resume": hint,
            }});
            eprintln!("{v}");
        } else {
            eprintln!("error: {}", f.message);
            if let Some(h) = hint {
                eprintln!("{h}");
            }
        }
    }
}
