//! The reference platform's own SQLite database: cases stored once per
//! idempotency key, case numbers per item, materials by hash, ratings,
//! heartbeats, seen nonces, and counters for the operators' listing.

use onevisit_core::platform::contract::{
    AttachmentStatus, ItemCase, ItemStatus, ListedCase, Listing, MaterialReceived,
};
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
        -- Pages by hash, stored once however many cases and items cite
        -- them; `received` bytes so far, `complete` once the whole file's
        -- SHA-256 matched.
        CREATE TABLE IF NOT EXISTS attachments (sha256 TEXT PRIMARY KEY, total INTEGER NOT NULL,
            received INTEGER NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
            receipt TEXT NOT NULL, received_ms INTEGER NOT NULL, bytes BLOB NOT NULL);
        -- The chunks of an attachment not yet complete, joined on completion.
        CREATE TABLE IF NOT EXISTS attachment_chunks (sha256 TEXT NOT NULL, offset INTEGER NOT NULL,
            bytes BLOB NOT NULL, PRIMARY KEY (sha256, offset));
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
        materials: count("SELECT COUNT(*) FROM attachments WHERE complete = 1")?,
        ratings: count("SELECT COUNT(*) FROM ratings")?,
        heartbeats: count("SELECT COUNT(*) FROM heartbeats")?,
        duplicates_refused: counter(conn, "duplicates_refused")?,
        rejected_signatures: counter(conn, "rejected_signatures")?,
        chunks_accepted: counter(conn, "chunks_accepted")?,
        chunk_bytes_accepted: counter(conn, "chunk_bytes_accepted")?,
        chunks_refused: counter(conn, "chunks_refused")?,
    })
}

/// Why a chunk of an attachment was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error(
        "chunk at offset {offset} does not follow the {received} bytes held; resume at {received}"
    )]
    OffsetMismatch { offset: u64, received: u64 },
    #[error("this attachment was started with {held} bytes in total, not {sent}")]
    TotalMismatch { held: u64, sent: u64 },
    #[error("chunk runs past the attachment's {total} bytes")]
    PastEnd { total: u64 },
    #[error(
        "the whole file does not match its SHA-256; the partial upload was discarded, send it again from offset 0"
    )]
    WholeHashMismatch,
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
}

impl ChunkError {
    pub fn code(&self) -> &'static str {
        match self {
            ChunkError::OffsetMismatch { .. } => "offset_mismatch",
            ChunkError::TotalMismatch { .. } => "total_mismatch",
            ChunkError::PastEnd { .. } => "chunk_past_end",
            ChunkError::WholeHashMismatch => "attachment_hash_mismatch",
            ChunkError::Storage(_) => "storage",
        }
    }
}

