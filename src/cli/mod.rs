//! The `onevisit` command line: thin wrappers over the library.

mod devices;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "onevisit", version, about = "一件事一次办 self-service kiosk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tools for hall technicians: list, read and test the kiosk's devices.
    Devices(devices::DevicesArgs),
}

pub fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Devices(args) => devices::run(args),
    }
}
