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
