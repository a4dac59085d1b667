//! The shared ledger: PostgreSQL, for several workers on several hosts working one batch.
//!
//! Items are claimed with leases (`FOR UPDATE SKIP LOCKED`, so workers never queue behind
//! each other's rows); a dead worker's lease runs out and another worker takes the item over
//! with the same idempotency key. Budget and token bucket are rows of the `batch` table,
//! updated under its row lock, so they hold for all workers together. Every time comes from
//! the database's clock, so hosts with skewed clocks still agree on leases and rates.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls, Statement, Transaction};

use super::schema::{self, ITEM_COLUMNS};
use super::sqlite::{RawRow, item_json};
use super::{BatchInfo, Counts, Ledger, LedgerError, Limits, Outcome, Reserve, Result, Row, State};
use crate::keys;
use crate::manifest::Item;

/// Milliseconds since the epoch on the database's clock.
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/// Serializes schema migrations and batch creation between workers that start together.
const ADVISORY_LOCK: i64 = 0x7269_7679_6162;

/// A ledger in a PostgreSQL database (one batch per database or schema).
pub struct PgLedger {
    conns: Vec<Mutex<Conn>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for PgLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLedger")
            .field("connections", &self.conns.len())
            .finish()
    }
}

impl PgLedger {
    /// Connects with `url` (`postgres://user@host:port/db`; no TLS) using `connections`
    /// connections, and migrates the schema. Without a password in the URL, `PGPASSWORD`
    /// or the password file (`PGPASSFILE`, else `~/.pgpass`, when private) supplies it; a
    /// connection attempt times out after 10 s unless the URL sets `connect_timeout`.
    pub async fn connect(url: &str, connections: usize) -> Result<Self> {
        // PGPASSWORD / the password file and a connect timeout, as with libpq.
        let config = super::pgpass::config(url).map_err(LedgerError)?;
        let mut conns = Vec::new();
        for _ in 0..connections.max(1) {
            let (client, conn) = config.connect(NoTls).await.map_err(|e| {
                LedgerError(format!("cannot connect to the PostgreSQL ledger: {e}"))
            })?;
            tokio::spawn(async move {
                // The connection task ends when the client is dropped or the server goes away;
                // the next query then reports the error.
                let _ = conn.await;
            });
            conns.push(Mutex::new(Conn { client, s: None }));
        }
        let ledger = Self {
            conns,
            next: AtomicUsize::new(0),
        };
        ledger.migrate().await?;
        Ok(ledger)
    }

