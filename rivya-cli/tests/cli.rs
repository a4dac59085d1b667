//! The `rivya` binary, end to end: offline runs with --mock, waits resumed by id in another
//! process, helpful errors, and JSON output.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use rivya_emulator::{Config, Emulator};
use serde_json::Value;

fn rivya(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        // The journal of creates lives here, never in the user's state directory.
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("rivya-cli-state-{}", std::process::id())),
        )
        // --mock keeps its state here, never in the user's cache.
        .env(
            "RIVYA_MOCK_DIR",
            std::env::temp_dir().join(format!("rivya-cli-mock-{}", std::process::id())),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run rivya")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rivya-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn a_mock_run_generates_and_saves_the_result() {
    let dir = temp_dir("mock");
    let png = dir.with_extension("png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(2048, 0);
    std::fs::write(&png, &bytes).unwrap();
    let reference = format!("@{}", png.display());
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "--prompt",
            "A reveal",
            "duration=10",
            "--ref",
            &reference,
            "--mock",
            "--out",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    let v = json(&out);
    assert_eq!(v["status"], "succeeded");
    let saved = v["saved"][0]["path"].as_str().unwrap();
    let data = std::fs::read(saved).unwrap();
    assert!(data.starts_with(b"\0\0\0\x18ftyp"), "an mp4 was saved");
    assert!(
        !std::fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "part"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&png).unwrap();
}

#[test]
fn bad_params_name_what_is_allowed() {
    let out = rivya(
        &["run", "kling-3-0", "--prompt", "x", "duration=99", "--mock"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected one of: 3, 4, 5"), "{err}");
    let out = rivya(
        &["run", "kling-3-0", "--prompt", "x", "fps=30", "--mock"],
        &[],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("it takes: mode, multi_shots"));
    let out = rivya(&["run", "kling-9", "--prompt", "x", "--mock"], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown model `kling-9`"));
}

#[test]
fn without_a_key_it_points_at_mock() {
    let out = rivya(&["credits"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mock"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_wait_then_wait_from_another_process() {
    let emu = Emulator::start(Config {
        queued_for: Duration::from_millis(50),
        processing_for: Duration::from_millis(300),
        ..Config::default()
    })
    .await
    .unwrap();
    let env = [
        ("RIVYA_API_KEY", emu.api_key()),
        ("RIVYA_BASE_URL", emu.base_url()),
    ];
    let created = json(&rivya(
        &[
            "run",
            "suno-music",
            "--prompt",
            "A tune",
            "instrumental=true",
            "--no-wait",
        ],
        &env,
    ));
    let id = created["task"]["id"].as_str().unwrap().to_owned();
    assert!(created["idempotency_key"].is_string());
    let status = json(&rivya(&["status", &id], &env));
    assert_eq!(status["id"], id.as_str());
    let dir = temp_dir("wait");
    let done = json(&rivya(&["wait", &id, "--out", dir.to_str().unwrap()], &env));
    assert_eq!(done["status"], "succeeded");
    assert!(done["saved"][0]["path"].as_str().unwrap().ends_with(".mp3"));
    assert_eq!(done["saved"][0]["sha256"].as_str().unwrap().len(), 64);
    let credits = json(&rivya(&["credits"], &env));
    assert_eq!(credits["current_credits"], 10_000.0 - 12.0);
    // A whole balance prints as the API writes it: `9988`, not `9988.0`.
    assert!(credits["current_credits"].is_u64(), "{credits}");
    let models = json(&rivya(&["models"], &env));
    assert!(
        models
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "kling-3-0")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
