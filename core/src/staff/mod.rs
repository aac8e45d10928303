//! Hall staff mode without the screens: the PIN gate, the audit log, the
//! paper forecast, the overview the staff screen shows, the actions, and
//! the diagnostics bundle. Everything is plain Rust the UI calls; the
//! state that must survive a restart (lockout, audit, paper counters,
//! out-of-service flag, last device health) lives in `staff.sqlite3` in
//! the data directory.

pub mod access;
pub mod audit;
pub mod diagnostics;
pub mod help;
pub mod mask;
pub mod paper;
pub mod recorder;
pub mod status;
pub mod window;

pub use access::{GateOutcome, StaffGate, hash_pin};
pub use audit::{AuditEntry, AuditLog};
pub use help::HelpRequest;
pub use paper::{PaperForecast, PaperLevel, PaperSettings, PaperTracker};
pub use recorder::{DeviceRecorder, DeviceSnapshot, SnapshotCell};
pub use status::{DeviceCondition, DeviceView, StaffDesk, StaffOverview};
pub use window::StaffWindow;

use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// What can go wrong in staff mode.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("staff database error: {0}")]
    Database(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Io(String),
}

impl From<rusqlite::Error> for StaffError {
    fn from(e: rusqlite::Error) -> Self {
        StaffError::Database(e.to_string())
    }
}

impl From<crate::outbox::OutboxError> for StaffError {
    fn from(e: crate::outbox::OutboxError) -> Self {
        StaffError::Database(e.to_string())
    }
}

/// Where time comes from, so lockouts and rate limits are tested without
/// waiting.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        crate::outbox::now_ms()
    }
}

/// A clock that moves only when told (tests, demos).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(ms: i64) -> ManualClock {
        ManualClock(AtomicI64::new(ms))
    }
    pub fn advance(&self, d: std::time::Duration) {
        self.0.fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

const MIGRATIONS: &[&str] = &[
    // 1: the audit log, small state, paper jobs.
    "
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        result TEXT NOT NULL
    );
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE paper_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        mm REAL NOT NULL,
        visit TEXT
    );
    ",
    // 2: the nonces of fleet commands run or refused after their
    // signature checked (`fleet::command::NonceStore`): a replay is
    // refused even after a restart. Rows go once their command expired.
    "
    CREATE TABLE fleet_nonces (
        nonce TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL
    );
    ",
];

/// The staff database file in the data directory.
pub const STAFF_DB: &str = "staff.sqlite3";

/// `staff.sqlite3`: holds no applicant data (receipt numbers at most).
pub struct StaffStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl StaffStore {
    /// Opens (creating) `staff.sqlite3` in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<StaffStore, StaffError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StaffError::Io(format!("{}: {e}", data_dir.display())))?;
        let path = data_dir.join(STAFF_DB);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > MIGRATIONS.len() as i64 {
            return Err(StaffError::Database(format!(
                "staff database version {current} is newer than this build's {}",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(StaffStore {
            conn: Mutex::new(conn),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StaffError> {
        let v: Option<String> = self
            .conn()
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        Ok(v.and_then(|v| serde_json::from_str(&v).ok()))
    }

    pub(crate) fn put<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), StaffError> {
        self.conn().execute(
            "INSERT INTO kv(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, &serde_json::to_string(value).expect("json")],
        )?;
        Ok(())
    }

    pub(crate) fn delete(&self, key: &str) -> Result<(), StaffError> {
        self.conn()
            .execute("DELETE FROM kv WHERE key = ?1", [key])?;
        Ok(())
    }
}

/// `ms` as China Standard Time, `YYYY-MM-DD HH:MM:SS`.
pub fn cst(ms: i64) -> String {
    crate::calendar::format_ms(ms)
}
