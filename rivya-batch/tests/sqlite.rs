//! The batch engine with the SQLite ledger (real files) against the emulator over loopback.

mod support;

use rivya_batch::{Ledger, Limits, Options, Pricing, SqliteLedger, manifest, write_results};
use rivya_emulator::{Config, Emulator, Fault};
use support::{TempDir, client, fast, results, stats};

fn options(dir: &std::path::Path) -> Options {
    Options {
        concurrency: 4,
        out_dir: Some(dir.to_owned()),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_once_uploads_each_reference_once_and_resumes_without_paying_twice() {
    let tmp = TempDir::new("once");
    std::fs::write(tmp.path().join("ref.png"), support::PNG).unwrap();
    std::fs::write(tmp.path().join("same.png"), support::PNG).unwrap();
    let mut lines = support::z_items(8);
    for i in 0..4 {
        let file = if i % 2 == 0 { "ref.png" } else { "same.png" };
        lines.push(format!(
            r#"{{"key": "ref-{i}", "model": "nano-banana", "prompt": "with a reference {i}", "refs": ["{file}"]}}"#
        ));
    }
    let path = support::manifest(tmp.path(), &lines);
    let m = manifest::load(&path, Pricing::default()).unwrap();
    let emu = Emulator::start(fast()).await.unwrap();
    let out = tmp.path().join("out");
    let ledger_path = tmp.path().join("ledger.sqlite");
    let ledger = SqliteLedger::open(&ledger_path).unwrap();
    let summary = rivya_batch::run(&m, ledger, client(&emu), options(&out), None)
        .await
        .unwrap();
    assert_eq!(summary.counts.succeeded, 12, "{summary:?}");
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 12);
    assert_eq!(
        s["files"], 1,
        "one upload for two paths with the same content"
    );
    let expected = 8.0
        + 4.0
            * f64::from(
                rivya_models::catalog::find("nano-banana")
                    .unwrap()
                    .base_credits,
            );
    assert_eq!(s["credits_spent"], expected);
    assert_eq!(summary.counts.credits_spent, expected);

    // The second run finds everything done: no request that creates anything.
    let ledger = SqliteLedger::open(&ledger_path).unwrap();
    let again = rivya_batch::run(&m, ledger, client(&emu), options(&out), None)
        .await
        .unwrap();
    assert_eq!(again.batch, summary.batch);
    assert_eq!(again.counts.succeeded, 12);
    let s = stats(&emu).await;
    assert_eq!(
        (s["tasks_created"].as_u64(), s["creates_replayed"].as_u64()),
        (Some(12), Some(0))
    );

    let ledger = SqliteLedger::open(&ledger_path).unwrap();
    let results_path = out.join("results.jsonl");
    write_results(&ledger, &results_path).await.unwrap();
    let lines = results(&results_path);
    assert_eq!(lines.len(), 12);
    for l in &lines {
        assert_eq!(l["status"], "succeeded", "{l}");
        let f = &l["files"][0];
        let bytes = std::fs::read(f["path"].as_str().unwrap()).unwrap();
        assert_eq!(f["size"], bytes.len());
        assert_eq!(f["sha256"], rivya_batch::keys::sha256_hex(&bytes));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_is_never_passed_and_refunds_come_back() {
    let tmp = TempDir::new("budget");
    let lines: Vec<String> = (0..5)
        .map(|i| format!(r#"{{"key": "k{i}", "model": "kling-3-0", "prompt": "shot {i}"}}"#))
        .collect();
    let m = manifest::load(&support::manifest(tmp.path(), &lines), Pricing::default()).unwrap();
    let emu = Emulator::start(fast()).await.unwrap();
    // The first task fails and is refunded: its 90 credits come back to the budget.
    emu.fail_next_tasks(1);
    let ledger = SqliteLedger::open(&tmp.path().join("l.sqlite")).unwrap();
    let opts = Options {
        concurrency: 1,
        limits: Limits {
            budget: Some(200.0),
            rate: None,
        },
        ..options(tmp.path())
    };
    let summary = rivya_batch::run(&m, ledger, client(&emu), opts, None)
        .await
        .unwrap();
    let c = &summary.counts;
    assert_eq!((c.succeeded, c.failed, c.over_budget), (2, 1, 2), "{c:?}");
    assert_eq!(c.credits_spent, 180.0);
    assert!(c.credits_committed <= 200.0);
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 3);
    assert_eq!(s["credits_spent"], 180.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_dropped_answers_neither_duplicate_nor_lose_tasks() {
    let tmp = TempDir::new("faults");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(30)),
        Pricing::default(),
    )
    .unwrap();
    let emu = Emulator::start(Config {
        seed: 7,
        faults: rivya_emulator::FaultRates {
            unavailable: 0.1,
            drop_after_create: 0.2,
            ..Default::default()
        },
        ..fast()
    })
    .await
    .unwrap();
    emu.inject([Fault::RateLimited {
        retry_after_secs: 1,
    }]);
    let ledger = SqliteLedger::open(&tmp.path().join("l.sqlite")).unwrap();
    let opts = Options {
        concurrency: 8,
        limits: Limits {
            budget: None,
            rate: Some(200.0),
        },
        ..options(tmp.path())
    };
    let summary = rivya_batch::run(&m, ledger, client(&emu), opts, None)
        .await
        .unwrap();
    assert_eq!(summary.counts.succeeded, 30, "{summary:?}");
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 30);
    assert!(s["creates_replayed"].as_u64().unwrap() > 0, "{s}");
    assert_eq!(s["credits_spent"], 30.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_cannot_open_a_ledger_in_use() {
    let tmp = TempDir::new("lock");
    let path = tmp.path().join("l.sqlite");
    let _first = SqliteLedger::open(&path).unwrap();
    let err = SqliteLedger::open(&path).unwrap_err();
    assert!(err.to_string().contains("in use by another"), "{err}");
    // Reading it for a status report still works.
    SqliteLedger::open_read_only(&path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_out_of_credits_stops_the_batch_and_keeps_what_was_paid() {
    let tmp = TempDir::new("credits");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(12)),
        Pricing::default(),
    )
    .unwrap();
    let emu = Emulator::start(Config {
        credits: 5.0,
        ..fast()
    })
    .await
    .unwrap();
    let path = tmp.path().join("l.sqlite");
    let opts = Options {
        concurrency: 1,
        ..options(tmp.path())
    };
    let err = rivya_batch::run(
        &m,
        SqliteLedger::open(&path).unwrap(),
        client(&emu),
        opts,
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("insufficient_credits"), "{err}");
    let ledger = SqliteLedger::open(&path).unwrap();
    let c = ledger.counts().await.unwrap();
    assert_eq!((c.succeeded, c.running, c.pending), (5, 1, 6), "{c:?}");
    assert_eq!(stats(&emu).await["tasks_created"], 5);
}

#[test]
fn a_ledger_from_a_newer_version_is_refused() {
    let tmp = TempDir::new("schema");
    let path = tmp.path().join("l.sqlite");
    drop(SqliteLedger::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteLedger::open(&path).unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");
}
