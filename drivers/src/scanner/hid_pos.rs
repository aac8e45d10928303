//! USB HID POS scanners (usage page 0x8C): input reports in the Honeywell
//! layout, one code spread over as many reports as it needs.
//!
//! Report (64 bytes): `[0]` report ID 0x02, `[1]` data bytes in this report
//! (≤ 56), `[2..5]` AIM identifier, `[5..61]` data, `[61..63]` vendor code
//! identifier, `[63]` bit 0 set when more reports follow.

use super::text::decode_scan_bytes;
use super::{AimId, Scan, ScanError};

/// Length of one input report including the report ID.
pub const HID_POS_REPORT_LEN: usize = 64;
/// The report ID of a scanned-data report.
pub const HID_POS_REPORT_ID: u8 = 0x02;
/// Data bytes one report can carry.
pub const HID_POS_DATA_MAX: usize = 56;

/// One report's fields, for decoding captured reports by hand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HidPosReport {
    pub aim: Option<AimId>,
    pub data: Vec<u8>,
    /// Vendor (e.g. Honeywell) code identifier bytes.
    pub vendor_code_id: [u8; 2],
    pub more_follow: bool,
}

impl HidPosReport {
    /// Checks and splits one report.
    pub fn parse(report: &[u8]) -> Result<HidPosReport, ScanError> {
        if report.len() != HID_POS_REPORT_LEN {
            return Err(ScanError::ReportLength {
                expected: HID_POS_REPORT_LEN,
                actual: report.len(),
            });
        }
        if report[0] != HID_POS_REPORT_ID {
            return Err(ScanError::ReportId {
                expected: HID_POS_REPORT_ID,
                actual: report[0],
            });
        }
        let len = report[1];
        if usize::from(len) > HID_POS_DATA_MAX {
            return Err(ScanError::ReportDataLength(len));
        }
        Ok(HidPosReport {
            aim: AimId::parse_prefix(&report[2..5]),
            data: report[5..5 + usize::from(len)].to_vec(),
            vendor_code_id: [report[61], report[62]],
            more_follow: report[63] & 1 == 1,
        })
    }
}

/// Joins continuation reports into scans, holding at most `max_total`
/// bytes of one code.
#[derive(Debug)]
pub struct HidPosAssembler {
    max_total: usize,
    aim: Option<AimId>,
    data: Vec<u8>,
    in_progress: bool,
    /// Bytes of an over-long code seen so far (0 = not discarding).
    discarding: usize,
}

impl Default for HidPosAssembler {
    fn default() -> Self {
        Self::new(8192)
    }
}

impl HidPosAssembler {
    pub fn new(max_total: usize) -> Self {
        Self {
            max_total,
            aim: None,
            data: Vec::new(),
            in_progress: false,
            discarding: 0,
        }
    }

    /// Bytes of an unfinished code held right now.
    pub fn pending_len(&self) -> usize {
        self.data.len()
    }

    /// Feeds one input report. `Ok(Some)` when it completes a code. A bad
    /// report drops any code in progress (its data can no longer be
    /// trusted) and is reported; the next good report starts afresh.
    pub fn push(&mut self, report: &[u8]) -> Result<Option<Scan>, ScanError> {
        let parsed = match HidPosReport::parse(report) {
            Ok(p) => p,
            Err(e) => {
                self.reset();
                return Err(e);
            }
        };
        if !self.in_progress {
            self.in_progress = true;
            self.aim = parsed.aim;
        }
        if self.discarding > 0 || self.data.len() + parsed.data.len() > self.max_total {
            self.discarding = self.discarding.max(self.data.len()) + parsed.data.len();
            self.data = Vec::new();
        } else {
            self.data.extend_from_slice(&parsed.data);
        }
        if parsed.more_follow {
            return Ok(None);
        }
        let discarded = self.discarding;
        let aim = self.aim;
        let data = std::mem::take(&mut self.data);
        self.reset();
        if discarded > 0 {
            return Err(ScanError::TooLong {
                limit: self.max_total,
                length: discarded,
            });
        }
        if data.is_empty() {
            return Ok(None);
        }
        let (text, encoding) = decode_scan_bytes(&data)?;
        Ok(Some(Scan {
            aim,
            text,
            encoding,
        }))
    }

    fn reset(&mut self) {
        self.aim = None;
        self.data = Vec::new();
        self.in_progress = false;
        self.discarding = 0;
    }
}
