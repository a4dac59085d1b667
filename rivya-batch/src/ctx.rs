//! What every worker of a run shares: the ledger, the clients, the options and the flags
//! that stop the run or its creates.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use rivya_runtime::Client;
use tokio::sync::Mutex;

use crate::error::BatchError;
use crate::event::{Event, Observer};
use crate::ledger::BatchInfo;
use crate::options::Options;

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
    pub uploading: Mutex<HashMap<String, Arc<Mutex<()>>>>,
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
