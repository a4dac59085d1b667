//! The embedded ledger: one SQLite file (WAL), used by one process at a time.
//!
//! A lock file next to the database keeps a second `rivya batch` off the same ledger, so at
//! open every lease left in the file belongs to a dead run and is cleared at once: a resumed
//! run does not wait for leases to expire. `synchronous = NORMAL` in WAL mode survives a
//! killed process (what this ledger guards against); after a power cut the last commits may
//! be lost, which still duplicates nothing, because every idempotency key is derived from the
//! batch id and the item key rather than stored randomness.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

// The ledger's times are SQLite integers (i64): milliseconds fit for 292 million years.
use rivya_rules::stamp::now_ms;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::schema::{self, ITEM_COLUMNS};
use super::{
    BatchInfo, Counts, Ledger, LedgerError, Limits, Outcome, Reserve, Result, Row, State, refill,
};
use crate::keys;
use crate::manifest::Item;

/// A ledger in a SQLite file.
pub struct SqliteLedger {
    /// An async lock, taken before a blocking thread is used: calls queue as futures, not as
    /// blocked threads.
    conn: Arc<tokio::sync::Mutex<Connection>>,
    path: PathBuf,
    /// Held for the ledger's life; closing it releases the lock.
    _lock: Option<std::fs::File>,
}

impl std::fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLedger")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteLedger {
    /// Opens (or creates) the ledger at `path` for running a batch, and locks it against
    /// other processes.
    pub fn open(path: &Path) -> Result<Self> {
        let lock_path = path.with_extension("sqlite.lock");
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| {
                LedgerError::with_source(format!("cannot create {}", lock_path.display()), e)
            })?;
        lock.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => LedgerError::new(format!(
                "{} is in use by another rivya batch process",
                path.display()
            )),
            std::fs::TryLockError::Error(e) => {
                LedgerError::with_source(format!("cannot lock {}", lock_path.display()), e)
            }
        })?;
        // The ledger holds prompts, keys and signed URLs: a new one is created 0600 (SQLite
        // gives its -wal and -shm files the database's mode).
        match std::fs::File::options()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                let context = format!("cannot create {}", path.display());
                return Err(LedgerError::with_source(context, e));
            }
        }
        let mut conn = Connection::open(path)
            .map_err(|e| LedgerError::with_source(format!("cannot open {}", path.display()), e))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(Duration::from_secs(10))?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(tokio::sync::Mutex::new(conn)),
            path: path.to_owned(),
            _lock: Some(lock),
        })
    }

    /// Opens an existing ledger to read it (`rivya batch status`), even while a run holds it.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(LedgerError::new(format!("no ledger at {}", path.display())));
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| LedgerError::with_source(format!("cannot open {}", path.display()), e))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version as usize > schema::VERSION {
            return Err(LedgerError::new(schema::too_new(version as usize)));
        }
        Ok(Self {
            conn: Arc::new(tokio::sync::Mutex::new(conn)),
            path: path.to_owned(),
            _lock: None,
        })
    }

    /// Runs `f` on the connection on a blocking thread.
    pub(super) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let mut conn = self.conn.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut conn))
            .await
            .map_err(|e| LedgerError::with_source("ledger thread", e))?
    }
}

/// Applies the missing migrations (`PRAGMA user_version` holds the version).
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = version as usize;
    if version > schema::VERSION {
        return Err(LedgerError::new(schema::too_new(version)));
    }
    for sql in &schema::MIGRATIONS_SQLITE[version..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", schema::VERSION as i64)?;
    tx.commit()?;
    Ok(())
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        key: r.get(0)?,
        line: r.get(1)?,
        model: r.get(2)?,
        request: r.get(3)?,
        refs: r.get(4)?,
        price: r.get(5)?,
        state: r.get(6)?,
        idempotency_key: r.get(7)?,
        task_id: r.get(8)?,
        status: r.get(9)?,
        held: r.get(10)?,
        credits: r.get(11)?,
        files: r.get(12)?,
        error: r.get(13)?,
        lease_owner: r.get(14)?,
        attempt: r.get(15)?,
        error_code: r.get(16)?,
    })
}

