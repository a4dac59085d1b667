//! `cargo xtask`: the maintainer's commands.
//!
//! - `cargo xtask gen` regenerates `rivya-models/src/generated/` and `specs/schema.json` from
//!   `specs/*.yaml` and prints a one-line summary.
//! - `cargo xtask gen --check` changes nothing; it exits non-zero naming every stale file.
//! - `cargo xtask import <page.txt>…` turns model pages into draft specs.
//! - `cargo xtask diff [REV]` classifies spec changes (breaking, behavior, additive, docs).

mod diff_cmd;
mod gen_cmd;
mod import_cmd;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask gen [--check]
       cargo xtask import <page.txt>… [--out DIR] [--force] [--stdout]
       cargo xtask diff [REV] [--format text|markdown|json] [--fail-on CLASS]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => gen_cmd::run(false),
        ["gen", "--check"] => gen_cmd::run(true),
        ["import", rest @ ..] => import_cmd::run(rest, &gen_cmd::root()),
        ["diff", rest @ ..] => diff_cmd::run(rest, &gen_cmd::root()),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
