//! `diff [REV] [--format text|markdown|json] [--fail-on CLASS]`: the specs at a git revision
//! (default `HEAD`) against the working tree, every change classified.

use std::path::Path;
use std::process::{Command, ExitCode};

use codegen::SpecSource;
use codegen::diff::{self, Class};

/// Runs git in `root` and returns its stdout.
pub fn git(root: &Path, args: &[&str]) -> Result<String, String> {
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
pub fn specs_at(root: &Path, rev: &str) -> Result<Vec<SpecSource>, String> {
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

/// How the changes are printed.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// The least severe class that fails the command.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FailOn {
    Breaking,
    Behavior,
    Additive,
    Docs,
}

pub fn run(root: &Path, rev: &str, format: Format, fail_on: Option<FailOn>) -> ExitCode {
    let fail_on = fail_on.map(|f| match f {
        FailOn::Breaking => Class::Breaking,
        FailOn::Behavior => Class::Behavior,
        FailOn::Additive => Class::Additive,
        FailOn::Docs => Class::Docs,
    });
    let before = match specs_at(root, rev) {
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
        Format::Markdown => diff::render_markdown(&changes),
        Format::Json => diff::render_json(&changes),
        Format::Text => diff::render_text(&changes),
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
