//! Load: YAML text → [`Spec`], or diagnostics with file, line and YAML path.

use crate::diag::Diagnostic;
use crate::locate::{Index, Pos};
use crate::spec::Spec;

/// The first line every spec starts with, so editors validate it against the schema.
pub const MODELINE_PREFIX: &str = "# yaml-language-server: $schema=";

/// A parsed spec with the index that locates its paths.
pub struct Loaded<'t> {
    /// The parsed spec (list items may still hold errors; see [`crate::spec::Lenient`]).
    pub spec: Spec,
    /// Positions of every YAML node, read when a diagnostic first needs one.
    pub index: Index<'t>,
}

/// The largest spec read, in bytes (the largest shipped spec is a few KiB).
pub const MAX_SPEC_BYTES: usize = 1 << 20;
/// The deepest nesting read (block indentation levels plus flow brackets; specs use about 6).
pub const MAX_DEPTH: usize = 32;
/// The most params a spec may list (the richest page documents 25).
pub const MAX_PARAMS: usize = 1_000;

/// Parses one spec. `file` labels diagnostics. Size and nesting are limited before any parser
/// sees the text, so hostile input gets an error at once instead of a stack overflow or a hang.
pub fn load<'t>(file: &str, text: &'t str) -> Result<Loaded<'t>, Vec<Diagnostic>> {
    let at = |line: usize, message: String| Diagnostic {
        file: file.to_owned(),
        line,
        col: 1,
        path: String::new(),
        message,
    };
    if text.len() > MAX_SPEC_BYTES {
        return Err(vec![at(
            1,
            format!(
                "the spec is {} bytes; the limit is {MAX_SPEC_BYTES} bytes (1 MiB)",
                text.len()
            ),
        )]);
    }
    if let Some(line) = too_deep(text) {
        return Err(vec![at(
            line,
            format!("nesting deeper than {MAX_DEPTH} levels; a spec needs far fewer"),
        )]);
    }
    let params = block_items(text, "params");
    if params > MAX_PARAMS {
        return Err(vec![at(
            1,
            format!("{params} params; the limit is {MAX_PARAMS} per spec"),
        )]);
    }
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
        Ok(spec) if spec.params.len() > MAX_PARAMS => Err(vec![Diagnostic {
            path: "params".to_owned(),
            line: index.find("params").line,
            ..at(
                1,
                format!(
                    "{} params; the limit is {MAX_PARAMS} per spec",
                    spec.params.len()
                ),
            )
        }]),
        Ok(spec) if diags.is_empty() => Ok(Loaded { spec, index }),
        Ok(_) => Err(diags),
        Err(e) => {
            diags.push(from_serde(file, &index, &e));
            Err(diags)
        }
    }
}

/// Turns a serde_yaml error into a diagnostic: its message without the position, its path
/// (serde_yaml prefixes messages with it), and the position of that path.
fn from_serde(file: &str, index: &Index, e: &serde_yaml::Error) -> Diagnostic {
    let (path, message) = split_message(&e.to_string());
    let found = index.find(&path);
    let pos = match e.location() {
        Some(_) if !path.is_empty() && found != Pos { line: 1, col: 1 } => found,
        Some(l) => Pos {
            line: l.line(),
            col: l.column(),
        },
        None => found,
    };
    Diagnostic {
        file: file.to_owned(),
        line: pos.line,
        col: pos.col,
        path,
        message,
    }
}

/// Splits a serde_yaml message into its YAML path (extended by the field an "unknown field"
/// names) and the message proper, without serde_yaml's " at line N column M".
pub(crate) fn split_message(full: &str) -> (String, String) {
    let mut message = strip_positions(full);
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
    (path, tidy(&message))
}

/// Removes every " at line N column M" (the diagnostic carries the position itself).
fn strip_positions(s: &str) -> String {
    let mut out = s.to_owned();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = |t: &str| t.chars().take_while(char::is_ascii_digit).count();
        let n = digits(rest);
        let after = &rest[n..];
        let Some(col) = after.strip_prefix(" column ") else {
            break;
        };
        let m = digits(col);
        if n == 0 || m == 0 {
            break;
        }
        let end = i + " at line ".len() + n + " column ".len() + m;
        out.replace_range(i..end, "");
    }
    out
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
    match (parent, child) {
        ("" | ".", c) => c.to_owned(),
        (p, "" | ".") => p.to_owned(),
        (p, c) => format!("{p}.{c}"),
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

/// The first line whose nesting passes [`MAX_DEPTH`]: open flow brackets (outside quotes and
/// comments) plus the block indentation levels still open. Conservative: it may count a level
/// YAML would not, never fewer.
fn too_deep(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start_matches([' ', '-']);
        let indent = line.len() - body.len();
        if flow == 0 && !body.is_empty() && !body.starts_with('#') {
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
        }
        let (mut quote, mut prev) = (None, ' ');
        for c in body.chars() {
            match (quote, c) {
                (None, '#') if prev == ' ' => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '[' | '{') => flow += 1,
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            if flow + indents.len() > MAX_DEPTH {
                return Some(n + 1);
            }
            prev = c;
        }
        if flow + indents.len() > MAX_DEPTH {
            return Some(n + 1);
        }
    }
    None
}

/// How many items the top-level block list `key:` holds (`  - …` lines at its items'
/// indentation), counted without parsing so an oversized list is refused before serde reads it.
fn block_items(text: &str, key: &str) -> usize {
    let mut lines = text
        .lines()
        .skip_while(|l| l.trim_end() != format!("{key}:"));
    lines.next();
    let mut indent = None;
    let mut count = 0;
    for l in lines {
        let body = l.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let at = l.len() - body.len();
        if at == 0 && !body.starts_with('-') {
            break; // the next top-level key
        }
        if body.starts_with("- ") && *indent.get_or_insert(at) == at {
            count += 1;
        }
    }
    count
}
