//! The durable ledger: what makes a batch exactly-once across crashes and workers.
//!
//! Per item it records, in this order: the idempotency key (before the create is sent), the
//! task id (as soon as the create answers), then status, credits and files. A restart reads
//! it back: items with a task id are waited for, items with only a key are created again with
//! that key (the server replays the task), finished items are skipped.
//!
//! Workers claim items with leases; a dead worker's lease expires and another takes the item
//! over with the same key. Budget and rate limit live in the database, so they hold for all
//! workers together. Two implementations: [`SqliteLedger`] (one file, the default) and
//! [`PgLedger`] (several workers on several hosts).

mod attempts;
mod pgpass;
mod postgres;
mod schema;
mod shared;
mod sqlite;

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use attempts::Attempt;
pub use postgres::PgLedger;
pub use sqlite::SqliteLedger;

use crate::manifest::Item;

/// A ledger failure: the database could not be read or written.
///
/// `Display` says what failed (`ledger: cannot open …: …`); `source()` is the driver's or the
/// file system's error when one caused it, so it can be inspected or downcast
/// (`rusqlite::Error`, `tokio_postgres::Error`, `std::io::Error`, a worker's join error).
#[derive(Debug)]
pub struct LedgerError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl LedgerError {
    /// A failure the ledger found itself (no underlying error).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure caused by `source`; `context` says what the ledger was doing (the message
    /// reads `context: source`, or the source alone when `context` is empty).
    pub fn with_source(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let context = context.into();
        let message = if context.is_empty() {
            source.to_string()
        } else {
            format!("{context}: {source}")
        };
        Self {
            message,
            source: Some(Box::new(source)),
        }
    }

    /// What failed, without the `ledger: ` prefix of `Display`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ledger: {}", self.message)
    }
}

impl std::error::Error for LedgerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        Self::with_source("", e)
    }
}

impl From<tokio_postgres::Error> for LedgerError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The driver's Display hides the server's message behind "db error".
        let message = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => e.to_string(),
        };
        Self {
            message,
            source: Some(Box::new(e)),
        }
    }
}

/// Shorthand for ledger results.
pub type Result<T> = std::result::Result<T, LedgerError>;

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Nothing sent yet.
    Pending,
    /// Its idempotency key is written and its credits reserved; the create may have been sent.
    Creating,
    /// The task exists (its id is recorded).
    Created,
    /// Done: the task succeeded and its files are saved.
    Succeeded,
    /// Done: the task failed, or the server refused the create for good.
    Failed,
    /// Not created: its reservation would have passed the budget.
    OverBudget,
}

impl State {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Creating => "creating",
            Self::Created => "created",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::OverBudget => "over_budget",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => Self::Pending,
            "creating" => Self::Creating,
            "created" => Self::Created,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "over_budget" => Self::OverBudget,
            other => return Err(LedgerError::new(format!("unknown item state `{other}`"))),
        })
    }
}

/// What a batch is, as the first worker stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchInfo {
    /// The id every idempotency key derives from.
    pub id: String,
    /// SHA-256 of the manifest the batch was made from.
    pub manifest_sha256: String,
}

/// Batch-wide limits, shared by every worker through the database.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    /// Credits the batch may commit in total (reservations of running items included).
    pub budget: Option<f64>,
    /// Creates per second, all workers together.
    pub rate: Option<f64>,
}

/// One saved output file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Where it was saved.
    pub path: String,
    /// Where it came from.
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes (lowercase hex).
    pub sha256: String,
    /// The Content-Type the server sent.
    #[serde(default)]
    pub content_type: Option<String>,
}

/// An item as the ledger holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The item key.
    pub key: String,
    /// Its manifest line.
    pub line: usize,
    /// The model id.
    pub model: String,
    /// `{model, prompt, params}`: as in the manifest until reserved, then the exact body
    /// sent (uploaded references filled in).
    pub request: serde_json::Value,
    /// Reference file paths.
    pub refs: Vec<String>,
    /// Credits to reserve.
    pub price: f64,
    /// Where it is.
    pub state: State,
    /// The create's idempotency key, once written.
    pub idempotency_key: Option<String>,
    /// The task id, once known.
    pub task_id: Option<String>,
    /// The task's last status.
    pub status: Option<String>,
    /// Credits this item holds in the batch's committed total.
    pub held: f64,
    /// Credits finally charged.
    pub credits: Option<f64>,
    /// Saved files.
    pub files: Vec<FileRecord>,
    /// The last error.
    pub error: Option<String>,
    /// Who holds the item's lease: unique per claim, so even two tasks of one process can
    /// tell whether the item is still theirs.
    pub lease_owner: Option<String>,
    /// Which attempt this is (1, then one more per `rivya batch retry` of the item); part of
    /// the create's idempotency key.
    pub attempt: u32,
    /// The failure's code (`generation_failed`, an API error code), when it failed with one.
    pub error_code: Option<String>,
}