/// An item row as stored, before its JSON columns are parsed.
pub(super) struct RawRow {
    pub key: String,
    pub line: i64,
    pub model: String,
    pub request: String,
    pub refs: String,
    pub price: f64,
    pub state: String,
    pub idempotency_key: Option<String>,
    pub task_id: Option<String>,
    pub status: Option<String>,
    pub held: f64,
    pub credits: Option<f64>,
    pub files: String,
    pub error: Option<String>,
    pub lease_owner: Option<String>,
    pub attempt: i64,
    pub error_code: Option<String>,
}

impl RawRow {
    pub fn parse(self) -> Result<Row> {
        let bad = |what: &str, e: serde_json::Error| {
            LedgerError::with_source(
                format!("item `{}`: stored {what} is not valid", self.key),
                e,
            )
        };
        Ok(Row {
            line: self.line as usize,
            model: self.model.clone(),
            request: serde_json::from_str(&self.request).map_err(|e| bad("request", e))?,
            refs: serde_json::from_str(&self.refs).map_err(|e| bad("refs", e))?,
            price: self.price,
            state: State::parse(&self.state)?,
            idempotency_key: self.idempotency_key.clone(),
            task_id: self.task_id.clone(),
            status: self.status.clone(),
            held: self.held,
            credits: self.credits,
            files: serde_json::from_str(&self.files).map_err(|e| bad("files", e))?,
            error: self.error.clone(),
            lease_owner: self.lease_owner.clone(),
            attempt: u32::try_from(self.attempt.max(1)).unwrap_or(u32::MAX),
            error_code: self.error_code.clone(),
            key: self.key,
        })
    }
}

/// The JSON columns of a new item.
pub(super) fn item_json(item: &Item) -> (String, String) {
    let refs: Vec<String> = item.refs.iter().map(|p| p.display().to_string()).collect();
    (
        item.request.to_string(),
        serde_json::to_string(&refs).unwrap_or_else(|_| "[]".to_owned()),
    )
}

fn open_batch(c: &mut Connection, sha: &str, items: &[Item], limits: Limits) -> Result<BatchInfo> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(String, String)> = tx
        .query_row("SELECT id, manifest_sha256 FROM batch", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let info = match existing {
        Some((id, stored)) if stored != sha => {
            return Err(LedgerError::new(format!(
                "this ledger holds batch {id}, made from another manifest (sha256 {stored}); use another --out folder or ledger for a new batch"
            )));
        }
        Some((id, stored)) => BatchInfo {
            id,
            manifest_sha256: stored,
        },
        None => {
            let id = keys::new_batch_id();
            tx.execute(
                "INSERT INTO batch (id, manifest_sha256, created_ms) VALUES (?1, ?2, ?3)",
                params![id, sha, now_ms() as i64],
            )?;
            BatchInfo {
                id,
                manifest_sha256: sha.to_owned(),
            }
        }
    };
    {
        let mut insert = tx.prepare(
            "INSERT OR IGNORE INTO items (key, line, model, request, refs, price) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for item in items {
            let (request, refs) = item_json(item);
            insert.execute(params![
                item.key,
                item.line as i64,
                item.model,
                request,
                refs,
                item.price
            ])?;
        }
    }
    tx.execute(
        "UPDATE batch SET budget = ?1, rate = ?2, tokens = MAX(tokens, 1), refilled_ms = ?3",
        params![limits.budget, limits.rate, now_ms() as i64],
    )?;
    // This process holds the file lock: every lease belongs to a dead run.
    tx.execute(
        "UPDATE items SET lease_owner = NULL, lease_until_ms = 0, gave_up = 0",
        [],
    )?;
    tx.execute(
        "UPDATE items SET state = 'pending', error = NULL WHERE state = 'over_budget'",
        [],
    )?;
    tx.commit()?;
    Ok(info)
}

fn reserve(c: &mut Connection, key: &str, owner: &str, idem: &str, body: &str) -> Result<Reserve> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<(f64, f64)> = tx
        .query_row(
            "SELECT price, held FROM items WHERE key = ?1 AND lease_owner = ?2",
            params![key, owner],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((price, held)) = found else {
        return Ok(Reserve::Lost);
    };
    if held == 0.0 {
        let ok = tx.execute(
            "UPDATE batch SET committed = committed + ?1 WHERE budget IS NULL OR committed + ?1 <= budget + 1e-9",
            params![price],
        )?;
        if ok == 0 {
            tx.execute(
                "UPDATE items SET state = 'over_budget', lease_owner = NULL, lease_until_ms = 0, \
                 error = 'not created: its reservation would pass the budget', updated_ms = ?2 WHERE key = ?1",
                params![key, now_ms() as i64],
            )?;
            tx.commit()?;
            return Ok(Reserve::OverBudget);
        }
    }
    tx.execute(
        "UPDATE items SET state = 'creating', idempotency_key = ?2, request = ?4, held = price, \
         updated_ms = ?3 WHERE key = ?1 AND state = 'pending'",
        params![key, idem, now_ms() as i64, body],
    )?;
    tx.commit()?;
    Ok(Reserve::Go)
}

