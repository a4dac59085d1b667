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
            line(&serde_json::to_string_pretty(value).unwrap_or_default());
        } else {
            // Human text holds server strings (ids, statuses, URLs, messages).
            line(&escape_terminal(text));
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
            eprintln!("{}", escape_terminal(text));
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
            eprintln!("error: {}", escape_terminal(&f.message));
            if let Some(h) = hint {
                eprintln!("{}", escape_terminal(&h));
            }
        }
    }
}

/// `s` with every control character escaped (`\u{1b}`), for one field of server text (an id,
/// a key) shown to a person: no escape sequence or line break reaches the terminal.
pub fn escape_controls(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Like [`escape_controls`], but keeps line breaks and tabs: for whole messages (which hold
/// server text) printed for a person.
pub fn escape_terminal(s: &str) -> String {
    s.split('\n')
        .map(|line| {
            line.split('\t')
                .map(escape_controls)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes one line to stdout. A closed stdout (`rivya … | head -n 1`) is not an error of the
/// command: the reader has what it wanted, so the line is dropped quietly (`println!` would
/// panic), and whatever the command still has to say goes to stderr as usual.
pub fn line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        assert_eq!(escape_controls("a\u{1b}[2Jb\r\n"), "a\\u{1b}[2Jb\\r\\n");
        assert_eq!(
            escape_terminal("x\u{1b}]0;t\u{7}\ny"),
            "x\\u{1b}]0;t\\u{7}\ny"
        );
        assert_eq!(escape_controls("täsk"), "täsk");
    }
}