/// How a claim on the budget went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserve {
    /// The key is written and the credits held: send the create.
    Go,
    /// The reservation would pass the budget; the item is marked over budget.
    OverBudget,
    /// Another worker owns the item now.
    Lost,
}

/// How an item ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `Succeeded` or `Failed`.
    pub state: State,
    /// The task's final status (`succeeded`, `failed`), or none when no task exists.
    pub status: Option<String>,
    /// Credits charged (0 when failed: refunded).
    pub credits: f64,
    /// Saved files.
    pub files: Vec<FileRecord>,
    /// Why it failed.
    pub error: Option<String>,
    /// The failure's code: the task's `error.code`, or the API's code for a refused create.
    pub code: Option<String>,
}

/// Counts by state, and credits.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Items in the batch.
    pub total: u64,
    /// Not started.
    pub pending: u64,
    /// Being created or waited for (including items a worker gave up on for this run).
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed (recorded).
    pub failed: u64,
    /// Not created because of the budget.
    pub over_budget: u64,
    /// Credits charged for succeeded items.
    #[serde(with = "rivya_models::wire::decimal")]
    pub credits_spent: f64,
    /// Credits committed now: charges plus reservations of unfinished items.
    #[serde(with = "rivya_models::wire::decimal")]
    pub credits_committed: f64,
}

