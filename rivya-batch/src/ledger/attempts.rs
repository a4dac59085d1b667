//! Attempts: `rivya batch retry` keeps an item's failed attempt (key, task, outcome) in the
//! `attempts` table and makes the item pending again under its next attempt number. Both
//! ledgers run the same steps: the failed items are read, filtered by code here, and each is
//! archived and reset in one transaction, only while it is still `failed` (an item a worker
//! touched in between is left alone).

// The ledger's times are SQLite integers (i64).
use rivya_rules::stamp::now_ms;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::{BatchInfo, Result, State};

/// One attempt of an item, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    /// The item key.
    pub key: String,
    /// 1 for the first attempt, one more per retry.
    pub attempt: u32,
    /// The create's idempotency key, once written.
    pub idempotency_key: Option<String>,
    /// The task, once known.
    pub task_id: Option<String>,
    /// Where the attempt ended (or is, for an item's current attempt).
    pub state: State,
    /// The task's last status.
    pub status: Option<String>,
    /// Credits charged.
    pub credits: Option<f64>,
    /// Why it failed.
    pub error: Option<String>,
    /// The failure's code.
    pub error_code: Option<String>,
}

/// Copies an item's current attempt into `attempts`; only a failed item.
const ARCHIVE: &str = "INSERT INTO attempts (key, attempt, idempotency_key, task_id, state, status, \
     credits, error, error_code, ended_ms) SELECT key, attempt, idempotency_key, task_id, state, \
     status, credits, error, error_code, {NOW} FROM items WHERE key = {KEY} AND state = 'failed'";

/// Makes a failed item pending under its next attempt. When its create was written, `request`
/// already holds the uploaded references (or attachments), so `refs` is emptied: they are not
/// appended twice, and the new attempt sends the same body under a new key.
const RESET: &str = "UPDATE items SET state = 'pending', attempt = attempt + 1, \
     refs = CASE WHEN idempotency_key IS NULL THEN refs ELSE '[]' END, idempotency_key = NULL, \
     task_id = NULL, status = NULL, held = 0, credits = NULL, files = '[]', error = NULL, \
     error_code = NULL, lease_owner = NULL, lease_until_ms = 0, updated_ms = {NOW} \
     WHERE key = {KEY} AND state = 'failed'";

/// Every attempt: the kept ones, then each item's current one when it has begun.
const ALL: &str = "SELECT key, attempt, idempotency_key, task_id, state, status, credits, error, \
     error_code FROM attempts UNION ALL SELECT key, attempt, idempotency_key, task_id, state, \
     status, credits, error, error_code FROM items WHERE state <> 'pending' \
     ORDER BY 1, 2";

const FAILED: &str = "SELECT key, error_code FROM items WHERE state = 'failed' ORDER BY line";

fn sql(template: &str, now: &str, key: &str) -> String {
    template.replace("{NOW}", now).replace("{KEY}", key)
}

/// Whether a failure with `code` is to be retried.
fn wanted(codes: &[String], code: Option<&str>) -> bool {
    codes.is_empty() || code.is_some_and(|c| codes.iter().any(|w| w == c))
}

#[allow(clippy::too_many_arguments)]
fn attempt(
    key: String,
    n: i64,
    idempotency_key: Option<String>,
    task_id: Option<String>,
    state: &str,
    status: Option<String>,
    credits: Option<f64>,
    error: Option<String>,
    error_code: Option<String>,
) -> Result<Attempt> {
    Ok(Attempt {
        key,
        attempt: u32::try_from(n.max(1)).unwrap_or(u32::MAX),
        idempotency_key,
        task_id,
        state: State::parse(state)?,
        status,
        credits,
        error,
        error_code,
    })
}

pub(super) fn sqlite_batch(c: &mut Connection) -> Result<Option<BatchInfo>> {
    Ok(
        c.query_row("SELECT id, manifest_sha256 FROM batch", [], |r| {
            Ok(BatchInfo {
                id: r.get(0)?,
                manifest_sha256: r.get(1)?,
            })
        })
        .optional()?,
    )
}

pub(super) fn sqlite_retry(c: &mut Connection, codes: &[String]) -> Result<u64> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let failed: Vec<(String, Option<String>)> = {
        let mut stmt = tx.prepare(FAILED)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let (archive, reset) = (sql(ARCHIVE, "?2", "?1"), sql(RESET, "?2", "?1"));
    let mut n = 0;
    for (key, code) in failed {
        if wanted(codes, code.as_deref()) {
            tx.execute(&archive, params![key, now_ms() as i64])?;
            n += tx.execute(&reset, params![key, now_ms() as i64])? as u64;
        }
    }
    tx.commit()?;
    Ok(n)
}

