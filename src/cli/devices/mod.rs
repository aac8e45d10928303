//! `onevisit devices ...`: tools for hall technicians. (Being written.)

#[derive(clap::Args)]
pub struct DevicesArgs {
    #[command(subcommand)]
    command: DevicesCommand,
}

#[derive(clap::Subcommand)]
enum DevicesCommand {}

pub fn run(args: DevicesArgs) -> std::process::ExitCode {
    match args.command {}
}
