//! What staff and the kiosk read from the outbox: the status summary,
//! one submission by receipt, the receipts and their audit trail.

use super::{JobKind, Outbox, UplinkState, kv_get, migrations};
use crate::outbox::OutboxError;
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct RejectedView {
    pub receipt: String,
    pub kind: JobKind,
    pub code: String,
    pub reason: String,
    pub attempts: u32,
}

/// Everything the staff screen, `outbox status` and heartbeats need.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxStatus {
    pub kiosk_id: String,
    pub schema_version: i64,
    pub accepting_submissions: bool,
    pub alert: Option<String>,
    /// kind → state → count.
    pub counts: BTreeMap<String, BTreeMap<String, u64>>,
    /// Jobs not yet accepted or rejected.
    pub pending: u64,
    /// The oldest pending job: its receipt, attempts and last error.
    pub head: Option<Value>,
    pub next_attempt_ms: Option<i64>,
    pub rejected: Vec<RejectedView>,
    pub uplink: Option<UplinkState>,
}

/// One submission looked up by its receipt number.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptView {
    pub receipt: String,
    pub bundle: String,
    pub items: Vec<String>,
    /// `queued`, `accepted` or `rejected`.
    pub state: String,
    pub case_numbers: Option<Value>,
    pub rejected_reason: Option<String>,
    pub created_ms: i64,
    pub accepted_ms: Option<i64>,
    pub purged: bool,
    pub jobs: Vec<Value>,
}

