//! The ledger's schema, versioned. Migration `n` takes a database from version `n` to `n + 1`;
//! the crate applies the missing ones when it opens a ledger, and refuses a ledger written
//! by a newer version than it knows.
//!
//! Version 2 (`rivya batch retry`): each item's attempt number and its failure's code, and an
//! `attempts` table keeping every earlier attempt of an item (its key, task, outcome) when a
//! retry starts a new one. Existing items are attempt 1, whose key is the version-1 key.

/// The schema version this crate writes.
pub const VERSION: usize = MIGRATIONS_SQLITE.len();

/// SQLite, one entry per version.
pub const MIGRATIONS_SQLITE: &[&str] = &[
    r"
CREATE TABLE batch (
    id TEXT PRIMARY KEY,
    manifest_sha256 TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    budget REAL,
    committed REAL NOT NULL DEFAULT 0,
    rate REAL,
    tokens REAL NOT NULL DEFAULT 0,
    refilled_ms INTEGER NOT NULL DEFAULT 0,
    paused_until_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE items (
    key TEXT PRIMARY KEY,
    line INTEGER NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    refs TEXT NOT NULL,
    price REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    idempotency_key TEXT,
    task_id TEXT,
    status TEXT,
    held REAL NOT NULL DEFAULT 0,
    credits REAL,
    files TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    lease_owner TEXT,
    lease_until_ms INTEGER NOT NULL DEFAULT 0,
    gave_up INTEGER NOT NULL DEFAULT 0,
    updated_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX items_todo ON items (line)
    WHERE state IN ('pending', 'creating', 'created') AND gave_up = 0;
CREATE TABLE uploads (
    sha256 TEXT PRIMARY KEY,
    item TEXT NOT NULL
);
",
    r"
ALTER TABLE items ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN error_code TEXT;
CREATE TABLE attempts (
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    idempotency_key TEXT,
    task_id TEXT,
    state TEXT NOT NULL,
    status TEXT,
    credits REAL,
    error TEXT,
    error_code TEXT,
    ended_ms INTEGER NOT NULL,
    PRIMARY KEY (key, attempt)
);
",
];

/// PostgreSQL, one entry per version (the same tables in its types).
pub const MIGRATIONS_POSTGRES: &[&str] = &[
    r"
CREATE TABLE batch (
    id TEXT PRIMARY KEY,
    manifest_sha256 TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    budget DOUBLE PRECISION,
    committed DOUBLE PRECISION NOT NULL DEFAULT 0,
    rate DOUBLE PRECISION,
    tokens DOUBLE PRECISION NOT NULL DEFAULT 0,
    refilled_ms BIGINT NOT NULL DEFAULT 0,
    paused_until_ms BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE items (
    key TEXT PRIMARY KEY,
    line BIGINT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    refs TEXT NOT NULL,
    price DOUBLE PRECISION NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    idempotency_key TEXT,
    task_id TEXT,
    status TEXT,
    held DOUBLE PRECISION NOT NULL DEFAULT 0,
    credits DOUBLE PRECISION,
    files TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    gave_up BOOLEAN NOT NULL DEFAULT FALSE,
    updated_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX items_todo ON items (line)
    WHERE state IN ('pending', 'creating', 'created') AND NOT gave_up;
CREATE TABLE uploads (
    sha256 TEXT PRIMARY KEY,
    item TEXT NOT NULL
);
",
    r"
ALTER TABLE items ADD COLUMN attempt BIGINT NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN error_code TEXT;
CREATE TABLE attempts (
    key TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    idempotency_key TEXT,
    task_id TEXT,
    state TEXT NOT NULL,
    status TEXT,
    credits DOUBLE PRECISION,
    error TEXT,
    error_code TEXT,
    ended_ms BIGINT NOT NULL,
    PRIMARY KEY (key, attempt)
);
",
];

/// The columns of an item, in the order `Row` is read from.
pub const ITEM_COLUMNS: &str = "key, line, model, request, refs, price, state, idempotency_key, \
     task_id, status, held, credits, files, error, lease_owner, attempt, error_code";

/// The message for a ledger newer than this crate.
pub fn too_new(found: usize) -> String {
    format!(
        "the ledger has schema version {found}, newer than this program's {VERSION}; upgrade rivya"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_have_every_version() {
        assert_eq!(MIGRATIONS_SQLITE.len(), MIGRATIONS_POSTGRES.len());
    }
}
