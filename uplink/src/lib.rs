//! The uplink: drains the outbox to the platform, oldest first, one
//! request in flight per submission, with exponential backoff and jitter,
//! honouring Retry-After. Everything it knows lives in the outbox, so a
//! restart (or a kill) resumes exactly where the database says.
//!
//! This crate is everything the kiosk sends: one Tokio runtime and one
//! signed HTTP client ([`Link`]) carry the outbox drain, the heartbeats and
//! the applicant's progress queries ([`StatusLookup`]) and the form's licence lookups ([`LicenceLookup`]).

pub mod client;
pub mod fleet;
mod link;

pub use client::{ClientError, PlatformClient};
pub use link::{LicenceLookup, Link, StatusLookup, UplinkHandle};
pub use onevisit_core::platform::PlatformError;
pub use onevisit_core::staff::{DeviceSnapshot, SnapshotCell};

use onevisit_core::outbox::{
    ClaimedJob, JobKind, JobOutcome, Outbox, OutboxError, UplinkState, now_ms,
};
use onevisit_core::platform::contract::{self, AttachmentStatus, Heartbeat, Rating};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct UplinkConfig {
    /// Jobs sent concurrently per round (each of a different submission).
    pub batch: usize,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How often a heartbeat goes out (`None`: never).
    pub heartbeat_every: Option<Duration>,
    /// Longest sleep when nothing is due, so new submissions go out soon.
    pub idle_poll: Duration,
    pub catalog_version: Option<String>,
    /// Personal data of accepted submissions is purged this long after
    /// acceptance, checked hourly (`None`: never, e.g. in tests).
    pub retention: Option<Duration>,
    /// Bytes per attachment chunk (a page goes in several; at most
    /// `contract::MAX_CHUNK`).
    pub chunk_size: usize,
}

impl Default for UplinkConfig {
    fn default() -> Self {
        UplinkConfig {
            batch: 64,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(300),
            heartbeat_every: Some(Duration::from_secs(60)),
            idle_poll: Duration::from_millis(500),
            catalog_version: None,
            retention: None,
            chunk_size: DEFAULT_CHUNK,
        }
    }
}

/// 64 KiB: a 500 KB page in 8 chunks, so an upload cut off loses little.
pub const DEFAULT_CHUNK: usize = 64 << 10;

/// The delay before attempt `attempts + 1`: exponential from `base`,
/// capped, with "equal jitter" (half fixed, half random) so that kiosks
/// coming back after an outage do not all hit the platform at once; never
/// sooner than the platform's Retry-After.
pub fn backoff(
    attempts: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    let exp = base
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(20))
        .min(max);
    let half = exp / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
    let d = half + Duration::from_millis(jitter);
    d.max(retry_after.unwrap_or_default())
}

pub struct Uplink {
    devices: Option<SnapshotCell>,
    outbox: Arc<Outbox>,
    client: PlatformClient,
    cfg: UplinkConfig,
    state: watch::Sender<UplinkState>,
    last_saved_ms: std::sync::atomic::AtomicI64,
}