    async fn conn(&self) -> tokio::sync::MutexGuard<'_, Conn> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.conns.len();
        self.conns[i].lock().await
    }

    async fn migrate(&self) -> Result<()> {
        let mut c = self.conn().await;
        let tx = c.client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ADVISORY_LOCK])
            .await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS rivya_batch_schema (version BIGINT NOT NULL)")
            .await?;
        let row = tx
            .query_opt("SELECT version FROM rivya_batch_schema", &[])
            .await?;
        let version = match row {
            Some(r) => r.get::<_, i64>(0) as usize,
            None => {
                tx.execute("INSERT INTO rivya_batch_schema (version) VALUES (0)", &[])
                    .await?;
                0
            }
        };
        if version > schema::VERSION {
            return Err(LedgerError(schema::too_new(version)));
        }
        for sql in &schema::MIGRATIONS_POSTGRES[version..] {
            tx.batch_execute(sql).await?;
        }
        tx.execute(
            "UPDATE rivya_batch_schema SET version = $1",
            &[&(schema::VERSION as i64)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn raw(r: &tokio_postgres::Row) -> RawRow {
    RawRow {
        key: r.get(0),
        line: r.get(1),
        model: r.get(2),
        request: r.get(3),
        refs: r.get(4),
        price: r.get(5),
        state: r.get(6),
        idempotency_key: r.get(7),
        task_id: r.get(8),
        status: r.get(9),
        held: r.get(10),
        credits: r.get(11),
        files: r.get(12),
        error: r.get(13),
        lease_owner: r.get(14),
    }
}

async fn open_batch(
    tx: &Transaction<'_>,
    sha: &str,
    items: &[Item],
    limits: Limits,
) -> Result<BatchInfo> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ADVISORY_LOCK])
        .await?;
    let existing = tx
        .query_opt("SELECT id, manifest_sha256 FROM batch", &[])
        .await?;
    let info = match existing {
        Some(r) => {
            let (id, stored): (String, String) = (r.get(0), r.get(1));
            if stored != sha {
                return Err(LedgerError(format!(
                    "this ledger holds batch {id}, made from another manifest (sha256 {stored}); use another database for a new batch"
                )));
            }
            BatchInfo {
                id,
                manifest_sha256: stored,
            }
        }
        None => {
            let id = keys::new_batch_id();
            let sql = format!(
                "INSERT INTO batch (id, manifest_sha256, created_ms) VALUES ($1, $2, {NOW_MS})"
            );
            tx.execute(&sql, &[&id, &sha]).await?;
            BatchInfo {
                id,
                manifest_sha256: sha.to_owned(),
            }
        }
    };
    for chunk in items.chunks(1000) {
        // Column arrays for UNNEST: one round trip per thousand items.
        let keys: Vec<&str> = chunk.iter().map(|i| i.key.as_str()).collect();
        let lines: Vec<i64> = chunk.iter().map(|i| i.line as i64).collect();
        let models: Vec<&str> = chunk.iter().map(|i| i.model.as_str()).collect();
        let (requests, refs): (Vec<String>, Vec<String>) = chunk.iter().map(item_json).unzip();
        let prices: Vec<f64> = chunk.iter().map(|i| i.price).collect();
        tx.execute(
            "INSERT INTO items (key, line, model, request, refs, price) \
             SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::float8[]) \
             ON CONFLICT (key) DO NOTHING",
            &[&keys, &lines, &models, &requests, &refs, &prices],
        )
        .await?;
    }
    let sql = format!(
        "UPDATE batch SET budget = $1, rate = $2, tokens = GREATEST(tokens, 1), refilled_ms = {NOW_MS}"
    );
    tx.execute(&sql, &[&limits.budget, &limits.rate]).await?;
    tx.execute("UPDATE items SET gave_up = FALSE WHERE gave_up", &[])
        .await?;
    tx.execute(
        "UPDATE items SET state = 'pending', error = NULL WHERE state = 'over_budget'",
        &[],
    )
    .await?;
    Ok(info)
}

/// The statements of the hot path, prepared once per connection: each call is then one
/// round trip (bind + execute) instead of two (parse, then bind + execute).
struct Stmts {
    claim: Statement,
    renew: Statement,
    lock_item: Statement,
    reserve_budget: Statement,
    over_budget: Statement,
    creating: Statement,
    move_credits: Statement,
    created: Statement,
    finish: Statement,
    give_up: Statement,
    token_read: Statement,
    token_take: Statement,
    pause: Statement,
    upload_get: Statement,
    upload_put: Statement,
    outstanding: Statement,
}

