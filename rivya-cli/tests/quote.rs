//! Prices before paying: `rivya quote` against what the emulator really charges for every
//! shipped page example, `rivya run --body`, `rivya batch --dry-run` (nothing sent), and
//! `rivya batch retry` (only what failed, until every item succeeded).

// The real-server helper of rivya-batch's tests, shared rather than copied.
#[allow(dead_code)]
#[path = "../../rivya-batch/tests/support/pg.rs"]
mod pg;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rivya_emulator::{Config, Emulator};
use rivya_models::catalog;
use serde_json::{Value, json};

/// A folder removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(label: &str) -> Self {
        let d = std::env::temp_dir().join(format!(
            "rivya-cli-quote-{label}-{}-{:06x}",
            std::process::id(),
            fastrand::u32(..1 << 24)
        ));
        std::fs::create_dir_all(&d).unwrap();
        Self(d)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `rivya args…` with its journal and mock state in `dir`, against `emu` when given (else
/// with no key and no base URL at all).
fn rivya(args: &[&str], emu: Option<&Emulator>, dir: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rivya"));
    c.args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("RIVYA_MOCK_DIR", dir.join("mock"))
        .stdin(Stdio::null());
    if let Some(e) = emu {
        c.env("RIVYA_BASE_URL", e.base_url())
            .env("RIVYA_API_KEY", e.api_key());
    }
    c.output().unwrap()
}

fn ok_json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON document on stdout")
}

fn fast() -> Config {
    Config {
        queued_for: Duration::from_millis(5),
        processing_for: Duration::from_millis(10),
        ..Config::default()
    }
}