fn finish(c: &mut Connection, key: &str, owner: &str, o: &Outcome) -> Result<bool> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held: Option<f64> = tx
        .query_row(
            "SELECT held FROM items WHERE key = ?1 AND lease_owner = ?2",
            params![key, owner],
            |r| r.get(0),
        )
        .optional()?;
    let Some(held) = held else {
        return Ok(false);
    };
    let files = serde_json::to_string(&o.files).unwrap_or_else(|_| "[]".to_owned());
    if held != o.credits {
        tx.execute(
            "UPDATE batch SET committed = committed - ?1 + ?2",
            params![held, o.credits],
        )?;
    }
    tx.execute(
        "UPDATE items SET state = ?2, status = COALESCE(?3, status), credits = ?4, files = ?5, \
         error = ?6, held = 0, lease_owner = NULL, lease_until_ms = 0, updated_ms = ?7, \
         error_code = ?8 WHERE key = ?1",
        params![
            key,
            o.state.as_str(),
            o.status,
            o.credits,
            files,
            o.error,
            now_ms() as i64,
            o.code
        ],
    )?;
    tx.commit()?;
    Ok(true)
}

fn take_token(c: &mut Connection) -> Result<Option<Duration>> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (rate, tokens, refilled, paused): (Option<f64>, f64, i64, i64) = tx.query_row(
        "SELECT rate, tokens, refilled_ms, paused_until_ms FROM batch",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let now = now_ms() as i64;
    if paused > now {
        return Ok(Some(Duration::from_millis((paused - now) as u64)));
    }
    let Some(rate) = rate.filter(|r| *r > 0.0) else {
        return Ok(None);
    };
    let tokens = refill(tokens, now - refilled, rate);
    if tokens < 1.0 {
        let wait = ((1.0 - tokens) / rate * 1000.0).ceil() as u64;
        return Ok(Some(Duration::from_millis(wait.max(1))));
    }
    tx.execute(
        "UPDATE batch SET tokens = ?1, refilled_ms = ?2",
        params![tokens - 1.0, now],
    )?;
    tx.commit()?;
    Ok(None)
}

fn counts(c: &mut Connection) -> Result<Counts> {
    let mut out = Counts::default();
    let mut stmt = c.prepare(
        "SELECT state, gave_up, COUNT(*), COALESCE(SUM(credits), 0) FROM items GROUP BY state, gave_up",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, f64>(3)?,
        ))
    })?;
    for row in rows {
        let (state, _gave_up, n, credits) = row?;
        super::tally(&mut out, State::parse(&state)?, n as u64, credits);
    }
    out.credits_committed = c
        .query_row("SELECT committed FROM batch", [], |r| r.get(0))
        .optional()?
        .unwrap_or(0.0);
    Ok(out)
}

impl Ledger for SqliteLedger {
    async fn open(&self, sha: &str, items: &[Item], limits: Limits) -> Result<BatchInfo> {
        let (sha, items) = (sha.to_owned(), items.to_vec());
        self.with(move |c| open_batch(c, &sha, &items, limits))
            .await
    }

    async fn claim(&self, owner: &str, lease: Duration) -> Result<Option<Row>> {
        let owner = owner.to_owned();
        self.with(move |c| {
            let now = now_ms() as i64;
            let sql = format!(
                "UPDATE items SET lease_owner = ?1, lease_until_ms = ?2 WHERE key = (\
                 SELECT key FROM items WHERE state IN ('pending', 'creating', 'created') \
                 AND gave_up = 0 AND lease_until_ms < ?3 ORDER BY line LIMIT 1) \
                 RETURNING {ITEM_COLUMNS}"
            );
            let raw = c
                .query_row(
                    &sql,
                    params![owner, now + lease.as_millis() as i64, now],
                    read_row,
                )
                .optional()?;
            raw.map(RawRow::parse).transpose()
        })
        .await
    }

