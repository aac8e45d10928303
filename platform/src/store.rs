//! The reference platform's own SQLite database: cases stored once per
//! idempotency key, case numbers per item, materials by hash, ratings,
//! heartbeats, seen nonces, and counters for the operators' listing.

use onevisit_core::platform::contract::{ItemCase, ItemStatus, ListedCase, Listing};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(d);
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // The reference platform is a test double: NORMAL keeps it fast, and
    // WAL still keeps it consistent after a crash.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS cases (
            case_id TEXT PRIMARY KEY,
            idem_key TEXT NOT NULL UNIQUE,
            body_hash TEXT NOT NULL,
            receipt TEXT NOT NULL UNIQUE,
            kiosk_id TEXT NOT NULL,
            bundle TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            items TEXT NOT NULL,
            body TEXT NOT NULL,
            duplicates INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS materials (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL,
            receipt TEXT NOT NULL, received_ms INTEGER NOT NULL, bytes BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS ratings (receipt TEXT PRIMARY KEY, score INTEGER NOT NULL,
            comment TEXT NOT NULL, received_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS heartbeats (id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL,
            received_ms INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, ts INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);",
    )?;
    Ok(conn)
}

pub fn bump(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO counters(name, n) VALUES (?1, 1)
         ON CONFLICT(name) DO UPDATE SET n = n + 1 RETURNING n",
        [name],
        |r| r.get(0),
    )
}

fn counter(conn: &Connection, name: &str) -> rusqlite::Result<u64> {
    Ok(conn
        .query_row("SELECT n FROM counters WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// Records a nonce; false when it was seen before (a replay).
pub fn fresh_nonce(conn: &Connection, nonce: &str, ts: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO nonces(nonce, ts) VALUES (?1, ?2)",
        params![nonce, ts],
    )?;
    Ok(n == 1)
}

/// Forgets nonces too old to pass the timestamp check anyway.
pub fn prune_nonces(conn: &Connection, before_ts: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM nonces WHERE ts < ?1", [before_ts])
}

/// A case's status per item, advanced by the time since it was received:
/// accepted, then in review, then approved (or, for some, needs materials).
pub fn status_at(
    case_number: &str,
    received_ms: i64,
    now_ms: i64,
    step_ms: i64,
) -> (ItemStatus, i64) {
    let steps = (now_ms - received_ms).max(0) / step_ms.max(1);
    let since = received_ms + steps.min(2) * step_ms.max(1);
    let status = match steps {
        0 => ItemStatus::Accepted,
        1 => ItemStatus::InReview,
        _ if case_number.bytes().map(u64::from).sum::<u64>() % 5 == 0 => ItemStatus::NeedsMaterials,
        _ => ItemStatus::Approved,
    };
    (status, since)
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&onevisit_core::calendar::china())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// Every case received, in order, with the counters.
pub fn list(conn: &Connection) -> rusqlite::Result<Listing> {
    let mut st = conn.prepare(
        "SELECT case_id, idem_key, receipt, kiosk_id, bundle, received_ms, items, duplicates
         FROM cases ORDER BY received_ms, case_id",
    )?;
    let cases = st
        .query_map([], |r| {
            Ok(ListedCase {
                case_id: r.get(0)?,
                idempotency_key: r.get(1)?,
                receipt: r.get(2)?,
                kiosk_id: r.get(3)?,
                bundle: r.get(4)?,
                received_at: ms_to_rfc3339(r.get(5)?),
                items: serde_json::from_str::<Vec<ItemCase>>(&r.get::<_, String>(6)?)
                    .unwrap_or_default(),
                duplicates_refused: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0));
    Ok(Listing {
        cases,
        materials: count("SELECT COUNT(*) FROM materials")?,
        ratings: count("SELECT COUNT(*) FROM ratings")?,
        heartbeats: count("SELECT COUNT(*) FROM heartbeats")?,
        duplicates_refused: counter(conn, "duplicates_refused")?,
        rejected_signatures: counter(conn, "rejected_signatures")?,
    })
}
