//! What a run tells a progress display, as it happens.

use std::sync::Arc;

use serde::Serialize;

use crate::ledger::Counts;

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
        #[serde(serialize_with = "rivya_models::wire::decimal::serialize")]
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
        #[serde(serialize_with = "rivya_models::wire::decimal::serialize")]
        reserved: f64,
        /// Credits quoted.
        #[serde(serialize_with = "rivya_models::wire::decimal::serialize")]
        quoted: f64,
    },
}

/// Receives events; called from worker tasks.
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;
