//! `cargo xtask`: the maintainer's commands (`cargo xtask --help`).

mod catalog_cmd;
mod changelog;
mod diff_cmd;
mod gen_cmd;
mod import_cmd;
mod msrv_cmd;
mod release_cmd;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Maintainer tasks of the Rivya SDK workspace: specs → generated Rust, page import, spec
/// diffs and catalog drift.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate rivya-models/src/generated (and the fixtures) and specs/schema.json.
    Gen {
        /// Change nothing; fail naming every stale, missing or orphaned file.
        #[arg(long)]
        check: bool,
    },
    /// Turn model pages (text) into draft specs; prints what needs a maintainer's eye.
    Import {
        /// Page files (`kling-3-0.id.txt`: the rendering's language comes from the name).
        #[arg(required = true)]
        pages: Vec<PathBuf>,
        /// Where drafts are written [default: the workspace's specs/].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Overwrite an existing spec.
        #[arg(long)]
        force: bool,
        /// Print drafts instead of writing them.
        #[arg(long)]
        stdout: bool,
    },
    /// Classify spec changes since a git revision: breaking, behavior, additive, docs.
    Diff {
        /// The revision to compare the working tree's specs with.
        #[arg(default_value = "HEAD")]
        rev: String,
        #[arg(long, value_enum, default_value = "text")]
        format: diff_cmd::Format,
        /// Exit non-zero when a change of this class or a more severe one is found.
        #[arg(long, value_name = "CLASS")]
        fail_on: Option<diff_cmd::FailOn>,
    },
    /// Decide the next version from the spec diff since the last release (the newest vX.Y.Z
    /// tag): breaking → major, additions → minor, wording → patch (0.x: breaking raises the
    /// minor number); set it and write CHANGELOG.md. `--format json` prints
    /// {"bump", "from", "to", "changelog"}; bump is `none` when nothing changed.
    Release {
        /// Compare with this revision instead of the newest vX.Y.Z tag.
        #[arg(long, value_name = "REF")]
        since: Option<String>,
        /// Decide and print; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Skip cargo-semver-checks even when it is installed.
        #[arg(long)]
        no_semver_checks: bool,
    },
    /// Check that every crate's rust-version covers what its dependency tree needs.
    Msrv,
    /// Compare specs with a saved `GET /api/v1/models` response: models without spec, specs
    /// without model, and every fact on which they disagree.
    Catalog {
        /// The saved catalog response (JSON).
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Exit non-zero when there is any drift.
        #[arg(long)]
        fail: bool,
    },
}

/// A plain report's format.
#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = match workspace_root() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Gen { check } => gen_cmd::run(check, &root),
        Command::Import {
            pages,
            out,
            force,
            stdout,
        } => {
            let out = out.unwrap_or_else(|| root.join("specs"));
            import_cmd::run(&pages, &out, force, stdout)
        }
        Command::Diff {
            rev,
            format,
            fail_on,
        } => diff_cmd::run(&root, &rev, format, fail_on),
        Command::Catalog { file, format, fail } => catalog_cmd::run(&root, &file, format, fail),
        Command::Msrv => msrv_cmd::run(&root),
        Command::Release {
            since,
            dry_run,
            format,
            no_semver_checks,
        } => release_cmd::run(
            &root,
            &release_cmd::Options {
                since,
                dry_run,
                json: matches!(format, ReportFormat::Json),
                semver_checks: !no_semver_checks,
            },
        ),
    }
}

/// The workspace this command runs in: the nearest folder at or above the current one whose
/// `Cargo.toml` declares `[workspace]` and which holds `specs/`. Found from where the user
/// stands, never from where the binary was built, so a shared target dir cannot make one
/// checkout's xtask edit another checkout.
fn workspace_root() -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    cwd.ancestors()
        .find(|d| {
            d.join("specs").is_dir()
                && std::fs::read_to_string(d.join("Cargo.toml"))
                    .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside the Rivya SDK workspace (no Cargo.toml with [workspace] and specs/ above it)",
                cwd.display()
            )
        })
}

/// A text file the commands read (spec, page, catalog): a regular file (never a FIFO or device,
/// which could block), at most `limit` bytes, UTF-8.
pub fn read_text(path: &Path, limit: usize) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, device or folder)".to_owned());
    }
    if meta.len() > limit as u64 {
        return Err(format!("{} bytes; the limit is {limit} bytes", meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}
