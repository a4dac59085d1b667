//! `rivya batch`'s arguments: a run, `status` or `retry`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
    /// Run the failed items again, each as a new attempt under a new idempotency key (the
    /// ledger keeps every attempt); succeeded items are never sent again. Exit 0 when every
    /// item has succeeded, 1 otherwise.
    Retry(RetryArgs),
}

#[derive(Args, Debug)]
pub struct RunBatch {
    /// The manifest: one JSON item per line, `{key, model, prompt, params, refs}`.
    pub manifest: Option<PathBuf>,
    /// Where results, results.jsonl and (by default) the ledger go.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub pace: Pace,
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
    /// Check and price every line, print each price and the total, and stop: nothing is
    /// paid or sent, no ledger or folder is made, no API key is needed.
    #[arg(long)]
    pub dry_run: bool,
}

/// `rivya batch retry`.
#[derive(Args, Debug)]
pub struct RetryArgs {
    /// The batch's --out folder (results and, by default, the ledger).
    pub dir: PathBuf,
    /// The ledger's URL (postgres://…) or SQLite file (default DIR/ledger.sqlite).
    #[arg(long, value_name = "URL")]
    pub ledger: Option<String>,
    /// Retry only failures with these codes (`generation_failed`, an API error code); as
    /// results.jsonl's `error_code` shows them. Default: every failed item.
    #[arg(long, num_args = 1.., value_delimiter = ',', value_name = "CODE")]
    pub codes: Vec<String>,
    #[command(flatten)]
    pub pace: Pace,
}

/// How fast and how far a batch run (or retry) may go.
#[derive(Args, Debug)]
pub struct Pace {
    /// Items worked on at once by this process.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// Creates per second, all workers together.
    #[arg(long, value_name = "PER_SEC")]
    pub rate: Option<f64>,
    /// Credits the batch may commit in total, what already succeeded included; items that
    /// would pass it are not created.
    #[arg(long, value_name = "CREDITS")]
    pub budget: Option<f64>,
}
