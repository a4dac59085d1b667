//! `rivya batch retry DIR`: the failed items of a batch run again, each as a new attempt
//! under a new idempotency key (the attempt number is part of it); the ledger keeps every
//! attempt. Succeeded items are never sent again; items not yet settled are resumed with
//! their own keys, as any re-run does. No manifest is needed: the ledger holds the batch.
//!
//! ```sh
//! rivya batch retry shots/                              # every failed item
//! rivya batch retry shots/ --codes generation_failed    # only failures with this code
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use rivya_batch::{Ledger, Limits, Manifest, Options, SqliteLedger};
use serde_json::json;

use crate::args::RetryArgs;
use crate::cmd::batch_drive::{drive, verdict};
use crate::cmd::batch_ledger::{Kind, ledger_failure, ledger_kind, pg};
use crate::cmd::batch_view::View;
use crate::connect::Connection;
use crate::failure::Failure;
use crate::flag_checks::pace_flags;
use crate::render::Render;

/// Resets the failed items, runs the batch, rewrites results.jsonl; exit 0 when every item
/// has succeeded, 1 otherwise.
pub async fn run(conn: &Connection, args: RetryArgs, render: Render) -> Result<(), Failure> {
    let limits = pace_flags(&args.pace)?;
    let summary = match ledger_kind(Some(&args.dir), args.ledger.as_deref())? {
        Kind::Postgres(url) => again(pg(&url).await?, conn, &args, limits, render).await?,
        Kind::Sqlite(file) => {
            // Opening would create an empty ledger: a wrong folder is an error instead.
            if !file.is_file() {
                return Err(Failure::io(format!(
                    "no ledger at {}: give the batch's --out folder (or --ledger)",
                    file.display()
                )));
            }
            let l = SqliteLedger::open(&file).map_err(ledger_failure)?;
            again(l, conn, &args, limits, render).await?
        }
    };
    verdict(&summary, &args.dir.join("results.jsonl"), render).map_err(|f| Failure { exit: 1, ..f })
}

async fn again<L: Ledger>(
    ledger: L,
    conn: &Connection,
    args: &RetryArgs,
    limits: Limits,
    render: Render,
) -> Result<rivya_batch::Summary, Failure> {
    let Some(batch) = ledger.batch().await.map_err(ledger_failure)? else {
        return Err(Failure::io("the ledger holds no batch: nothing to retry"));
    };
    let reset = ledger.retry(&args.codes).await.map_err(ledger_failure)?;
    let codes = if args.codes.is_empty() {
        String::new()
    } else {
        format!(" with code {}", args.codes.join(" or "))
    };
    render.note(
        "retry",
        json!({"batch": batch.id, "reset": reset, "codes": args.codes}),
        &format!(
            "batch {}: {reset} failed items{codes} start a new attempt",
            batch.id
        ),
    );
    let total = ledger.counts().await.map_err(ledger_failure)?.total;
    // The ledger holds every item: the run needs only the manifest's hash to open it.
    let manifest = Manifest {
        items: Vec::new(),
        sha256: batch.manifest_sha256,
    };
    let options = Options {
        concurrency: args.pace.concurrency,
        limits,
        out_dir: Some(args.dir.clone()),
        lease: Duration::from_secs(60),
        ..Options::default()
    };
    let view = View::new(total, render);
    let results = results_path(&args.dir);
    let summary = drive(&manifest, ledger, conn, options, &view, &results).await?;
    view.finish(&summary);
    Ok(summary)
}

fn results_path(dir: &Path) -> PathBuf {
    dir.join("results.jsonl")
}
