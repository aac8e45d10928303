//! USB HID scanners read through a [`Transport`] (an interrupt-in endpoint
//! or a hidraw node): fixed-size reports, reassembled even when a read
//! returns a partial or several reports.

use super::{HID_POS_REPORT_LEN, HidPosAssembler, Scan, ScanError, WEDGE_REPORT_LEN, WedgeDecoder};
use crate::transport::Transport;
use crate::transport::usb::{UsbInterfaceInfo, is_boot_keyboard};
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

/// Which reports a USB HID scanner sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum HidReportFormat {
    /// HID POS (usage page 0x8C): 64-byte reports, any text, AIM ids.
    Pos,
    /// Keyboard ("wedge") mode: 8-byte boot keyboard reports, ASCII only.
    Keyboard,
}

impl HidReportFormat {
    /// The format of the interface the scanner is read on: a boot
    /// keyboard interface types (keyboard mode); any other HID interface
    /// is taken for HID POS, the mode scanners are set to for a POS host.
    /// (A keyboard-mode scanner that does not declare the boot keyboard
    /// protocol would be misread as HID POS: its reports are then
    /// rejected, never mistaken for codes, and the log says why.)
    pub fn of_interface(interface: &UsbInterfaceInfo) -> Self {
        if is_boot_keyboard(interface) {
            HidReportFormat::Keyboard
        } else {
            HidReportFormat::Pos
        }
    }

    /// Chinese name for logs and listings.
    pub fn name_zh(self) -> &'static str {
        match self {
            HidReportFormat::Pos => "HID POS 模式",
            HidReportFormat::Keyboard => "键盘模式",
        }
    }
}

/// The decoder for a format chosen at run time (the scanner's format is
/// known only once it is plugged in and its interface read).
#[derive(Debug)]
pub enum HidDecoder {
    Pos(HidPosAssembler),
    Keyboard(WedgeDecoder),
}

impl HidDecoder {
    pub fn new(format: HidReportFormat) -> Self {
        match format {
            HidReportFormat::Pos => HidDecoder::Pos(HidPosAssembler::default()),
            HidReportFormat::Keyboard => HidDecoder::Keyboard(WedgeDecoder::default()),
        }
    }
}

impl ReportDecoder for HidDecoder {
    fn report_len(&self) -> usize {
        match self {
            HidDecoder::Pos(d) => d.report_len(),
            HidDecoder::Keyboard(d) => d.report_len(),
        }
    }
    fn push_report(&mut self, report: &[u8]) -> Result<Option<Scan>, ScanError> {
        match self {
            HidDecoder::Pos(d) => d.push_report(report),
            HidDecoder::Keyboard(d) => d.push_report(report),
        }
    }
}

/// Reads scans from a HID scanner (HID POS or keyboard mode).
pub struct HidScanner<T: Transport, D: ReportDecoder> {
    transport: T,
    decoder: D,
    partial: Vec<u8>,
    /// When the last bytes of `partial` arrived.
    last_bytes: Instant,
}

/// A report is sent in one go (one USB packet, one hidraw read): part of
/// one with nothing more for this long is a short, broken report. It is
/// dropped, so that one bad packet costs a code rather than shifting every
/// later report out of line until the scanner is replugged.
const STALE_PARTIAL: Duration = Duration::from_millis(100);

impl<T: Transport, D: ReportDecoder> HidScanner<T, D> {
    pub fn new(transport: T, decoder: D) -> Self {
        Self {
            transport,
            decoder,
            partial: Vec::new(),
            last_bytes: Instant::now(),
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
                if !self.partial.is_empty() && self.last_bytes.elapsed() >= STALE_PARTIAL {
                    // The decoder refuses it for its length (and drops any
                    // code in progress): the caller sees why a code went.
                    let short = std::mem::take(&mut self.partial);
                    return self.decoder.push_report(&short);
                }
                return Ok(None);
            }
            self.last_bytes = Instant::now();
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
