//! The CLI's promise, as a new user would meet it: nothing paid before `--out` and every
//! `--ref` are checked, the task id (or idempotency key) on stderr on every way out, result
//! files named only from sanitized parts, JSON errors, and Ctrl-C.

#[path = "../../rivya-runtime/tests/support/raw.rs"]
mod raw;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use raw::{RawServer, Reply};
use rivya_emulator::{Config, Emulator, Fault};
use serde_json::{Value, json};

fn rivya(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args, env).output().expect("run rivya")
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        // The journal of creates lives here, never in the user's state directory.
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("rivya-promise-state-{}", std::process::id())),
        )
        // --mock keeps its state here, never in the user's cache.
        .env(
            "RIVYA_MOCK_DIR",
            std::env::temp_dir().join(format!("rivya-promise-mock-{}", std::process::id())),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rivya-promise-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The last JSON object on stderr (errors are one JSON object per line with --json).
fn stderr_error(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| panic!("no JSON error on stderr: {text}"));
    serde_json::from_str::<Value>(line).unwrap()["error"].clone()
}

fn png(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.resize(len, 0);
    b
}

async fn emulator(processing: Duration) -> Emulator {
    Emulator::start(Config {
        queued_for: Duration::from_millis(20),
        processing_for: processing,
        ..Config::default()
    })
    .await
    .unwrap()
}

