//! The run: workers claim items from the ledger, one at a time, until none is left.
//!
//! Each worker keeps its item's lease alive while it uploads, creates and waits; when the
//! ledger says the lease went to another worker, it drops the item (the other worker
//! finishes it with the same idempotency key). A fatal error (bad API key, no credits) stops
//! every worker; what was paid for stays in the ledger for the next run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rivya_runtime::{ClientBuilder, RetryPolicy};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::ctx::Ctx;
use crate::error::BatchError;
use crate::event::{Event, Observer};
use crate::ledger::{Counts, Ledger, Row};
use crate::manifest::Manifest;
use crate::options::Options;

/// What a run leaves behind.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The batch id.
    pub batch: String,
    /// The ledger's counts at the end.
    pub counts: Counts,
}

impl Summary {
    /// Whether every item succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.counts.succeeded == self.counts.total
    }
}
/// Runs (or resumes) the batch of `manifest` with `ledger` until every item is finished,
/// over budget or left for the next run; saves files into `options.out_dir`.
pub async fn run<L: Ledger>(
    manifest: &Manifest,
    ledger: L,
    client: ClientBuilder,
    options: Options,
    observer: Option<Observer>,
) -> Result<Summary, BatchError> {
    let batch = ledger
        .open(&manifest.sha256, &manifest.items, options.limits)
        .await?;
    let sender = client
        .clone()
        .retry_policy(RetryPolicy::none())
        .build()
        .map_err(BatchError::Api)?;
    let client = client.build().map_err(BatchError::Api)?;
    if let Some(dir) = &options.out_dir {
        std::fs::create_dir_all(dir).map_err(|source| BatchError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let ctx = Arc::new(Ctx {
        ledger,
        batch,
        options,
        client,
        sender,
        observer,
        stop: AtomicBool::new(false),
        claims: AtomicU64::new(0),
        uploading: Mutex::default(),
        over_quote: std::sync::Mutex::new(None),
    });
    let counts = ctx.ledger.counts().await?;
    ctx.emit(Event::Started {
        batch: ctx.batch.id.clone(),
        counts,
    });
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..ctx.options.concurrency.max(1) {
        let ctx = ctx.clone();
        workers.spawn(async move { worker(&ctx).await });
    }
    let mut first_error = None;
    while let Some(joined) = workers.join_next().await {
        let result = joined.unwrap_or_else(|e| {
            Err(BatchError::Ledger(crate::ledger::LedgerError::with_source(
                "a worker stopped unexpectedly",
                e,
            )))
        });
        if let Err(e) = result {
            ctx.stop.store(true, Ordering::SeqCst);
            first_error.get_or_insert(e);
        }
    }
    let over_quote = ctx
        .over_quote
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(e) = first_error.or(over_quote) {
        return Err(e);
    }
    Ok(Summary {
        batch: ctx.batch.id.clone(),
        counts: ctx.ledger.counts().await?,
    })
}

/// Claims and works items until there is nothing left for this run.
async fn worker<L: Ledger>(ctx: &Ctx<L>) -> Result<(), BatchError> {
    let idle = (ctx.options.lease / 4).clamp(Duration::from_millis(20), Duration::from_millis(250));
    while !ctx.stop.load(Ordering::SeqCst) {
        // Unique per claim: if this item's lease ran out and another task (even one of this
        // process) took it, this task's writes no longer match and it stops.
        let n = ctx.claims.fetch_add(1, Ordering::Relaxed);
        let owner = format!("{}#{n}", ctx.options.worker);
        match ctx.ledger.claim(&owner, ctx.options.lease).await? {
            Some(row) => leased(ctx, row).await?,
            None => {
                if ctx.ledger.outstanding().await? == 0 {
                    return Ok(());
                }
                // Items are held by other workers (here or elsewhere): wait for them to
                // finish, or for a dead worker's lease to run out.
                tokio::time::sleep(idle).await;
            }
        }
    }
    Ok(())
}

/// Works one item while renewing its lease; stops when the lease is lost.
///
/// The renewals run as their own future beside the work, never inside a `select!` arm: an
/// arm's body stops the work from being polled, and a renewal waiting for the database
/// connection that the work's open transaction holds would then wait forever.
async fn leased<L: Ledger>(ctx: &Ctx<L>, row: Row) -> Result<(), BatchError> {
    let key = row.key.clone();
    let worker = row.lease_owner.clone().unwrap_or_default();
    let chat = rivya_models::catalog::find(&row.model).is_some_and(|m| m.is_chat());
    let work = async {
        if chat {
            crate::chat_item::process(ctx, row).await
        } else {
            crate::item::process(ctx, row).await
        }
    };
    let keep = async {
        let worker = worker.as_str();
        loop {
            tokio::time::sleep(ctx.options.lease / 3).await;
            if !ctx.ledger.renew(&key, worker, ctx.options.lease).await? {
                // Another worker owns it now and will finish it with the same key.
                return Ok::<(), BatchError>(());
            }
        }
    };
    tokio::select! {
        r = work => r,
        r = keep => r,
    }
}
