//! Several workers sharing one `--out`: results.jsonl is written through a temporary file of
//! each writer's own, so concurrent writers never take each other's file.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use rivya_batch::{Ledger, Limits, Pricing, SqliteLedger, manifest, write_results};
use support::TempDir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_of_results_jsonl_all_succeed() {
    let tmp = TempDir::new("shared-out");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(50)),
        Pricing::default(),
    )
    .unwrap();
    let ledger = Arc::new(SqliteLedger::open(&tmp.path().join("l.sqlite")).unwrap());
    ledger
        .open(&m.sha256, &m.items, Limits::default())
        .await
        .unwrap();
    let results = tmp.path().join("results.jsonl");
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (ledger, results) = (ledger.clone(), results.clone());
        writers.spawn(async move {
            for _ in 0..25 {
                write_results(ledger.as_ref(), &results).await?;
            }
            Ok::<(), rivya_batch::BatchError>(())
        });
    }
    while let Some(r) = writers.join_next().await {
        r.unwrap().unwrap();
    }
    assert_eq!(support::results(&results).len(), 50);
    let mode = std::fs::metadata(&results).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "results hold keys and signed URLs");
    let mode = std::fs::metadata(tmp.path().join("l.sqlite"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "so does the ledger");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_planted_at_the_old_temporary_name_is_left_alone() {
    let tmp = TempDir::new("planted");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(2)),
        Pricing::default(),
    )
    .unwrap();
    let ledger = SqliteLedger::open(&tmp.path().join("l.sqlite")).unwrap();
    ledger
        .open(&m.sha256, &m.items, Limits::default())
        .await
        .unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, b"keep").unwrap();
    let results = tmp.path().join("results.jsonl");
    std::os::unix::fs::symlink(&victim, tmp.path().join("results.jsonl.tmp")).unwrap();
    write_results(&ledger, &results).await.unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    assert_eq!(support::results(&results).len(), 2);
}
