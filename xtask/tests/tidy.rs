//! House rules, checked on every hand-written file (in the spirit of rust-analyzer's tidy):
//! files stay under 600 lines and functions under 80, public crates warn on missing docs,
//! every to-do marker comment says why (`TODO(reason)`), and every spec points editors at the
//! schema.

use std::fs;
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 80;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Hand-written Rust files: everything tracked under the crates but generated code.
fn rust_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let skip = name.starts_with('.')
                    || name == "target"
                    || path.ends_with("src/generated")
                    || path.ends_with("src/fixtures");
                if !skip {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn files_and_functions_stay_small() {
    let mut problems = Vec::new();
    for file in rust_files() {
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > MAX_FILE_LINES {
            problems.push(format!(
                "{}: {} lines (max {MAX_FILE_LINES})",
                rel(&file),
                lines.len()
            ));
        }
        for (start, len) in functions(&lines) {
            if len > MAX_FN_LINES {
                problems.push(format!(
                    "{}:{}: a function of {len} lines (max {MAX_FN_LINES})",
                    rel(&file),
                    start + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "split these:\n{}", problems.join("\n"));
}

/// `(first line, length)` of every function: from its `fn` line to the `}` at its indentation
/// (rustfmt's layout).
fn functions(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "async fn ",
            "pub async fn ",
            "const fn ",
            "pub const fn ",
        ]
        .iter()
        .any(|p| body.starts_with(p));
        // A declaration without a body (a trait's `fn …;`, maybe over several lines) is no
        // function to measure.
        let signature_end = lines[i..]
            .iter()
            .map(|l| l.trim_end())
            .find(|l| l.ends_with('{') || l.ends_with(';'));
        if !is_fn || signature_end.is_none_or(|l| l.ends_with(';')) {
            continue;
        }
        let indent = &line[..line.len() - body.len()];
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..]
            .iter()
            .position(|l| l.starts_with(&close) && l.trim_end() == close)
        {
            out.push((i, end + 1));
        }
    }
    out
}

#[test]
fn public_crates_document_everything() {
    for lib in [
        "rivya-rules/src/lib.rs",
        "rivya-models/src/lib.rs",
        "rivya-runtime/src/lib.rs",
        "rivya-emulator/src/lib.rs",
        "codegen/src/lib.rs",
    ] {
        let text = fs::read_to_string(root().join(lib)).unwrap();
        assert!(
            text.contains("#![warn(missing_docs)]"),
            "{lib} lacks #![warn(missing_docs)]"
        );
    }
}

#[test]
fn todo_comments_say_why() {
    let mut problems = Vec::new();
    for file in rust_files() {
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some((_, comment)) = line.split_once("//") else {
                continue;
            };
            // A marker opens the comment (`// TODO …`); prose that mentions one does not count.
            let comment = comment.trim_start_matches(['/', '!']).trim_start();
            for word in ["TODO", "FIXME"] {
                if let Some(rest) = comment.strip_prefix(word)
                    && !rest.starts_with('(')
                {
                    problems.push(format!(
                        "{}:{}: `{word}` without `{word}(reason)`",
                        rel(&file),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_spec_points_at_the_schema() {
    for entry in fs::read_dir(root().join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with("# yaml-language-server: $schema=schema.json\n"),
                "{} lacks the schema modeline",
                rel(&path)
            );
        }
    }
}
