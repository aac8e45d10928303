//! The durable submission outbox: one SQLite file (WAL, synchronous FULL)
//! holding every submission from the moment the applicant gets a receipt
//! until the platform has accepted it, with material uploads and ratings
//! queued the same way. Personal data is sealed at rest and purged after
//! acceptance plus the retention period; the audit trail stays.

pub mod crypto;
mod db;
pub mod migrations;
pub mod receipt;

pub use db::{
    ClaimedJob, JobKind, JobOutcome, Outbox, OutboxStatus, ReceiptView, RejectedView, UplinkState,
    random_key,
};

/// What can go wrong with the outbox itself.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The disk (or the database's size limit) is full.
    #[error("outbox storage is full: {0}")]
    Full(String),
    #[error("outbox database error: {0}")]
    Database(String),
    /// The outbox stopped taking submissions after a storage failure.
    #[error("outbox is not taking submissions since a storage failure: {0}")]
    Stopped(String),
    #[error("{0}")]
    Invalid(String),
}

impl OutboxError {
    /// A stable code for logs and diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            OutboxError::Full(_) => "outbox_full",
            OutboxError::Database(_) => "outbox_database",
            OutboxError::Stopped(_) => "outbox_stopped",
            OutboxError::Invalid(_) => "outbox_invalid",
        }
    }

    /// What the applicant is told: nothing is taken that cannot be kept,
    /// and a person at `window` can always help.
    pub fn user_message(&self, window: &crate::staff::StaffWindow) -> String {
        match self {
            OutboxError::Invalid(_) => "提交内容有误，请重新核对后再提交。".into(),
            _ => format!(
                "本机暂时无法保存新的申请，请携带材料到{}由工作人员办理。\
                 此前已提交的申请不受影响。",
                window.name()
            ),
        }
    }

    /// Storage failures stop new submissions and alert staff.
    pub fn is_storage_failure(&self) -> bool {
        !matches!(self, OutboxError::Invalid(_))
    }
}

impl From<rusqlite::Error> for OutboxError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => OutboxError::Full(e.to_string()),
            _ => OutboxError::Database(e.to_string()),
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
