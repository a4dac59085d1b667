//! Generating in volume: run thousands of paid tasks from a manifest, exactly once.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rivya_batch::BatchError> {
//! use rivya_batch::{Options, Pricing, SqliteLedger, manifest};
//!
//! let manifest = manifest::load("shots.jsonl".as_ref(), Pricing::default())?;
//! let ledger = SqliteLedger::open("out/ledger.sqlite".as_ref())?;
//! let options = Options { out_dir: Some("out".into()), ..Options::default() };
//! let client = rivya_runtime::ClientBuilder::from_env();
//! let summary = rivya_batch::run(&manifest, ledger, client, options, None).await?;
//! println!("{} of {} succeeded", summary.counts.succeeded, summary.counts.total);
//! # Ok(()) }
//! ```
//!
//! - The manifest is checked up front with the generated rules: every bad line is reported
//!   with its line number and path, and nothing is paid.
//! - The [`Ledger`] writes each item's idempotency key before its create is sent and its task
//!   id as soon as it is known, so a run killed at any instant resumes without paying twice
//!   or losing a task. SQLite ([`SqliteLedger`]) by default; PostgreSQL ([`PgLedger`]) for
//!   several workers on several hosts.
//! - Bounded concurrency, a token-bucket rate limit and a credit budget, held in the ledger
//!   for all workers together; a 429 backs the whole batch off.

mod attempts;
mod chat_item;
mod ctx;
mod engine;
mod error;
mod event;
mod item;
pub mod keys;
pub mod ledger;
pub mod manifest;
mod options;
pub mod price;
mod results;
mod step;
mod whole_file;

pub use engine::{Summary, run};
pub use error::BatchError;
pub use event::{Event, Observer};
pub use ledger::{Attempt, Counts, Ledger, LedgerError, Limits, PgLedger, SqliteLedger};
pub use manifest::{Item, Manifest, ManifestError, Pricing, Problem};
pub use options::{DEFAULT_MAX_PAUSE, Options};
pub use results::write_results;
