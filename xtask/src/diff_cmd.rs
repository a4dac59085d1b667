//! `diff [REV] [--format text|markdown|json] [--fail-on CLASS]`: the specs at a git revision
//! (default `HEAD`) against the working tree, every change classified.

use std::path::Path;
use std::process::{Command, ExitCode};

use codegen::SpecSource;
use codegen::diff::{self, Class};

/// Runs git in `root` and returns its stdout.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("git output is not UTF-8: {e}"))
}

/// The specs as they were at `rev`.
fn specs_at(root: &Path, rev: &str) -> Result<Vec<SpecSource>, String> {
    let names = git(root, &["ls-tree", "--name-only", rev, "specs/"])?;
    let mut specs = Vec::new();
    for path in names.lines().filter(|p| p.ends_with(".yaml")) {
        let text = git(root, &["show", &format!("{rev}:{path}")])?;
        let file_name = path.trim_start_matches("specs/").to_owned();
        specs.push(SpecSource {
            label: format!("{rev}:{path}"),
            file_name,
            text,
        });
    }
    Ok(specs)
}

pub fn run(args: &[&str], root: &Path) -> ExitCode {
    let mut rev = "HEAD".to_owned();
    let mut format = "text";
    let mut fail_on: Option<Class> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--format" => match it.next().copied() {
                Some(f @ ("text" | "markdown" | "json")) => format = f,
                _ => return usage(),
            },
            "--fail-on" => match it.next().and_then(|c| Class::parse(c)) {
                Some(c) => fail_on = Some(c),
                None => return usage(),
            },
            r if !r.starts_with('-') => rev = r.to_owned(),
            _ => return usage(),
        }
    }
    let before = match specs_at(root, &rev) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let after = match crate::gen_cmd::read_specs(root, &root.join("specs")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let changes = match diff::diff_specs(&before, &after) {
        Ok(c) => c,
        Err(diags) => {
            eprintln!("{diags}");
            eprintln!("diff: the specs above do not pass the checks");
            return ExitCode::from(2);
        }
    };
    let text = match format {
        "markdown" => diff::render_markdown(&changes),
        "json" => diff::render_json(&changes),
        _ => diff::render_text(&changes),
    };
    print!("{text}");
    match fail_on {
        Some(level) if changes.iter().any(|c| c.class <= level) => {
            eprintln!("diff: changes at or above `{}` found", level.as_str());
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask diff [REV] [--format text|markdown|json] [--fail-on breaking|behavior|additive|docs]"
    );
    ExitCode::from(2)
}
