//! `gen` and `gen --check`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::{Layout, SpecSource};

/// Every `*.yaml` of `dir`, sorted by name; labels are relative to the workspace root.
///
/// Only regular files inside `dir` are read (a symlink must resolve inside it; a FIFO or
/// device is refused before it is opened, so nothing blocks), each at most
/// [`codegen::MAX_SPEC_BYTES`], and each must be UTF-8.
pub fn read_specs(root: &Path, dir: &Path) -> Result<Vec<SpecSource>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let real_dir = dir
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let label = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        match read_spec(&path, &real_dir) {
            Ok(text) => specs.push(SpecSource {
                label,
                file_name: path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned(),
                text,
            }),
            Err(e) => errors.push(format!("{label}: {e}")),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        return Err(errors.join("\nerror: "));
    }
    specs.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(specs)
}

/// One spec file's text, or why it cannot be one.
fn read_spec(path: &Path, real_dir: &Path) -> Result<String, String> {
    let real = path.canonicalize().map_err(|e| e.to_string())?;
    if real.parent() != Some(real_dir) {
        return Err(format!(
            "a symlink to {}, outside the specs folder; specs must live in it",
            real.display()
        ));
    }
    crate::read_text(&real, codegen::MAX_SPEC_BYTES)
}

/// What one file needs.
enum Change {
    Write(PathBuf, String),
    Remove(PathBuf),
}

/// A folder of specs and the folder its generated code goes to.
struct Target {
    specs: &'static str,
    out: &'static str,
    layout: Layout,
}

/// Where JSON Schema and OpenAPI of the catalog go.
const OPENAPI_DIR: &str = "openapi";

const TARGETS: &[Target] = &[
    Target {
        specs: "specs",
        out: "rivya-models/src/generated",
        layout: Layout::Catalog,
    },
    // Generator fixtures (naming obstacles …) compile into rivya-models' unit tests, so the
    // snapshots reviewers read are also proven to build and behave.
    Target {
        specs: "codegen/tests/fixtures",
        out: "rivya-models/src/fixtures",
        layout: Layout::Fixtures,
    },
];

/// Everything `gen` would write or remove, and what it read.
struct Plan {
    /// Every file gen owns, with the text it must have.
    wanted: Vec<(PathBuf, String)>,
    /// The folders gen writes to.
    out_dirs: Vec<PathBuf>,
    /// What differs from the disk.
    changes: Vec<Change>,
    specs: usize,
    unchanged: usize,
}

