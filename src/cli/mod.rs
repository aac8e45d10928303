//! The `onevisit` command line: thin wrappers over the library.

mod capture;
mod catalog;
mod config;
mod devices;
mod form;
mod guide;
mod handwriting;
mod outbox;
mod platform;
mod print;
mod speak;
mod staff;
mod submit;

use clap::{Parser, Subcommand};
use onevisit_core::catalog::Catalog;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "onevisit", version, about = "一件事一次办 self-service kiosk")]
struct Cli {
    /// Without a command: the kiosk in a window, with a simulated ID reader.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// The installed kiosk: real devices, full screen, configured platform.
    Run {
        /// kiosk.toml (default: $ONEVISIT_CONFIG).
        #[arg(long)]
        config: Option<std::path::PathBuf>,
    },
    /// Check the catalog; sign, install and roll back catalog updates.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Check the kiosk configuration (kiosk.toml).
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Walk a bundle's questionnaire: the next question, or the notice.
    Guide(guide::GuideArgs),
    /// Validate a filled merged form and print each department's application.
    Form(form::FormArgs),
    /// Recognize one handwritten character from a strokes file (手写输入).
    Handwriting(handwriting::HandwritingArgs),
    /// Say a text in Mandarin as the kiosk would (语音播报), to a WAV file
    /// or the speakers.
    Speak(speak::SpeakArgs),
    /// Find the page in a photo of a document (as the 高拍仪 screen does),
    /// straighten it and write it as a clean JPEG, or say why not (exit 1).
    Capture(capture::CaptureArgs),
    /// Tools for hall technicians: list, read and test the kiosk's devices.
    Devices(devices::DevicesArgs),
    /// Queue a submission in the outbox (or print an example).
    Submit(submit::SubmitArgs),
    /// Staff and test tools for the submission outbox.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// Send the outbox to the platform.
    Uplink(outbox::UplinkArgs),
    /// The reference platform (tests, demos).
    #[command(subcommand)]
    Platform(platform::PlatformCommand),
    /// Print the notice checklist, receipt, 容缺 commitment or test page.
    Print(print::PrintArgs),
    /// Staff tasks without the screen: status, audit, paper, diagnostics.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// The applicant's progress query (办件查询) by receipt and ID last four.
    Progress(staff::ProgressArgs),
    /// Render every kiosk screen (standard and 长者模式) to PNG, headlessly.
    Screenshots {
        /// Directory for `<screen>-normal.png` and `<screen>-elderly.png`.
        #[arg(long, default_value = "docs/screenshots")]
        out: std::path::PathBuf,
    },
    /// A scripted B01 visit through the real UI, headless: a PNG of every
    /// screen and of the printed receipt (for machines without a display).
    Demo {
        #[arg(long, default_value = "onevisit-demo")]
        out: std::path::PathBuf,
    },
}

/// Output formats shared by the commands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn main() -> ExitCode {
    match Cli::parse().command {
        None => crate::wiring::kiosk::run(),
        Some(Command::Run { config }) => crate::wiring::production::run(config.as_deref()),
        Some(Command::Catalog(c)) => catalog::run(c),
        Some(Command::Config(c)) => config::run(c),
        Some(Command::Guide(args)) => guide::run(args),
        Some(Command::Form(args)) => form::run(args),
        Some(Command::Handwriting(args)) => handwriting::run(args),
        Some(Command::Speak(args)) => speak::run(args),
        Some(Command::Capture(args)) => capture::run(args),
        Some(Command::Devices(args)) => devices::run(args),
        Some(Command::Submit(args)) => submit::run(args),
        Some(Command::Outbox(c)) => outbox::run(c),
        Some(Command::Uplink(args)) => outbox::uplink(args),
        Some(Command::Platform(c)) => platform::run(c),
        Some(Command::Print(args)) => print::run(args),
        Some(Command::Staff(c)) => staff::run(c),
        Some(Command::Progress(args)) => staff::progress(args),
        Some(Command::Screenshots { out }) => crate::wiring::screenshots::run(&out),
        Some(Command::Demo { out }) => crate::wiring::demo::run(&out),
    }
}

/// Loads the default catalog, or says why not (exit code 1).
fn load_catalog() -> Result<Catalog, ExitCode> {
    Catalog::load_default().map_err(|e| {
        eprint!("{e}");
        ExitCode::FAILURE
    })
}

/// `question=option` pairs into answers.
fn parse_answers(pairs: &[String]) -> Result<onevisit_core::guide::Answers, String> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(q, a)| (q.trim().to_string(), a.trim().to_string()))
                .filter(|(q, a)| !q.is_empty() && !a.is_empty())
                .ok_or_else(|| format!("答案“{p}”应写成 问题=选项，例如 new_entity=new"))
        })
        .collect()
}
