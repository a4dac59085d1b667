//! `cargo xtask release` on mutated specs in a scratch git repository: the bump each diff class
//! needs, the changelog line naming the model, and what a real (not dry) run writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SPECS: &[&str] = &[
    "flux-2-pro.yaml",
    "elevenlabs-multilingual-v2.yaml",
    "gpt-5-2-chat.yaml",
];

const CARGO_TOML: &str = "[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"0.1.0\"\n\n\
[workspace.dependencies]\nrivya-rules = { version = \"0.1.0\", path = \"rivya-rules\" }\n\
serde = { version = \"0.1.0\" }\n";

/// A scratch workspace (root Cargo.toml and a few real specs) committed in a fresh git
/// repository; removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("xtask-release-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("specs")).unwrap();
        let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        for spec in SPECS {
            fs::copy(real.join(spec), dir.join("specs").join(spec)).unwrap();
        }
        fs::write(dir.join("Cargo.toml"), CARGO_TOML).unwrap();
        let s = Self(dir);
        s.git(&["init", "-q"]);
        s.git(&["add", "."]);
        s.git(&["commit", "-qm", "first release"]);
        s
    }

    fn git(&self, args: &[&str]) {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .current_dir(&self.0)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }

    /// Replaces `from` with `to` in a spec (exactly once).
    fn edit(&self, spec: &str, from: &str, to: &str) {
        let path = self.0.join("specs").join(spec);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{from:?} in {spec}");
        fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    fn xtask(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["release", "--no-semver-checks"])
            .args(args)
            .current_dir(&self.0)
            .output()
            .unwrap()
    }

    /// `release --dry-run --since HEAD --format json`, parsed.
    fn dry_run(&self) -> Value {
        let out = self.xtask(&["--dry-run", "--since", "HEAD", "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn read(&self, file: &str) -> String {
        fs::read_to_string(self.0.join(file)).unwrap_or_default()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn changelog(v: &Value) -> &str {
    v["changelog"].as_str().unwrap()
}

#[test]
fn removing_an_option_is_major_with_a_breaking_line_naming_the_model() {
    let s = Scratch::new("option");
    s.edit("flux-2-pro.yaml", "options: [1K, 2K]", "options: [1K]");
    let v = s.dry_run();
    assert_eq!(v["bump"], "major");
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("0.1.0"), Some("0.2.0"))
    );
    let log = changelog(&v);
    let line = log
        .lines()
        .find(|l| l.contains("2K"))
        .expect("a line for the option");
    assert!(line.starts_with("- `flux-2-pro`"), "{log}");
    assert!(log.find("### Breaking") < log.find(line), "{log}");
    assert_eq!(
        s.read("Cargo.toml"),
        CARGO_TOML,
        "--dry-run changes nothing"
    );
    assert_eq!(s.read("CHANGELOG.md"), "");
}

#[test]
fn adding_an_optional_param_is_minor() {
    let s = Scratch::new("param");
    s.edit(
        "elevenlabs-multilingual-v2.yaml",
        "  - key: previous_text\n",
        "  - key: style_hint\n    type: text\n    description: Text that follows\n  - key: previous_text\n",
    );
    let v = s.dry_run();
    assert_eq!(v["bump"], "minor");
    assert_eq!(v["to"], "0.1.1", "0.x: an addition raises the patch number");
    assert!(
        changelog(&v).contains("### Added\n\n- `elevenlabs-multilingual-v2` `params.style_hint`"),
        "{}",
        changelog(&v)
    );
}

#[test]
fn rewording_a_description_is_patch() {
    let s = Scratch::new("docs");
    s.edit(
        "flux-2-pro.yaml",
        "description: Resolution\n",
        "description: Output resolution\n",
    );
    let v = s.dry_run();
    assert_eq!(v["bump"], "patch");
    assert!(
        changelog(&v).contains("### Documentation\n\n- `flux-2-pro`"),
        "{}",
        changelog(&v)
    );
}

#[test]
fn a_changed_default_or_a_removed_model_is_major_and_a_new_model_minor() {
    let s = Scratch::new("behavior");
    s.edit("flux-2-pro.yaml", "default: 1K", "default: 2K");
    assert_eq!(s.dry_run()["bump"], "major");
    fs::remove_file(s.0.join("specs/flux-2-pro.yaml")).unwrap();
    let v = s.dry_run();
    assert!(
        changelog(&v).contains("- `flux-2-pro`: model removed"),
        "{}",
        changelog(&v)
    );
    s.git(&["checkout", "-q", "--", "specs"]);
    s.git(&["rm", "-q", "specs/gpt-5-2-chat.yaml"]);
    s.git(&["commit", "-qm", "drop chat"]);
    s.git(&["checkout", "-q", "HEAD~1", "--", "specs/gpt-5-2-chat.yaml"]);
    let v = s.dry_run();
    assert_eq!(v["bump"], "minor");
    assert!(
        changelog(&v).contains("- `gpt-5-2-chat`: model added"),
        "{}",
        changelog(&v)
    );
}

#[test]
fn a_release_from_the_last_tag_sets_the_version_and_writes_the_changelog() {
    let s = Scratch::new("write");
    let none = s.xtask(&["--since", "HEAD"]);
    assert!(String::from_utf8_lossy(&none.stderr).contains("nothing to release"));
    assert_eq!(s.read("Cargo.toml"), CARGO_TOML);
    let untagged = s.xtask(&["--dry-run"]);
    assert_eq!(untagged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&untagged.stderr).contains("--since REF"));

    s.git(&["tag", "v0.1.0"]);
    s.edit("flux-2-pro.yaml", "options: [1K, 2K]", "options: [1K]");
    let out = s.xtask(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("git tag -a v0.2.0"), "{stderr}");
    let toml = s.read("Cargo.toml");
    assert!(
        toml.contains("[workspace.package]\nversion = \"0.2.0\""),
        "{toml}"
    );
    assert!(
        toml.contains("rivya-rules = { version = \"0.2.0\", path"),
        "{toml}"
    );
    assert!(toml.contains("serde = { version = \"0.1.0\" }"), "{toml}");
    let log = s.read("CHANGELOG.md");
    assert!(log.starts_with("# Changelog"), "{log}");
    let (unreleased, entry) = (log.find("## [Unreleased]"), log.find("## [0.2.0] - "));
    assert!(unreleased.is_some() && unreleased < entry, "{log}");
    assert!(
        log.contains("### Breaking\n\n- `flux-2-pro` `params.resolution"),
        "{log}"
    );
}
