//! The outbox schema, versioned with SQLite's `user_version`: each entry
//! moves the database one version up inside a transaction, so a kiosk
//! updated in the field upgrades its queue without losing it.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: receipts, jobs (case, material, rating), audit trail, key/value.
    "
    CREATE TABLE receipt_seq (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE submissions (
        receipt TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        bundle TEXT NOT NULL,
        items TEXT NOT NULL,
        state TEXT NOT NULL,
        case_numbers TEXT,
        rejected_reason TEXT,
        accepted_ms INTEGER,
        purged_ms INTEGER
    );
    CREATE INDEX submissions_purge ON submissions(state, accepted_ms) WHERE purged_ms IS NULL;
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        receipt TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        last_error TEXT,
        result TEXT,
        payload BLOB,
        created_ms INTEGER NOT NULL,
        UNIQUE (receipt, kind, key)
    );
    CREATE INDEX jobs_pending ON jobs(id) WHERE done = 0;
    CREATE INDEX jobs_receipt_pending ON jobs(receipt, id) WHERE done = 0;
    CREATE INDEX jobs_state_kind ON jobs(state, kind);
    CREATE INDEX jobs_due ON jobs(next_attempt_ms, id) WHERE done = 0;
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        receipt TEXT NOT NULL,
        event TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX audit_receipt ON audit(receipt);
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- Counts per kind and state kept by triggers, so the status screen
    -- costs the same with 100 000 jobs queued as with none.
    CREATE TABLE job_counts (
        kind TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (kind, state)
    );
    CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
        INSERT OR IGNORE INTO job_counts(kind, state, n) VALUES (NEW.kind, NEW.state, 0);
        UPDATE job_counts SET n = n + 1 WHERE kind = NEW.kind AND state = NEW.state;
    END;
    CREATE TRIGGER jobs_count_update AFTER UPDATE OF state ON jobs
    WHEN OLD.state <> NEW.state BEGIN
        UPDATE job_counts SET n = n - 1 WHERE kind = OLD.kind AND state = OLD.state;
        INSERT OR IGNORE INTO job_counts(kind, state, n) VALUES (NEW.kind, NEW.state, 0);
        UPDATE job_counts SET n = n + 1 WHERE kind = NEW.kind AND state = NEW.state;
    END;
    CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET n = n - 1 WHERE kind = OLD.kind AND state = OLD.state;
    END;
    ",
    // 2: a keyed check of the applicant's ID number's last four
    // characters, so the progress query can tell whether a receipt is
    // theirs without opening (or, after the purge, having) the sealed data.
    "
    CREATE TABLE owner_checks (receipt TEXT PRIMARY KEY, tag TEXT NOT NULL);
    ",
    // 3: how many bytes of a material (page) the platform has confirmed,
    // so an upload cut by a kill or an outage resumes at that chunk.
    "
    ALTER TABLE jobs ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
    ",
];

/// The outbox was written by a newer build (its schema version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("outbox schema version {0} is newer than this build's {SCHEMA_VERSION}")]
pub struct NewerSchema(pub i64);

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`]; refuses a newer one (a
/// kiosk rolled back to an older build must not scribble on it).
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), NewerSchema>> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Ok(Err(NewerSchema(current)));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(Ok(()))
}
