//! Which ledger a batch command uses, opening it, and its errors as failures.

use std::path::{Path, PathBuf};

use rivya_batch::PgLedger;

use crate::failure::Failure;

/// Where a batch's ledger is.
pub enum Kind {
    Postgres(String),
    Sqlite(PathBuf),
}

/// The ledger `--ledger` names (a URL or a SQLite file), else `DIR/ledger.sqlite`.
pub fn ledger_kind(dir: Option<&Path>, ledger: Option<&str>) -> Result<Kind, Failure> {
    match (ledger, dir) {
        (Some(url), _) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Kind::Postgres(url.to_owned()))
        }
        (Some(file), _) => Ok(Kind::Sqlite(PathBuf::from(file))),
        (None, Some(dir)) => Ok(Kind::Sqlite(dir.join("ledger.sqlite"))),
        (None, None) => Err(Failure::usage("give the batch's folder or --ledger URL")),
    }
}

/// A PostgreSQL ledger, connected.
pub async fn pg(url: &str) -> Result<PgLedger, Failure> {
    PgLedger::connect(url, 4).await.map_err(ledger_failure)
}

/// A ledger error as the command's failure.
pub fn ledger_failure(e: rivya_batch::LedgerError) -> Failure {
    Failure {
        code: "ledger".into(),
        ..Failure::io(e.to_string())
    }
}
