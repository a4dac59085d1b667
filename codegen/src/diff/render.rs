//! The three renderings of a list of changes: text, Markdown, JSON.

use std::fmt::Write;

use super::{Change, Class};

/// Counts per class, for summaries.
fn counts(changes: &[Change]) -> String {
    let n = |c: Class| changes.iter().filter(|x| x.class == c).count();
    format!(
        "{} change{}: {} breaking, {} behavior, {} additive, {} docs",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        n(Class::Breaking),
        n(Class::Behavior),
        n(Class::Additive),
        n(Class::Docs)
    )
}

/// Plain text, one change a line, most severe first.
pub fn render_text(changes: &[Change]) -> String {
    let mut s = String::new();
    for c in changes {
        let path = if c.path.is_empty() {
            String::new()
        } else {
            format!(" {}", c.path)
        };
        let _ = writeln!(
            s,
            "{:<9} {}{path}: {}",
            c.class.as_str(),
            c.model,
            c.message
        );
    }
    let _ = writeln!(s, "{}", counts(changes));
    s
}

/// A Markdown table for pull-request descriptions.
pub fn render_markdown(changes: &[Change]) -> String {
    let mut s = String::from("| class | model | path | change |\n|---|---|---|---|\n");
    for c in changes {
        let esc = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(
            s,
            "| {} | `{}` | `{}` | {} |",
            c.class.as_str(),
            c.model,
            esc(&c.path),
            esc(&c.message)
        );
    }
    let _ = writeln!(s, "\n{}", counts(changes));
    s
}

/// JSON: an array of `{class, model, path, message}`.
pub fn render_json(changes: &[Change]) -> String {
    let mut s = serde_json::to_string_pretty(changes).unwrap_or_else(|_| "[]".to_owned());
    s.push('\n');
    s
}
