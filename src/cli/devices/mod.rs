//! `onevisit devices ...`: tools for hall technicians.
//!
//! The card reader commands live in `card.rs`, the scanner and printer
//! commands in `scan_print.rs`, the document camera in `camera.rs`.

mod camera;
mod card;
mod scan_print;

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DevicesArgs {
    #[command(subcommand)]
    command: DevicesCommand,
}

/// Where a serial device is and how fast it talks.
#[derive(clap::Args, Debug, Clone)]
pub struct PortArgs {
    /// Serial device path, e.g. /dev/serial/by-id/... or /dev/ttyUSB0 (or a
    /// PTY printed by `devices simulate`).
    #[arg(long)]
    pub port: PathBuf,
    /// Baud rate (ignored by USB CDC and PTYs).
    #[arg(long)]
    pub baud: Option<u32>,
    /// Seconds to wait for the device.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeKind {
    /// A GA 467 SAM frame (request or response).
    Sam,
    /// A USB HID POS scanner input report (64 bytes).
    HidPos,
    /// An ESC/POS DLE EOT status reply byte.
    EscposStatus,
}

#[derive(clap::Subcommand)]
enum DevicesCommand {
    /// Serial ports, USB devices that look like readers, scanners,
    /// printers, and V4L2 cameras.
    List,
    /// Test a device end to end (the document camera: frames, decode,
    /// frame rate, a page capture).
    #[command(subcommand)]
    Test(TestCommand),
    /// Read the ID card on the reader once and print the (masked) record.
    ReadCard {
        #[command(flatten)]
        port: PortArgs,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Show the ID number and name unmasked (for the card holder only).
        #[arg(long)]
        unmasked: bool,
    },
    /// Print every code the scanner reads, classified, until interrupted
    /// (or the timeout passes with nothing scanned).
    Scan {
        #[command(flatten)]
        port: PortArgs,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Ask the receipt printer for its status (DLE EOT 1-4).
    PrinterStatus {
        #[command(flatten)]
        port: PortArgs,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Print a short test page.
    TestPrint {
        #[command(flatten)]
        port: PortArgs,
        /// Paper width in mm (58 or 80).
        #[arg(long, default_value_t = 80)]
        width: u32,
    },
    /// Decode a captured frame from a log.
    Decode {
        #[arg(value_enum)]
        kind: DecodeKind,
        /// The bytes as hex; spaces and colons are ignored.
        #[arg(long)]
        hex: String,
    },
    /// Start simulated devices on PTYs and print their paths.
    Simulate(card::SimulateArgs),
}

#[derive(clap::Subcommand)]
enum TestCommand {
    /// The document camera (高拍仪), a V4L2 node or `sim`.
    Camera(camera::CameraTestArgs),
}

pub fn run(args: DevicesArgs) -> ExitCode {
    match args.command {
        DevicesCommand::List => {
            let code = card::list();
            camera::list();
            code
        }
        DevicesCommand::Test(TestCommand::Camera(args)) => camera::test(&args),
        DevicesCommand::ReadCard {
            port,
            format,
            unmasked,
        } => card::read_card(&port, format, unmasked),
        DevicesCommand::Scan { port, format } => scan_print::scan(&port, format),
        DevicesCommand::PrinterStatus { port, format } => scan_print::printer_status(&port, format),
        DevicesCommand::TestPrint { port, width } => scan_print::test_print(&port, width),
        DevicesCommand::Decode { kind, hex } => match kind {
            DecodeKind::Sam => card::decode_sam(&hex),
            DecodeKind::HidPos | DecodeKind::EscposStatus => scan_print::decode(kind, &hex),
        },
        DevicesCommand::Simulate(args) => card::simulate(args),
    }
}

/// Hex with optional spaces, colons, commas and `0x` prefixes.
pub(super) fn parse_hex(hex: &str) -> Result<Vec<u8>, String> {
    let cleaned = hex.replace("0x", "").replace("0X", "");
    let digits: Vec<char> = cleaned
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | ',' | '-' | '\n' | '\t'))
        .collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "十六进制位数应为偶数，实际{}位 (odd hex length)",
            digits.len()
        ));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s: String = pair.iter().collect();
            u8::from_str_radix(&s, 16).map_err(|_| format!("“{s}”不是十六进制字节 (bad hex)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_input_forms() {
        assert_eq!(
            parse_hex("12 1e:0x72,1A").unwrap(),
            [0x12, 0x1E, 0x72, 0x1A]
        );
        assert!(parse_hex("123").is_err());
        assert!(parse_hex("zz").is_err());
        // Pasted log text may hold anything; it is refused, never a panic.
        assert!(parse_hex("读卡AA").is_err());
    }
}
