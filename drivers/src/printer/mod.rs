//! Receipt printers speaking ESC/POS: real-time status (DLE EOT) and a
//! print driver that never loses a job silently.
//!
//! [`Printer::print_job`] checks the printer before sending (and refuses up
//! front when it cannot print), sends in chunks, and checks again after: a
//! printer that ran out of paper on the way is reported as
//! [`PrinterError::Interrupted`], so the caller knows to reprint.

mod status;
pub mod supervised;
pub mod usb;

pub use status::{Health, PrinterStatus, Problem, StatusError, status_request};

use crate::transport::{Transport, TransportError};
use std::time::{Duration, Instant};

/// Driver settings.
#[derive(Debug, Clone)]
pub struct PrinterConfig {
    /// How long to wait for each status reply.
    pub status_timeout: Duration,
    /// Bytes written per chunk; small enough for slow serial printers'
    /// receive buffers to keep up.
    pub chunk_size: usize,
    /// Time to let the printer work through the job before the closing
    /// status check (a real printer finds the paper end while printing).
    pub settle: Duration,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self {
            status_timeout: Duration::from_millis(500),
            chunk_size: 1024,
            settle: Duration::from_millis(300),
        }
    }
}

/// Why a status query or a job failed.
#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("打印机对状态查询（DLE EOT {0}）无响应，请检查连接和电源 (no status reply)")]
    NoReply(u8),
    #[error(transparent)]
    BadStatus(#[from] StatusError),
    #[error("打印机当前不能打印：{}", join(.0))]
    NotReady(Vec<Problem>),
    #[error("打印中途出现故障（{}），已发送{sent}/{total}字节，回执可能不完整，请处理后重新打印 (job interrupted)", join(.problems))]
    Interrupted {
        problems: Vec<Problem>,
        sent: usize,
        total: usize,
    },
    #[error(
        "打印中途连接中断，已发送{sent}/{total}字节，请检查连接后重新打印 (connection lost mid-job: {source})"
    )]
    SendFailed {
        sent: usize,
        total: usize,
        source: TransportError,
    },
}

impl PrinterError {
    /// What the printer reported as wrong (paper out, cover open…), when
    /// the error came from its status.
    pub fn problems(&self) -> &[Problem] {
        match self {
            PrinterError::NotReady(p) => p,
            PrinterError::Interrupted { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.message())
        .collect::<Vec<_>>()
        .join("；")
}

/// The outcome of a job that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintReport {
    pub bytes: usize,
    /// Status after the job (e.g. paper near end: warn staff).
    pub status_after: PrinterStatus,
}

/// An ESC/POS printer on any transport.
pub struct Printer<T: Transport> {
    transport: T,
    config: PrinterConfig,
}

impl<T: Transport> Printer<T> {
    pub fn new(transport: T, config: PrinterConfig) -> Self {
        Self { transport, config }
    }

    pub fn into_inner(self) -> T {
        self.transport
    }

    /// Asks DLE EOT `n` and returns the checked reply byte.
    pub fn query(&mut self, n: u8) -> Result<u8, PrinterError> {
        if !(1..=4).contains(&n) {
            return Err(StatusError::BadRequest(n).into());
        }
        self.drain_input()?;
        self.transport.write_all(&status_request(n))?;
        self.transport.flush()?;
        let deadline = Instant::now() + self.config.status_timeout;
        let mut byte = [0u8; 1];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(PrinterError::NoReply(n));
            }
            if self.transport.read(&mut byte, left)? == 0 {
                return Err(PrinterError::NoReply(n));
            }
            // Skip stray bytes (e.g. an ASB message) that cannot be a reply.
            let mut probe = PrinterStatus::healthy();
            if probe.apply(n, byte[0]).is_ok() {
                return Ok(byte[0]);
            }
            log::debug!("ignoring non-status byte 0x{:02X} from printer", byte[0]);
        }
    }

    /// Polls DLE EOT 1 to 4.
    pub fn status(&mut self) -> Result<PrinterStatus, PrinterError> {
        let mut status = PrinterStatus::healthy();
        for n in 1..=4 {
            let byte = self.query(n)?;
            status.apply(n, byte)?;
        }
        Ok(status)
    }

    /// Sends one job (see the module documentation).
    pub fn print_job(&mut self, job: &[u8]) -> Result<PrintReport, PrinterError> {
        let before = self.status()?;
        if before.health() == Health::Blocked {
            let mut problems = before.problems();
            if problems.is_empty() {
                problems.push(Problem::Offline);
            }
            return Err(PrinterError::NotReady(problems));
        }
        let mut sent = 0;
        for chunk in job.chunks(self.config.chunk_size.max(1)) {
            if let Err(source) = self
                .transport
                .write_all(chunk)
                .and_then(|()| self.transport.flush())
            {
                return Err(PrinterError::SendFailed {
                    sent,
                    total: job.len(),
                    source,
                });
            }
            sent += chunk.len();
        }
        std::thread::sleep(self.config.settle);
        let after = self.status()?;
        if after.health() == Health::Blocked {
            let mut problems = after.problems();
            if problems.is_empty() {
                problems.push(Problem::Offline);
            }
            return Err(PrinterError::Interrupted {
                problems,
                sent,
                total: job.len(),
            });
        }
        Ok(PrintReport {
            bytes: sent,
            status_after: after,
        })
    }

    /// Discards bytes already waiting, so a late reply to an earlier query
    /// is not taken for the answer to the next one.
    fn drain_input(&mut self) -> Result<(), TransportError> {
        let mut buf = [0u8; 64];
        for _ in 0..64 {
            if self.transport.read(&mut buf, Duration::ZERO)? == 0 {
                break;
            }
        }
        Ok(())
    }
}