impl Outbox {
    pub fn status(&self) -> Result<OutboxStatus, OutboxError> {
        let conn = self.conn();
        let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut st = conn.prepare_cached("SELECT kind, state, n FROM job_counts WHERE n > 0")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (k, s, n) = row?;
            counts.entry(k).or_default().insert(s, n);
        }
        let pending: u64 = counts
            .values()
            .flat_map(|states| states.iter())
            .filter(|(s, _)| matches!(s.as_str(), "queued" | "sending"))
            .map(|(_, n)| n)
            .sum();
        let head = conn
            .query_row(
                "SELECT receipt, kind, attempts, last_error, next_attempt_ms, created_ms
                 FROM jobs WHERE done = 0 ORDER BY id LIMIT 1",
                [],
                |r| {
                    Ok(json!({
                        "receipt": r.get::<_, String>(0)?, "kind": r.get::<_, String>(1)?,
                        "attempts": r.get::<_, u32>(2)?, "last_error": r.get::<_, Option<String>>(3)?,
                        "next_attempt_ms": r.get::<_, i64>(4)?, "queued_ms": r.get::<_, i64>(5)?,
                    }))
                },
            )
            .optional()?;
        let next_attempt_ms = conn.query_row(
            "SELECT MIN(next_attempt_ms) FROM jobs WHERE done = 0",
            [],
            |r| r.get(0),
        )?;
        let mut st = conn.prepare_cached(
            "SELECT receipt, kind, result, attempts FROM jobs WHERE state = 'rejected'
             ORDER BY id DESC LIMIT 100",
        )?;
        let rejected = st
            .query_map([], |r| {
                let detail: Value =
                    serde_json::from_str(&r.get::<_, Option<String>>(2)?.unwrap_or_default())
                        .unwrap_or(Value::Null);
                Ok(RejectedView {
                    receipt: r.get(0)?,
                    kind: JobKind::parse(&r.get::<_, String>(1)?),
                    code: detail["code"].as_str().unwrap_or("").to_string(),
                    reason: detail["reason"].as_str().unwrap_or("").to_string(),
                    attempts: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let uplink = kv_get(&conn, "uplink")?.and_then(|v| serde_json::from_str(&v).ok());
        let alert = self
            .stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(OutboxStatus {
            kiosk_id: self.kiosk_id.clone(),
            schema_version: migrations::SCHEMA_VERSION,
            accepting_submissions: alert.is_none(),
            alert,
            counts,
            pending,
            head,
            next_attempt_ms,
            rejected,
            uplink,
        })
    }

    /// A submission by its receipt number (as typed at the staff screen).
    pub fn lookup(&self, receipt_no: &str) -> Result<Option<ReceiptView>, OutboxError> {
        let conn = self.conn();
        let Some(mut view) = conn
            .query_row(
                "SELECT receipt, bundle, items, state, case_numbers, rejected_reason, created_ms,
                        accepted_ms, purged_ms FROM submissions WHERE receipt = ?1",
                [receipt_no],
                |r| {
                    Ok(ReceiptView {
                        receipt: r.get(0)?,
                        bundle: r.get(1)?,
                        items: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
                        state: r.get(3)?,
                        case_numbers: r
                            .get::<_, Option<String>>(4)?
                            .and_then(|s| serde_json::from_str(&s).ok()),
                        rejected_reason: r.get(5)?,
                        created_ms: r.get(6)?,
                        accepted_ms: r.get(7)?,
                        purged: r.get::<_, Option<i64>>(8)?.is_some(),
                        jobs: Vec::new(),
                    })
                },
            )
            .optional()?
        else {
            return Ok(None);
        };
        let mut st = conn.prepare_cached(
            "SELECT kind, state, attempts, last_error, payload IS NOT NULL FROM jobs
             WHERE receipt = ?1 ORDER BY id",
        )?;
        view.jobs = st
            .query_map([receipt_no], |r| {
                Ok(json!({
                    "kind": r.get::<_, String>(0)?, "state": r.get::<_, String>(1)?,
                    "attempts": r.get::<_, u32>(2)?, "last_error": r.get::<_, Option<String>>(3)?,
                    "has_personal_data": r.get::<_, bool>(4)?,
                }))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(view))
    }

    /// Every receipt with its state, oldest first (tests and audits).
    pub fn receipts(&self) -> Result<Vec<(String, String)>, OutboxError> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT receipt, state FROM submissions ORDER BY created_ms")?;
        let v = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(v)
    }

    /// The audit trail of one receipt: (event, detail).
    pub fn audit_trail(&self, receipt_no: &str) -> Result<Vec<(String, String)>, OutboxError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT event, COALESCE(detail, '') FROM audit WHERE receipt = ?1 ORDER BY id",
        )?;
        let v = st
            .query_map([receipt_no], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(v)
    }
}

/// The last four characters of the applicant's ID number, upper case.
pub(super) fn id_last4(sub: &crate::visit::submission::Submission) -> Option<String> {
    let id = &sub.applicant.card.as_ref()?.id_number;
    let chars: Vec<char> = id.trim().chars().collect();
    (chars.len() >= 4).then(|| {
        chars[chars.len() - 4..]
            .iter()
            .collect::<String>()
            .to_ascii_uppercase()
    })
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    // Constant time for equal lengths: the tags are fixed-length hex.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Outbox {
    /// Whether `last4` are the last four characters of the ID number of
    /// the applicant of `receipt_no`. Reveals nothing else: `false` for an
    /// unknown receipt, a receipt without an ID card, or a wrong answer.
    /// Works after the personal data is purged (a keyed check is kept from
    /// the enqueue); older submissions are checked against the sealed case.
    pub fn verify_owner(&self, receipt_no: &str, last4: &str) -> Result<bool, OutboxError> {
        let last4 = last4.trim().to_ascii_uppercase();
        if last4.chars().count() != 4 {
            return Ok(false);
        }
        let conn = self.conn();
        let tag: Option<String> = conn
            .query_row(
                "SELECT tag FROM owner_checks WHERE receipt = ?1",
                [receipt_no],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(tag) = tag {
            let want = super::owner_tag(&self.owner_key, receipt_no, &last4);
            return Ok(same_bytes(tag.as_bytes(), want.as_bytes()));
        }
        let sealed: Option<(String, Vec<u8>)> = conn
            .query_row(
                "SELECT key, payload FROM jobs
                 WHERE receipt = ?1 AND kind = 'case' AND payload IS NOT NULL",
                [receipt_no],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((key, sealed)) = sealed else {
            return Ok(false);
        };
        let Some(plain) = self
            .sealer
            .open(&super::aad(receipt_no, JobKind::Case, &key), &sealed)
        else {
            return Ok(false);
        };
        let Ok(sub) = serde_json::from_slice::<crate::visit::submission::Submission>(&plain) else {
            return Ok(false);
        };
        Ok(id_last4(&sub).is_some_and(|l| same_bytes(l.as_bytes(), last4.as_bytes())))
    }

    /// When the platform last accepted a submission of this kiosk.
    pub fn last_accepted_ms(&self) -> Result<Option<i64>, OutboxError> {
        Ok(self
            .conn()
            .query_row("SELECT MAX(accepted_ms) FROM submissions", [], |r| r.get(0))?)
    }
}
