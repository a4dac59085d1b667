//! How a batch runs: concurrency, budget and rate, leases, where files go.

use std::path::PathBuf;
use std::time::Duration;

use crate::ledger::Limits;

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
    /// left in the ledger) before the run ends with
    /// [`BatchError::Paused`](crate::BatchError::Paused) and the time to come back (default
    /// [`DEFAULT_MAX_PAUSE`]). Shorter pauses are waited, each at most
    /// [`rivya_runtime::MAX_RETRY_AFTER`] at a time, and reported as
    /// [`Event::Paused`](crate::Event::Paused).
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
