//! `cargo bench -p rivya-batch`: 10,000 instant items (RIVYA_BENCH_ITEMS to change) against
//! the emulator at concurrency 64 — wall time, client CPU per item, peak RSS — with the SQLite
//! and the PostgreSQL ledger, and the ledgers' own write rates without HTTP.
//!
//! The emulator runs in this process on its own runtime (threads named `emulator`); client
//! CPU is the CPU time of the client runtime's threads (`client…`, blocking pool included),
//! read from /proc. Peak RSS is the whole process's, emulator included: an upper bound for
//! the client. PostgreSQL runs as a separate server (fsync on), so its CPU is not counted.

#[allow(dead_code)]
#[path = "../tests/support/pg.rs"]
mod pg;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rivya_batch::{Ledger, Options, PgLedger, Pricing, SqliteLedger, keys, manifest};
use rivya_emulator::{Config, Emulator};
use rivya_runtime::ClientBuilder;
use tokio::runtime::Runtime;

const CONCURRENCY: usize = 64;

fn main() {
    let n: usize = std::env::var("RIVYA_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let tmp = std::env::temp_dir().join(format!("rivya-batch-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let emu_rt = runtime("emulator", 1);
    let emu = emu_rt
        .block_on(Emulator::start(Config {
            queued_for: Duration::ZERO,
            processing_for: Duration::ZERO,
            credits: 1e12,
            ..Config::default()
        }))
        .unwrap();
    let client_rt = runtime("client", 2);
    println!("{n} instant items, concurrency {CONCURRENCY}");

    let m = manifest_of(&tmp.join("sqlite"), n);
    let ledger = SqliteLedger::open(&tmp.join("sqlite/ledger.sqlite")).unwrap();
    batch(
        &client_rt,
        &emu,
        &m,
        ledger,
        Some(&tmp.join("sqlite")),
        "SQLite ledger",
    );
    println!(
        "peak RSS after it: {:.1} MiB (client and the emulator holding {n} tasks)",
        peak_rss_kib() as f64 / 1024.0
    );
    // The same without saving files: the engine and ledger alone, without the download
    // helper's file work (open, write, fsync, re-read for the hash, rename).
    let m = manifest_of(&tmp.join("nofiles"), n);
    let ledger = SqliteLedger::open(&tmp.join("nofiles/ledger.sqlite")).unwrap();
    batch(
        &client_rt,
        &emu,
        &m,
        ledger,
        None,
        "SQLite ledger, no files saved",
    );
    let writes = ledger_writes(
        &client_rt,
        SqliteLedger::open(&tmp.join("w.sqlite")).unwrap(),
        n,
    );
    println!("SQLite ledger: {writes:.0} writes/s (claim, reserve, task id, finish; 64 workers)");

    match pg::PgServer::start(true) {
        Some(server) => {
            let url = client_rt.block_on(server.database("bench"));
            let m = manifest_of(&tmp.join("pg"), n);
            let ledger = client_rt.block_on(PgLedger::connect(&url, 8)).unwrap();
            batch(
                &client_rt,
                &emu,
                &m,
                ledger,
                Some(&tmp.join("pg")),
                "PostgreSQL ledger",
            );
            let url = client_rt.block_on(server.database("writes"));
            let ledger = client_rt.block_on(PgLedger::connect(&url, 8)).unwrap();
            let writes = ledger_writes(&client_rt, ledger, n);
            println!("PostgreSQL ledger: {writes:.0} writes/s (fsync on, 8 connections)");
        }
        None => println!("PostgreSQL: skipped (no server binaries)"),
    }
    println!(
        "peak RSS at the end: {:.1} MiB (whole process; the emulator then holds every run's tasks)",
        peak_rss_kib() as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

fn runtime(name: &str, threads: usize) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        // Blocking-pool threads (SQLite calls) must live until their CPU time is read.
        .thread_keep_alive(Duration::from_secs(3600))
        .enable_all()
        .build()
        .unwrap()
}

fn manifest_of(dir: &Path, n: usize) -> manifest::Manifest {
    std::fs::create_dir_all(dir).unwrap();
    let text: String = (0..n)
        .map(|i| format!("{{\"key\": \"item-{i:05}\", \"model\": \"z-image\", \"prompt\": \"picture {i}\"}}\n"))
        .collect();
    let path = dir.join("m.jsonl");
    std::fs::write(&path, text).unwrap();
    manifest::load(&path, Pricing::default()).unwrap()
}

/// Runs the whole batch (uploads none, creates, downloads) and prints its numbers.
fn batch<L: Ledger>(
    rt: &Runtime,
    emu: &Emulator,
    m: &manifest::Manifest,
    ledger: L,
    out: Option<&Path>,
    name: &str,
) {
    let client = ClientBuilder::default()
        .api_key(emu.api_key())
        .base_url(emu.base_url());
    let options = Options {
        concurrency: CONCURRENCY,
        out_dir: out.map(|o| PathBuf::from(o).join("files")),
        ..Options::default()
    };
    let cpu0 = client_cpu();
    let t0 = Instant::now();
    let summary = rt
        .block_on(rivya_batch::run(m, ledger, client, options, None))
        .unwrap();
    let wall = t0.elapsed();
    let cpu = client_cpu() - cpu0;
    assert_eq!(summary.counts.succeeded as usize, m.items.len());
    let n = m.items.len() as f64;
    println!(
        "{name}, end to end: wall {:.2} s ({:.0} items/s), client CPU {:.0} µs/item",
        wall.as_secs_f64(),
        n / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / n
    );
}

/// Writes per second of the ledger alone: 64 workers claim, reserve, record a task id and
/// finish every item (4 writes each).
fn ledger_writes<L: Ledger>(rt: &Runtime, ledger: L, n: usize) -> f64 {
    let dir = std::env::temp_dir().join(format!("rivya-batch-bench-w-{}", fastrand::u32(..)));
    let m = manifest_of(&dir, n);
    let ledger = Arc::new(ledger);
    let t0 = Instant::now();
    rt.block_on(async {
        let batch = ledger
            .open(&m.sha256, &m.items, Default::default())
            .await
            .unwrap();
        let mut set = tokio::task::JoinSet::new();
        for w in 0..CONCURRENCY {
            let (ledger, batch_id) = (ledger.clone(), batch.id.clone());
            set.spawn(async move {
                let me = format!("w{w}");
                let lease = Duration::from_secs(60);
                while let Some(row) = ledger.claim(&me, lease).await.unwrap() {
                    let idem = keys::create_key(&batch_id, &row.key);
                    ledger.reserve(&row.key, &me, &idem, "{}").await.unwrap();
                    let id = format!("task-{}", row.key);
                    ledger
                        .set_task(&row.key, &me, &id, "queued", Some(1.0))
                        .await
                        .unwrap();
                    let done = rivya_batch::ledger::Outcome {
                        state: rivya_batch::ledger::State::Succeeded,
                        status: Some("succeeded".into()),
                        credits: 1.0,
                        files: Vec::new(),
                        error: None,
                        code: None,
                    };
                    ledger.finish(&row.key, &me, &done).await.unwrap();
                }
            });
        }
        while set.join_next().await.is_some() {}
    });
    let _ = std::fs::remove_dir_all(&dir);
    (4 * n) as f64 / t0.elapsed().as_secs_f64()
}

/// CPU time (user + system) of this process's threads named `client…`.
fn client_cpu() -> Duration {
    let tick = 100.0; // USER_HZ on Linux
    let mut total = 0u64;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if !comm.starts_with("client") {
            continue;
        }
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised name: state is 3rd, utime 14th, stime 15th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ut: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
        let st: u64 = f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
        total += ut + st;
    }
    Duration::from_secs_f64(total as f64 / tick)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