impl Stmts {
    async fn prepare(c: &Client) -> Result<Self> {
        let sql = |s: &str| s.replace("NOW_MS", NOW_MS);
        Ok(Self {
            claim: c.prepare(&sql(&format!(
                "UPDATE items SET lease_owner = $1, lease_until_ms = NOW_MS + $2 WHERE key = (\
                 SELECT key FROM items WHERE state IN ('pending', 'creating', 'created') \
                 AND NOT gave_up AND lease_until_ms < NOW_MS ORDER BY line LIMIT 1 \
                 FOR UPDATE SKIP LOCKED) RETURNING {ITEM_COLUMNS}"
            ))).await?,
            renew: c.prepare(&sql(
                "UPDATE items SET lease_until_ms = NOW_MS + $3 WHERE key = $1 AND lease_owner = $2",
            )).await?,
            lock_item: c.prepare(
                "SELECT price, held FROM items WHERE key = $1 AND lease_owner = $2 FOR UPDATE",
            ).await?,
            reserve_budget: c.prepare(
                "UPDATE batch SET committed = committed + $1 \
                 WHERE budget IS NULL OR committed + $1 <= budget + 1e-9",
            ).await?,
            over_budget: c.prepare(&sql(
                "UPDATE items SET state = 'over_budget', lease_owner = NULL, lease_until_ms = 0, \
                 error = 'not created: its reservation would pass the budget', \
                 updated_ms = NOW_MS WHERE key = $1",
            )).await?,
            creating: c.prepare(&sql(
                "UPDATE items SET state = 'creating', idempotency_key = $2, request = $3, \
                 held = price, updated_ms = NOW_MS WHERE key = $1 AND state = 'pending'",
            )).await?,
            move_credits: c.prepare("UPDATE batch SET committed = committed - $1 + $2").await?,
            created: c.prepare(&sql(
                "UPDATE items SET state = 'created', task_id = $2, status = $3, held = $4, \
                 updated_ms = NOW_MS WHERE key = $1",
            )).await?,
            finish: c.prepare(&sql(
                "UPDATE items SET state = $2, status = COALESCE($3, status), credits = $4, \
                 files = $5, error = $6, held = 0, lease_owner = NULL, lease_until_ms = 0, \
                 updated_ms = NOW_MS WHERE key = $1",
            )).await?,
            give_up: c.prepare(&sql(
                "UPDATE items SET gave_up = TRUE, error = $3, lease_owner = NULL, \
                 lease_until_ms = 0, updated_ms = NOW_MS WHERE key = $1 AND lease_owner = $2",
            )).await?,
            token_read: c.prepare(&sql(
                "SELECT rate, tokens, refilled_ms, paused_until_ms, NOW_MS FROM batch FOR UPDATE",
            )).await?,
            token_take: c.prepare("UPDATE batch SET tokens = $1, refilled_ms = $2").await?,
            pause: c.prepare(&sql(
                "UPDATE batch SET paused_until_ms = GREATEST(paused_until_ms, NOW_MS + $1)",
            )).await?,
            upload_get: c.prepare("SELECT item FROM uploads WHERE sha256 = $1").await?,
            upload_put: c.prepare(
                "INSERT INTO uploads (sha256, item) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
            ).await?,
            outstanding: c.prepare(
                "SELECT COUNT(*)::bigint FROM items \
                 WHERE state IN ('pending', 'creating', 'created') AND NOT gave_up",
            ).await?,
        })
    }
}

/// One connection and its prepared statements.
struct Conn {
    client: Client,
    s: Option<Stmts>,
}

impl Conn {
    /// The client and the statements (prepared on first use, after the schema exists).
    async fn parts(&mut self) -> Result<(&mut Client, &Stmts)> {
        if self.s.is_none() {
            self.s = Some(Stmts::prepare(&self.client).await?);
        }
        match &self.s {
            Some(s) => Ok((&mut self.client, s)),
            None => Err(LedgerError("statements not prepared".into())),
        }
    }
}

async fn reserve(
    tx: &Transaction<'_>,
    s: &Stmts,
    key: &str,
    owner: &str,
    idem: &str,
    body: &str,
) -> Result<Reserve> {
    let Some(r) = tx.query_opt(&s.lock_item, &[&key, &owner]).await? else {
        return Ok(Reserve::Lost);
    };
    let (price, held): (f64, f64) = (r.get(0), r.get(1));
    if held == 0.0 && tx.execute(&s.reserve_budget, &[&price]).await? == 0 {
        tx.execute(&s.over_budget, &[&key]).await?;
        return Ok(Reserve::OverBudget);
    }
    tx.execute(&s.creating, &[&key, &idem, &body]).await?;
    Ok(Reserve::Go)
}

/// Moves an item's credits in the batch total from what it holds to `to`; `None` when the
/// caller no longer owns the item.
async fn settle(
    tx: &Transaction<'_>,
    s: &Stmts,
    key: &str,
    owner: &str,
    to: Option<f64>,
) -> Result<Option<f64>> {
    let Some(r) = tx.query_opt(&s.lock_item, &[&key, &owner]).await? else {
        return Ok(None);
    };
    let held: f64 = r.get(1);
    let to = to.unwrap_or(held);
    // Most items are charged what they reserved: then the shared row is not touched, so
    // workers do not queue on its lock.
    if held != to {
        tx.execute(&s.move_credits, &[&held, &to]).await?;
    }
    Ok(Some(to))
}

