//! The receipt printer under the [`crate::manager::DeviceManager`]: it
//! prints the jobs it is sent, one at a time, and between jobs polls the
//! printer's status so staff see paper running low before it runs out.

use super::status::{Health as PaperHealth, PrinterStatus};
use super::{PrintReport, Printer, PrinterConfig, PrinterError};
use crate::manager::{Fault, Health, Supervised, open_or_gone};
use crate::transport::{Transport, TransportError};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// A job for the printer: the ESC/POS bytes and who wants to know how it
/// went.
pub struct PrintRequest {
    /// An id the caller chose (e.g. the receipt number), echoed back.
    pub id: String,
    pub bytes: Vec<u8>,
    pub done: Sender<PrintOutcome>,
}

/// How a [`PrintRequest`] ended.
#[derive(Debug)]
pub struct PrintOutcome {
    pub id: String,
    pub result: Result<PrintReport, PrinterError>,
}

/// The printer as a supervised device.
pub struct SupervisedPrinter<O> {
    opener: O,
    config: PrinterConfig,
    jobs: Receiver<PrintRequest>,
    status_every: Duration,
    last_status: Option<Instant>,
    /// What the last status poll or job said; repeated between polls so a
    /// printer out of paper does not look fine until the next poll.
    last_health: Health,
}

impl<O, T> SupervisedPrinter<O>
where
    O: FnMut() -> Result<T, TransportError> + Send + 'static,
    T: Transport + 'static,
{
    /// `jobs` is where the kiosk sends print requests.
    pub fn new(opener: O, config: PrinterConfig, jobs: Receiver<PrintRequest>) -> Self {
        SupervisedPrinter {
            opener,
            config,
            jobs,
            status_every: Duration::from_secs(5),
            last_status: None,
            last_health: Health::Ok,
        }
    }

    /// How often the status is polled between jobs (default 5 s).
    pub fn with_status_every(mut self, every: Duration) -> Self {
        self.status_every = every;
        self
    }
}

/// The manager's view of a printer status: paper out or cover open is
/// degraded (the kiosk still works, it just cannot print), near end too
/// (staff should restock), otherwise ok.
pub fn health_of(status: &PrinterStatus) -> Health {
    match status.health() {
        PaperHealth::Ready => Health::Ok,
        PaperHealth::Warning | PaperHealth::Blocked => Health::Degraded(status.summary()),
    }
}

fn fault(error: PrinterError) -> Fault {
    match error {
        PrinterError::Transport(e) | PrinterError::SendFailed { source: e, .. } => Fault::from(e),
        other => Fault::Failing(other.to_string()),
    }
}

impl<O, T> Supervised for SupervisedPrinter<O>
where
    O: FnMut() -> Result<T, TransportError> + Send + 'static,
    T: Transport + 'static,
{
    type Device = Printer<T>;

    fn id(&self) -> crate::manager::DeviceId {
        crate::manager::DeviceId::Printer
    }

    fn open(&mut self) -> Result<Self::Device, Fault> {
        let transport = open_or_gone(&mut self.opener)?;
        self.last_status = None;
        Ok(Printer::new(transport, self.config.clone()))
    }

    fn probe(&mut self, printer: &mut Self::Device) -> Result<Health, Fault> {
        let status = printer.status().map_err(fault)?;
        self.last_status = Some(Instant::now());
        self.last_health = health_of(&status);
        Ok(self.last_health.clone())
    }

    fn run_once(&mut self, printer: &mut Self::Device) -> Result<Health, Fault> {
        match self.jobs.recv_timeout(Duration::from_millis(200)) {
            Ok(job) => {
                let result = printer.print_job(&job.bytes);
                // A lost connection is the manager's business too; a
                // printer that is merely out of paper stays connected.
                let health = match &result {
                    Ok(report) => Ok(health_of(&report.status_after)),
                    Err(PrinterError::Transport(e))
                    | Err(PrinterError::SendFailed { source: e, .. }) => {
                        Err(Fault::from(e.clone()))
                    }
                    Err(PrinterError::NoReply(n)) => Err(Fault::Failing(format!(
                        "打印机对状态查询（DLE EOT {n}）无响应"
                    ))),
                    Err(other) => Ok(Health::Degraded(other.to_string())),
                };
                let _ = job.done.send(PrintOutcome { id: job.id, result });
                if let Ok(h) = &health {
                    self.last_health = h.clone();
                    self.last_status = Some(Instant::now());
                }
                health
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                if self
                    .last_status
                    .is_some_and(|t| t.elapsed() < self.status_every)
                {
                    return Ok(self.last_health.clone());
                }
                self.probe(printer)
            }
        }
    }
}
