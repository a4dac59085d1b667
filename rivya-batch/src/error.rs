//! What stops a batch (as opposed to an item failing, which is recorded and reported).

use std::fmt;

use crate::ledger::LedgerError;
use crate::manifest::ManifestError;

/// A batch could not run (or not to the end). Items already paid for stay in the ledger.
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchError {
    /// The manifest has problems; nothing was sent.
    Manifest(ManifestError),
    /// The ledger could not be read or written.
    Ledger(LedgerError),
    /// The API refused the whole batch (an auth error, no credits left); re-run to resume.
    Api(rivya_runtime::Error),
    /// The server reserved more for an item than its quote: the batch stopped creating
    /// (what was in flight is settled) so the budget holds against what the server reserves.
    OverQuote {
        /// The item.
        key: String,
        /// Its task.
        task_id: String,
        /// Credits the server reserved.
        reserved: f64,
        /// Credits the item was quoted (and reserved against the budget) at.
        quoted: f64,
    },
    /// The API asked the batch to wait longer than `Options::max_pause`: the run ended; run
    /// it again after `until`.
    Paused {
        /// How long the API asked to wait.
        asked: std::time::Duration,
        /// When to come back.
        until: std::time::SystemTime,
    },
    /// A local file could not be read or written.
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Manifest(e) => write!(f, "{e}"),
            Self::Ledger(e) => write!(f, "{e}"),
            Self::Api(e) => write!(f, "the batch stopped: {e}; re-run the command to resume"),
            Self::Io { path, source } => write!(f, "{path}: {source}"),
            Self::OverQuote {
                key,
                task_id,
                reserved,
                quoted,
            } => write!(
                f,
                "the server reserved {reserved} credits for item {key:?} (task {task_id}) \
                 against a quote of {quoted}: no further creates in this run, so the budget \
                 holds against what the server reserves (what was in flight is settled); \
                 check the budget and run the same command again to go on"
            ),
            Self::Paused { asked, until } => {
                let secs = until
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                write!(
                    f,
                    "the API asked to pause for {} s, longer than --max-pause: the run ended; \
                     come back after {} (Unix time {secs}) and run the same command again",
                    asked.as_secs(),
                    httpdate::fmt_http_date(*until)
                )
            }
        }
    }
}

impl std::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Manifest(e) => Some(e),
            Self::Ledger(e) => Some(e),
            Self::Api(e) => Some(e),
            Self::Io { source, .. } => Some(source),
            Self::OverQuote { .. } | Self::Paused { .. } => None,
        }
    }
}

impl From<LedgerError> for BatchError {
    fn from(e: LedgerError) -> Self {
        Self::Ledger(e)
    }
}

impl From<ManifestError> for BatchError {
    fn from(e: ManifestError) -> Self {
        Self::Manifest(e)
    }
}