async fn take_token(tx: &Transaction<'_>, s: &Stmts) -> Result<Option<Duration>> {
    let r = tx.query_one(&s.token_read, &[]).await?;
    let (rate, tokens, refilled, paused, now): (Option<f64>, f64, i64, i64, i64) =
        (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
    if paused > now {
        return Ok(Some(Duration::from_millis((paused - now) as u64)));
    }
    let Some(rate) = rate.filter(|r| *r > 0.0) else {
        return Ok(None);
    };
    let tokens = super::refill(tokens, now - refilled, rate);
    if tokens < 1.0 {
        let wait = ((1.0 - tokens) / rate * 1000.0).ceil() as u64;
        return Ok(Some(Duration::from_millis(wait.max(1))));
    }
    tx.execute(&s.token_take, &[&(tokens - 1.0), &now]).await?;
    Ok(None)
}

impl Ledger for PgLedger {
    async fn open(&self, sha: &str, items: &[Item], limits: Limits) -> Result<BatchInfo> {
        let mut c = self.conn().await;
        let tx = c.client.transaction().await?;
        let info = open_batch(&tx, sha, items, limits).await?;
        tx.commit().await?;
        Ok(info)
    }

    async fn claim(&self, owner: &str, lease: Duration) -> Result<Option<Row>> {
        let lease_ms = lease.as_millis() as i64;
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let row = client.query_opt(&s.claim, &[&owner, &lease_ms]).await?;
        row.map(|r| raw(&r).parse()).transpose()
    }

    async fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool> {
        let lease_ms = lease.as_millis() as i64;
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        Ok(client.execute(&s.renew, &[&key, &owner, &lease_ms]).await? == 1)
    }

    async fn reserve(&self, key: &str, owner: &str, idem: &str, body: &str) -> Result<Reserve> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let tx = client.transaction().await?;
        let r = reserve(&tx, s, key, owner, idem, body).await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn set_task(
        &self,
        key: &str,
        owner: &str,
        task_id: &str,
        status: &str,
        reserved: Option<f64>,
    ) -> Result<bool> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let tx = client.transaction().await?;
        // The server's reservation is the truth when it differs from the local price.
        let Some(held) = settle(&tx, s, key, owner, reserved).await? else {
            return Ok(false);
        };
        tx.execute(&s.created, &[&key, &task_id, &status, &held])
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn finish(&self, key: &str, owner: &str, o: &Outcome) -> Result<bool> {
        let files = serde_json::to_string(&o.files).unwrap_or_else(|_| "[]".to_owned());
        let state = o.state.as_str();
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let tx = client.transaction().await?;
        if settle(&tx, s, key, owner, Some(o.credits)).await?.is_none() {
            return Ok(false);
        }
        let args: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
            [&key, &state, &o.status, &o.credits, &files, &o.error];
        tx.execute(&s.finish, &args).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn give_up(&self, key: &str, owner: &str, error: &str) -> Result<()> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        client.execute(&s.give_up, &[&key, &owner, &error]).await?;
        Ok(())
    }

    async fn take_token(&self) -> Result<Option<Duration>> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let tx = client.transaction().await?;
        let r = take_token(&tx, s).await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn pause(&self, for_: Duration) -> Result<()> {
        let ms = for_.as_millis() as i64;
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        client.execute(&s.pause, &[&ms]).await?;
        Ok(())
    }

    async fn upload(&self, sha256: &str) -> Result<Option<String>> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let row = client.query_opt(&s.upload_get, &[&sha256]).await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn put_upload(&self, sha256: &str, item: &str) -> Result<()> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        client.execute(&s.upload_put, &[&sha256, &item]).await?;
        Ok(())
    }

    async fn outstanding(&self) -> Result<u64> {
        let mut c = self.conn().await;
        let (client, s) = c.parts().await?;
        let r = client.query_one(&s.outstanding, &[]).await?;
        Ok(r.get::<_, i64>(0) as u64)
    }

    async fn counts(&self) -> Result<Counts> {
        let c = self.conn().await;
        let rows = c
            .client
            .query(
                "SELECT state, COUNT(*)::bigint, COALESCE(SUM(credits), 0)::float8 FROM items GROUP BY state",
                &[],
            )
            .await?;
        let mut out = Counts::default();
        for r in rows {
            let (state, n, credits): (String, i64, f64) = (r.get(0), r.get(1), r.get(2));
            super::tally(&mut out, State::parse(&state)?, n as u64, credits);
        }
        out.credits_committed = c
            .client
            .query_opt("SELECT committed FROM batch", &[])
            .await?
            .map_or(0.0, |r| r.get(0));
        Ok(out)
    }

    async fn rows(&self) -> Result<Vec<Row>> {
        let c = self.conn().await;
        let rows = c
            .client
            .query(
                &format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY line"),
                &[],
            )
            .await?;
        rows.iter().map(|r| raw(r).parse()).collect()
    }
}
