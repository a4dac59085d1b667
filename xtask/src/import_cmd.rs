//! `import <page.txt>… [--out DIR] [--force] [--stdout]`: model pages → draft specs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::SpecSource;

/// Today's date (UTC) as `YYYY-MM-DD`, for `source.reviewed`.
fn today() -> String {
    let mut stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    stamp.truncate("YYYY-MM-DD".len());
    stamp
}

/// The largest page read (stored pages are a few KiB).
const MAX_PAGE_BYTES: usize = 1 << 20;

pub fn run(pages: &[PathBuf], out_dir: &Path, force: bool, stdout: bool) -> ExitCode {
    let reviewed = today();
    let mut failed = 0;
    for page in pages {
        let name = page
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match crate::read_text(page, MAX_PAGE_BYTES) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", page.display());
                failed += 1;
                continue;
            }
        };
        let imported = match codegen::import::import_page(&text, &name, &reviewed) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("error: {}: {e}", page.display());
                failed += 1;
                continue;
            }
        };
        for w in &imported.warnings {
            eprintln!("warning: {name}: {w}");
        }
        // Once its TODOs are resolved, the draft must pass the spec checks, or say why not.
        let spec = SpecSource {
            label: format!("{}/{}.yaml", out_dir.display(), imported.id),
            file_name: format!("{}.yaml", imported.id),
            text: imported.without_todos(),
        };
        if let Err(diags) = codegen::generate_one(&spec) {
            eprintln!("{diags}");
            eprintln!("error: {name}: the draft does not pass the spec checks (above)");
            failed += 1;
        }
        if stdout {
            print!("{}", imported.yaml);
            continue;
        }
        let target = out_dir.join(format!("{}.yaml", imported.id));
        if target.exists() && !force {
            eprintln!(
                "skipped: {} exists (use --force to overwrite)",
                target.display()
            );
            continue;
        }
        if let Err(e) = fs::write(&target, &imported.yaml) {
            eprintln!("error: {}: {e}", target.display());
            failed += 1;
            continue;
        }
        let partial = if imported.partial { ", partial" } else { "" };
        println!(
            "import: {name} → {} ({} TODOs to resolve before `cargo xtask gen`{partial})",
            target.display(),
            imported.warnings.len()
        );
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_calendar_date() {
        let d = super::today();
        let parts: Vec<&str> = d.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [4, 2, 2],
            "{d}"
        );
        assert!(
            parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())),
            "{d}"
        );
        assert!(parts[0] >= "2026", "{d}");
    }
}
