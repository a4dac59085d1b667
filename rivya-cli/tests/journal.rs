//! The journal of creates: a `rivya run` killed (SIGKILL) while its create is in flight is
//! found by `rivya history` and finished by `rivya resume`, with one task on the server.

#[path = "../../rivya-runtime/tests/support/raw.rs"]
mod raw;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use raw::{RawRequest, RawServer, Reply};
use rivya_emulator::{Config, Emulator};
use serde_json::Value;

fn command(args: &[&str], emu: &Emulator, state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.args(args)
        .env("RIVYA_API_KEY", emu.api_key())
        .env("RIVYA_BASE_URL", emu.base_url())
        .env("XDG_STATE_HOME", state);
    cmd
}

/// Sends `req` on to the emulator and reads its whole answer.
fn forward(req: &RawRequest, emu_addr: &str) -> Vec<u8> {
    let mut conn = TcpStream::connect(emu_addr).unwrap();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {emu_addr}\r\n",
        req.method, req.path
    );
    for (k, v) in &req.headers {
        if !["host", "connection"].contains(&k.to_ascii_lowercase().as_str()) {
            head += &format!("{k}: {v}\r\n");
        }
    }
    head += "Connection: close\r\n\r\n";
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(&req.body).unwrap();
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    answer
}

/// A front for the emulator that passes creates on but never answers them (until the test
/// ends): the task exists and is paid, the client is left waiting.
fn answer_eater(emu: &Emulator) -> (RawServer, mpsc::Sender<()>) {
    let addr = emu.base_url().trim_start_matches("http://").to_owned();
    let (tx, rx) = mpsc::channel::<()>();
    let rx = Arc::new(Mutex::new(rx));
    let server = RawServer::start(true, move |req| {
        let _ = forward(req, &addr);
        // Held until the test drops the sender; then the connection closes unanswered.
        let _ = rx.lock().unwrap().recv_timeout(Duration::from_secs(120));
        Reply::Drop
    });
    (server, tx)
}

