//! ID card reader commands, device listing and the simulators.
//! (Being written.)

use super::{OutputFormat, PortArgs, not_yet};
use std::process::ExitCode;

/// Options of `devices simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {}

pub fn list() -> ExitCode {
    not_yet("list")
}

pub fn read_card(_port: &PortArgs, _format: OutputFormat, _unmasked: bool) -> ExitCode {
    not_yet("read-card")
}

pub fn decode_sam(_hex: &str) -> ExitCode {
    not_yet("decode sam")
}

pub fn simulate(_args: SimulateArgs) -> ExitCode {
    not_yet("simulate")
}
