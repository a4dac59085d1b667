//! `rivya batch`: run a whole manifest exactly once, resumable, on one machine or many.
//!
//! ```sh
//! rivya batch shots.jsonl --out shots/ --concurrency 16 --budget 5000
//! rivya batch shots.jsonl --out shots/                  # again: resumes, pays nothing twice
//! rivya batch shots.jsonl --out shots/ --ledger postgres://batch@db/shots   # on every host
//! rivya batch status shots/
//! ```

use std::path::Path;
use std::time::Duration;

use rivya_batch::{Ledger, Options, SqliteLedger, manifest};
use serde_json::json;

use crate::args::RunBatch;
use crate::cmd::batch_drive::{drive, verdict};
use crate::cmd::batch_ledger::{Kind, ledger_failure, ledger_kind, pg};
use crate::cmd::batch_view::View;
use crate::connect::Connection;
use crate::failure::Failure;
use crate::flag_checks::batch_flags;
use crate::render::Render;

/// `rivya batch status` needs no API key or connection.
pub async fn status(
    dir: Option<&Path>,
    ledger: Option<&str>,
    render: Render,
) -> Result<(), Failure> {
    let counts = match ledger_kind(dir, ledger)? {
        Kind::Postgres(url) => pg(&url).await?.counts().await,
        Kind::Sqlite(path) => {
            SqliteLedger::open_read_only(&path)
                .map_err(ledger_failure)?
                .counts()
                .await
        }
    }
    .map_err(ledger_failure)?;
    let text = format!(
        "{} items: {} succeeded, {} failed, {} running, {} pending, {} over budget; {} credits spent",
        counts.total,
        counts.succeeded,
        counts.failed,
        counts.running,
        counts.pending,
        counts.over_budget,
        counts.credits_spent
    );
    render.result(&json!(counts), &text);
    Ok(())
}

/// Runs or resumes the batch; exit 0 when every item succeeded, 2 when some did not (all
/// recorded in results.jsonl), 1 on errors.
pub async fn run(conn: &Connection, args: RunBatch, render: Render) -> Result<(), Failure> {
    let (Some(path), Some(out)) = (args.manifest.as_deref(), args.out.as_deref()) else {
        return Err(Failure::usage(
            "usage: rivya batch <manifest.jsonl> --out DIR [options], or rivya batch status DIR",
        ));
    };
    let (pricing, limits) = batch_flags(&args)?;
    let m = manifest::load(path, pricing).map_err(|e| Failure::invalid(e.to_string()))?;
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::io(format!("cannot create {}: {e}", out.display())))?;
    let options = Options {
        concurrency: args.pace.concurrency,
        limits,
        lease: Duration::from_secs(args.lease_secs),
        out_dir: Some(out.to_owned()),
        max_pause: Duration::from_secs(args.max_pause),
        ..Options::default()
    };
    let view = View::new(m.items.len() as u64, render);
    let results = out.join("results.jsonl");
    let summary = match ledger_kind(Some(out), args.ledger.as_deref())? {
        Kind::Postgres(url) => {
            let l = pg(&url).await?;
            drive(&m, l, conn, options, &view, &results).await
        }
        Kind::Sqlite(file) => {
            let l = SqliteLedger::open(&file).map_err(ledger_failure)?;
            drive(&m, l, conn, options, &view, &results).await
        }
    }?;
    view.finish(&summary);
    verdict(&summary, &results, render)
}
