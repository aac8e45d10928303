//! Switchable faults of the reference platform, settable by flags at
//! start and at run time through `PUT /v1/admin/faults`.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::RwLock;

/// Rates are probabilities 0.0-1.0 per request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSettings {
    /// Answer 500 without doing anything.
    pub error_rate: f64,
    /// Answer 429 with `Retry-After: retry_after_secs`.
    pub throttle_rate: f64,
    pub retry_after_secs: u64,
    /// Hold the request for `hang_ms` before answering (the client's
    /// timeout fires first).
    pub timeout_rate: f64,
    pub hang_ms: u64,
    /// Do the work, then cut the connection before the answer is sent:
    /// the nastiest case for exactly-once.
    pub drop_rate: f64,
    /// Added to every request.
    pub latency_ms: u64,
    /// Refuse everything with 503 (platform "down" without closing the port).
    pub down: bool,
    /// Damage an attachment chunk's bytes on arrival (it is then refused
    /// for its hash and must be sent again).
    pub corrupt_chunk_rate: f64,
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    Error,
    Throttle(u64),
    Hang(u64),
    Drop,
    Down,
}

#[derive(Debug, Default)]
pub struct Faults(RwLock<FaultSettings>);

impl Faults {
    pub fn new(s: FaultSettings) -> Faults {
        Faults(RwLock::new(s))
    }
    pub fn get(&self) -> FaultSettings {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
    pub fn set(&self, s: FaultSettings) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// Whether this attachment chunk arrives damaged.
    pub fn corrupt_chunk(&self) -> bool {
        let p = self.get().corrupt_chunk_rate;
        p > 0.0 && rand::rng().random::<f64>() < p
    }

    /// Draws this request's fault (and returns the latency to add).
    pub fn draw(&self) -> (Fault, u64) {
        let s = self.get();
        let mut rng = rand::rng();
        let mut roll = |p: f64| p > 0.0 && rng.random::<f64>() < p;
        let f = if s.down {
            Fault::Down
        } else if roll(s.error_rate) {
            Fault::Error
        } else if roll(s.throttle_rate) {
            Fault::Throttle(s.retry_after_secs)
        } else if roll(s.timeout_rate) {
            Fault::Hang(if s.hang_ms == 0 { 30_000 } else { s.hang_ms })
        } else if roll(s.drop_rate) {
            Fault::Drop
        } else {
            Fault::None
        };
        (f, s.latency_ms)
    }
}