pub(super) fn sqlite_attempts(c: &mut Connection) -> Result<Vec<Attempt>> {
    let mut stmt = c.prepare(ALL)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, String>(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ))
    })?;
    rows.map(|r| {
        let (k, n, idem, task, state, status, credits, error, code) = r?;
        attempt(k, n, idem, task, &state, status, credits, error, code)
    })
    .collect()
}

/// Milliseconds since the epoch on the database's clock (as the PostgreSQL ledger keeps time).
const PG_NOW: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

pub(super) async fn pg_batch(c: &tokio_postgres::Client) -> Result<Option<BatchInfo>> {
    let row = c
        .query_opt("SELECT id, manifest_sha256 FROM batch", &[])
        .await?;
    Ok(row.map(|r| BatchInfo {
        id: r.get(0),
        manifest_sha256: r.get(1),
    }))
}

pub(super) async fn pg_retry(c: &mut tokio_postgres::Client, codes: &[String]) -> Result<u64> {
    let tx = c.transaction().await?;
    // The failed rows stay locked until the commit: a worker cannot touch them meanwhile.
    let failed = tx.query(&format!("{FAILED} FOR UPDATE"), &[]).await?;
    let archive = tx.prepare(&sql(ARCHIVE, PG_NOW, "$1")).await?;
    let reset = tx.prepare(&sql(RESET, PG_NOW, "$1")).await?;
    let mut n = 0;
    for row in failed {
        let (key, code): (String, Option<String>) = (row.get(0), row.get(1));
        if wanted(codes, code.as_deref()) {
            tx.execute(&archive, &[&key]).await?;
            n += tx.execute(&reset, &[&key]).await?;
        }
    }
    tx.commit().await?;
    Ok(n)
}

pub(super) async fn pg_attempts(c: &tokio_postgres::Client) -> Result<Vec<Attempt>> {
    let rows = c.query(ALL, &[]).await?;
    rows.iter()
        .map(|r| {
            attempt(
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get::<_, &str>(4),
                r.get(5),
                r.get(6),
                r.get(7),
                r.get(8),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_filter_only_when_given() {
        let codes = vec!["generation_failed".to_owned()];
        assert!(wanted(&[], None));
        assert!(wanted(&[], Some("x")));
        assert!(wanted(&codes, Some("generation_failed")));
        assert!(!wanted(&codes, Some("validation_failed")));
        assert!(!wanted(&codes, None));
    }

    /// A ledger written by schema version 1 migrates: its items are attempt 1 (whose key is
    /// the version-1 key), and a retry keeps that attempt.
    #[test]
    fn a_version_1_sqlite_ledger_migrates_to_attempts() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(super::super::schema::MIGRATIONS_SQLITE[0])
            .unwrap();
        c.execute_batch(
            "INSERT INTO batch (id, manifest_sha256, created_ms) VALUES ('b1', 'sha', 0);
             INSERT INTO items (key, line, model, request, refs, price, state, idempotency_key,
                 error) VALUES ('k', 1, 'z-image', '{}', '[\"a.png\"]', 1, 'failed', 'rvb-old', 'x');
             INSERT INTO items (key, line, model, request, refs, price, state)
                 VALUES ('ok', 2, 'z-image', '{}', '[]', 1, 'succeeded');
             PRAGMA user_version = 1;",
        )
        .unwrap();
        super::super::sqlite::migrate(&mut c).unwrap();
        assert_eq!(sqlite_attempts(&mut c).unwrap().len(), 2);
        assert_eq!(sqlite_retry(&mut c, &[]).unwrap(), 1);
        let all = sqlite_attempts(&mut c).unwrap();
        assert_eq!(
            all.len(),
            2,
            "the kept attempt 1 and the succeeded item: {all:?}"
        );
        assert_eq!(all[0].key, "k");
        assert_eq!(all[0].idempotency_key.as_deref(), Some("rvb-old"));
        assert_eq!(all[0].state, State::Failed);
        let (attempt, idem, refs): (i64, Option<String>, String) = c
            .query_row(
                "SELECT attempt, idempotency_key, refs FROM items WHERE key = 'k'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((attempt, idem, refs.as_str()), (2, None, "[]"));
    }
}
