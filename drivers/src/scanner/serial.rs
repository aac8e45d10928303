//! A scanner on a serial line (RS-232, USB CDC-ACM or a PTY in tests).

use super::{LineAssembler, LineConfig, Scan, ScanError};
use crate::transport::Transport;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Reads scans from a serial scanner. Generic over [`Transport`] so the
/// same code runs on a real port and on a simulator.
pub struct SerialScanner<T: Transport> {
    transport: T,
    lines: LineAssembler,
    ready: VecDeque<Result<Scan, ScanError>>,
}

impl<T: Transport> SerialScanner<T> {
    pub fn new(transport: T, config: LineConfig) -> Self {
        Self {
            transport,
            lines: LineAssembler::new(config),
            ready: VecDeque::new(),
        }
    }

    /// Waits up to `timeout` for the next record. `Ok(None)`: nothing was
    /// scanned in time. A non-fatal `Err` (see [`ScanError::is_fatal`])
    /// loses one code only; call again to go on reading.
    pub fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScanError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 512];
        loop {
            if let Some(result) = self.ready.pop_front() {
                return result.map(Some);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let n = self.transport.read(&mut buf, left)?;
            if n == 0 {
                return Ok(None);
            }
            self.ready.extend(self.lines.push(&buf[..n]));
        }
    }

    /// Gives the transport back (e.g. to reopen it after an error).
    pub fn into_inner(self) -> T {
        self.transport
    }
}