    async fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool> {
        let (key, owner) = (key.to_owned(), owner.to_owned());
        self.with(move |c| {
            let n = c.execute(
                "UPDATE items SET lease_until_ms = ?3 WHERE key = ?1 AND lease_owner = ?2",
                params![key, owner, now_ms() as i64 + lease.as_millis() as i64],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn reserve(&self, key: &str, owner: &str, idem: &str, body: &str) -> Result<Reserve> {
        let (key, owner, idem) = (key.to_owned(), owner.to_owned(), idem.to_owned());
        let body = body.to_owned();
        self.with(move |c| reserve(c, &key, &owner, &idem, &body))
            .await
    }

    async fn set_task(
        &self,
        key: &str,
        owner: &str,
        task_id: &str,
        status: &str,
        reserved: Option<f64>,
    ) -> Result<bool> {
        let (key, owner) = (key.to_owned(), owner.to_owned());
        let (task_id, status) = (task_id.to_owned(), status.to_owned());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let held: Option<f64> = tx
                .query_row(
                    "SELECT held FROM items WHERE key = ?1 AND lease_owner = ?2",
                    params![key, owner],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(held) = held else {
                return Ok(false);
            };
            // The server's reservation is the truth when it differs from the local price.
            let reserved = reserved.unwrap_or(held);
            if reserved != held {
                tx.execute(
                    "UPDATE batch SET committed = committed - ?1 + ?2",
                    params![held, reserved],
                )?;
            }
            tx.execute(
                "UPDATE items SET state = 'created', task_id = ?2, status = ?3, held = ?4, \
                 updated_ms = ?5 WHERE key = ?1",
                params![key, task_id, status, reserved, now_ms() as i64],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn finish(&self, key: &str, owner: &str, outcome: &Outcome) -> Result<bool> {
        let (key, owner, o) = (key.to_owned(), owner.to_owned(), outcome.clone());
        self.with(move |c| finish(c, &key, &owner, &o)).await
    }

    async fn give_up(&self, key: &str, owner: &str, error: &str) -> Result<()> {
        let (key, owner, error) = (key.to_owned(), owner.to_owned(), error.to_owned());
        self.with(move |c| {
            c.execute(
                "UPDATE items SET gave_up = 1, error = ?3, lease_owner = NULL, lease_until_ms = 0, \
                 updated_ms = ?4 WHERE key = ?1 AND lease_owner = ?2",
                params![key, owner, error, now_ms() as i64],
            )?;
            Ok(())
        })
        .await
    }

    async fn take_token(&self) -> Result<Option<Duration>> {
        self.with(take_token).await
    }

    async fn pause(&self, for_: Duration) -> Result<()> {
        self.with(move |c| {
            c.execute(
                "UPDATE batch SET paused_until_ms = MAX(paused_until_ms, ?1)",
                params![now_ms() as i64 + for_.as_millis() as i64],
            )?;
            Ok(())
        })
        .await
    }

    async fn upload(&self, sha256: &str) -> Result<Option<String>> {
        let sha = sha256.to_owned();
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT item FROM uploads WHERE sha256 = ?1",
                params![sha],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn put_upload(&self, sha256: &str, item: &str) -> Result<()> {
        let (sha, item) = (sha256.to_owned(), item.to_owned());
        self.with(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO uploads (sha256, item) VALUES (?1, ?2)",
                params![sha, item],
            )?;
            Ok(())
        })
        .await
    }

    async fn counts(&self) -> Result<Counts> {
        self.with(counts).await
    }

    async fn outstanding(&self) -> Result<u64> {
        self.with(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM items WHERE state IN ('pending', 'creating', 'created') AND gave_up = 0",
                [],
                |r| r.get(0),
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn rows(&self) -> Result<Vec<Row>> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY line"))?;
            let raws = stmt.query_map([], read_row)?;
            raws.map(|r| r.map_err(LedgerError::from).and_then(RawRow::parse))
                .collect()
        })
        .await
    }

    async fn batch(&self) -> Result<Option<BatchInfo>> {
        self.with(super::attempts::sqlite_batch).await
    }

    async fn retry(&self, codes: &[String]) -> Result<u64> {
        let codes = codes.to_vec();
        self.with(move |c| super::attempts::sqlite_retry(c, &codes))
            .await
    }

    async fn attempts(&self) -> Result<Vec<super::Attempt>> {
        self.with(super::attempts::sqlite_attempts).await
    }
}
