//! `release [--since REF] [--dry-run] [--format text|json] [--no-semver-checks]`: the spec
//! diff since the last release decides the version, and the changelog is written from it.
//!
//! The last release is the newest `vX.Y.Z` tag, or `--since REF`. The specs at that revision
//! are compared with the working tree's by the classified diff (`cargo xtask diff`): breaking
//! and behaviour changes need `major`, additions `minor`, wording `patch`; what that does to a
//! `0.x` number is in [`crate::changelog`]. Changes to hand-written files need at least `patch`,
//! and when `cargo-semver-checks` is installed its verdict on the library crates' public API
//! counts too (the larger wins). Without `--dry-run` it sets the workspace version, writes the
//! entry at the top of `CHANGELOG.md`, refreshes `Cargo.lock` and prints the tag to create.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use codegen::diff;
use serde_json::json;

use crate::changelog::{self, Bump, Version};
use crate::diff_cmd::{git, specs_at};

/// The library crates whose public API `cargo-semver-checks` compares with the last release.
const SEMVER_CHECKED: &[&str] = &[
    "rivya-rules",
    "rivya-models",
    "rivya-runtime",
    "rivya-batch",
];

/// Paths whose changes are covered by the spec diff or are the release's own edits.
const NOT_CODE: &[&str] = &[
    "specs/",
    "openapi/",
    "rivya-models/src/generated/",
    "CHANGELOG.md",
    "Cargo.toml",
    "Cargo.lock",
];

/// What the command was asked.
pub struct Options {
    pub since: Option<String>,
    pub dry_run: bool,
    pub json: bool,
    pub semver_checks: bool,
}

/// The decision: how much, from what to what, and the changelog entry.
struct Release {
    base: String,
    bump: Bump,
    from: Version,
    to: Version,
    entry: String,
}

