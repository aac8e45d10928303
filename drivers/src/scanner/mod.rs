//! Barcode / QR scanners: serial line records, USB HID POS reports and
//! keyboard-wedge reports, all turned into the same [`Scan`], which
//! [`classify`] then sorts into what the kiosk cares about. Under the
//! device manager, [`supervised`] runs either kind and publishes the same
//! [`supervised::ScannerEvent`]s.
//!
//! Every parser here takes bytes from outside the kiosk, so none of them
//! panics and none of them keeps more than a configured number of bytes.

mod aim;
mod classify;
mod hid_pos;
mod hid_reader;
mod lines;
mod serial;
pub mod supervised;
mod text;
mod wedge;

pub use aim::AimId;
pub use classify::{KioskCode, ScanKind, classify};
pub use hid_pos::{
    HID_POS_DATA_MAX, HID_POS_REPORT_ID, HID_POS_REPORT_LEN, HidPosAssembler, HidPosReport,
};
pub use hid_reader::{HidDecoder, HidReportFormat, HidScanner, ReportDecoder};
pub use lines::{LineAssembler, LineConfig};
pub use serial::SerialScanner;
pub use text::{TextEncoding, decode_scan_bytes};
pub use wedge::{WEDGE_REPORT_LEN, WedgeDecoder, char_to_usage};

use crate::transport::TransportError;

/// One code read by a scanner, before classification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Scan {
    /// The AIM symbology identifier, when the scanner sent one.
    pub aim: Option<AimId>,
    /// The decoded text (prefix, suffix and AIM identifier removed).
    pub text: String,
    /// How the bytes were decoded.
    pub encoding: TextEncoding,
}

/// What can go wrong while reading scans. Only [`ScanError::Transport`]
/// means the scanner itself is gone; every other error loses one code and
/// the reader carries on (see [`ScanError::is_fatal`]).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("扫码内容超过{limit}字节（实际至少{length}字节），已丢弃 (record too long)")]
    TooLong { limit: usize, length: usize },
    #[error("扫码内容既不是 UTF-8 也不是 GBK 编码，已丢弃 (undecodable bytes: {preview})")]
    Undecodable { preview: String },
    #[error("HID POS 报告长度应为{expected}字节，实际{actual}字节 (bad report length)")]
    ReportLength { expected: usize, actual: usize },
    #[error("HID POS 报告编号应为 0x{expected:02X}，实际 0x{actual:02X} (unexpected report id)")]
    ReportId { expected: u8, actual: u8 },
    #[error("HID POS 报告数据长度{0}超过上限56 (bad data length)")]
    ReportDataLength(u8),
    #[error(
        "键盘模式扫码枪发送了无法识别的按键 0x{0:02X}，此条码已丢弃；请把扫码枪设为串口或 HID POS 模式 (unsupported key usage)"
    )]
    UnsupportedKey(u8),
    #[error("键盘模式扫码枪发送了 Ctrl/Alt 组合键，此条码已丢弃 (control/alt modifier)")]
    ControlModifier,
    #[error(
        "键盘模式只能传送英文字母、数字和常用符号，无法传送“{0}” (not representable as a key press)"
    )]
    NotTypeable(char),
    #[error("键盘报告长度应为8字节，实际{0}字节 (bad boot report length)")]
    WedgeReportLength(usize),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl ScanError {
    /// True when the scanner connection is unusable; other errors cost one
    /// code and reading can go on.
    pub fn is_fatal(&self) -> bool {
        matches!(self, ScanError::Transport(_))
    }
}
