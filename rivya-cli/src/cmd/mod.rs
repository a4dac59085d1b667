//! One module per subcommand, and the steps several batch commands share.

pub mod batch;
pub mod batch_drive;
pub mod batch_dry_run;
pub mod batch_ledger;
pub mod batch_retry;
pub mod batch_view;
pub mod chat;
pub mod credits;
pub mod history;
pub mod mcp;
pub mod mock;
pub mod models;
pub mod quote;
pub mod run;
pub mod task;
pub mod upload;
pub mod validate;
