//! The spec diff's bump is never smaller than what cargo-semver-checks finds in the generated
//! `rivya-models` API, on the three kinds of spec change. Runs only where cargo-semver-checks is
//! installed (`cargo install cargo-semver-checks --locked`; it is not part of CI, see the
//! README's Releases): each case builds rustdoc JSON of rivya-models twice.

use std::path::{Path, PathBuf};
use std::process::Command;

fn installed() -> bool {
    Command::new("cargo")
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Bumps by size, as the release reports them.
fn rank(bump: &str) -> u8 {
    match bump {
        "major" => 3,
        "minor" => 2,
        "patch" => 1,
        _ => 0,
    }
}

/// A clone of the workspace's committed HEAD; removed on drop.
struct Clone(PathBuf);

impl Clone {
    fn new(name: &str) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = std::env::temp_dir().join(format!("xtask-semver-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ok = Command::new("git")
            .args(["clone", "-q"])
            .arg(&root)
            .arg(&dir)
            .status()
            .unwrap();
        assert!(ok.success());
        Self(dir)
    }

    fn edit(&self, spec: &str, from: &str, to: &str) {
        let path = self.0.join("specs").join(spec);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{from:?} in {spec}");
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    fn xtask(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// What cargo-semver-checks requires of rivya-models against HEAD.
    fn required(&self) -> &'static str {
        let out = Command::new("cargo")
            .args(["semver-checks", "check-release", "--baseline-rev", "HEAD"])
            .args(["--package", "rivya-models", "--release-type", "patch"])
            .current_dir(&self.0)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            "patch"
        } else if text.contains("new major version") {
            "major"
        } else if text.contains("new minor version") {
            "minor"
        } else {
            panic!("cargo semver-checks failed:\n{text}");
        }
    }
}

impl Drop for Clone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_spec_bump_covers_what_cargo_semver_checks_requires_of_rivya_models() {
    if !installed() {
        eprintln!("skipped: cargo-semver-checks is not installed");
        return;
    }
    let cases: [(&str, &str, &str, &str); 3] = [
        ("option", "options: [1K, 2K]", "options: [1K]", "major"),
        (
            "param",
            "  - key: resolution\n",
            "  - key: seed_text\n    type: text\n    description: A seed phrase\n  - key: resolution\n",
            "minor",
        ),
        (
            "docs",
            "description: Resolution\n",
            "description: Output resolution\n",
            "patch",
        ),
    ];
    for (name, from, to, expected) in cases {
        let c = Clone::new(name);
        c.edit("flux-2-pro.yaml", from, to);
        c.xtask(&["gen"]);
        let out = c.xtask(&[
            "release",
            "--dry-run",
            "--since",
            "HEAD",
            "--format",
            "json",
            "--no-semver-checks",
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let bump = v["bump"].as_str().unwrap();
        assert_eq!(bump, expected, "{name}");
        let required = c.required();
        assert!(
            rank(bump) >= rank(required),
            "{name}: the spec diff says {bump}, cargo-semver-checks requires {required}"
        );
    }
}
