//! How a request to the platform can fail: the uplink's client sorts every
//! failure into one of these, and the progress query and the outbox act on
//! the kind.

use std::time::Duration;

/// How a request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlatformError {
    /// Connection failure, timeout, 408/429/5xx, or an unreadable answer:
    /// the same request may succeed later (`retry_after` when told).
    #[error("retryable: {reason}")]
    Retryable {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The platform refused the request itself (4xx): retrying the same
    /// bytes cannot help; staff must see the reason.
    #[error("rejected ({status} {code}): {message}")]
    Permanent {
        status: u16,
        code: String,
        message: String,
    },
}
