//! The outbox database: queueing, claiming, recording outcomes, status,
//! staff retries and the retention purge.

use super::crypto::Sealer;
use super::{OutboxError, migrations, now_ms, receipt};
use crate::visit::submission::Submission;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Mutex;

mod views;
pub use views::{OutboxStatus, ReceiptView, RejectedView};

/// What a queued job sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Create the case (idempotent by its key).
    Case,
    /// Upload one material image (idempotent by content hash).
    Material,
    /// The applicant's 好差评 rating.
    Rating,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Case => "case",
            JobKind::Material => "material",
            JobKind::Rating => "rating",
        }
    }
    fn parse(s: &str) -> JobKind {
        match s {
            "material" => JobKind::Material,
            "rating" => JobKind::Rating,
            _ => JobKind::Case,
        }
    }
}

/// A job handed to the uplink. `payload` is `None` when it cannot be
/// decrypted (wrong data key): the uplink rejects it for staff to see.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub receipt: String,
    pub kind: JobKind,
    /// The idempotency key (case, rating) or the content hash (material).
    pub key: String,
    pub attempts: u32,
    pub payload: Option<Vec<u8>>,
    /// Bytes of a material the platform confirmed so far (chunked upload).
    pub progress: u64,
}

/// How one attempt ended.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    Accepted { result: Value },
    Retry { error: String, next_attempt_ms: i64 },
    Rejected { code: String, reason: String },
}

/// The uplink's state as the staff screen and heartbeats show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UplinkState {
    /// `online`, `retrying` or `stopped`.
    pub mode: String,
    pub since_ms: i64,
    pub last_error: Option<String>,
    pub last_success_ms: Option<i64>,
    pub updated_ms: i64,
}

pub struct Outbox {
    conn: Mutex<Connection>,
    /// A second connection only for checkpoints, so that copying the WAL
    /// into the database (and its fsync) happens off the enqueue path.
    checkpointer: Mutex<Option<Connection>>,
    path: std::path::PathBuf,
    sealer: Sealer,
    /// Keys the owner checks (see [`Outbox::verify_owner`]).
    owner_key: [u8; 32],
    kiosk_id: String,
    /// Set after a storage failure: new submissions are refused until
    /// staff resume (see [`Outbox::resume`]).
    stopped: Mutex<Option<String>>,
}

fn aad(receipt: &str, kind: JobKind, key: &str) -> String {
    format!("{receipt}/{}/{key}", kind.as_str())
}

