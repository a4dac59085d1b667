//! `rivya batch`, end to end as a process: offline with --mock, killed with SIGKILL at random
//! points and resumed, two workers on one PostgreSQL ledger with one killed, bad manifests.

// The real-server helper of rivya-batch's tests, shared rather than copied.
#[allow(dead_code)]
#[path = "../../rivya-batch/tests/support/pg.rs"]
mod pg;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use rivya_emulator::{Config, Emulator, FaultRates};
use serde_json::Value;

/// A folder removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(label: &str) -> Self {
        let d = std::env::temp_dir().join(format!(
            "rivya-cli-batch-{label}-{}-{:06x}",
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

fn cmd(args: &[&str], emu: Option<&Emulator>, mock_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rivya"));
    c.args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        .env("RIVYA_MOCK_DIR", mock_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(e) = emu {
        c.env("RIVYA_BASE_URL", e.base_url())
            .env("RIVYA_API_KEY", e.api_key());
    }
    c
}

fn manifest(dir: &Path, n: usize) -> PathBuf {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"key": "shot-{i:03}", "model": "z-image", "prompt": "product {i}"}}"#)
        })
        .collect();
    let p = dir.join("m.jsonl");
    std::fs::write(&p, lines.join("\n")).unwrap();
    p
}

fn results(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn stats(emu: &Emulator) -> Value {
    reqwest::get(format!("{}/_emulator/stats", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every item recorded exactly once, each task created once, credits as charged.
async fn assert_exactly_once(emu: &Emulator, out: &Path, n: usize) -> Vec<Value> {
    let lines = results(out);
    assert_eq!(lines.len(), n);
    let ids: HashSet<&str> = lines.iter().filter_map(|l| l["task_id"].as_str()).collect();
    assert_eq!(ids.len(), n, "every item has its own task");
    let s = stats(emu).await;
    assert_eq!(s["tasks_created"], n, "no duplicate task: {s}");
    let mut spent = 0.0;
    for l in &lines {
        match l["status"].as_str() {
            Some("succeeded") => spent += l["credits"].as_f64().unwrap(),
            Some("failed") => assert_eq!(l["credits"], 0.0, "{l}"),
            other => panic!("item not settled: {other:?} {l}"),
        }
    }
    assert_eq!(s["credits_spent"].as_f64(), Some(spent), "{s}");
    lines
}

#[test]
fn a_mock_batch_of_50_finishes_writes_results_and_resumes_as_a_no_op() {
    let d = Dir::new("mock");
    let m = manifest(&d.0, 50);
    let out = d.0.join("out");
    let (m, o) = (m.to_str().unwrap(), out.to_str().unwrap());
    let mock = d.0.join("mock");
    let args = ["batch", m, "--out", o, "--mock", "--concurrency", "25"];
    let first = cmd(&args, None, &mock).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    // Not a terminal: one JSON object per line, the last one the summary.
    let events: Vec<Value> = String::from_utf8_lossy(&first.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(events[0]["event"], "started");
    let created = events.iter().filter(|e| e["event"] == "created").count();
    assert_eq!(created, 50);
    let last = events.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["counts"]["succeeded"].as_u64()),
        (Some("finished"), Some(50))
    );
    let lines = results(&out);
    assert_eq!(lines.len(), 50);
    assert!(lines.iter().all(|l| l["status"] == "succeeded"));
    let again = cmd(&args, None, &mock).output().unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(results(&out), lines, "a finished batch is left as it was");
    let status = cmd(&["batch", "status", o], None, &mock).output().unwrap();
    let counts: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        (counts["succeeded"].as_u64(), counts["total"].as_u64()),
        (Some(50), Some(50))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_twenty_times_at_random_and_resumed_nothing_is_paid_twice_or_lost() {
    let d = Dir::new("kill");
    let m = manifest(&d.0, 200);
    let out = d.0.join("out");
    let emu = Emulator::start(Config {
        seed: 11,
        queued_for: Duration::ZERO,
        processing_for: Duration::ZERO,
        faults: FaultRates {
            rate_limited: 0.02,
            unavailable: 0.05,
            drop_after_create: 0.1,
            task_failure: 0.05,
            ..FaultRates::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let (m, o) = (m.to_str().unwrap(), out.to_str().unwrap());
    // The rate limit (kept in the ledger across restarts) stretches the batch over several
    // seconds, so the kills land mid-run rather than after an instant batch has finished.
    let args = [
        "batch",
        m,
        "--out",
        o,
        "--concurrency",
        "16",
        "--rate",
        "40",
    ];
    let mut killed_running = 0;
    for _ in 0..20 {
        let mut child: Child = cmd(&args, Some(&emu), &d.0).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(fastrand::u64(30..300))).await;
        if child.try_wait().unwrap().is_none() {
            killed_running += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let last = cmd(&args, Some(&emu), &d.0).output().unwrap();
    // Some tasks fail on purpose: exit 2, every item recorded.
    assert_eq!(last.status.code(), Some(2), "{}", stderr(&last));
    let lines = assert_exactly_once(&emu, &out, 200).await;
    let failed = lines.iter().filter(|l| l["status"] == "failed").count();
    let s = stats(&emu).await;
    eprintln!(
        "kill/resume: {killed_running} of 20 kills hit a running batch; {failed} tasks failed on purpose; {} creates replayed; stats {s}",
        s["creates_replayed"]
    );
    assert!(
        killed_running >= 15,
        "most kills must land mid-run: {killed_running}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_ledger_one_killed_midway() {
    let Some(server) = pg::PgServer::start(false) else {
        return;
    };
    let url = server.url("postgres");
    let d = Dir::new("pg");
    let m = manifest(&d.0, 120);
    let emu = Emulator::start(Config {
        queued_for: Duration::from_millis(50),
        processing_for: Duration::from_millis(150),
        faults: FaultRates {
            drop_after_create: 0.05,
            ..FaultRates::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let m = m.to_str().unwrap();
    let (oa, ob) = (d.0.join("a"), d.0.join("b"));
    let run = |o: &Path| {
        let o = o.to_str().unwrap().to_owned();
        let args = [
            "batch",
            m,
            "--out",
            &o,
            "--ledger",
            &url,
            "--concurrency",
            "8",
            "--lease-secs",
            "2",
        ];
        cmd(&args, Some(&emu), &d.0).spawn().unwrap()
    };
    let mut a = run(&oa);
    let b = run(&ob);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill().unwrap();
    a.wait().unwrap();
    let b = b.wait_with_output().unwrap();
    assert!(b.status.success(), "{}", stderr(&b));
    // The survivor wrote results.jsonl with every item, including the dead worker's.
    assert_exactly_once(&emu, &ob, 120).await;
    let status = cmd(&["batch", "status", "--ledger", &url], None, &d.0)
        .output()
        .unwrap();
    let counts: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(counts["succeeded"], 120, "{counts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_workers_sharing_one_out_both_exit_0() {
    let Some(server) = pg::PgServer::start(false) else {
        return;
    };
    let url = server.database("shared_out").await;
    let d = Dir::new("pg-shared");
    let m = manifest(&d.0, 60);
    let emu = Emulator::start(Config {
        queued_for: Duration::from_millis(5),
        processing_for: Duration::from_millis(20),
        ..Config::default()
    })
    .await
    .unwrap();
    let (m, out) = (m.to_str().unwrap(), d.0.join("out"));
    let o = out.to_str().unwrap();
    let args = [
        "batch",
        m,
        "--out",
        o,
        "--ledger",
        &url,
        "--concurrency",
        "4",
    ];
    // Both finish at about the same time and rewrite results.jsonl together.
    let workers: Vec<_> = (0..2)
        .map(|_| cmd(&args, Some(&emu), &d.0).spawn().unwrap())
        .collect();
    for w in workers {
        let done = w.wait_with_output().unwrap();
        assert!(done.status.success(), "{}", stderr(&done));
    }
    assert_exactly_once(&emu, &out, 60).await;
}

#[test]
fn a_bad_manifest_fails_with_line_numbers_and_sends_nothing() {
    let d = Dir::new("bad");
    let p = d.0.join("m.jsonl");
    std::fs::write(
        &p,
        "{\"key\": \"a\", \"model\": \"z-image\", \"prompt\": \"ok\"}\n{\"key\": \"a\", \"model\": \"nope\"}\n",
    )
    .unwrap();
    let out = d.0.join("out");
    let args = [
        "batch",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--mock",
    ];
    let o = cmd(&args, None, &d.0.join("mock")).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("line 2: key: duplicate key `a`"), "{err}");
    assert!(err.contains("line 2: model: unknown model `nope`"), "{err}");
    assert!(!out.join("ledger.sqlite").exists(), "nothing started");
}

#[test]
fn nonsense_limits_are_usage_errors() {
    let d = Dir::new("limits");
    let m = manifest(&d.0, 1);
    let out = d.0.join("out");
    for (flag, value) in [
        ("--rate", "0"),
        ("--rate", "-2"),
        ("--budget", "-1"),
        ("--metered-allowance", "NaN"),
    ] {
        let limit = format!("{flag}={value}");
        let args = [
            "batch",
            m.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--mock",
            &limit,
        ];
        let o = cmd(&args, None, &d.0.join("mock")).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{}", stderr(&o));
    }
}