fn env(emu: &Emulator) -> [(&'static str, String); 2] {
    [
        ("RIVYA_API_KEY", emu.api_key().to_owned()),
        ("RIVYA_BASE_URL", emu.base_url().to_owned()),
    ]
}

fn as_refs<'a>(env: &'a [(&'static str, String); 2]) -> [(&'static str, &'a str); 2] {
    [(env[0].0, env[0].1.as_str()), (env[1].0, env[1].1.as_str())]
}

#[tokio::test(flavor = "multi_thread")]
async fn an_out_path_that_is_not_a_directory_pays_nothing() {
    let emu = emulator(Duration::from_millis(50)).await;
    let e = env(&emu);
    let dir = temp_dir("out-file");
    let file = dir.join("taken");
    std::fs::write(&file, b"x").unwrap();
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "--prompt",
            "p",
            "--json",
            "--out",
            file.to_str().unwrap(),
        ],
        &as_refs(&e),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_error(&out);
    assert_eq!(err["code"], "io");
    assert!(
        err["message"].as_str().unwrap().contains("not a directory"),
        "{err}"
    );
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, 0, "nothing was created");
    assert_eq!(stats.credits, Config::default().credits, "nothing was paid");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A server whose tasks carry `id` and whose result file answers `result` (status, body).
fn fake_api(id: &'static str, result: (u16, &'static str)) -> RawServer {
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = RawServer::start(true, move |req| {
        let base = b.lock().unwrap().clone();
        if req.path.starts_with("/api/v1/generations") {
            let url = format!("{base}/result/file.png");
            let task = json!({"id": id, "status": "succeeded", "model": "kling-3-0",
                "reserved_credits": 90, "final_credits": 90,
                "result": {"primary_url": url, "urls": [url]}, "error": null});
            return Reply::Json(200, task.to_string(), vec![]);
        }
        match result {
            (200, body) => Reply::Raw(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes(),
            ),
            (status, body) => Reply::Raw(
                format!(
                    "HTTP/1.1 {status} No\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes(),
            ),
        }
    });
    *base.lock().unwrap() = server.url();
    server
}

#[test]
fn a_401_on_the_result_download_names_the_task_and_its_urls() {
    let server = fake_api("task_paid_401", (401, "<html>expired</html>"));
    let dir = temp_dir("dl401");
    let url = server.url();
    let env = [
        ("RIVYA_API_KEY", "rvya_sk_x"),
        ("RIVYA_BASE_URL", url.as_str()),
    ];
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "--prompt",
            "p",
            "--out",
            dir.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_error(&out);
    assert_eq!(err["task_id"], "task_paid_401");
    assert_eq!(err["code"], "download_failed");
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains("HTTP 401"), "{msg}");
    assert!(msg.contains(&format!("{url}/result/file.png")), "{msg}");
    assert!(
        err["resume"]
            .as_str()
            .unwrap()
            .contains("rivya wait task_paid_401")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_task_ids_never_write_outside_out() {
    for (id, stem) in [("../x", "___x"), ("/tmp/rivya-abs", "_tmp_rivya-abs")] {
        let server = fake_api(id, (200, "\u{89}PNG fake"));
        let root = temp_dir("hostile");
        let out_dir = root.join("out");
        let url = server.url();
        let env = [
            ("RIVYA_API_KEY", "rvya_sk_x"),
            ("RIVYA_BASE_URL", url.as_str()),
        ];
        for args in [
            vec!["run", "kling-3-0", "--prompt", "p"],
            vec!["wait", "task_1"],
        ] {
            let mut args = args.clone();
            args.extend(["--out", out_dir.to_str().unwrap()]);
            let out = rivya(&args, &env);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let saved = PathBuf::from(v["saved"][0]["path"].as_str().unwrap());
            assert_eq!(saved, out_dir.join(format!("{stem}-1.png")));
        }
        let entries: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, ["out"], "nothing beside --out");
        assert!(!std::path::Path::new("/tmp/rivya-abs-1.png").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_create_then_a_rerun_with_its_key_leaves_one_task() {
    let emu = emulator(Duration::from_millis(50)).await;
    // Every attempt of the first run creates (or replays) the task, then loses the answer.
    emu.inject([Fault::DropAfterCreate; 4]);
    let e = env(&emu);
    let args = ["run", "kling-3-0", "--prompt", "p", "--no-wait"];
    let first = rivya(&args, &as_refs(&e));
    assert_eq!(first.status.code(), Some(1));
    let err = stderr_error(&first);
    let key = err["idempotency_key"].as_str().expect("the key is printed");
    assert!(
        err["resume"]
            .as_str()
            .unwrap()
            .contains(&format!("--idempotency-key {key}")),
        "{err}"
    );
    assert_eq!(emu.stats().tasks_created, 1);

    let mut again = args.to_vec();
    again.extend(["--idempotency-key", key]);
    let second = rivya(&again, &as_refs(&e));
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let v: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(v["idempotency_key"], key);
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, 1, "exactly one task");
    assert_eq!(stats.credits, Config::default().credits - 90.0, "paid once");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_a_wait_prints_the_task_and_exits_130() {
    let emu = emulator(Duration::from_secs(120)).await;
    let e = env(&emu);
    let mut child = command(&["run", "kling-3-0", "--prompt", "p"], &as_refs(&e))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let created: Value = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "stderr closed");
        if let Ok(v) = serde_json::from_str::<Value>(&line)
            && v["event"] == "created"
        {
            break v;
        }
    };
    let id = created["task_id"].as_str().unwrap().to_owned();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130), "{rest}");
    let err: Value = serde_json::from_str(rest.lines().last().unwrap()).unwrap();
    assert_eq!(err["error"]["code"], "interrupted");
    assert_eq!(err["error"]["task_id"], id.as_str());
    assert!(
        err["error"]["resume"]
            .as_str()
            .unwrap()
            .contains(&format!("rivya wait {id}"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_ref_is_checked_before_the_first_upload() {
    let emu = emulator(Duration::from_millis(50)).await;
    let e = env(&emu);
    let dir = temp_dir("refs");
    let good = dir.join("good.png");
    std::fs::write(&good, png(2048)).unwrap();
    let bad = dir.join("notes.txt");
    std::fs::write(&bad, b"just text").unwrap();
    let g = format!("@{}", good.display());
    let b = format!("@{}", bad.display());
    let missing = format!("@{}", dir.join("missing.png").display());
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "--prompt",
            "p",
            "--ref",
            &g,
            "--ref",
            &b,
            "--ref",
            &missing,
        ],
        &as_refs(&e),
    );
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr_error(&out)["message"].as_str().unwrap().to_owned();
    assert!(
        msg.contains("notes.txt") && msg.contains("missing.png"),
        "{msg}"
    );
    assert!(!msg.contains("good.png"), "{msg}");
    // Too many files, each fine on its own.
    let max = rivya_models::catalog::find("kling-3-0")
        .unwrap()
        .upload
        .unwrap()
        .max_files as usize;
    let mut args = vec!["run", "kling-3-0", "--prompt", "p"];
    for _ in 0..=max {
        args.extend(["--ref", g.as_str()]);
    }
    let out = rivya(&args, &as_refs(&e));
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr_error(&out)["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("referenceMediaItems"), "{msg}");
    assert_eq!(emu.stats().files, 0, "no byte was uploaded");
    assert_eq!(emu.stats().tasks_created, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_errors_are_objects_and_usage_mistakes_are_explained() {
    // An unknown model, with --json: a JSON object naming the code.
    let out = rivya(
        &["run", "kling-9", "--prompt", "x", "--json", "--mock"],
        &[],
    );
    let err = stderr_error(&out);
    assert_eq!(err["code"], "invalid_request");
    assert!(err["task_id"].is_null() && err["idempotency_key"].is_null());
    // A clap-level mistake with --json is JSON too.
    let out = rivya(&["run", "--json"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr_error(&out)["code"], "usage");
    // A bare positional prompt hints at --prompt; a repeated key is refused.
    let out = rivya(&["run", "kling-3-0", "a red fox", "--mock"], &[]);
    let msg = stderr_error(&out)["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("use --prompt 'a red fox'"), "{msg}");
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "-p",
            "x",
            "duration=5",
            "duration=10",
            "--mock",
        ],
        &[],
    );
    let msg = stderr_error(&out)["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("`duration` is given twice"), "{msg}");
    // A bad idempotency key is refused before anything is sent.
    let long = "k".repeat(256);
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "-p",
            "x",
            "--idempotency-key",
            &long,
            "--mock",
        ],
        &[],
    );
    assert_eq!(stderr_error(&out)["code"], "usage");
}

#[test]
fn help_names_the_environment_and_models_shows_one_model() {
    let out = rivya(&["--help"], &[]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("RIVYA_API_KEY") && help.contains("RIVYA_BASE_URL"),
        "{help}"
    );
    let out = rivya(&["models", "kling-3-0"], &[]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "kling-3-0");
    assert!(v["prompt_max_chars"].is_number());
    assert!(v["base_credits"].is_number());
    let duration = v["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "duration")
        .unwrap();
    assert_eq!(duration["type"], "select");
    assert_eq!(duration["default"], "5");
    assert!(duration["options"].as_array().unwrap().len() > 3);
    assert!(v["upload"]["max_files"].is_number());
    let out = rivya(&["models", "nope", "--json"], &[]);
    assert_eq!(stderr_error(&out)["code"], "invalid_request");
}
