//! `rivya validate <FILE|->`: checks a create body (a generation's or a chat turn's) with the
//! generated rules and nothing else — no key, no network. Exit 0 valid, 1 invalid (every
//! violation listed with its path), 2 when the command cannot run (no such file …).

use std::io::Read;
use std::path::Path;

use rivya_models::{ValidationError, Violation, catalog};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::render::Render;

/// The largest body read: far above any real create body, low enough to never exhaust memory.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Reads, parses and checks the body; prints the verdict (the violations on stdout).
pub fn run(file: &str, render: Render) -> Result<(), Failure> {
    let bytes = read(file)?;
    let verdict = match serde_json::from_slice::<Value>(&bytes) {
        Ok(body) => check(&body),
        Err(e) => Verdict::malformed(&e),
    };
    let n = verdict.violations.len();
    render.result(&verdict.json(), &verdict.text());
    if n == 0 {
        return Ok(());
    }
    let s = if n == 1 { "" } else { "s" };
    let target = verdict
        .model
        .as_deref()
        .map_or_else(String::new, |m| format!(" for `{m}`"));
    Err(Failure::invalid(format!(
        "invalid request{target}: {n} violation{s}"
    )))
}

/// The body's bytes, from the file or (`-`) standard input.
fn read(file: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if file == "-" {
        std::io::stdin()
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        let path = Path::new(file);
        if path.is_dir() {
            return Err(Failure::usage(format!("{file}: a folder, not a file")));
        }
        std::fs::File::open(path).and_then(|f| f.take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes))
    };
    let name = if file == "-" { "standard input" } else { file };
    result.map_err(|e| Failure::usage(format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(Failure::usage(format!(
            "{name} is larger than {MAX_BODY_BYTES} bytes; no create body is"
        )));
    }
    Ok(bytes)
}

/// What the rules say about one body.
struct Verdict {
    /// The model it names, when the catalog knows it.
    model: Option<String>,
    /// `generation` or `chat`, for a known model.
    kind: Option<&'static str>,
    /// Each broken rule: path, rule code, message, offending value.
    violations: Vec<Value>,
}

fn check(body: &Value) -> Verdict {
    match catalog::validate_value(body) {
        Ok(info) => Verdict {
            model: Some(info.id.to_owned()),
            kind: Some(kind(info.is_chat())),
            violations: Vec::new(),
        },
        Err(e) => rejected(&e),
    }
}

fn kind(chat: bool) -> &'static str {
    if chat { "chat" } else { "generation" }
}

fn rejected(e: &ValidationError) -> Verdict {
    let info = catalog::find(&e.model);
    Verdict {
        model: info.map(|i| i.id.to_owned()),
        kind: info.map(|i| kind(i.is_chat())),
        violations: e.violations.iter().map(violation).collect(),
    }
}

fn violation(v: &Violation) -> Value {
    json!({
        "path": v.path,
        "rule": rule_code(v),
        "message": v.to_string(),
        "value": v.value,
    })
}

/// The rule's name in snake case (`not_an_option`), from its variant: stable, and new rules
/// get a name without a change here.
fn rule_code(v: &Violation) -> String {
    let debug = format!("{:?}", v.kind);
    let name: String = debug
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let mut code = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            code.push('_');
        }
        code.push(c.to_ascii_lowercase());
    }
    code
}

impl Verdict {
    fn malformed(e: &serde_json::Error) -> Self {
        let message = format!("body: malformed JSON: {e}");
        Self {
            model: None,
            kind: None,
            violations: vec![json!({
                "path": "body",
                "rule": "malformed_json",
                "message": message,
                "value": "",
            })],
        }
    }

    fn json(&self) -> Value {
        json!({
            "valid": self.violations.is_empty(),
            "model": self.model,
            "kind": self.kind,
            "violations": self.violations,
        })
    }

    fn text(&self) -> String {
        if self.violations.is_empty() {
            let what = match self.kind {
                Some("chat") => "chat turn",
                _ => "generation request",
            };
            return format!("valid {what} for `{}`", self.model.as_deref().unwrap_or(""));
        }
        self.violations
            .iter()
            .map(|v| v["message"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_are_snake_case_variant_names() {
        let body =
            json!({"model": "flux-2-pro", "prompt": "x", "params": {"resolution": "8K", "x": 1}});
        let verdict = check(&body);
        let rules: Vec<&str> = verdict
            .violations
            .iter()
            .map(|v| v["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["not_an_option", "unknown_key"]);
        assert_eq!(verdict.violations[0]["path"], "params.resolution");
    }
}
