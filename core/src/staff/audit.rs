//! The staff audit log: who (always `staff` or `system`; there are no
//! staff accounts), when, what, and how it went. Never applicant data:
//! receipt numbers at most, and every text is masked on the way in.

use super::{Clock, StaffError, StaffStore, cst, mask::mask_personal};
use serde::Serialize;
use std::sync::Arc;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// China Standard Time, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub who: String,
    pub action: String,
    pub result: String,
}

/// Writes and reads the audit log in the staff database.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<StaffStore>,
    clock: Arc<dyn Clock>,
}

impl AuditLog {
    pub fn new(store: Arc<StaffStore>, clock: Arc<dyn Clock>) -> AuditLog {
        AuditLog { store, clock }
    }

    /// Appends one entry (durably: the staff database is synchronous FULL).
    pub fn record(&self, who: &str, action: &str, result: &str) -> Result<(), StaffError> {
        self.store.conn().execute(
            "INSERT INTO audit(at_ms, who, action, result) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                self.clock.now_ms(),
                who,
                mask_personal(action),
                mask_personal(result)
            ],
        )?;
        Ok(())
    }

    /// The last `n` entries, newest first.
    pub fn recent(&self, n: usize) -> Result<Vec<AuditEntry>, StaffError> {
        let conn = self.store.conn();
        let mut st = conn.prepare_cached(
            "SELECT at_ms, who, action, result FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = st
            .query_map([n as i64], |r| {
                let at_ms: i64 = r.get(0)?;
                Ok(AuditEntry {
                    at_ms,
                    at: cst(at_ms),
                    who: r.get(1)?,
                    action: r.get(2)?,
                    result: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

impl std::fmt::Display for AuditEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}  {}  {}  {}",
            self.at, self.who, self.action, self.result
        )
    }
}