/// How much of the attachment `sha256` is held, if any.
pub fn attachment(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<AttachmentStatus>> {
    conn.query_row(
        "SELECT total, received, complete FROM attachments WHERE sha256 = ?1",
        [sha256],
        |r| {
            Ok(AttachmentStatus {
                sha256: sha256.to_string(),
                total: r.get::<_, i64>(0)? as u64,
                received: r.get::<_, i64>(1)? as u64,
                complete: r.get(2)?,
                duplicate: false,
            })
        },
    )
    .optional()
}

/// Appends one chunk (its own hash already checked) at `offset`. A chunk
/// of a complete attachment is answered as a duplicate; a chunk that is
/// already held (its answer was lost) likewise, without storing it twice.
/// The last chunk completes the file only if the whole SHA-256 matches.
pub fn put_chunk(
    conn: &mut Connection,
    sha256: &str,
    receipt: &str,
    offset: u64,
    total: u64,
    chunk: &[u8],
    now_ms: i64,
) -> Result<AttachmentStatus, ChunkError> {
    let tx = conn.transaction()?;
    let held = attachment(&tx, sha256)?;
    let end = offset + chunk.len() as u64;
    if end > total {
        return Err(ChunkError::PastEnd { total });
    }
    let received = match &held {
        Some(h) if h.complete => {
            return Ok(AttachmentStatus {
                duplicate: true,
                ..h.clone()
            });
        }
        Some(h) if h.total != total => {
            return Err(ChunkError::TotalMismatch {
                held: h.total,
                sent: total,
            });
        }
        Some(h) => h.received,
        None => 0,
    };
    // A chunk wholly inside what is held was sent before and its answer
    // lost: nothing to store.
    if end <= received && !chunk.is_empty() {
        return Ok(AttachmentStatus {
            sha256: sha256.to_string(),
            total,
            received,
            complete: false,
            duplicate: true,
        });
    }
    if offset != received {
        return Err(ChunkError::OffsetMismatch { offset, received });
    }
    if held.is_none() {
        tx.execute(
            "INSERT INTO attachments(sha256, total, received, receipt, received_ms, bytes)
             VALUES (?1, ?2, 0, ?3, ?4, x'')",
            params![sha256, total as i64, receipt, now_ms],
        )?;
    }
    tx.execute(
        "INSERT INTO attachment_chunks(sha256, offset, bytes) VALUES (?1, ?2, ?3)",
        params![sha256, offset as i64, chunk],
    )?;
    tx.execute(
        "UPDATE attachments SET received = ?2, received_ms = ?3 WHERE sha256 = ?1",
        params![sha256, end as i64, now_ms],
    )?;
    bump(&tx, "chunks_accepted")?;
    tx.execute(
        "INSERT INTO counters(name, n) VALUES ('chunk_bytes_accepted', ?1)
         ON CONFLICT(name) DO UPDATE SET n = n + ?1",
        [chunk.len() as i64],
    )?;
    let mut complete = false;
    if end == total {
        use sha2::{Digest, Sha256};
        let mut bytes = Vec::with_capacity(total as usize);
        {
            let mut st = tx
                .prepare("SELECT bytes FROM attachment_chunks WHERE sha256 = ?1 ORDER BY offset")?;
            let mut rows = st.query([sha256])?;
            while let Some(r) = rows.next()? {
                let chunk: Vec<u8> = r.get(0)?;
                bytes.extend_from_slice(&chunk);
            }
        }
        tx.execute("DELETE FROM attachment_chunks WHERE sha256 = ?1", [sha256])?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            tx.execute("DELETE FROM attachments WHERE sha256 = ?1", [sha256])?;
            tx.commit()?;
            return Err(ChunkError::WholeHashMismatch);
        }
        tx.execute(
            "UPDATE attachments SET complete = 1, bytes = ?2 WHERE sha256 = ?1",
            params![sha256, bytes],
        )?;
        complete = true;
    }
    tx.commit()?;
    Ok(AttachmentStatus {
        sha256: sha256.to_string(),
        total,
        received: end,
        complete,
        duplicate: false,
    })
}

/// The hashes among `shas` that are not held complete.
pub fn missing_attachments<'a>(
    conn: &Connection,
    shas: impl IntoIterator<Item = &'a str>,
) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM attachments WHERE sha256 = ?1 AND complete = 1)",
    )?;
    let mut missing = Vec::new();
    for sha in shas {
        if !st.query_row([sha], |r| r.get::<_, bool>(0))? && !missing.iter().any(|m| m == sha) {
            missing.push(sha.to_string());
        }
    }
    Ok(missing)
}

/// 材料已收 for a case: each material its manifest cites, with the pages
/// held complete here, then each 电子证照 it used; names from its notice.
pub fn materials_received(
    conn: &Connection,
    sub: &onevisit_core::visit::submission::Submission,
) -> rusqlite::Result<Vec<MaterialReceived>> {
    let name = |id: &str| {
        sub.notice["materials"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["id"] == id))
            .and_then(|m| m["name"].as_str())
            .unwrap_or(id)
            .to_string()
    };
    let mut held = conn.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM attachments WHERE sha256 = ?1 AND complete = 1)",
    )?;
    let mut out: Vec<MaterialReceived> = Vec::new();
    for m in &sub.materials {
        let here = held.query_row([&m.sha256], |r| r.get::<_, bool>(0))?;
        let row = match out.iter_mut().find(|r| r.material == m.material) {
            Some(r) => r,
            None => {
                out.push(MaterialReceived {
                    material: m.material.clone(),
                    name: name(&m.material),
                    pages: 0,
                    elicence: None,
                });
                out.last_mut().expect("just pushed")
            }
        };
        row.pages += u32::from(here);
    }
    out.retain(|r| r.pages > 0);
    out.extend(sub.elicences.iter().map(|l| MaterialReceived {
        material: l.material.clone(),
        name: name(&l.material),
        pages: 0,
        elicence: Some(l.title.clone()),
    }));
    Ok(out)
}

/// The stored bytes of a complete attachment (for operators and tests).
pub fn attachment_bytes(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT bytes FROM attachments WHERE sha256 = ?1 AND complete = 1",
        [sha256],
        |r| r.get(0),
    )
    .optional()
}