pub fn run(check: bool, root: &Path) -> ExitCode {
    let started = Instant::now();
    let plan = match plan(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        return report(&plan, root);
    }
    match apply(&plan, root) {
        Ok((written, removed)) => {
            println!(
                "gen: {} specs read, {written} files written, {} unchanged, {removed} removed in {:.2?}",
                plan.specs,
                plan.unchanged,
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads every spec, generates every file, and compares with the disk; writes nothing.
fn plan(root: &Path) -> Result<Plan, String> {
    let mut wanted: Vec<(PathBuf, String)> = Vec::new();
    let mut out_dirs = Vec::new();
    let mut owned = Vec::new();
    let (mut specs_read, mut failed) = (0, 0);
    for target in TARGETS {
        let out_dir = root.join(target.out);
        let specs =
            read_specs(root, &root.join(target.specs)).map_err(|e| format!("error: {e}"))?;
        specs_read += specs.len();
        match codegen::generate(&specs, target.layout) {
            Ok(files) => wanted.extend(
                files
                    .into_iter()
                    .map(|f| (out_dir.join(f.name), f.contents)),
            ),
            Err(diags) => {
                eprintln!("{diags}");
                failed += diags.0.len();
            }
        }
        if target.layout == Layout::Catalog && failed == 0 {
            // JSON Schema and OpenAPI come from the shipped catalog only (never the fixtures).
            let openapi = root.join(OPENAPI_DIR);
            if let Ok(files) = codegen::generate_openapi(&specs) {
                wanted.extend(
                    files
                        .into_iter()
                        .map(|f| (openapi.join(f.name), f.contents)),
                );
            }
            owned.push((openapi.clone(), "json"));
            owned.push((openapi.join("models"), "json"));
            out_dirs.push(openapi);
        }
        owned.push((out_dir.clone(), "rs"));
        owned.push((out_dir.join("examples"), "json"));
        out_dirs.push(out_dir);
    }
    if failed > 0 {
        let s = if failed == 1 { "" } else { "s" };
        return Err(format!("gen: {failed} error{s} in specs; nothing written"));
    }
    wanted.push((root.join("specs/schema.json"), codegen::schema_json()));
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for (path, contents) in &wanted {
        if fs::read_to_string(path).ok().as_deref() == Some(contents.as_str()) {
            unchanged += 1;
        } else {
            changes.push(Change::Write(path.clone(), contents.clone()));
        }
    }
    changes.extend(orphans(&owned, &wanted).into_iter().map(Change::Remove));
    Ok(Plan {
        wanted,
        out_dirs,
        changes,
        specs: specs_read,
        unchanged,
    })
}

/// The files gen owns that no spec produces any more: modules (`*.rs`), example requests
/// (`examples/*.json`) and schemas (`openapi/**/*.json`). Anything else there is the user's
/// and stays.
fn orphans(owned: &[(PathBuf, &'static str)], wanted: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = owned
        .iter()
        .filter_map(|(dir, ext)| Some((fs::read_dir(dir).ok()?, *ext)))
        .flat_map(|(entries, ext)| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(move |p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        })
        .filter(|p| !wanted.iter().any(|(w, _)| w == p))
        .collect();
    found.sort();
    found
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// `--check`: names every file that is stale, missing or orphaned.
fn report(plan: &Plan, root: &Path) -> ExitCode {
    if plan.changes.is_empty() {
        println!(
            "gen --check: up to date ({} specs, {} files)",
            plan.specs,
            plan.wanted.len()
        );
        return ExitCode::SUCCESS;
    }
    for c in &plan.changes {
        match c {
            Change::Write(p, _) if p.exists() => eprintln!("stale: {}", rel(root, p)),
            Change::Write(p, _) => eprintln!("missing: {}", rel(root, p)),
            Change::Remove(p) => eprintln!("orphaned (no spec): {}", rel(root, p)),
        }
    }
    eprintln!(
        "gen --check: {} file(s) out of date; run `cargo xtask gen`",
        plan.changes.len()
    );
    ExitCode::FAILURE
}

/// Writes and removes what the plan says; returns (written, removed).
fn apply(plan: &Plan, root: &Path) -> Result<(usize, usize), String> {
    for out_dir in &plan.out_dirs {
        fs::create_dir_all(out_dir)
            .map_err(|e| format!("cannot create {}: {e}", rel(root, out_dir)))?;
    }
    let (mut written, mut removed) = (0, 0);
    for c in &plan.changes {
        let (path, result) = match c {
            Change::Write(p, text) => (p, write_file(p, text).map(|()| written += 1)),
            Change::Remove(p) => (p, fs::remove_file(p).map(|()| removed += 1)),
        };
        result.map_err(|e| format!("cannot update {}: {e}", rel(root, path)))?;
    }
    Ok((written, removed))
}

/// Writes a file, creating its folder (`examples/`) when needed.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(dir.join("specs")).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn read_err(tmp: &TempDir) -> String {
        read_specs(&tmp.0, &tmp.0.join("specs")).unwrap_err()
    }

    /// A FIFO would block a plain read forever: it is refused from its metadata.
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let tmp = TempDir::new("fifo");
        let fifo = tmp.0.join("specs/pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let err = read_err(&tmp);
        assert!(err.contains("specs/pipe.yaml: not a regular file"), "{err}");
    }

    #[test]
    fn a_symlink_out_of_specs_is_refused() {
        let tmp = TempDir::new("symlink");
        fs::write(tmp.0.join("outside.yaml"), "id: x\n").unwrap();
        std::os::unix::fs::symlink(tmp.0.join("outside.yaml"), tmp.0.join("specs/x.yaml")).unwrap();
        let err = read_err(&tmp);
        assert!(err.contains("specs/x.yaml: a symlink to"), "{err}");
        assert!(err.contains("outside the specs folder"), "{err}");
    }

    #[test]
    fn non_utf8_and_oversized_files_are_refused_with_the_limit() {
        let tmp = TempDir::new("bytes");
        fs::write(tmp.0.join("specs/a.yaml"), b"id: \xff\xfe\n").unwrap();
        fs::write(
            tmp.0.join("specs/b.yaml"),
            vec![b'#'; codegen::MAX_SPEC_BYTES + 1],
        )
        .unwrap();
        let err = read_err(&tmp);
        assert!(
            err.contains("specs/a.yaml: not UTF-8 (invalid byte at offset 4)"),
            "{err}"
        );
        assert!(
            err.contains("specs/b.yaml: 1048577 bytes; the limit is 1048576 bytes"),
            "{err}"
        );
    }

    #[test]
    fn orphans_are_stale_modules_and_examples_only() {
        let tmp = TempDir::new("orphans");
        let out = tmp.0.join("generated");
        fs::create_dir_all(out.join("examples")).unwrap();
        for f in [
            "kept.rs",
            "gone.rs",
            "README.md",
            "examples/gone.minimal.json",
        ] {
            fs::write(out.join(f), "x").unwrap();
        }
        fs::write(out.join("examples/notes.txt"), "x").unwrap();
        let wanted = vec![(out.join("kept.rs"), String::new())];
        let owned = [(out.clone(), "rs"), (out.join("examples"), "json")];
        assert_eq!(
            orphans(&owned, &wanted),
            [out.join("examples/gone.minimal.json"), out.join("gone.rs")]
        );
    }

    #[test]
    fn a_symlink_inside_specs_is_read() {
        let tmp = TempDir::new("inside");
        fs::write(tmp.0.join("specs/real.txt"), "text").unwrap();
        std::os::unix::fs::symlink(tmp.0.join("specs/real.txt"), tmp.0.join("specs/y.yaml"))
            .unwrap();
        let specs = read_specs(&tmp.0, &tmp.0.join("specs")).unwrap();
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].text, "text");
    }
}
