//! What a user sees on stdout: the compiled catalog offline, and a closed stdout (`| head`)
//! ending a command quietly instead of a panic.

use std::process::{Command, Stdio};

fn rivya() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("rivya-output-test-state"),
        );
    cmd
}

#[test]
fn models_lists_the_compiled_catalog_when_the_api_is_unreachable() {
    // A loopback port nothing listens on: refused at once, no network needed.
    let out = rivya()
        .args(["models", "--json", "--base-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), rivya_models::catalog::all().len());
    assert!(
        rows.iter()
            .any(|r| r["id"] == "gpt-5.4-codex-chat" && r["capability"] == "chat")
    );
    assert!(rows.iter().all(|r| r["source"] == "spec"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("live_catalog_unavailable"), "{stderr}");
}

#[test]
fn a_closed_stdout_is_a_quiet_exit() {
    let mut child = rivya()
        .args(["models", "kling-3-0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command writes its answer.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
