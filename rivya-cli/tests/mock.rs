//! `--mock` across processes: the state lives in a directory, so `run --no-wait` then `wait`
//! works, ids are unique, credits carry over, and `rivya mock reset` clears it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn rivya(args: &[&str], mock_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rivya"))
        .args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        // The journal of creates lives here, never in the user's state directory.
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("rivya-mockt-state-{}", std::process::id())),
        )
        .env("RIVYA_MOCK_DIR", mock_dir)
        .output()
        .expect("run rivya")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rivya-mock-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn no_wait_then_wait_in_another_process_then_reset() {
    let state = temp_dir("state");
    let out = temp_dir("out");
    let o = out.to_str().unwrap();
    let created = json(&rivya(
        &["run", "kling-3-0", "--prompt", "p", "--mock", "--no-wait"],
        &state,
    ));
    let id = created["task"]["id"].as_str().unwrap().to_owned();
    let done = json(&rivya(&["wait", &id, "--mock", "--out", o], &state));
    assert_eq!(done["id"], id.as_str());
    assert_eq!(done["status"], "succeeded");
    let credits = json(&rivya(&["credits", "--mock"], &state));
    assert_eq!(credits["current_credits"], 10_000.0 - 90.0);

    // A second run gets another id, so its result does not overwrite the first.
    let second = json(&rivya(
        &["run", "kling-3-0", "--prompt", "p", "--mock", "--out", o],
        &state,
    ));
    assert_ne!(second["id"], id.as_str());
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(files.len(), 2);

    let reset = json(&rivya(&["mock", "reset"], &state));
    assert_eq!(reset["mock_dir"], state.to_str().unwrap());
    let gone = rivya(&["status", &id, "--mock", "--json"], &state);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("not_found"));
    let credits = json(&rivya(&["credits", "--mock"], &state));
    assert_eq!(credits["current_credits"], 10_000.0);
    // Ids stay unique after a reset too.
    let third = json(&rivya(
        &["run", "kling-3-0", "--prompt", "p", "--mock", "--no-wait"],
        &state,
    ));
    assert_ne!(third["task"]["id"], id.as_str());
    std::fs::remove_dir_all(&state).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_default_mock_dir_is_in_the_cache_dir() {
    let dir = |envs: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
        cmd.args(["mock", "dir"])
            .env_remove("RIVYA_MOCK_DIR")
            .env_remove("XDG_CACHE_HOME");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        json(&cmd.output().unwrap())["mock_dir"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        dir(&[("XDG_CACHE_HOME", "/c"), ("HOME", "/h")]),
        "/c/rivya/mock"
    );
    assert_eq!(dir(&[("HOME", "/h")]), "/h/.cache/rivya/mock");
    assert_eq!(dir(&[("HOME", "/h"), ("RIVYA_MOCK_DIR", "/m")]), "/m");
    let out = Command::new(env!("CARGO_BIN_EXE_rivya"))
        .args(["mock", "dir", "--mock-dir", "/flag"])
        .env("RIVYA_MOCK_DIR", "/m")
        .output()
        .unwrap();
    assert_eq!(json(&out)["mock_dir"], "/flag");
}