async fn stats(emu: &Emulator) -> Value {
    reqwest::get(format!("{}/_emulator/stats", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The task, once the emulator says it is over.
async fn finished(emu: &Emulator, id: &str) -> Value {
    let http = reqwest::Client::new();
    loop {
        let t: Value = http
            .get(format!("{}/api/v1/generations/{id}", emu.base_url()))
            .bearer_auth(emu.api_key())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if t["status"] == "succeeded" || t["status"] == "failed" {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Every shipped page example: the quote (offline, no key) equals the charge of `rivya run
/// --body` for FIXED models and bounds it for METERED ones; a chat example's quote bounds
/// what its turn keeps and names what it reserves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_example_is_quoted_as_the_emulator_charges() {
    let dir = Dir::new("examples");
    let emu = Emulator::start(fast()).await.unwrap();
    std::fs::write(dir.0.join("a.png"), PNG).unwrap();
    let mut checked = 0;
    for info in catalog::all() {
        let examples = [
            ("minimal", info.minimal_example),
            ("reference", info.reference_example),
        ];
        for (which, text) in examples {
            let Some(text) = text else { continue };
            let file = dir.0.join(format!("{}.{which}.json", info.id));
            std::fs::write(&file, text).unwrap();
            let path = file.to_str().unwrap();
            let q = ok_json(&rivya(&["quote", "--body", path, "--json"], None, &dir.0));
            assert_eq!(q["model"], info.id);
            let what = format!("{} {which}: quote {q}", info.id);
            let before = stats(&emu).await;
            let charged = if info.is_chat() {
                chat_charge(&emu, &dir.0, text, &q, &what).await
            } else {
                let run = ok_json(&rivya(
                    &["run", "--body", path, "--no-wait", "--json"],
                    Some(&emu),
                    &dir.0,
                ));
                let id = run["task"]["id"].as_str().unwrap().to_owned();
                let task = finished(&emu, &id).await;
                assert_eq!(task["status"], "succeeded", "{what}: {task}");
                let spent = stats(&emu).await["credits_spent"].as_f64().unwrap()
                    - before["credits_spent"].as_f64().unwrap();
                assert_eq!(task["final_credits"].as_f64(), Some(spent), "{what}");
                spent
            };
            match (q.get("credits"), q["max"].as_f64()) {
                (Some(c), _) => assert_eq!(c.as_f64(), Some(charged), "{what}"),
                (None, Some(max)) => {
                    let min = q["min"].as_f64().unwrap();
                    assert!(
                        min <= charged && charged <= max,
                        "{what}: charged {charged}"
                    );
                }
                (None, None) => {
                    assert_eq!(info.billing.as_str(), "METERED", "{what}");
                    assert!(q["min"].as_f64().unwrap() <= charged, "{what}: {charged}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} examples");
}

/// Sends the chat example as `rivya chat` would (its attachments as uploaded images) and
/// returns what the turn kept; the reservation must be the quote's most.
async fn chat_charge(emu: &Emulator, dir: &Path, text: &str, q: &Value, what: &str) -> f64 {
    let body: Value = serde_json::from_str(text).unwrap();
    let mut args = vec!["chat", body["model"].as_str().unwrap()];
    args.push(body["message"].as_str().unwrap());
    let png = dir.join("a.png");
    let n = body["attachments"].as_array().map_or(0, Vec::len);
    for _ in 0..n {
        args.extend(["--attach", png.to_str().unwrap()]);
    }
    args.extend(["--no-stream", "--json"]);
    let before = stats(emu).await["chat_credits_spent"].as_f64().unwrap();
    let turn = ok_json(&rivya(&args, Some(emu), dir));
    assert_eq!(
        turn["credits"]["reserved"].as_f64(),
        q["max"].as_f64(),
        "{what}"
    );
    let kept = stats(emu).await["chat_credits_spent"].as_f64().unwrap() - before;
    assert_eq!(turn["credits"]["final"].as_f64(), Some(kept), "{what}");
    kept
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

#[test]
fn quote_prices_offline_and_refuses_bad_requests_with_every_violation() {
    let dir = Dir::new("offline");
    let q = ok_json(&rivya(
        &[
            "quote",
            "kling-3-0",
            "--prompt",
            "p",
            "duration=10",
            "--json",
        ],
        None,
        &dir.0,
    ));
    assert_eq!(q, json!({"model": "kling-3-0", "credits": 90}));
    let bad = dir.0.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"model": "kling-3-0", "params": {"duration": "99", "bogus": 1}}"#,
    )
    .unwrap();
    let o = rivya(
        &["quote", "--body", bad.to_str().unwrap(), "--json"],
        None,
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    for v in ["prompt", "params.duration", "params.bogus"] {
        assert!(err.contains(v), "{v} missing: {err}");
    }
    let chat = catalog::all().iter().find(|m| m.is_chat()).unwrap();
    let q = ok_json(&rivya(
        &["quote", chat.id, "--message", "hello", "--json"],
        None,
        &dir.0,
    ));
    assert_eq!(q["min"], 1);
    assert!(q["max"].as_u64().unwrap() >= u64::from(chat.base_credits));
    let usage = rivya(&["quote", "kling-3-0", "--body", "x.json"], None, &dir.0);
    assert_eq!(usage.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prices_the_batch_and_sends_nothing() {
    let dir = Dir::new("dry");
    let emu = Emulator::start(fast()).await.unwrap();
    let m = dir.0.join("m.jsonl");
    std::fs::write(
        &m,
        "{\"key\": \"a\", \"model\": \"z-image\", \"prompt\": \"x\"}\n\
         {\"key\": \"b\", \"model\": \"kling-3-0\", \"prompt\": \"y\", \"params\": {\"duration\": \"10\"}}\n\
         {\"key\": \"c\", \"model\": \"gpt-5-2-chat\", \"message\": \"hi\"}\n",
    )
    .unwrap();
    let out = dir.0.join("out");
    // A base URL but no key: a dry run needs none, and must not call the API.
    let o = Command::new(env!("CARGO_BIN_EXE_rivya"))
        .args(["batch", m.to_str().unwrap(), "--dry-run", "--json"])
        .args(["--out", out.to_str().unwrap(), "--budget", "50"])
        .env_remove("RIVYA_API_KEY")
        .env("RIVYA_BASE_URL", emu.base_url())
        .output()
        .unwrap();
    let r = ok_json(&o);
    let quoted: Vec<&Value> = r["items"].as_array().unwrap().iter().collect();
    assert_eq!(quoted[0]["quoted"], json!({"credits": 1}));
    assert_eq!(quoted[1]["quoted"], json!({"credits": 90}));
    assert_eq!(quoted[2]["quoted"]["min"], 1);
    let chat_max = quoted[2]["quoted"]["max"].as_u64().unwrap();
    assert_eq!(r["total"]["min"], 92);
    assert_eq!(r["total"]["max"], 91 + chat_max);
    assert_eq!(r["within_budget"], false);
    assert!(!out.exists(), "a dry run makes no folder and no ledger");
    let s = stats(&emu).await;
    assert_eq!(
        (s["tasks_created"].as_u64(), s["requests"].as_u64()),
        (Some(0), Some(0))
    );

    // A bad line: exit 1, every problem, still nothing sent.
    std::fs::write(
        &m,
        "{\"model\": \"z-image\"}\n{\"model\": \"nope\", \"prompt\": \"p\"}\n",
    )
    .unwrap();
    let o = rivya(&["batch", m.to_str().unwrap(), "--dry-run"], None, &dir.0);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 1") && err.contains("line 2"), "{err}");
}

fn results(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Items that had succeeded keep their first attempt and task; the failed ones are a second
/// attempt with a new key and task; each is charged its quote.
fn unchanged_unless_failed(before: &[Value], after: &[Value]) {
    for (b, a) in before.iter().zip(after) {
        if b["status"] == "succeeded" {
            assert_eq!((&a["task_id"], &a["attempt"]), (&b["task_id"], &json!(1)));
        } else {
            assert_eq!(a["attempt"], 2);
            assert_ne!(a["idempotency_key"], b["idempotency_key"]);
            assert_ne!(a["task_id"], b["task_id"]);
        }
        assert_eq!(a["credits"], a["quoted"]["credits"].as_f64().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_ends_a_failing_batch_with_every_item_succeeded_paying_nothing_twice() {
    let dir = Dir::new("retry");
    let emu = Emulator::start(fast()).await.unwrap();
    emu.fail_next_tasks(3);
    let lines: Vec<String> = (0..8)
        .map(|i| format!(r#"{{"key": "s{i}", "model": "z-image", "prompt": "p {i}"}}"#))
        .collect();
    let m = dir.0.join("m.jsonl");
    std::fs::write(&m, lines.join("\n")).unwrap();
    let out = dir.0.join("out");
    let (m, out_s) = (m.to_str().unwrap(), out.to_str().unwrap());
    let first = rivya(&["batch", m, "--out", out_s, "--json"], Some(&emu), &dir.0);
    assert_eq!(first.status.code(), Some(2), "some items failed");
    let before = results(&out);
    let failed: Vec<&Value> = before.iter().filter(|r| r["status"] == "failed").collect();
    assert_eq!(failed.len(), 3);
    for r in &before {
        assert_eq!(r["quoted"], json!({"credits": 1}), "{r}");
        assert_eq!(r["attempt"], 1);
    }
    assert!(
        failed
            .iter()
            .all(|r| r["error_code"] == "generation_failed")
    );

    // Another code: nothing is reset, the batch is still not done.
    let o = rivya(
        &[
            "batch",
            "retry",
            out_s,
            "--codes",
            "validation_failed",
            "--json",
        ],
        Some(&emu),
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stats(&emu).await["tasks_created"], 8);

    let o = rivya(
        &[
            "batch",
            "retry",
            out_s,
            "--codes",
            "generation_failed",
            "--json",
        ],
        Some(&emu),
        &dir.0,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let after = results(&out);
    assert!(after.iter().all(|r| r["status"] == "succeeded"));
    unchanged_unless_failed(&before, &after);
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 11, "eight items, three of them twice");
    assert_eq!(s["tasks_failed"], 3);
    assert_eq!(s["credits_spent"], 8.0);

    // Done: another retry sends nothing and exits 0.
    let o = rivya(&["batch", "retry", out_s, "--json"], Some(&emu), &dir.0);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stats(&emu).await["tasks_created"], 11);
    let none = rivya(
        &["batch", "retry", dir.0.join("nope").to_str().unwrap()],
        Some(&emu),
        &dir.0,
    );
    assert_eq!(none.status.code(), Some(1));
}

/// `run --body -` reads the body from stdin, appends `--ref` files to the references it lists
/// (the journal keeps the exact body sent), and refuses a bad body before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_body_from_stdin_appends_refs_and_refuses_bad_bodies() {
    use std::io::Write;
    let dir = Dir::new("run-body");
    let emu = Emulator::start(fast()).await.unwrap();
    std::fs::write(dir.0.join("a.png"), PNG).unwrap();
    let body = catalog::find("nano-banana")
        .unwrap()
        .reference_example
        .unwrap();
    let png = dir.0.join("a.png");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rivya"))
        .args(["run", "--body", "-", "--no-wait", "--json", "--ref"])
        .arg(&png)
        .env("XDG_STATE_HOME", dir.0.join("state"))
        .env("RIVYA_BASE_URL", emu.base_url())
        .env("RIVYA_API_KEY", emu.api_key())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let run = ok_json(&child.wait_with_output().unwrap());
    assert_eq!(run["task"]["model"], "nano-banana");
    // The journal entry holds the exact body sent.
    let journal = dir.0.join("state/rivya/journal");
    let sent: String = std::fs::read_dir(&journal)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(
        sent.contains("cdn.example.com/reference-image.png"),
        "{sent}"
    );
    assert!(
        sent.contains("/files-content/"),
        "the uploaded --ref follows: {sent}"
    );

    let bad = dir.0.join("bad.json");
    std::fs::write(&bad, r#"{"model": "z-image", "params": {"nope": 1}}"#).unwrap();
    let o = rivya(
        &["run", "--body", bad.to_str().unwrap(), "--json"],
        Some(&emu),
        &dir.0,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("prompt") && err.contains("params.nope"),
        "{err}"
    );
    assert_eq!(stats(&emu).await["tasks_created"], 1);
}

/// The same with the ledger in PostgreSQL: `retry --ledger URL` finds the batch there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_with_a_postgres_ledger() {
    let Some(server) = pg::PgServer::start(false) else {
        return;
    };
    let url = server.database("retry_cli").await;
    let dir = Dir::new("retry-pg");
    let emu = Emulator::start(fast()).await.unwrap();
    emu.fail_next_tasks(2);
    let lines: Vec<String> = (0..4)
        .map(|i| format!(r#"{{"key": "p{i}", "model": "z-image", "prompt": "p {i}"}}"#))
        .collect();
    let m = dir.0.join("m.jsonl");
    std::fs::write(&m, lines.join("\n")).unwrap();
    let out = dir.0.join("out");
    let (m, out) = (m.to_str().unwrap(), out.to_str().unwrap());
    let run = ["batch", m, "--out", out, "--ledger", &url, "--json"];
    assert_eq!(rivya(&run, Some(&emu), &dir.0).status.code(), Some(2));
    let retry = ["batch", "retry", out, "--ledger", &url, "--json"];
    let o = rivya(&retry, Some(&emu), &dir.0);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = stats(&emu).await;
    assert_eq!(
        (s["tasks_created"].as_u64(), s["tasks_failed"].as_u64()),
        (Some(6), Some(2))
    );
    assert_eq!(s["credits_spent"], 4.0);
}
