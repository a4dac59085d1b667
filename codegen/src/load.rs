//! Load: YAML text → [`Spec`], or diagnostics with file, line and YAML path.

use crate::diag::Diagnostic;
use crate::locate::{Index, Pos};
use crate::spec::Spec;

/// The first line every spec starts with, so editors validate it against the schema.
pub const MODELINE_PREFIX: &str = "# yaml-language-server: $schema=";

/// A parsed spec with the index that locates its paths.
pub struct Loaded {
    /// The parsed spec (list items may still hold errors; see [`crate::spec::Lenient`]).
    pub spec: Spec,
    /// Positions of every YAML node.
    pub index: Index,
}

/// Parses one spec. `file` labels diagnostics.
pub fn load(file: &str, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let first = text.lines().next().unwrap_or("");
    if !(first.starts_with(MODELINE_PREFIX) && first.ends_with("schema.json")) {
        diags.push(Diagnostic {
            file: file.to_owned(),
            line: 1,
            col: 1,
            path: String::new(),
            message: format!(
                "the first line must point editors at the schema: `{MODELINE_PREFIX}schema.json` (relative to the spec)"
            ),
        });
    }
    let index = Index::new(text);
    match serde_yaml::from_str::<Spec>(text) {
        Ok(spec) if diags.is_empty() => Ok(Loaded { spec, index }),
        Ok(_) => Err(diags),
        Err(e) => {
            diags.push(from_serde(file, &index, &e));
            Err(diags)
        }
    }
}

/// Turns a serde_yaml error into a diagnostic: its message without the trailing position, its
/// path (serde_yaml prefixes messages with it), and the position of that path.
fn from_serde(file: &str, index: &Index, e: &serde_yaml::Error) -> Diagnostic {
    let full = e.to_string();
    let mut message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full.clone(),
    };
    let mut path = String::new();
    if let Some((p, rest)) = message.split_once(": ")
        && looks_like_path(p)
    {
        path = p.to_owned();
        message = rest.to_owned();
    }
    if let Some(field) = unknown_field(&message) {
        path = join(&path, field);
    }
    let pos = match e.location() {
        Some(_) if !path.is_empty() && index.find(&path) != Pos { line: 1, col: 1 } => {
            index.find(&path)
        }
        Some(l) => Pos {
            line: l.line(),
            col: l.column(),
        },
        None => index.find(&path),
    };
    Diagnostic {
        file: file.to_owned(),
        line: pos.line,
        col: pos.col,
        path,
        message: tidy(&message),
    }
}

/// Whether `s` is a YAML path as serde_yaml prints them (`params[1].options`, `.`).
fn looks_like_path(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(' ')
        && s.chars()
            .all(|c| c.is_alphanumeric() || "_.[]-$".contains(c))
}

/// The field named by an "unknown field `x`" message.
pub(crate) fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(f, _)| f)
}

pub(crate) fn join(parent: &str, child: &str) -> String {
    match parent {
        "" | "." => child.to_owned(),
        p => format!("{p}.{child}"),
    }
}

/// serde's messages are fine, but internally tagged enums say "missing field `type`" without
/// listing the choices; add them.
pub(crate) fn tidy(message: &str) -> String {
    if message == "missing field `type`" {
        "missing field `type`; expected one of `select`, `number`, `text`, `list`".to_owned()
    } else {
        message.to_owned()
    }
}

/// The YAML type of a value, for messages.
pub fn yaml_type(v: &serde_yaml::Value) -> &'static str {
    match v {
        serde_yaml::Value::Null => "null",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Number(_) => "a number",
        serde_yaml::Value::String(_) => "a string",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a mapping",
        serde_yaml::Value::Tagged(_) => "a tagged value",
    }
}