impl Uplink {
    pub fn new(outbox: Arc<Outbox>, client: PlatformClient, cfg: UplinkConfig) -> Uplink {
        let now = now_ms();
        let initial = UplinkState {
            mode: "online".into(),
            since_ms: now,
            last_error: None,
            last_success_ms: None,
            updated_ms: now,
        };
        Uplink {
            devices: None,
            outbox,
            client,
            cfg,
            state: watch::channel(initial).0,
            last_saved_ms: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Heartbeats carry the latest device health and paper forecast the
    /// kiosk publishes on `devices`.
    pub fn with_device_snapshot(mut self, devices: SnapshotCell) -> Uplink {
        self.devices = Some(devices);
        self
    }

    /// The live state for the staff screen.
    pub fn subscribe(&self) -> watch::Receiver<UplinkState> {
        self.state.subscribe()
    }

    /// Sends one round of due jobs; returns how many were attempted.
    pub async fn run_once(&self) -> Result<usize, OutboxError> {
        let jobs = self.outbox.claim_due(now_ms(), self.cfg.batch)?;
        if jobs.is_empty() {
            return Ok(0);
        }
        let mut set = tokio::task::JoinSet::new();
        for (i, job) in jobs.iter().enumerate() {
            let client = self.client.clone();
            let job = job.clone();
            let cfg = self.cfg.clone();
            let outbox = self.outbox.clone();
            set.spawn(async move { (i, attempt(&client, &outbox, &job, &cfg).await) });
        }
        let mut outcomes: Vec<Option<JobOutcome>> = vec![None; jobs.len()];
        while let Some(r) = set.join_next().await {
            let (i, o) = r.expect("an attempt does not panic");
            outcomes[i] = Some(o);
        }
        let done: Vec<(ClaimedJob, JobOutcome)> = jobs
            .into_iter()
            .zip(outcomes)
            .map(|(j, o)| (j, o.expect("every attempt answered")))
            .collect();
        for (j, o) in &done {
            match o {
                JobOutcome::Rejected { code, reason } => log::warn!(
                    "platform rejected {} {} ({code}): {reason}",
                    j.kind.as_str(),
                    j.receipt
                ),
                JobOutcome::Retry { error, .. } => {
                    log::info!("{} {} will be retried: {error}", j.kind.as_str(), j.receipt)
                }
                JobOutcome::Accepted { .. } => {}
            }
        }
        self.outbox.record(&done)?;
        self.update_state(&done)?;
        Ok(done.len())
    }

    fn update_state(&self, done: &[(ClaimedJob, JobOutcome)]) -> Result<(), OutboxError> {
        let now = now_ms();
        let reached = done
            .iter()
            .any(|(_, o)| !matches!(o, JobOutcome::Retry { .. }));
        let error = done.iter().find_map(|(_, o)| match o {
            JobOutcome::Retry { error, .. } => Some(error.clone()),
            _ => None,
        });
        let mut changed = false;
        self.state.send_modify(|s| {
            let mode = if reached { "online" } else { "retrying" };
            if s.mode != mode {
                s.mode = mode.into();
                s.since_ms = now;
                changed = true;
            }
            if reached {
                s.last_success_ms = Some(now);
            }
            s.last_error = error.or(s.last_error.take().filter(|_| !reached));
            s.updated_ms = now;
        });
        // Persist for other processes (CLI status) on a change, and at
        // most every few seconds otherwise: each write is an fsync.
        let last = self
            .last_saved_ms
            .load(std::sync::atomic::Ordering::Relaxed);
        if changed || now - last > 5_000 {
            self.outbox.set_uplink_state(&self.state.borrow())?;
            self.last_saved_ms
                .store(now, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    fn heartbeat(&self) -> Option<tokio::task::JoinHandle<()>> {
        let status = self.outbox.status().ok()?;
        let snapshot = self
            .devices
            .as_ref()
            .map(SnapshotCell::get)
            .unwrap_or_default();
        let hb = Heartbeat {
            kiosk_id: self.outbox.kiosk_id().to_string(),
            at_ms: now_ms(),
            devices: snapshot.devices,
            paper_level: snapshot.paper_level,
            paper: snapshot.paper,
            queue_depth: status.pending,
            rejected: status.rejected.len() as u64,
            uplink_mode: self.state.borrow().mode.clone(),
            accepting_submissions: status.accepting_submissions,
            app_version: env!("CARGO_PKG_VERSION").into(),
            catalog_version: self.cfg.catalog_version.clone(),
        };
        // In the background: a platform that is down must not hold up
        // the queue for a request timeout.
        let client = self.client.clone();
        Some(tokio::spawn(async move {
            if let Err(e) = client.heartbeat(&hb).await {
                log::info!("heartbeat not delivered: {e}");
            }
        }))
    }

    /// Runs until stopped (`stop` turns true) or, with `until_empty`,
    /// until nothing is left to send.
    pub async fn run(
        &self,
        until_empty: bool,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), OutboxError> {
        self.outbox.recover_in_flight()?;
        let mut next_heartbeat = std::time::Instant::now();
        let mut last_heartbeat = None;
        let mut next_purge = std::time::Instant::now();
        let mut next_checkpoint = std::time::Instant::now();
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            if let Some(every) = self.cfg.heartbeat_every
                && std::time::Instant::now() >= next_heartbeat
            {
                last_heartbeat = self.heartbeat();
                next_heartbeat = std::time::Instant::now() + every;
            }
            if let Some(keep) = self.cfg.retention
                && std::time::Instant::now() >= next_purge
            {
                match self.outbox.purge(now_ms(), keep.as_millis() as i64) {
                    Ok(n) if n > 0 => log::info!("purged personal data of {n} submission(s)"),
                    Ok(_) => {}
                    Err(e) => log::error!("STAFF ALERT: retention purge failed: {e}"),
                }
                next_purge = std::time::Instant::now() + Duration::from_secs(3600);
            }
            if std::time::Instant::now() >= next_checkpoint {
                if let Err(e) = self.outbox.checkpoint() {
                    log::warn!("outbox checkpoint: {e}");
                }
                next_checkpoint = std::time::Instant::now() + Duration::from_secs(1);
            }
            match self.run_once().await {
                Ok(0) => {}
                Ok(_) => continue,
                // A service keeps going through a storage hiccup: jobs not
                // recorded stay claimable and are resent (idempotently).
                Err(e) if !until_empty => {
                    log::error!("STAFF ALERT: outbox error in the uplink: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                Err(e) => return Err(e),
            }
            if until_empty && self.outbox.pending()? == 0 {
                self.outbox.set_uplink_state(&self.state.borrow())?;
                // Let a heartbeat in flight finish, briefly.
                if let Some(h) = last_heartbeat.take() {
                    let _ = tokio::time::timeout(Duration::from_secs(2), h).await;
                }
                return Ok(());
            }
            let wait = match self.outbox.next_due_ms()? {
                Some(due) => Duration::from_millis((due - now_ms()).clamp(5, 60_000) as u64),
                None => self.cfg.idle_poll,
            }
            .min(self.cfg.idle_poll);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

async fn attempt(
    client: &PlatformClient,
    outbox: &Outbox,
    job: &ClaimedJob,
    cfg: &UplinkConfig,
) -> JobOutcome {
    let Some(payload) = job.payload.clone() else {
        return JobOutcome::Rejected {
            code: "local_unreadable".into(),
            reason: "本机无法解密这条记录（数据密钥与写入时不同或数据已被清除），请联系技术人员"
                .into(),
        };
    };
    let result = match job.kind {
        JobKind::Case => client
            .create_case(&job.key, payload)
            .await
            .map(|a| serde_json::to_value(a).expect("json")),
        JobKind::Material => upload_attachment(client, outbox, job, &payload, cfg.chunk_size)
            .await
            .map(|a| serde_json::to_value(a).expect("json")),
        JobKind::Rating => match serde_json::from_slice::<Rating>(&payload) {
            Ok(r) => client.post_rating(&job.receipt, &job.key, &r).await,
            Err(e) => Err(PlatformError::Permanent {
                status: 0,
                code: "local_bad_rating".into(),
                message: e.to_string(),
            }),
        },
    };
    match result {
        Ok(v) => JobOutcome::Accepted { result: v },
        Err(PlatformError::Permanent {
            status,
            code,
            message,
        }) => JobOutcome::Rejected {
            code,
            reason: format!("{status}: {message}"),
        },
        Err(PlatformError::Retryable {
            reason,
            retry_after,
        }) => {
            let delay = backoff(
                job.attempts + 1,
                cfg.base_backoff,
                cfg.max_backoff,
                retry_after,
            );
            JobOutcome::Retry {
                error: reason,
                next_attempt_ms: now_ms() + delay.as_millis() as i64,
            }
        }
    }
}

/// Sends one page in chunks, from where the outbox says the platform
/// stopped (`job.progress`), recording each confirmed chunk, so a kill or
/// an outage costs at most the chunk in flight. A chunk the platform
/// refuses for its hash is sent again (three times, then the job waits its
/// backoff); an offset the platform does not expect is corrected from its
/// own count (`GET /v1/attachments/{sha256}`).
pub async fn upload_attachment(
    client: &PlatformClient,
    outbox: &Outbox,
    job: &ClaimedJob,
    bytes: &[u8],
    chunk_size: usize,
) -> Result<AttachmentStatus, PlatformError> {
    let total = bytes.len() as u64;
    let chunk_size = chunk_size.clamp(1, contract::MAX_CHUNK) as u64;
    let mut offset = job.progress.min(total);
    let mut refused = 0;
    let mut corrections = 0;
    loop {
        let end = (offset + chunk_size).min(total);
        let chunk = &bytes[offset as usize..end as usize];
        match client
            .put_chunk(&job.key, &job.receipt, offset, total, chunk)
            .await
        {
            Ok(s) if s.complete => {
                let _ = outbox.record_progress(job.id, total);
                return Ok(s);
            }
            Ok(s) => {
                // The platform's count is where the next chunk starts.
                if s.received <= offset && !chunk.is_empty() && !s.duplicate {
                    return Err(PlatformError::Retryable {
                        reason: format!("attachment stuck at {} of {total} bytes", s.received),
                        retry_after: None,
                    });
                }
                offset = s.received.min(total);
                if let Err(e) = outbox.record_progress(job.id, offset) {
                    log::warn!("upload progress not recorded: {e}");
                }
                refused = 0;
            }
            Err(PlatformError::Permanent { code, .. }) if code == "chunk_hash_mismatch" => {
                refused += 1;
                log::warn!(
                    "platform refused chunk at {offset} of {} {} as damaged; sending it again",
                    job.receipt,
                    &job.key[..12]
                );
                if refused >= 3 {
                    return Err(PlatformError::Retryable {
                        reason: "chunk refused three times as damaged".into(),
                        retry_after: None,
                    });
                }
            }
            Err(PlatformError::Permanent { code, .. })
                if (code == "offset_mismatch" || code == "attachment_hash_mismatch")
                    && corrections < 3 =>
            {
                corrections += 1;
                offset = match client.attachment_status(&job.key).await? {
                    Some(s) if s.complete => {
                        return Ok(AttachmentStatus {
                            duplicate: true,
                            ..s
                        });
                    }
                    Some(s) if s.total == total => s.received.min(total),
                    _ => 0,
                };
                let _ = outbox.record_progress(job.id, offset);
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_jittered_and_honours_retry_after() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(10);
        for attempts in 1..40 {
            let exp = (base * (1u32 << (attempts - 1).min(20))).min(max);
            let d = backoff(attempts, base, max, None);
            assert!(d >= exp / 2 && d <= exp, "{attempts}: {d:?}");
        }
        let d = backoff(1, base, max, Some(Duration::from_secs(7)));
        assert_eq!(d, Duration::from_secs(7));
        let spread: std::collections::BTreeSet<_> =
            (0..50).map(|_| backoff(8, base, max, None)).collect();
        assert!(spread.len() > 5, "jitter spreads retries");
    }
}
