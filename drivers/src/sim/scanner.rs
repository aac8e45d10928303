//! A simulated barcode/QR scanner.
//!
//! [`ScannerSim`] sits on the master end of a PTY and types codes into it
//! exactly as a serial scanner would; the driver under test opens the
//! slave path like any serial port. [`hid_pos_reports`] and
//! [`wedge_reports`] produce the USB report bytes a scanner in HID POS or
//! keyboard mode sends for a code.

use crate::scanner::{
    AimId, HID_POS_DATA_MAX, HID_POS_REPORT_ID, HID_POS_REPORT_LEN, ScanError, WEDGE_REPORT_LEN,
    char_to_usage,
};
use serialport::{SerialPort, TTYPort};
use std::io::Write;
use std::path::PathBuf;

/// How a serial scanner ends its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    Cr,
    CrLf,
    Lf,
}

impl Terminator {
    fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::Cr => b"\r",
            Terminator::CrLf => b"\r\n",
            Terminator::Lf => b"\n",
        }
    }
}

/// Text encoding the simulated scanner sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimEncoding {
    Utf8,
    Gbk,
}

/// Framing of each record: `prefix AIM data suffix terminator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing {
    pub terminator: Terminator,
    /// AIM identifier to put before the data, e.g. `]Q1`.
    pub aim: Option<AimId>,
    pub prefix: Vec<u8>,
    pub suffix: Vec<u8>,
    pub encoding: SimEncoding,
}

impl Default for Framing {
    fn default() -> Self {
        Self {
            terminator: Terminator::Cr,
            aim: None,
            prefix: Vec::new(),
            suffix: Vec::new(),
            encoding: SimEncoding::Utf8,
        }
    }
}

impl Framing {
    /// The bytes of one record for `code`.
    pub fn frame(&self, code: &str) -> Vec<u8> {
        let mut out = self.prefix.clone();
        if let Some(aim) = self.aim {
            out.extend_from_slice(&aim.to_bytes());
        }
        match self.encoding {
            SimEncoding::Utf8 => out.extend_from_slice(code.as_bytes()),
            SimEncoding::Gbk => out.extend_from_slice(&encoding_rs::GBK.encode(code).0),
        }
        out.extend_from_slice(&self.suffix);
        out.extend_from_slice(self.terminator.bytes());
        out
    }
}

/// A serial scanner on a PTY.
pub struct ScannerSim {
    master: TTYPort,
    /// Held open so the master never sees a hang-up while the driver
    /// (re)opens the slave path.
    _slave: TTYPort,
    path: PathBuf,
}

impl ScannerSim {
    /// Creates the PTY pair.
    pub fn start() -> std::io::Result<Self> {
        let (master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| std::io::Error::other("PTY has no name"))?;
        Ok(Self {
            master,
            _slave: slave,
            path,
        })
    }

    /// The device path to open, like /dev/pts/7.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Sends one code framed as configured.
    pub fn scan(&mut self, code: &str, framing: &Framing) -> std::io::Result<()> {
        self.send_raw(&framing.frame(code))
    }

    /// Sends each code in turn.
    pub fn scan_all(&mut self, codes: &[&str], framing: &Framing) -> std::io::Result<()> {
        codes.iter().try_for_each(|c| self.scan(c, framing))
    }

    /// Sends raw bytes (line noise, partial records).
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        // No flush: tcdrain on a PTY master waits until the reader has
        // taken everything, which would block a test writing ahead of it.
        self.master.write_all(bytes)
    }
}

/// The HID POS input reports (Honeywell layout) a scanner sends for `data`.
/// Every report carries the AIM identifier; the last has bit 0 of byte 63
/// clear. An empty code still yields one report.
pub fn hid_pos_reports(data: &[u8], aim: Option<AimId>) -> Vec<[u8; HID_POS_REPORT_LEN]> {
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(HID_POS_DATA_MAX).collect()
    };
    let last = chunks.len() - 1;
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut r = [0u8; HID_POS_REPORT_LEN];
            r[0] = HID_POS_REPORT_ID;
            r[1] = chunk.len() as u8;
            if let Some(aim) = aim {
                r[2..5].copy_from_slice(&aim.to_bytes());
            }
            r[5..5 + chunk.len()].copy_from_slice(chunk);
            // Honeywell code identifier for QR is 's'; any value is opaque.
            r[61] = b's';
            r[63] = u8::from(i != last);
            r
        })
        .collect()
}

/// The boot keyboard reports a keyboard-mode scanner sends for `code`: a
/// press and a release for every character, then Enter. Characters a US
/// keyboard cannot type (e.g. Chinese) are refused.
pub fn wedge_reports(code: &str) -> Result<Vec<[u8; WEDGE_REPORT_LEN]>, ScanError> {
    let mut out = Vec::with_capacity(code.len() * 2 + 2);
    let presses = code
        .chars()
        .map(|c| char_to_usage(c).ok_or(ScanError::NotTypeable(c)))
        .chain(std::iter::once(Ok((0, 0x28))));
    for press in presses {
        let (modifiers, usage) = press?;
        out.push([modifiers, 0, usage, 0, 0, 0, 0, 0]);
        out.push([0; WEDGE_REPORT_LEN]);
    }
    Ok(out)
}
