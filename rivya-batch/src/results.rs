//! `results.jsonl`: one line per item, in manifest order, rewritten from the ledger after a
//! run (the ledger is the truth; this file is its readable copy).

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::error::BatchError;
use crate::ledger::{Ledger, Row};

/// One item as a results line: key, task id, status, credits charged beside the credits
/// quoted (`{"credits"}` or `{"min", "max"}`, from the stored request by the same rules as
/// `rivya quote`), the attempt, files (with SHA-256), error and its code.
pub fn result_line(r: &Row) -> serde_json::Value {
    // Computed, not stored: the quote is a pure function of the request and the catalog, so
    // the ledger needs no column for it.
    let quoted = crate::price::item_quote(&r.model, &r.request, r.refs.len())
        .map(|q| crate::price::quote_json(&q));
    json!({
        "key": r.key,
        "line": r.line,
        "model": r.model,
        "status": r.state.as_str(),
        "task_id": r.task_id,
        "task_status": r.status,
        "idempotency_key": r.idempotency_key,
        // Whole credits as the API writes them (`90`, not `90.0`), like the quote beside them.
        "credits": r.credits.map(rivya_models::wire::json_number),
        "quoted": quoted,
        "attempt": r.attempt,
        "files": r.files,
        "error": r.error,
        "error_code": r.error_code,
    })
}

/// Writes every item of the ledger to `path` through a temporary file of this writer's own
/// (created new, 0600, never through a link), renamed over `path`: a reader never sees half a
/// file, and several workers sharing one `--out` never take each other's temporary file.
pub async fn write_results<L: Ledger>(ledger: &L, path: &Path) -> Result<(), BatchError> {
    let rows = ledger.rows().await?;
    crate::whole_file::replace(path, |out| {
        for r in &rows {
            serde_json::to_writer(&mut *out, &result_line(r))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
    .map_err(|source| BatchError::Io {
        path: path.display().to_string(),
        source,
    })
}