pub fn run(root: &Path, opts: &Options) -> ExitCode {
    let release = match decide(root, opts) {
        Ok(r) => r,
        Err(e) if e.starts_with("error") => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.json {
        let v = json!({
            "bump": release.bump.as_str(),
            "from": release.from.to_string(),
            "to": release.to.to_string(),
            "changelog": release.entry,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if release.bump != Bump::None {
        println!(
            "release: {} ({} → {}) since {}\n\n{}",
            release.bump.as_str(),
            release.from,
            release.to,
            release.base,
            release.entry
        );
    }
    if release.bump == Bump::None {
        eprintln!(
            "release: nothing changed since {}; nothing to release",
            release.base
        );
        return ExitCode::SUCCESS;
    }
    if opts.dry_run {
        return ExitCode::SUCCESS;
    }
    match write(root, &release) {
        Ok(()) => {
            let v = release.to;
            eprintln!("release: Cargo.toml set to {v}, CHANGELOG.md written");
            eprintln!("next: git commit -am \"Release v{v}\" && git tag -a v{v} -m \"v{v}\"");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn decide(root: &Path, opts: &Options) -> Result<Release, String> {
    let base = match &opts.since {
        Some(rev) => rev.clone(),
        None => last_tag(root)?,
    };
    let from = git(root, &["show", &format!("{base}:Cargo.toml")])
        .ok()
        .and_then(|t| changelog::workspace_version(&t))
        .or_else(|| current_version(root).ok())
        .ok_or("no [workspace.package] version in Cargo.toml")?;
    let before = specs_at(root, &base)?;
    let after = crate::gen_cmd::read_specs(root, &root.join("specs"))?;
    let changes = diff::diff_specs(&before, &after)
        .map_err(|d| format!("{d}\nthe specs above do not pass the checks"))?;
    let mut bump = changes
        .iter()
        .map(|c| Bump::of(c.class))
        .max()
        .unwrap_or(Bump::None);
    let mut extra = Vec::new();
    let code = code_changes(root, &base)?;
    if !code.is_empty() {
        bump = bump.max(Bump::Patch);
        extra.push(format!(
            "{} hand-written file(s) changed since `{base}` (see `git diff --stat {base}`)",
            code.len()
        ));
    }
    if opts.semver_checks {
        match semver_checks(root, &base)? {
            Some((needed, crates)) if needed > Bump::Patch => {
                extra.push(format!(
                    "cargo-semver-checks: the public API of {} needs a {} release",
                    crates.join(", "),
                    needed.as_str()
                ));
                bump = bump.max(needed);
            }
            Some(_) => {}
            None => {
                eprintln!(
                    "note: cargo-semver-checks is not installed, so the hand-written crates' API \
                     was not compared; install it with `cargo install cargo-semver-checks --locked`"
                );
                if code.iter().any(|p| p.starts_with("codegen/")) {
                    eprintln!(
                        "note: the generator changed since `{base}`; what that does to the \
                         generated API is judged by cargo-semver-checks only"
                    );
                }
            }
        }
    }
    let to = from.bumped(bump);
    let entry = changelog::entry(to, &today(), &changes, &extra);
    Ok(Release {
        base,
        bump,
        from,
        to,
        entry,
    })
}

/// The newest `vX.Y.Z` tag.
fn last_tag(root: &Path) -> Result<String, String> {
    let tags = git(root, &["tag", "--list", "v*", "--sort=-v:refname"])?;
    tags.lines()
        .find(|t| Version::parse(t).is_some() && t.starts_with('v'))
        .map(str::to_owned)
        .ok_or_else(|| {
            "no vX.Y.Z tag marks a release yet: pass --since REF (the revision released last)"
                .to_owned()
        })
}

fn current_version(root: &Path) -> Result<Version, String> {
    let text =
        fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    changelog::workspace_version(&text).ok_or_else(|| "no [workspace.package] version".to_owned())
}

/// Tracked files changed since `base` that the spec diff does not speak for.
fn code_changes(root: &Path, base: &str) -> Result<Vec<String>, String> {
    let names = git(root, &["diff", "--name-only", base, "--"])?;
    Ok(names
        .lines()
        .filter(|p| !NOT_CODE.iter().any(|n| p.starts_with(n)))
        .map(str::to_owned)
        .collect())
}

/// `cargo-semver-checks` on each library crate against `base`: the largest bump it requires
/// and the crates that require more than a patch, or `None` when it is not installed.
fn semver_checks(root: &Path, base: &str) -> Result<Option<(Bump, Vec<String>)>, String> {
    let installed = Command::new("cargo")
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Ok(None);
    }
    let (mut needed, mut crates) = (Bump::Patch, Vec::new());
    for krate in SEMVER_CHECKED {
        let out = Command::new("cargo")
            .args(["semver-checks", "check-release", "--baseline-rev", base])
            .args(["--package", krate, "--release-type", "patch"])
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
        if out.status.success() {
            continue;
        }
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        let bump = if text.contains("new major version") {
            Bump::Major
        } else if text.contains("new minor version") {
            Bump::Minor
        } else {
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "cargo semver-checks failed on {krate}:\n{}",
                tail.join("\n")
            ));
        };
        needed = needed.max(bump);
        crates.push(format!("{krate} ({})", bump.as_str()));
    }
    Ok(Some((needed, crates)))
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.chars().take(10).collect()
}

/// Sets the version in the root `Cargo.toml`, writes the changelog entry, and refreshes the
/// workspace's own entries of `Cargo.lock` (offline) so `--locked` builds keep working.
fn write(root: &Path, r: &Release) -> Result<(), String> {
    let toml_path = root.join("Cargo.toml");
    let toml = fs::read_to_string(&toml_path).map_err(|e| format!("Cargo.toml: {e}"))?;
    let current = changelog::workspace_version(&toml).ok_or("no [workspace.package] version")?;
    fs::write(&toml_path, changelog::set_version(&toml, current, r.to))
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let log_path = root.join("CHANGELOG.md");
    let log = fs::read_to_string(&log_path).unwrap_or_default();
    fs::write(&log_path, changelog::insert(&log, &r.entry))
        .map_err(|e| format!("CHANGELOG.md: {e}"))?;
    if root.join("Cargo.lock").exists() {
        let status = Command::new("cargo")
            .args(["update", "--workspace", "--offline"])
            .current_dir(root)
            .status()
            .map_err(|e| format!("cannot run cargo update: {e}"))?;
        if !status.success() {
            return Err("`cargo update --workspace --offline` failed; run it by hand".to_owned());
        }
    }
    Ok(())
}
