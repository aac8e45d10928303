//! Device supervision: open each configured device, watch its health,
//! notice when it disappears and pick it up again when it returns, without
//! a restart.
//!
//! A driver plugs in by implementing [`Supervised`]; the manager runs each
//! one on its own thread:
//!
//! ```text
//!   ┌─► open ──ok──► probe ──ok──► run_once ─┐ (loop while Ok/Degraded)
//!   │     │                          │  ▲     │
//!   │   fails: Missing/Degraded      │  └─────┘
//!   │     ▼                          │ Fault::Gone → Missing (close)
//!   └─ wait (exponential backoff) ◄──┘ Fault::Failing ×N → close, reopen
//! ```

mod backoff;
mod device_id;
mod worker;

pub use backoff::Backoff;
pub use device_id::DeviceId;

use crate::transport::TransportError;
use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How a device is doing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Health {
    /// Working.
    Ok,
    /// There, but not working properly (silent, errors, out of paper).
    Degraded(String),
    /// Not there (unplugged, path absent, port closed).
    Missing(String),
}

impl Health {
    /// True for [`Health::Ok`].
    pub fn is_ok(&self) -> bool {
        matches!(self, Health::Ok)
    }
}

/// How an operation on a device failed, as the manager needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The device is not there: close it and wait for it to come back.
    Gone(String),
    /// The device is there but misbehaving.
    Failing(String),
}

impl Fault {
    /// The human-readable reason.
    pub fn reason(&self) -> &str {
        match self {
            Fault::Gone(reason) | Fault::Failing(reason) => reason,
        }
    }
}

/// Opens a device's transport for [`Supervised::open`]: failing to open is
/// "not there" (cable pulled, node gone), whatever the errno says, so the
/// manager reports `Missing` and retries with backoff.
pub fn open_or_gone<T>(opener: &mut impl FnMut() -> Result<T, TransportError>) -> Result<T, Fault> {
    opener().map_err(|e| match e {
        TransportError::Io(reason) | TransportError::Disconnected(reason) => Fault::Gone(reason),
    })
}

impl From<TransportError> for Fault {
    fn from(error: TransportError) -> Self {
        match error {
            TransportError::Disconnected(_) => Fault::Gone(error.to_string()),
            TransportError::Io(_) => Fault::Failing(error.to_string()),
        }
    }
}

/// A device the manager can supervise.
///
/// Implementations hold their configuration (path, baud, opener) and any
/// channel they publish events on; the manager owns the open device.
pub trait Supervised: Send + 'static {
    /// The open device (e.g. a reader session over a serial transport).
    type Device: Send;

    /// Which device this is, for health reports.
    fn id(&self) -> DeviceId;

    /// Opens the device. `Fault::Gone` when it is not there; `Fault::Failing`
    /// when it is there but does not work.
    fn open(&mut self) -> Result<Self::Device, Fault>;

    /// A quick health check right after opening.
    fn probe(&mut self, device: &mut Self::Device) -> Result<Health, Fault>;

    /// One bounded unit of work (a poll, a read with a timeout, a status
    /// query), at most a second or two so that shutdown stays prompt.
    fn run_once(&mut self, device: &mut Self::Device) -> Result<Health, Fault>;

    /// Called whenever the health the manager reports changes, before the
    /// change is published: a driver can turn it into its own events.
    fn on_health(&mut self, _health: &Health) {}
}

/// A change of one device's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthChange {
    pub device: DeviceId,
    pub health: Health,
}

type HealthMap = Arc<Mutex<BTreeMap<DeviceId, Health>>>;

/// Supervises devices on worker threads until dropped.
pub struct DeviceManager {
    health: HealthMap,
    changes: Sender<HealthChange>,
    workers: Vec<(Sender<()>, JoinHandle<()>)>,
}

impl DeviceManager {
    /// A manager and the receiving end of its health changes (every change
    /// of every device, in order; drop it if you only poll [`Self::health`]).
    pub fn new() -> (Self, Receiver<HealthChange>) {
        let (changes, receiver) = mpsc::channel();
        (
            DeviceManager {
                health: Arc::default(),
                changes,
                workers: Vec::new(),
            },
            receiver,
        )
    }

    /// Starts supervising `device` on its own thread.
    pub fn supervise<S: Supervised>(&mut self, device: S, backoff: Backoff) {
        let (stop_tx, stop_rx) = mpsc::channel();
        let id = device.id();
        let worker = worker::Worker {
            device,
            backoff,
            stop: stop_rx,
            health: Arc::clone(&self.health),
            changes: self.changes.clone(),
            id,
        };
        let handle = std::thread::Builder::new()
            .name(format!("device-{id}"))
            .spawn(move || worker.run())
            .expect("spawning a device thread");
        self.workers.push((stop_tx, handle));
    }

    /// The last reported health of every device.
    pub fn health(&self) -> BTreeMap<DeviceId, Health> {
        self.health.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The last reported health of one device.
    pub fn health_of(&self, id: DeviceId) -> Option<Health> {
        self.health.lock().ok()?.get(&id).cloned()
    }

    /// Stops every worker and waits for it (each finishes its current unit
    /// of work first).
    pub fn shutdown(&mut self) {
        for (stop, _) in &self.workers {
            let _ = stop.send(());
        }
        for (_, handle) in self.workers.drain(..) {
            let _ = handle.join();
        }
    }
}

impl Drop for DeviceManager {
    fn drop(&mut self) {
        self.shutdown();
    }
}
