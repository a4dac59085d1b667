//! The state every handler shares, and taking it for one request.

use std::sync::Arc;

use crate::api_err::ApiErr;
use crate::store::{Guard, Store};

/// The store, shared by every handler and the delivery task.
pub type Shared = Arc<Store>;

/// Locks the state for one request (loaded from, and saved to, the state directory if any).
pub fn lock(s: &Shared) -> Result<Guard<'_>, ApiErr> {
    s.lock()
}
