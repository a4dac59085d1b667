//! Retrying only what failed: failed items get a new attempt under a new key, succeeded items
//! are never sent again, and the ledger keeps every attempt (SQLite and PostgreSQL).

mod support;

use std::collections::HashMap;
use std::future::Future;

use rivya_batch::{Ledger, Manifest, Options, PgLedger, Pricing, SqliteLedger, manifest};
use rivya_emulator::Emulator;
use support::pg::PgServer;
use support::{TempDir, client, fast, results, stats};

fn options(dir: &std::path::Path) -> Options {
    Options {
        concurrency: 2,
        out_dir: Some(dir.to_owned()),
        ..Options::default()
    }
}

/// Task ids of the succeeded items, by key.
async fn succeeded<L: Ledger>(ledger: &L) -> HashMap<String, (Option<String>, Option<String>)> {
    ledger
        .rows()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.state == rivya_batch::ledger::State::Succeeded)
        .map(|r| (r.key, (r.task_id, r.idempotency_key)))
        .collect()
}

/// Eight attempts: each item's first, and a second for the two that failed, under a new
/// key and task, charged once.
async fn check_attempts<L: Ledger>(ledger: &L) {
    let attempts = ledger.attempts().await.unwrap();
    assert_eq!(attempts.len(), 8, "{attempts:#?}");
    let retried: Vec<_> = attempts.iter().filter(|a| a.attempt == 2).collect();
    assert_eq!(retried.len(), 2);
    for a in retried {
        let old = attempts
            .iter()
            .find(|o| o.key == a.key && o.attempt == 1)
            .unwrap();
        assert_eq!(old.error_code.as_deref(), Some("generation_failed"));
        assert_ne!(old.idempotency_key, a.idempotency_key);
        assert_ne!(old.task_id, a.task_id);
        assert_eq!(a.credits, Some(1.0));
    }
}

/// Six 1-credit items, the first two tasks fail; a retry filtered by another code resets
/// nothing, a retry by `generation_failed` finishes the batch, nothing succeeded is re-sent.
async fn scenario<L, F, Fut>(label: &str, open: F)
where
    L: Ledger,
    F: Fn() -> Fut,
    Fut: Future<Output = L>,
{
    let tmp = TempDir::new(label);
    let path = support::manifest(tmp.path(), &support::z_items(6));
    let m = manifest::load(&path, Pricing::default()).unwrap();
    let emu = Emulator::start(fast()).await.unwrap();
    emu.fail_next_tasks(2);
    let out = tmp.path().join("out");

    let first = rivya_batch::run(&m, open().await, client(&emu), options(&out), None)
        .await
        .unwrap();
    assert_eq!((first.counts.succeeded, first.counts.failed), (4, 2));
    let ledger = open().await;
    let before = succeeded(&ledger).await;
    assert_eq!(before.len(), 4);
    assert_eq!(
        ledger.retry(&["validation_failed".into()]).await.unwrap(),
        0
    );
    assert_eq!(
        ledger.retry(&["generation_failed".into()]).await.unwrap(),
        2
    );
    assert_eq!(
        ledger.retry(&[]).await.unwrap(),
        0,
        "nothing failed is left"
    );

    // What `rivya batch retry` does: the batch as the ledger holds it, no manifest needed.
    let info = ledger.batch().await.unwrap().unwrap();
    drop(ledger);
    let again = Manifest {
        items: Vec::new(),
        sha256: info.manifest_sha256,
    };
    let second = rivya_batch::run(&again, open().await, client(&emu), options(&out), None)
        .await
        .unwrap();
    assert!(second.all_succeeded(), "{second:?}");
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 8, "six items, two of them twice");
    assert_eq!(s["credits_spent"], 6.0);
    assert_eq!(s["credits_refunded"], 2.0);

    let ledger = open().await;
    let after = succeeded(&ledger).await;
    for (key, task) in &before {
        assert_eq!(
            after.get(key),
            Some(task),
            "{key} was touched after it succeeded"
        );
    }
    check_attempts(&ledger).await;
    rivya_batch::write_results(&ledger, &out.join("results.jsonl"))
        .await
        .unwrap();
    for line in results(&out.join("results.jsonl")) {
        assert_eq!(line["quoted"], serde_json::json!({"credits": 1}), "{line}");
        assert_eq!(line["credits"], 1.0);
        assert!(line["attempt"] == 1 || line["attempt"] == 2);
    }
    // Nothing failed any more: a retry resets nothing and a run sends nothing.
    assert_eq!(ledger.retry(&[]).await.unwrap(), 0);
    drop(ledger);
    rivya_batch::run(&again, open().await, client(&emu), options(&out), None)
        .await
        .unwrap();
    assert_eq!(stats(&emu).await["tasks_created"], 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_retry_reruns_only_failed_items_and_keeps_every_attempt() {
    let tmp = TempDir::new("retry-sqlite");
    let file = tmp.path().join("ledger.sqlite");
    scenario("retry-sqlite-run", || {
        let file = file.clone();
        async move { SqliteLedger::open(&file).unwrap() }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_retry_reruns_only_failed_items_and_keeps_every_attempt() {
    let Some(pg) = PgServer::start(false) else {
        return;
    };
    let url = pg.database("retry").await;
    scenario("retry-pg-run", || {
        let url = url.clone();
        async move { PgLedger::connect(&url, 2).await.unwrap() }
    })
    .await;
}