impl Outbox {
    /// Opens (creating or migrating) the outbox at `path`.
    pub fn open(path: &Path, kiosk_id: &str, data_key: &[u8; 32]) -> Result<Outbox, OutboxError> {
        if !super::receipt::valid_kiosk_id(kiosk_id) {
            return Err(OutboxError::Invalid(format!("bad kiosk id {kiosk_id:?}")));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| OutboxError::Database(format!("{}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL + FULL: a commit is on disk (WAL fsynced) before enqueue
        // returns, which is when the applicant gets a receipt.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Purged personal data is overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // Checkpoints are the uplink's job (see `checkpoint`); this is only
        // a safety net for a process that never runs one (~80 MB of WAL).
        conn.pragma_update(None, "wal_autocheckpoint", 20_000)?;
        migrations::migrate(&mut conn)?.map_err(|e| OutboxError::Database(e.to_string()))?;
        Ok(Outbox {
            conn: Mutex::new(conn),
            checkpointer: Mutex::new(None),
            path: path.to_path_buf(),
            sealer: Sealer::new(data_key),
            owner_key: owner_key(data_key),
            kiosk_id: kiosk_id.to_string(),
            stopped: Mutex::new(None),
        })
    }

    pub fn kiosk_id(&self) -> &str {
        &self.kiosk_id
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic elsewhere while holding the lock leaves SQLite consistent
        // (the transaction rolls back on drop), so the lock stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a storage failure: stops new submissions, alerts staff.
    fn fail<T>(&self, e: OutboxError) -> Result<T, OutboxError> {
        if e.is_storage_failure() {
            log::error!("STAFF ALERT: outbox storage failure, submissions stopped: {e}");
            *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
        }
        Err(e)
    }

    /// Whether new submissions can be taken (the UI checks before a visit).
    pub fn accepting(&self) -> bool {
        self.stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// Staff action after fixing the disk: a probe write must succeed.
    pub fn resume(&self) -> Result<(), OutboxError> {
        let r = self.conn().execute(
            "INSERT INTO kv(key, value) VALUES ('probe', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [now_ms().to_string()],
        );
        match r {
            Ok(_) => {
                *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = None;
                Ok(())
            }
            Err(e) => self.fail(e.into()),
        }
    }

    /// Caps the database size (SQLite `max_page_count`): lets operators
    /// keep the outbox from filling the disk, and tests provoke "full".
    pub fn limit_pages(&self, pages: u64) -> Result<(), OutboxError> {
        self.conn()
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Queues a submission and its material images durably. Sets the
    /// receipt number, kiosk id and time on `sub` and returns the receipt:
    /// once this returns, the submission survives a power cut.
    pub fn enqueue(&self, sub: &mut Submission, images: &[Vec<u8>]) -> Result<String, OutboxError> {
        if let Some(why) = self
            .stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Err(OutboxError::Stopped(why));
        }
        if images.len() != sub.materials.len() {
            return Err(OutboxError::Invalid(
                "one image per material reference is needed".into(),
            ));
        }
        {
            use sha2::{Digest, Sha256};
            if let Some((m, _)) = sub.materials.iter().zip(images).find(|(m, b)| {
                hex::encode(Sha256::digest(b)) != m.sha256 || b.len() as u64 != m.size
            }) {
                return Err(OutboxError::Invalid(format!(
                    "page {} of material {} does not match its hash",
                    m.page, m.material
                )));
            }
        }
        match self.enqueue_tx(sub, images) {
            Ok(r) => Ok(r),
            Err(e) => self.fail(e),
        }
    }

    fn enqueue_tx(&self, sub: &mut Submission, images: &[Vec<u8>]) -> Result<String, OutboxError> {
        let now = crate::calendar::now();
        let day = now.format("%Y%m%d").to_string();
        let ms = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seq: u32 = tx.query_row(
            "INSERT INTO receipt_seq(day, last) VALUES (?1, 1)
             ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
            [&day],
            |r| r.get(0),
        )?;
        let receipt = receipt::format(&self.kiosk_id, &day, seq);
        sub.receipt = receipt.clone();
        sub.kiosk_id = self.kiosk_id.clone();
        sub.created_at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
        tx.execute(
            "INSERT INTO submissions(receipt, created_ms, bundle, items, state)
             VALUES (?1, ?2, ?3, ?4, 'queued')",
            params![
                receipt,
                ms,
                sub.bundle,
                serde_json::to_string(&sub.item_codes()).expect("json")
            ],
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO jobs(receipt, kind, key, state, next_attempt_ms, payload, created_ms)
             VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?4)",
        )?;
        // Materials first, so the platform has them when the case arrives;
        // a page cited twice (the same paper for two materials) goes once.
        let mut queued = std::collections::BTreeSet::new();
        for (m, bytes) in sub.materials.iter().zip(images) {
            if !queued.insert(m.sha256.as_str()) {
                continue;
            }
            let sealed = self
                .sealer
                .seal(&aad(&receipt, JobKind::Material, &m.sha256), bytes);
            insert.execute(params![receipt, "material", m.sha256, ms, sealed])?;
        }
        let idem = random_key();
        let body = serde_json::to_vec(&sub).expect("json");
        let sealed = self
            .sealer
            .seal(&aad(&receipt, JobKind::Case, &idem), &body);
        insert.execute(params![receipt, "case", idem, ms, sealed])?;
        drop(insert);
        if let Some(last4) = views::id_last4(sub) {
            tx.execute(
                "INSERT INTO owner_checks(receipt, tag) VALUES (?1, ?2)",
                params![receipt, owner_tag(&self.owner_key, &receipt, &last4)],
            )?;
        }
        audit(&tx, ms, &receipt, "queued", &json!({"bundle": sub.bundle}))?;
        tx.commit()?;
        Ok(receipt)
    }

    /// Queues the applicant's 好差评 rating (1-5) for a receipt, once.
    pub fn enqueue_rating(
        &self,
        receipt_no: &str,
        score: u8,
        comment: &str,
    ) -> Result<(), OutboxError> {
        if !(1..=5).contains(&score) {
            return Err(OutboxError::Invalid("评分应为 1 到 5 分".into()));
        }
        let ms = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM submissions WHERE receipt = ?1)",
            [receipt_no],
            |r| r.get(0),
        )?;
        if !known {
            return Err(OutboxError::Invalid(format!(
                "没有受理编号为 {receipt_no} 的申请"
            )));
        }
        let key = random_key();
        let body = json!({"score": score, "comment": comment, "rated_at_ms": ms});
        let sealed = self.sealer.seal(
            &aad(receipt_no, JobKind::Rating, &key),
            body.to_string().as_bytes(),
        );
        let exists: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM jobs WHERE receipt = ?1 AND kind = 'rating')",
            [receipt_no],
            |r| r.get(0),
        )?;
        if exists {
            return Err(OutboxError::Invalid("这件申请已经评价过了".into()));
        }
        tx.execute(
            "INSERT INTO jobs(receipt, kind, key, state, next_attempt_ms, payload, created_ms)
             VALUES (?1, 'rating', ?2, 'queued', ?3, ?4, ?3)",
            params![receipt_no, key, ms, sealed],
        )?;
        audit(
            &tx,
            ms,
            receipt_no,
            "rating_queued",
            &json!({"score": score}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The due jobs, oldest first, at most one per submission (the oldest
    /// unfinished one, so a submission's jobs go in order), marked sending.
    pub fn claim_due(&self, now: i64, limit: usize) -> Result<Vec<ClaimedJob>, OutboxError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Rows come with the sealed payload; it is opened after commit.
        let rows: Vec<ClaimedJob> = {
            let mut st = tx.prepare_cached(
                // Oldest due first: fresh jobs are due when queued, so
                // this is queue order; a job waiting out a backoff goes
                // when its time comes. The index makes this cheap however
                // many jobs wait.
                "SELECT id, receipt, kind, key, attempts, payload, progress FROM jobs j INDEXED BY jobs_due
                 WHERE done = 0 AND next_attempt_ms <= ?1
                   AND id = (SELECT MIN(id) FROM jobs k WHERE k.receipt = j.receipt AND k.done = 0)
                 ORDER BY next_attempt_ms, id LIMIT ?2",
            )?;
            st.query_map(params![now, limit as i64], |r| {
                Ok(ClaimedJob {
                    id: r.get(0)?,
                    receipt: r.get(1)?,
                    kind: JobKind::parse(&r.get::<_, String>(2)?),
                    key: r.get(3)?,
                    attempts: r.get(4)?,
                    payload: r.get(5)?,
                    progress: r.get::<_, i64>(6)?.max(0) as u64,
                })
            })?
            .collect::<Result<_, _>>()?
        };
        {
            let mut mark = tx.prepare_cached("UPDATE jobs SET state = 'sending' WHERE id = ?1")?;
            for r in &rows {
                mark.execute([r.id])?;
            }
        }
        tx.commit()?;
        Ok(rows
            .into_iter()
            .map(|mut j| {
                j.payload = j
                    .payload
                    .and_then(|p| self.sealer.open(&aad(&j.receipt, j.kind, &j.key), &p));
                j
            })
            .collect())
    }

    /// Records that the platform holds the first `bytes` of a material
    /// job's page: a restart resumes there. Never moves backwards unless
    /// the platform said it holds less (`bytes` is then its word).
    pub fn record_progress(&self, job_id: i64, bytes: u64) -> Result<(), OutboxError> {
        self.conn().execute(
            "UPDATE jobs SET progress = ?2 WHERE id = ?1 AND done = 0",
            params![job_id, bytes as i64],
        )?;
        Ok(())
    }

    /// Puts jobs left `sending` by a killed process back to `queued`.
    pub fn recover_in_flight(&self) -> Result<usize, OutboxError> {
        Ok(self.conn().execute(
            "UPDATE jobs SET state = 'queued' WHERE state = 'sending'",
            [],
        )?)
    }

    /// Records a batch of outcomes in one transaction.
    pub fn record(&self, outcomes: &[(ClaimedJob, JobOutcome)]) -> Result<(), OutboxError> {
        let ms = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (job, outcome) in outcomes {
            match outcome {
                JobOutcome::Accepted { result } => {
                    tx.execute(
                        "UPDATE jobs SET state = 'accepted', done = 1, attempts = attempts + 1,
                         result = ?2, last_error = NULL WHERE id = ?1",
                        params![job.id, result.to_string()],
                    )?;
                    if job.kind == JobKind::Case {
                        let numbers = json!(result.get("items").cloned().unwrap_or(Value::Null));
                        tx.execute(
                            "UPDATE submissions SET state = 'accepted', case_numbers = ?2,
                             accepted_ms = ?3, rejected_reason = NULL WHERE receipt = ?1",
                            params![job.receipt, numbers.to_string(), ms],
                        )?;
                    }
                    let event = format!("{}_accepted", job.kind.as_str());
                    audit(&tx, ms, &job.receipt, &event, result)?;
                }
                JobOutcome::Retry {
                    error,
                    next_attempt_ms,
                } => {
                    tx.execute(
                        "UPDATE jobs SET state = 'queued', attempts = attempts + 1,
                         next_attempt_ms = ?2, last_error = ?3 WHERE id = ?1",
                        params![job.id, next_attempt_ms, error],
                    )?;
                }
                JobOutcome::Rejected { code, reason } => {
                    let detail = json!({"code": code, "reason": reason});
                    tx.execute(
                        "UPDATE jobs SET state = 'rejected', done = 1, attempts = attempts + 1,
                         last_error = ?2, result = ?3 WHERE id = ?1",
                        params![job.id, reason, detail.to_string()],
                    )?;
                    if job.kind == JobKind::Case {
                        tx.execute(
                            "UPDATE submissions SET state = 'rejected', rejected_reason = ?2
                             WHERE receipt = ?1",
                            params![job.receipt, reason],
                        )?;
                    }
                    let event = format!("{}_rejected", job.kind.as_str());
                    audit(&tx, ms, &job.receipt, &event, &detail)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Jobs not yet accepted or rejected.
    pub fn pending(&self) -> Result<u64, OutboxError> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE state IN ('queued', 'sending')",
            [],
            |r| r.get(0),
        )?)
    }

    /// When the next pending job is due, if any.
    pub fn next_due_ms(&self) -> Result<Option<i64>, OutboxError> {
        Ok(self.conn().query_row(
            "SELECT MIN(next_attempt_ms) FROM jobs WHERE done = 0",
            [],
            |r| r.get(0),
        )?)
    }

    /// Staff retry: a rejected job goes back in the queue, and waiting
    /// jobs become due now. `None` means every rejected or waiting job.
    pub fn retry(&self, receipt_no: Option<&str>) -> Result<usize, OutboxError> {
        let ms = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let filter = if receipt_no.is_some() {
            "AND receipt = ?2"
        } else {
            "AND ?2 IS NULL"
        };
        let receipts: Vec<String> = {
            let mut st = tx.prepare(&format!(
                "SELECT DISTINCT receipt FROM jobs WHERE state = 'rejected' {filter}"
            ))?;
            st.query_map(params![ms, receipt_no], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let n = tx.execute(
            &format!(
                "UPDATE jobs SET state = 'queued', done = 0, next_attempt_ms = ?1
                 WHERE (state = 'rejected' OR done = 0) {filter}"
            ),
            params![ms, receipt_no],
        )?;
        for r in &receipts {
            tx.execute(
                "UPDATE submissions SET state = 'queued', rejected_reason = NULL
                 WHERE receipt = ?1 AND state = 'rejected'",
                [r],
            )?;
            audit(&tx, ms, r, "retry_by_staff", &Value::Null)?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Removes the personal data of submissions the platform accepted at
    /// least `retention_ms` ago and that have nothing left to send. Keeps
    /// receipts, case numbers and the audit trail. Returns how many.
    pub fn purge(&self, now: i64, retention_ms: i64) -> Result<usize, OutboxError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let receipts: Vec<String> = {
            let mut st = tx.prepare(
                "SELECT receipt FROM submissions s WHERE state = 'accepted' AND purged_ms IS NULL
                 AND accepted_ms <= ?1
                 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.receipt = s.receipt AND j.done = 0)",
            )?;
            st.query_map([now - retention_ms], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for r in &receipts {
            tx.execute("UPDATE jobs SET payload = NULL WHERE receipt = ?1", [r])?;
            tx.execute(
                "UPDATE submissions SET purged_ms = ?2 WHERE receipt = ?1",
                params![r, now],
            )?;
            audit(&tx, now, r, "personal_data_purged", &Value::Null)?;
        }
        tx.commit()?;
        // Old page images in the WAL still hold the sealed data until a
        // checkpoint; truncate it so the purge is real on disk.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(receipts.len())
    }

    /// Copies committed WAL pages into the database file without blocking
    /// writers (SQLite's PASSIVE checkpoint), on its own connection. The
    /// uplink calls this about once a second.
    pub fn checkpoint(&self) -> Result<(), OutboxError> {
        let mut guard = self.checkpointer.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let c = Connection::open(&self.path)?;
            c.busy_timeout(std::time::Duration::from_secs(10))?;
            c.pragma_update(None, "synchronous", "FULL")?;
            *guard = Some(c);
        }
        let c = guard.as_ref().expect("opened above");
        c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn set_uplink_state(&self, state: &UplinkState) -> Result<(), OutboxError> {
        self.conn().execute(
            "INSERT INTO kv(key, value) VALUES ('uplink', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [serde_json::to_string(state).expect("json")],
        )?;
        Ok(())
    }
}

fn kv_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

fn audit(
    tx: &rusqlite::Transaction<'_>,
    ms: i64,
    receipt_no: &str,
    event: &str,
    detail: &Value,
) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO audit(at_ms, receipt, event, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![ms, receipt_no, event, detail.to_string()])?;
    Ok(())
}

/// The key of the owner checks, derived from the data key so that the
/// checks cannot be recomputed without it.
fn owner_key(data_key: &[u8; 32]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"onevisit owner check v1\n");
    h.update(data_key);
    h.finalize().into()
}

/// HMAC-SHA256 over the receipt and the last four characters of the ID
/// number, in hex.
fn owner_tag(key: &[u8; 32], receipt_no: &str, last4: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(receipt_no.as_bytes());
    mac.update(b"\n");
    mac.update(last4.to_ascii_uppercase().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A random 128-bit key in hex (idempotency keys).
pub fn random_key() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}
