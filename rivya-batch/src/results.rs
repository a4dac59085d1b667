//! `results.jsonl`: one line per item, in manifest order, rewritten from the ledger after a
//! run (the ledger is the truth; this file is its readable copy).

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::error::BatchError;
use crate::ledger::{Ledger, Row};

/// One item as a results line: key, task id, status, credits, files (with SHA-256), error.
pub fn result_line(r: &Row) -> serde_json::Value {
    json!({
        "key": r.key,
        "line": r.line,
        "model": r.model,
        "status": r.state.as_str(),
        "task_id": r.task_id,
        "task_status": r.status,
        "idempotency_key": r.idempotency_key,
        "credits": r.credits,
        "files": r.files,
        "error": r.error,
    })
}

/// Writes every item of the ledger to `path` (through a temporary file, so a reader never
/// sees half a file).
pub async fn write_results<L: Ledger>(ledger: &L, path: &Path) -> Result<(), BatchError> {
    let rows = ledger.rows().await?;
    let io = |source| BatchError::Io {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("jsonl.tmp");
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    for r in &rows {
        serde_json::to_writer(&mut out, &result_line(r)).map_err(|e| io(e.into()))?;
        out.write_all(b"\n").map_err(io)?;
    }
    out.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}
