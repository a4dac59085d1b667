//! The run: workers claim items from the ledger, one at a time, until none is left.
//!
//! Each worker keeps its item's lease alive while it uploads, creates and waits; when the
//! ledger says the lease went to another worker, it drops the item (the other worker
//! finishes it with the same idempotency key). A fatal error (bad API key, no credits) stops
//! every worker; what was paid for stays in the ledger for the next run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rivya_runtime::{Client, ClientBuilder, RetryPolicy};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::error::BatchError;
use crate::ledger::{BatchInfo, Counts, Ledger, Limits, Row};
use crate::manifest::Manifest;

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Items worked on at once by this process (default 8).
    pub concurrency: usize,
    /// Budget and rate, shared by every worker of the batch.
    pub limits: Limits,
    /// How long a claimed item stays with this worker without a renewal (default 60 s). A
    /// crashed worker's items are taken over after this long.
    pub lease: Duration,
    /// Where result files are saved (none: results are recorded, not downloaded).
    pub out_dir: Option<PathBuf>,
    /// Attempts of one create before the item is left to the next run (default 8).
    pub create_attempts: u32,
    /// The worker's name in leases (default: host name, process id and a random suffix).
    pub worker: String,
    /// The longest pause the API may ask for (429 `Retry-After`, or a pause an earlier run
    /// left in the ledger) before the run ends with [`BatchError::Paused`] and the time to
    /// come back (default [`DEFAULT_MAX_PAUSE`]). Shorter pauses are waited, each at most
    /// [`rivya_runtime::MAX_RETRY_AFTER`] at a time, and reported as [`Event::Paused`].
    pub max_pause: Duration,
}

/// The default [`Options::max_pause`]: 5 minutes.
pub const DEFAULT_MAX_PAUSE: Duration = Duration::from_secs(300);

impl Default for Options {
    fn default() -> Self {
        Self {
            concurrency: 8,
            limits: Limits::default(),
            lease: Duration::from_secs(60),
            out_dir: None,
            create_attempts: 8,
            worker: default_worker(),
            max_pause: DEFAULT_MAX_PAUSE,
        }
    }
}

fn default_worker() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}

/// Something a progress display wants to know.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The batch is open; the counts as found in the ledger.
    Started {
        /// The batch id.
        batch: String,
        /// Counts at start.
        counts: Counts,
    },
    /// An item's task was created (or found again).
    Created {
        /// The item key.
        key: String,
        /// Its task.
        task_id: String,
    },
    /// An item finished or stopped; `counts` are the ledger's after it.
    Item {
        /// The item key.
        key: String,
        /// `succeeded`, `failed`, `over_budget` or `unsettled` (left for the next run).
        state: String,
        /// Credits charged.
        credits: f64,
        /// Why it did not succeed.
        error: Option<String>,
    },
    /// Every worker waits (a 429, or a pause in the ledger) and resumes at `until_ms`.
    Paused {
        /// For how long, in milliseconds.
        ms: u64,
        /// When the batch resumes, in Unix milliseconds.
        until_ms: u64,
    },
    /// The server reserved more for an item than its quote; no further creates in this run.
    OverQuote {
        /// The item key.
        key: String,
        /// Its task.
        task_id: String,
        /// Credits the server reserved.
        reserved: f64,
        /// Credits quoted.
        quoted: f64,
    },
}

/// Receives events; called from worker tasks.
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;

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

/// Everything a worker shares with the others.
pub(crate) struct Ctx<L> {
    pub ledger: L,
    pub batch: BatchInfo,
    pub options: Options,
    /// Polls and downloads (the client's retry policy).
    pub client: Client,
    /// Creates and uploads: no retries inside the client, so the engine sees every 429 and
    /// backs the whole batch off at once.
    pub sender: Client,
    pub observer: Option<Observer>,
    pub stop: AtomicBool,
    /// Claims made by this process (numbers each claim's lease owner).
    pub claims: AtomicU64,
    /// Uploads in flight in this process, by content hash, so each file goes up once.
    pub uploading: Mutex<std::collections::HashMap<String, Arc<Mutex<()>>>>,
    /// Set when an item cost more than quoted: no further creates in this run.
    pub over_quote: std::sync::Mutex<Option<BatchError>>,
}

impl<L> Ctx<L> {
    pub fn emit(&self, e: Event) {
        if let Some(o) = &self.observer {
            o(&e);
        }
    }

    /// Whether creating has stopped (an item cost more than quoted).
    pub fn creating_stopped(&self) -> bool {
        self.over_quote
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Stops creating: `why` (a [`BatchError::OverQuote`]) ends the run once in-flight
    /// items are settled.
    pub fn stop_creating(&self, why: BatchError) {
        let mut slot = self.over_quote.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(why);
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
            Err(BatchError::Ledger(crate::ledger::LedgerError(format!(
                "a worker stopped unexpectedly: {e}"
            ))))
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
