//! The server's memory of paid calls: a small SQLite file (0600) that outlives the process.
//!
//! Before a `generate` or `chat` call is sent, its derived idempotency key, its body and what
//! it may cost are written here; the task id (or the chat turn's answer) follows when the API
//! answers. A restarted server with the same `--session` finds them: an identical call returns
//! the task it paid for instead of creating another, and the budget counts what the session
//! reserved before the restart. Rows older than the window ([`DEFAULT_WINDOW`], 24 h) are
//! forgotten when the ledger opens.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

// The ledger's times are SQLite integers (i64).
use rivya_rules::stamp::now_ms;
use rusqlite::{Connection, OptionalExtension, params};

/// How long a call is remembered: an identical call within it pays once.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    body TEXT NOT NULL,
    charge INTEGER NOT NULL,
    task_id TEXT,
    answer TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_session ON calls(session);
CREATE TABLE IF NOT EXISTS uploads (
    key TEXT PRIMARY KEY,
    item TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);";

/// A ledger error: the file and what went wrong.
#[derive(Debug)]
pub struct LedgerError(pub String);

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LedgerError {}

/// One remembered call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The derived idempotency key.
    pub key: String,
    /// The server session it belongs to.
    pub session: String,
    /// `generate` or `chat`.
    pub tool: String,
    /// The model id.
    pub model: String,
    /// The body sent (JSON), references and attachments resolved.
    pub body: String,
    /// Credits counted against the budget: the quote's maximum until the API answers, then
    /// what it reserved.
    pub charge: u64,
    /// The task a `generate` created.
    pub task_id: Option<String>,
    /// The answer of a `chat` turn (JSON).
    pub answer: Option<String>,
}

/// Why a call was refused by the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// The session's budget.
    pub budget: u64,
    /// Counted so far.
    pub spent: u64,
    /// What the call may cost.
    pub cost: u64,
}

impl OverBudget {
    /// What is left of the budget.
    pub fn left(&self) -> u64 {
        self.budget.saturating_sub(self.spent)
    }
}

/// The SQLite ledger.
pub struct Ledger {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Ledger {
    /// Opens (or creates, mode 0600, its folder 0700) the ledger and forgets rows older than
    /// `window`.
    pub fn open(path: &Path, window: Duration) -> Result<Self, LedgerError> {
        let err = |e: &dyn std::fmt::Display| LedgerError(format!("{}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| err(&e))?;
        }
        create_private_file(path).map_err(|e| err(&e))?;
        let conn = Connection::open(path).map_err(|e| err(&e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| err(&e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| err(&e))?;
        conn.execute_batch(SCHEMA).map_err(|e| err(&e))?;
        let cutoff =
            (now_ms() as i64).saturating_sub(i64::try_from(window.as_millis()).unwrap_or(i64::MAX));
        conn.execute("DELETE FROM calls WHERE created_ms < ?1", [cutoff])
            .map_err(|e| err(&e))?;
        conn.execute("DELETE FROM uploads WHERE created_ms < ?1", [cutoff])
            .map_err(|e| err(&e))?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    /// The ledger's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, LedgerError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| LedgerError("the ledger's lock is poisoned".into()))?;
        f(&mut conn).map_err(|e| LedgerError(format!("{}: {e}", self.path.display())))
    }

    /// The call remembered under `key`, if any.
    pub fn get(&self, key: &str) -> Result<Option<Call>, LedgerError> {
        self.with(|c| {
            c.query_row(
                "SELECT key, session, tool, model, body, charge, task_id, answer
                 FROM calls WHERE key = ?1",
                [key],
                |r| {
                    Ok(Call {
                        key: r.get(0)?,
                        session: r.get(1)?,
                        tool: r.get(2)?,
                        model: r.get(3)?,
                        body: r.get(4)?,
                        charge: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                        task_id: r.get(6)?,
                        answer: r.get(7)?,
                    })
                },
            )
            .optional()
        })
    }

    /// What `session` has counted against its budget.
    pub fn spent(&self, session: &str) -> Result<u64, LedgerError> {
        self.with(|c| spent(c, session))
    }

    /// Records a call about to be sent, unless it would pass `budget`: the check and the
    /// write are one transaction, so two calls (or two servers) cannot both take the last
    /// credits.
    pub fn begin(
        &self,
        call: &Call,
        budget: Option<u64>,
    ) -> Result<Result<(), OverBudget>, LedgerError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if let Some(budget) = budget {
                let spent = spent(&tx, &call.session)?;
                if spent.saturating_add(call.charge) > budget {
                    return Ok(Err(OverBudget {
                        budget,
                        spent,
                        cost: call.charge,
                    }));
                }
            }
            tx.execute(
                "INSERT INTO calls (key, session, tool, model, body, charge, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    call.key,
                    call.session,
                    call.tool,
                    call.model,
                    call.body,
                    i64::try_from(call.charge).unwrap_or(i64::MAX),
                    now_ms() as i64
                ],
            )?;
            tx.commit()?;
            Ok(Ok(()))
        })
    }

