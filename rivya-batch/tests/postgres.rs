//! The batch engine with the PostgreSQL ledger, on a real server started for the test.

mod support;

use std::time::Duration;

use rivya_batch::ledger::Reserve;
use rivya_batch::{Ledger, Limits, Options, PgLedger, Pricing, keys, manifest};
use rivya_emulator::Emulator;
use support::pg::PgServer;
use support::{TempDir, client, fast, stats};

fn options(worker: &str) -> Options {
    Options {
        concurrency: 4,
        lease: Duration::from_millis(600),
        worker: worker.to_owned(),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_share_one_batch_and_take_over_a_dead_workers_item_with_its_key() {
    let Some(pg) = PgServer::start(false) else {
        return;
    };
    let url = pg.database("shared").await;
    let tmp = TempDir::new("pg-shared");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(40)),
        Pricing::default(),
    )
    .unwrap();
    let emu = Emulator::start(fast()).await.unwrap();

    // A worker that claims an item, writes its key, sends the create, and dies before
    // recording the task id.
    let dead = PgLedger::connect(&url, 1).await.unwrap();
    let batch = dead
        .open(&m.sha256, &m.items, Limits::default())
        .await
        .unwrap();
    let row = dead
        .claim("dead", Duration::from_millis(300))
        .await
        .unwrap()
        .unwrap();
    let idem = keys::create_key(&batch.id, &row.key);
    let body = row.request.to_string();
    assert_eq!(
        dead.reserve(&row.key, "dead", &idem, &body).await.unwrap(),
        Reserve::Go
    );
    let sent = client(&emu).build().unwrap();
    let first = sent
        .create_value(&row.request, Some(idem.clone()))
        .await
        .unwrap();
    drop(dead);

    // Two live workers finish the batch together.
    let a = PgLedger::connect(&url, 2).await.unwrap();
    let b = PgLedger::connect(&url, 2).await.unwrap();
    let (ra, rb) = tokio::join!(
        rivya_batch::run(&m, a, client(&emu), options("a"), None),
        rivya_batch::run(&m, b, client(&emu), options("b"), None),
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.batch, batch.id);
    assert_eq!(rb.counts.succeeded, 40, "{rb:?}");
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 40, "{s}");
    assert_eq!(
        s["creates_replayed"], 1,
        "the dead worker's create was replayed"
    );
    assert_eq!(s["credits_spent"], 40.0);

    let check = PgLedger::connect(&url, 1).await.unwrap();
    let rows = check.rows().await.unwrap();
    let taken = rows.iter().find(|r| r.key == row.key).unwrap();
    assert_eq!(taken.task_id.as_deref(), Some(first.task.id.as_str()));
    assert_eq!(taken.idempotency_key.as_deref(), Some(idem.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_and_rate_hold_for_all_workers_together() {
    let Some(pg) = PgServer::start(false) else {
        return;
    };
    let url = pg.database("limits").await;
    let tmp = TempDir::new("pg-limits");
    let lines: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"key": "k{i}", "model": "kling-3-0", "prompt": "shot {i}"}}"#))
        .collect();
    let m = manifest::load(&support::manifest(tmp.path(), &lines), Pricing::default()).unwrap();
    let emu = Emulator::start(fast()).await.unwrap();
    let limits = Limits {
        budget: Some(450.0),
        rate: Some(50.0),
    };
    let run = |w: &'static str| {
        let (url, m, c) = (url.clone(), m.clone(), client(&emu));
        async move {
            let l = PgLedger::connect(&url, 2).await.unwrap();
            rivya_batch::run(
                &m,
                l,
                c,
                Options {
                    limits,
                    ..options(w)
                },
                None,
            )
            .await
        }
    };
    let (a, b, c) = tokio::join!(run("a"), run("b"), run("c"));
    let counts = c.unwrap().counts;
    a.unwrap();
    b.unwrap();
    assert_eq!((counts.succeeded, counts.over_budget), (5, 5), "{counts:?}");
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 5);
    assert_eq!(s["credits_spent"], 450.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_of_another_manifest_is_refused() {
    let Some(pg) = PgServer::start(false) else {
        return;
    };
    let url = pg.database("other").await;
    let tmp = TempDir::new("pg-other");
    let one = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(2)),
        Pricing::default(),
    )
    .unwrap();
    let two = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(3)),
        Pricing::default(),
    )
    .unwrap();
    let l = PgLedger::connect(&url, 1).await.unwrap();
    l.open(&one.sha256, &one.items, Limits::default())
        .await
        .unwrap();
    let err = l
        .open(&two.sha256, &two.items, Limits::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another manifest"), "{err}");
    // Migrating again is a no-op.
    PgLedger::connect(&url, 1).await.unwrap();
}

/// Leases far shorter than the work: renewals race open transactions on one connection, and
/// expired leases are taken over by other tasks of the same process. Every item must still be
/// created once and its credits counted once (and nothing may wait forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_leases_on_one_connection_neither_hang_nor_double_count() {
    let Some(pg) = PgServer::start(false) else {
        return;
    };
    let url = pg.database("short").await;
    let tmp = TempDir::new("pg-short");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(30)),
        Pricing::default(),
    )
    .unwrap();
    let emu = Emulator::start(rivya_emulator::Config {
        queued_for: Duration::from_millis(20),
        processing_for: Duration::from_millis(80),
        ..fast()
    })
    .await
    .unwrap();
    let ledger = PgLedger::connect(&url, 1).await.unwrap();
    let opts = Options {
        concurrency: 6,
        lease: Duration::from_millis(90),
        ..options("short")
    };
    let run = rivya_batch::run(&m, ledger, client(&emu), opts, None);
    let summary = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the batch must not deadlock")
        .unwrap();
    let c = &summary.counts;
    assert_eq!(c.succeeded, 30, "{c:?}");
    assert_eq!(c.credits_spent, 30.0);
    assert_eq!(
        c.credits_committed, 30.0,
        "no reservation counted twice or left behind"
    );
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 30, "{s}");
}
