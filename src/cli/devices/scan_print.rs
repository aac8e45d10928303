//! Scanner and receipt printer commands. (Being written.)

use super::{DecodeKind, OutputFormat, PortArgs, not_yet};
use std::process::ExitCode;

pub fn scan(_port: &PortArgs, _format: OutputFormat) -> ExitCode {
    not_yet("scan")
}

pub fn printer_status(_port: &PortArgs, _format: OutputFormat) -> ExitCode {
    not_yet("printer-status")
}

pub fn test_print(_port: &PortArgs, _width: u32) -> ExitCode {
    not_yet("test-print")
}

pub fn decode(_kind: DecodeKind, _hex: &str) -> ExitCode {
    not_yet("decode")
}