/// A ledger: the durable record of one batch, shared by its workers.
///
/// Every method is one short transaction (or one statement); none holds a database lock
/// across a network call to the API.
pub trait Ledger: Send + Sync + 'static {
    /// Creates the batch from a manifest, or opens it and checks that it is the same
    /// manifest; inserts the items that are not there yet; stores the limits; makes items
    /// left over budget or given up by earlier runs claimable again.
    fn open(
        &self,
        manifest_sha256: &str,
        items: &[Item],
        limits: Limits,
    ) -> impl Future<Output = Result<BatchInfo>> + Send;

    /// Leases the next unfinished item that nobody holds (or whose lease expired).
    fn claim(
        &self,
        owner: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Option<Row>>> + Send;

    /// Extends a lease; `false` when another worker owns the item now.
    fn renew(
        &self,
        key: &str,
        owner: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Writes the idempotency key and the exact body the create will send (references
    /// filled in), and reserves the item's price against the budget. From then on every
    /// attempt, in any run and any worker, sends this body with this key.
    fn reserve(
        &self,
        key: &str,
        owner: &str,
        idempotency_key: &str,
        body: &str,
    ) -> impl Future<Output = Result<Reserve>> + Send;

    /// Records the task id (and its status and reserved credits) as soon as it is known.
    fn set_task(
        &self,
        key: &str,
        owner: &str,
        task_id: &str,
        status: &str,
        reserved: Option<f64>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Records how the item ended, releases its lease, and settles its credits: the charge
    /// replaces the reservation (a failed task's refund comes back to the budget).
    fn finish(
        &self,
        key: &str,
        owner: &str,
        outcome: &Outcome,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Gives an unfinished item up for this run (the next run, or another worker after its
    /// next start, tries again with the same key); keeps the error for the report.
    fn give_up(
        &self,
        key: &str,
        owner: &str,
        error: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Takes one create token from the batch's bucket; otherwise how long to wait for one.
    /// Also waits out a pause set by [`Ledger::pause`].
    fn take_token(&self) -> impl Future<Output = Result<Option<Duration>>> + Send;

    /// Backs every worker off until `for_` from now (a 429 with `Retry-After`).
    fn pause(&self, for_: Duration) -> impl Future<Output = Result<()>> + Send;

    /// The uploaded reference item for a content hash, if any worker uploaded it.
    fn upload(&self, sha256: &str) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Records an uploaded reference item (JSON) for a content hash.
    fn put_upload(&self, sha256: &str, item: &str) -> impl Future<Output = Result<()>> + Send;

    /// Counts by state and credits.
    fn counts(&self) -> impl Future<Output = Result<Counts>> + Send;

    /// Items neither finished, over budget, nor given up: what is left to do in this run.
    fn outstanding(&self) -> impl Future<Output = Result<u64>> + Send;

    /// Every item, in manifest order (for results.jsonl).
    fn rows(&self) -> impl Future<Output = Result<Vec<Row>>> + Send;

    /// The batch this ledger holds, if any (read only: nothing is created).
    fn batch(&self) -> impl Future<Output = Result<Option<BatchInfo>>> + Send;

    /// Starts a new attempt of every failed item (of those whose failure code is in `codes`,
    /// when it is not empty): the attempt that failed is kept in the ledger's attempts, and
    /// the item becomes pending again under its next attempt number, so its create gets a
    /// new idempotency key. Succeeded and unfinished items are never touched. Returns how
    /// many items were reset.
    fn retry(&self, codes: &[String]) -> impl Future<Output = Result<u64>> + Send;

    /// Every attempt of every item that got as far as a key or an outcome: the kept earlier
    /// ones and each item's current one, by item key then attempt.
    fn attempts(&self) -> impl Future<Output = Result<Vec<Attempt>>> + Send;
}

/// The token bucket's arithmetic, shared by both implementations: the tokens after refilling
/// for `elapsed_ms`, capped at one second's worth (at least one token).
pub(crate) fn refill(tokens: f64, elapsed_ms: i64, rate: f64) -> f64 {
    let cap = rate.max(1.0);
    (tokens + rate * elapsed_ms.max(0) as f64 / 1000.0).min(cap)
}

/// Adds `n` items in `state` (with `credits` charged among them) to the counts.
pub(crate) fn tally(out: &mut Counts, state: State, n: u64, credits: f64) {
    out.total += n;
    match state {
        State::Pending => out.pending += n,
        State::Creating | State::Created => out.running += n,
        State::Succeeded => {
            out.succeeded += n;
            out.credits_spent += credits;
        }
        State::Failed => out.failed += n,
        State::OverBudget => out.over_budget += n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refills_at_the_rate_and_holds_at_most_a_second_of_tokens() {
        assert_eq!(refill(0.0, 500, 4.0), 2.0);
        assert_eq!(refill(0.0, 10_000, 4.0), 4.0);
        // Slower than one per second: at most one token waits.
        assert_eq!(refill(0.0, 10_000, 0.5), 1.0);
        assert_eq!(refill(0.5, 1_000, 0.5), 1.0);
        // A clock that went backwards adds nothing.
        assert_eq!(refill(1.5, -300, 10.0), 1.5);
    }

    #[test]
    fn counts_put_each_state_in_its_column() {
        let mut c = Counts::default();
        tally(&mut c, State::Succeeded, 3, 12.0);
        tally(&mut c, State::Creating, 1, 0.0);
        tally(&mut c, State::Created, 2, 0.0);
        tally(&mut c, State::OverBudget, 1, 0.0);
        assert_eq!(
            (c.total, c.succeeded, c.running, c.over_budget),
            (7, 3, 3, 1)
        );
        assert_eq!(c.credits_spent, 12.0);
        for s in [
            "pending",
            "creating",
            "created",
            "succeeded",
            "failed",
            "over_budget",
        ] {
            assert_eq!(State::parse(s).unwrap().as_str(), s);
        }
        assert!(State::parse("done").is_err());
    }

    #[test]
    fn ledger_errors_keep_their_source() {
        use std::error::Error as _;
        // A ledger whose file cannot be created: the file system's error is the source.
        let dir = std::env::temp_dir().join(format!("rivya-ledger-src-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let inside_a_file = dir.join("plain").join("ledger.sqlite");
        std::fs::write(dir.join("plain"), b"not a folder").unwrap();
        let Err(e) = SqliteLedger::open(&inside_a_file) else {
            panic!("a ledger inside a file opened");
        };
        assert!(e.to_string().starts_with("ledger: cannot create "), "{e}");
        let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert!(io.is_some(), "source: {:?}", e.source());
        std::fs::remove_dir_all(&dir).unwrap();

        // A driver error converted with `?` keeps the driver's error.
        let e = LedgerError::from(rusqlite::Error::QueryReturnedNoRows);
        assert_eq!(e.to_string(), "ledger: Query returned no rows");
        let src = e.source().and_then(|s| s.downcast_ref::<rusqlite::Error>());
        assert!(matches!(src, Some(rusqlite::Error::QueryReturnedNoRows)));

        // A failure the ledger found itself has none.
        let e = LedgerError::new("statements not prepared");
        assert_eq!(e.message(), "statements not prepared");
        assert!(e.source().is_none());
    }
}