fn rivya(args: &[&str], emu: &Emulator, state: &Path) -> Output {
    command(args, emu, state).output().expect("run rivya")
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
    let d = std::env::temp_dir().join(format!("rivya-journal-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A front for the emulator that passes everything on, but loses the answers to the first
/// `drops` creates (after the emulator made or replayed their task).
fn create_dropper(emu: &Emulator, drops: usize) -> RawServer {
    let addr = emu.base_url().trim_start_matches("http://").to_owned();
    let left = Mutex::new(drops);
    RawServer::start(true, move |req| {
        let answer = forward(req, &addr);
        let mut left = left.lock().unwrap();
        if req.method == "POST" && req.path == "/api/v1/generations" && *left > 0 {
            *left -= 1;
            return Reply::Drop;
        }
        Reply::Raw(answer)
    })
}

fn png(path: &Path) {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.resize(4096, 7);
    std::fs::write(path, b).unwrap();
}

fn stderr_error(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| panic!("no JSON error on stderr: {text}"));
    serde_json::from_str::<Value>(line).unwrap()["error"].clone()
}

async fn emulator() -> Emulator {
    Emulator::start(Config {
        queued_for: Duration::from_millis(20),
        processing_for: Duration::from_millis(50),
        ..Config::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_mid_create_is_listed_and_resumed_into_one_task() {
    let emu = emulator().await;
    let (front, release) = answer_eater(&emu);
    let root = temp_dir("kill");
    let state = root.join("state");
    let mut child = command(
        &["run", "kling-3-0", "--prompt", "p", "--json"],
        &emu,
        &state,
    )
    .env("RIVYA_BASE_URL", front.url())
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Wait (bounded) until the create has made its task; its answer never comes.
    for _ in 0..400 {
        if emu.stats().tasks_created >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        emu.stats().tasks_created,
        1,
        "the create reached the server"
    );
    child.kill().unwrap(); // SIGKILL: no handler runs, nothing is printed
    child.wait().unwrap();
    drop(release);

    let pending = json(&rivya(&["history", "--pending", "--json"], &emu, &state));
    let rows = pending.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{pending}");
    assert_eq!(rows[0]["model"], "kling-3-0");
    assert_eq!(rows[0]["task_id"], Value::Null);
    let key = rows[0]["idempotency_key"].as_str().unwrap().to_owned();

    // The journal is private and never holds the API key.
    let dir = state.join("rivya").join("journal");
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for f in std::fs::read_dir(&dir).unwrap() {
        let path = f.unwrap().path();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(emu.api_key()), "{text}");
    }

    let out_dir = root.join("out");
    let out = out_dir.to_str().unwrap();
    let done = json(&rivya(
        &["resume", &key, "--out", out, "--json"],
        &emu,
        &state,
    ));
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(Path::new(done["saved"][0]["path"].as_str().unwrap()).is_file());
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, 1, "exactly one task");
    assert_eq!(
        stats.creates_replayed, 1,
        "the journalled body and key replayed it"
    );

    let all = json(&rivya(&["history", "--json"], &emu, &state));
    assert_eq!(all[0]["task_id"], done["id"]);
    assert_eq!(all[0]["state"], "done");
    let pending = json(&rivya(&["history", "--pending", "--json"], &emu, &state));
    assert_eq!(pending, Value::Array(vec![]));
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_by_task_id_waits_for_the_known_task() {
    let emu = emulator().await;
    let root = temp_dir("by-id");
    let state = root.join("state");
    let created = json(&rivya(
        &["run", "kling-3-0", "--prompt", "p", "--no-wait", "--json"],
        &emu,
        &state,
    ));
    let id = created["task"]["id"].as_str().unwrap().to_owned();
    let pending = json(&rivya(&["history", "--pending", "--json"], &emu, &state));
    assert_eq!(pending[0]["task_id"], id.as_str());
    // `rivya wait` on a journalled task finishes its entry too.
    let waited = json(&rivya(&["wait", &id, "--json"], &emu, &state));
    assert_eq!(waited["id"], id.as_str());
    let pending = json(&rivya(&["history", "--pending", "--json"], &emu, &state));
    assert_eq!(pending, Value::Array(vec![]));
    let done = json(&rivya(&["resume", &id, "--json"], &emu, &state));
    assert_eq!(done["id"], id.as_str());
    assert_eq!(emu.stats().tasks_created, 1);
    assert_eq!(
        emu.stats().creates_replayed,
        0,
        "a known task is not re-created"
    );

    let unknown = rivya(&["resume", "no-such-key", "--json"], &emu, &state);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("rivya history"));
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_with_a_reference_and_lost_answers_is_recovered_with_the_printed_key() {
    let emu = emulator().await;
    let front = create_dropper(&emu, 4);
    let root = temp_dir("ref");
    let state = root.join("state");
    let image = root.join("ref.png");
    png(&image);
    let r = format!("@{}", image.display());
    let args = [
        "run",
        "kling-3-0",
        "--prompt",
        "p",
        "--ref",
        &r,
        "--no-wait",
        "--json",
    ];
    let first = command(&args, &emu, &state)
        .env("RIVYA_BASE_URL", front.url())
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(1));
    let err = stderr_error(&first);
    let key = err["idempotency_key"]
        .as_str()
        .expect("the key is printed")
        .to_owned();
    assert_eq!(
        emu.stats().tasks_created,
        1,
        "the lost creates made one task"
    );

    // The printed key, the same command: the reference uploads as the same file (its key
    // comes from its content), so the body is the same and the server replays the task.
    let mut again = args.to_vec();
    again.extend(["--idempotency-key", &key]);
    let second = json(&rivya(&again, &emu, &state));
    assert_eq!(second["idempotency_key"], key.as_str());
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, 1, "exactly one task");
    assert_eq!(stats.files, 1, "one stored reference");

    // The same key with another prompt is refused locally, naming what differs.
    let mut other = again.clone();
    other[3] = "another prompt";
    let out = rivya(&other, &emu, &state);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_error(&out);
    assert_eq!(err["code"], "idempotency_conflict");
    assert!(err["message"].as_str().unwrap().contains("prompt"), "{err}");
    assert!(
        err["resume"]
            .as_str()
            .unwrap()
            .contains(&format!("rivya resume {key}")),
        "{err}"
    );
    assert_eq!(emu.stats().tasks_created, 1);
    std::fs::remove_dir_all(&root).unwrap();
}
