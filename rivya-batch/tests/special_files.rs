//! Manifests and references that are not plain files, or not plain UTF-8: refused at once
//! with what they are (a FIFO never blocks the check), and error output that stays readable.

mod support;

use std::path::Path;
use std::time::Duration;

use rivya_batch::{Pricing, manifest};
use support::TempDir;

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Loads on a thread, so a load that blocks fails the test instead of hanging it.
fn load(path: &Path) -> Result<manifest::Manifest, manifest::ManifestError> {
    let path = path.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(manifest::load(&path, Pricing::default()));
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the manifest check returned (it did not block)")
}

#[test]
fn a_fifo_or_directory_manifest_is_refused_for_what_it_is() {
    let tmp = TempDir::new("special-manifest");
    let fifo = tmp.path().join("m.jsonl");
    mkfifo(&fifo);
    let text = load(&fifo).unwrap_err().to_string();
    assert!(text.contains("FIFO"), "{text}");
    let text = load(tmp.path()).unwrap_err().to_string();
    assert!(text.contains("is a directory"), "{text}");
    assert!(!text.contains("line 1"), "{text}");
}

#[test]
fn a_fifo_reference_is_refused_at_once() {
    let tmp = TempDir::new("special-ref");
    mkfifo(&tmp.path().join("ref.png"));
    let line = r#"{"key": "a", "model": "nano-banana", "prompt": "x", "refs": ["ref.png"]}"#;
    let path = support::manifest(tmp.path(), &[line.to_owned()]);
    let text = load(&path).unwrap_err().to_string();
    assert!(
        text.contains("line 1: refs[0]") && text.contains("FIFO"),
        "{text}"
    );
}

#[test]
fn a_byte_order_mark_is_not_bad_json() {
    let tmp = TempDir::new("bom");
    let path = tmp.path().join("m.jsonl");
    std::fs::write(
        &path,
        "\u{feff}{\"key\": \"a\", \"model\": \"z-image\", \"prompt\": \"x\"}\n",
    )
    .unwrap();
    let m = load(&path).unwrap();
    assert_eq!(m.items.len(), 1);
}

#[test]
fn a_hundred_thousand_bad_lines_make_a_short_error() {
    let tmp = TempDir::new("many");
    let path = tmp.path().join("m.jsonl");
    let junk = format!("{}\n", "x".repeat(100));
    std::fs::write(&path, junk.repeat(100_000)).unwrap();
    let err = load(&path).unwrap_err();
    assert_eq!(
        err.problems.len(),
        100_000,
        "every problem is kept for callers"
    );
    let text = err.to_string();
    assert!(text.len() < 20_000, "{} bytes", text.len());
    assert!(text.contains("the manifest has 100000 problems"), "{text}");
    assert!(text.contains("… and 99980 more"), "{text}");
}