    /// Records the task a create returned and the credits the API reserved for it.
    pub fn created(&self, key: &str, task_id: &str, reserved: u64) -> Result<(), LedgerError> {
        self.with(|c| {
            c.execute(
                "UPDATE calls SET task_id = ?2, charge = ?3 WHERE key = ?1",
                params![key, task_id, i64::try_from(reserved).unwrap_or(i64::MAX)],
            )
            .map(drop)
        })
    }

    /// Records what a finished task kept: its final credits once it succeeded, 0 once it
    /// failed (refunded), so the budget counts what was really spent.
    pub fn settled(&self, task_id: &str, credits: u64) -> Result<(), LedgerError> {
        self.with(|c| {
            c.execute(
                "UPDATE calls SET charge = ?2 WHERE task_id = ?1",
                params![task_id, i64::try_from(credits).unwrap_or(i64::MAX)],
            )
            .map(drop)
        })
    }

    /// Records a chat turn's answer and the credits it reserved.
    pub fn answered(&self, key: &str, answer: &str, reserved: u64) -> Result<(), LedgerError> {
        self.with(|c| {
            c.execute(
                "UPDATE calls SET answer = ?2, charge = ?3 WHERE key = ?1",
                params![key, answer, i64::try_from(reserved).unwrap_or(i64::MAX)],
            )
            .map(drop)
        })
    }

    /// Forgets a call the API refused outright (nothing was created, nothing reserved).
    pub fn forget(&self, key: &str) -> Result<(), LedgerError> {
        self.with(|c| {
            c.execute("DELETE FROM calls WHERE key = ?1", [key])
                .map(drop)
        })
    }

    /// The reference item an earlier upload under `key` returned.
    pub fn upload(&self, key: &str) -> Result<Option<String>, LedgerError> {
        self.with(|c| {
            c.query_row("SELECT item FROM uploads WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    /// Remembers an upload's reference item.
    pub fn uploaded(&self, key: &str, item: &str) -> Result<(), LedgerError> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO uploads (key, item, created_ms) VALUES (?1, ?2, ?3)",
                params![key, item, now_ms() as i64],
            )
            .map(drop)
        })
    }
}

fn spent(c: &Connection, session: &str) -> rusqlite::Result<u64> {
    let n: i64 = c.query_row(
        "SELECT COALESCE(SUM(charge), 0) FROM calls WHERE session = ?1",
        [session],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Creates the file 0600 before SQLite opens it (SQLite gives its WAL files the same mode).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(key: &str, charge: u64) -> Call {
        Call {
            key: key.into(),
            session: "s".into(),
            tool: "generate".into(),
            model: "kling-3-0".into(),
            body: "{}".into(),
            charge,
            task_id: None,
            answer: None,
        }
    }

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!(
                "rivya-mcp-ledger-{}-{:x}",
                std::process::id(),
                fastrand::u64(..)
            ))
            .join(name)
    }

    #[test]
    fn the_budget_holds_and_a_restart_remembers() {
        let path = temp_path("l.sqlite");
        let l = Ledger::open(&path, DEFAULT_WINDOW).unwrap();
        assert_eq!(l.begin(&call("a", 90), Some(100)).unwrap(), Ok(()));
        let over = l.begin(&call("b", 90), Some(100)).unwrap().unwrap_err();
        assert_eq!((over.left(), over.cost), (10, 90));
        l.created("a", "task_1", 90).unwrap();
        l.settled("task_1", 0).unwrap();
        assert_eq!(
            l.spent("s").unwrap(),
            0,
            "a failed task is refunded to the budget"
        );
        l.settled("task_1", 90).unwrap();
        drop(l);
        let l = Ledger::open(&path, DEFAULT_WINDOW).unwrap();
        assert_eq!(
            l.get("a").unwrap().unwrap().task_id.as_deref(),
            Some("task_1")
        );
        assert_eq!(l.spent("s").unwrap(), 90);
        assert_eq!(l.get("b").unwrap(), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn old_rows_are_forgotten_outside_the_window() {
        let path = temp_path("w.sqlite");
        let l = Ledger::open(&path, DEFAULT_WINDOW).unwrap();
        l.begin(&call("a", 5), None).unwrap().unwrap();
        drop(l);
        std::thread::sleep(Duration::from_millis(5));
        let l = Ledger::open(&path, Duration::from_millis(1)).unwrap();
        assert_eq!(l.get("a").unwrap(), None);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
