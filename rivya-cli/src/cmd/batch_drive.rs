//! Running a batch to its end, as `rivya batch` and `rivya batch retry` both do: the engine,
//! results.jsonl written from the ledger whatever happened, and the verdict printed.

use std::path::Path;

use rivya_batch::{BatchError, Ledger, Options, Summary, manifest};
use serde_json::json;

use crate::cmd::batch_view::View;
use crate::connect::Connection;
use crate::failure::Failure;
use crate::render::Render;

/// Runs the batch, then writes results.jsonl from the ledger (also after a fatal error, so
/// the file shows what was paid for).
pub async fn drive<L: Ledger>(
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

/// Prints the batch's end and turns what did not succeed into the exit status.
pub fn verdict(s: &Summary, results: &Path, render: Render) -> Result<(), Failure> {
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
            "{} failed and {} over budget; every item is recorded in {}",
            items(c.failed),
            items(c.over_budget),
            results.display()
        ))
    })
}

/// `1 item`, `2 items`.
fn items(n: u64) -> String {
    format!("{n} item{}", if n == 1 { "" } else { "s" })
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
