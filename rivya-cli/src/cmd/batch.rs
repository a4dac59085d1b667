//! `rivya batch`: run a whole manifest exactly once, resumable, on one machine or many.
//!
//! ```sh
//! rivya batch shots.jsonl --out shots/ --concurrency 16 --budget 5000
//! rivya batch shots.jsonl --out shots/                  # again: resumes, pays nothing twice
//! rivya batch shots.jsonl --out shots/ --ledger postgres://batch@db/shots   # on every host
//! rivya batch status shots/
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use rivya_batch::{
    BatchError, Ledger, Limits, Options, PgLedger, Pricing, SqliteLedger, Summary, manifest,
};
use serde_json::json;

use crate::cmd::batch_view::View;
use crate::connect::Connection;
use crate::failure::Failure;
use crate::render::Render;

/// `rivya batch`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BatchArgs {
    #[command(subcommand)]
    pub action: Option<BatchAction>,
    #[command(flatten)]
    pub run: RunBatch,
}

#[derive(Subcommand, Debug)]
pub enum BatchAction {
    /// Print a batch's counts (from DIR/ledger.sqlite, or --ledger).
    Status {
        /// The batch's --out folder.
        dir: Option<PathBuf>,
        /// The ledger's URL (postgres://…) or SQLite file.
        #[arg(long, value_name = "URL")]
        ledger: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct RunBatch {
    /// The manifest: one JSON item per line, `{key, model, prompt, params, refs}`.
    pub manifest: Option<PathBuf>,
    /// Where results, results.jsonl and (by default) the ledger go.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Items worked on at once by this process.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// Creates per second, all workers together.
    #[arg(long, value_name = "PER_SEC")]
    pub rate: Option<f64>,
    /// Credits the batch may commit in total; items that would pass it are not created.
    #[arg(long, value_name = "CREDITS")]
    pub budget: Option<f64>,
    /// Credits to reserve per item of a METERED model (required to run them).
    #[arg(long, value_name = "CREDITS")]
    pub metered_allowance: Option<f64>,
    /// The ledger: postgres://… to share the batch between hosts (default DIR/ledger.sqlite).
    #[arg(long, value_name = "URL")]
    pub ledger: Option<String>,
    /// Seconds before a silent worker's items are taken over by another.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub lease_secs: u64,
    /// The longest pause the API may ask for (429 Retry-After) before the run ends with exit
    /// 1 and the time to come back; shorter pauses are waited (at most 60 s at a time) and
    /// printed with the time the batch resumes.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub max_pause: u64,
}

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
    if args.concurrency == 0 || args.lease_secs == 0 {
        return Err(Failure::usage(
            "--concurrency and --lease-secs must be at least 1",
        ));
    }
    let positive = |name: &str, v: Option<f64>, zero_ok: bool| match v {
        Some(x) if !x.is_finite() || x < 0.0 || (x == 0.0 && !zero_ok) => Err(Failure::usage(
            format!("{name} must be a positive number, not {x}"),
        )),
        _ => Ok(()),
    };
    positive("--rate", args.rate, false)?;
    positive("--budget", args.budget, true)?;
    positive("--metered-allowance", args.metered_allowance, false)?;
    let pricing = Pricing {
        metered_allowance: args.metered_allowance,
    };
    let m = manifest::load(path, pricing).map_err(|e| Failure::invalid(e.to_string()))?;
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::io(format!("cannot create {}: {e}", out.display())))?;
    let options = Options {
        concurrency: args.concurrency,
        limits: Limits {
            budget: args.budget,
            rate: args.rate,
        },
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

/// Runs the batch, then writes results.jsonl from the ledger (also after a fatal error, so
/// the file shows what was paid for).
async fn drive<L: Ledger>(
    m: &manifest::Manifest,
    ledger: L,
    conn: &Connection,
    options: Options,
    view: &View,
    results: &Path,
) -> Result<Summary, Failure> {
    let ledger = std::sync::Arc::new(ledger);
    let outcome = rivya_batch::run(
        m,
        ledger.clone(),
        conn.builder.clone(),
        options,
        Some(view.observer()),
    )
    .await;
    let written = rivya_batch::write_results(ledger.as_ref(), results).await;
    let summary = outcome.map_err(batch_failure)?;
    written.map_err(batch_failure)?;
    Ok(summary)
}

fn verdict(s: &Summary, results: &Path, render: Render) -> Result<(), Failure> {
    let c = &s.counts;
    let summary = json!({
        "event": "finished",
        "batch": s.batch,
        "counts": c,
        "results": results.display().to_string(),
    });
    if render.json {
        // One line, like the events before it: the output stays JSON lines.
        crate::render::line(&summary.to_string());
    } else {
        crate::render::line(&format!(
            "batch {}: {} of {} succeeded, {} failed, {} over budget; {} credits spent; {}",
            s.batch,
            c.succeeded,
            c.total,
            c.failed,
            c.over_budget,
            c.credits_spent,
            results.display()
        ));
    }
    if s.all_succeeded() {
        return Ok(());
    }
    let unsettled = c.running + c.pending;
    if unsettled > 0 {
        return Err(Failure {
            code: "batch_unsettled".into(),
            ..Failure::io(format!(
                "{unsettled} items are not settled yet (see their errors in {}); run the same command again to resume them",
                results.display()
            ))
        });
    }
    Err(Failure {
        code: "batch_items_failed".into(),
        exit: 2,
        ..Failure::io(format!(
            "{} items failed and {} were over budget; every item is recorded in {}",
            c.failed,
            c.over_budget,
            results.display()
        ))
    })
}

enum Kind {
    Postgres(String),
    Sqlite(PathBuf),
}

fn ledger_kind(dir: Option<&Path>, ledger: Option<&str>) -> Result<Kind, Failure> {
    match (ledger, dir) {
        (Some(url), _) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Kind::Postgres(url.to_owned()))
        }
        (Some(file), _) => Ok(Kind::Sqlite(PathBuf::from(file))),
        (None, Some(dir)) => Ok(Kind::Sqlite(dir.join("ledger.sqlite"))),
        (None, None) => Err(Failure::usage("give the batch's folder or --ledger URL")),
    }
}

async fn pg(url: &str) -> Result<PgLedger, Failure> {
    PgLedger::connect(url, 4).await.map_err(ledger_failure)
}

fn ledger_failure(e: rivya_batch::LedgerError) -> Failure {
    Failure {
        code: "ledger".into(),
        ..Failure::io(e.to_string())
    }
}

fn batch_failure(e: BatchError) -> Failure {
    match e {
        BatchError::Manifest(m) => Failure::invalid(m.to_string()),
        BatchError::Api(api) => Failure {
            message: format!("the batch stopped: {api}; run the same command again to resume"),
            task_id: None,
            idempotency_key: None,
            ..Failure::from(api)
        },
        e @ BatchError::Paused { .. } => Failure {
            code: "paused".into(),
            ..Failure::io(e.to_string())
        },
        e @ BatchError::OverQuote { .. } => Failure {
            code: "over_quote".into(),
            ..Failure::io(e.to_string())
        },
        other => Failure::io(other.to_string()),
    }
}
