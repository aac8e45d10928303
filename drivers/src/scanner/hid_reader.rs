//! USB HID scanners read through a [`Transport`] (an interrupt-in endpoint
//! or a hidraw node): fixed-size reports, reassembled even when a read
//! returns a partial or several reports.

use super::{HID_POS_REPORT_LEN, HidPosAssembler, Scan, ScanError, WEDGE_REPORT_LEN, WedgeDecoder};
use crate::transport::Transport;
use std::time::{Duration, Instant};

/// A decoder of fixed-size input reports.
pub trait ReportDecoder {
    /// Bytes in one report.
    fn report_len(&self) -> usize;
    /// Feeds one whole report.
    fn push_report(&mut self, report: &[u8]) -> Result<Option<Scan>, ScanError>;
}

impl ReportDecoder for HidPosAssembler {
    fn report_len(&self) -> usize {
        HID_POS_REPORT_LEN
    }
    fn push_report(&mut self, report: &[u8]) -> Result<Option<Scan>, ScanError> {
        self.push(report)
    }
}

impl ReportDecoder for WedgeDecoder {
    fn report_len(&self) -> usize {
        WEDGE_REPORT_LEN
    }
    fn push_report(&mut self, report: &[u8]) -> Result<Option<Scan>, ScanError> {
        self.push(report)
    }
}

/// Reads scans from a HID scanner (HID POS or keyboard mode).
pub struct HidScanner<T: Transport, D: ReportDecoder> {
    transport: T,
    decoder: D,
    partial: Vec<u8>,
}

impl<T: Transport, D: ReportDecoder> HidScanner<T, D> {
    pub fn new(transport: T, decoder: D) -> Self {
        Self {
            transport,
            decoder,
            partial: Vec::new(),
        }
    }

    /// Waits up to `timeout` for the next code; like
    /// [`super::SerialScanner::next_scan`], a non-fatal error loses one code.
    pub fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScanError> {
        let deadline = Instant::now() + timeout;
        let len = self.decoder.report_len();
        let mut buf = vec![0u8; len];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let want = len - self.partial.len();
            let n = self.transport.read(&mut buf[..want], left)?;
            if n == 0 {
                return Ok(None);
            }
            self.partial.extend_from_slice(&buf[..n]);
            if self.partial.len() == len {
                let report = std::mem::take(&mut self.partial);
                if let Some(scan) = self.decoder.push_report(&report)? {
                    return Ok(Some(scan));
                }
            }
        }
    }

    pub fn into_inner(self) -> T {
        self.transport
    }
}
