//! `onevisit config check [--config PATH]`.

use crate::config::{ConfigFile, KioskConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ConfigCommand {
    /// Validate kiosk.toml and print the effective configuration (secrets
    /// hidden). Exit 0 when valid, 2 when not.
    Check {
        /// The file (default: $ONEVISIT_CONFIG; without either, the
        /// built-in development settings are checked).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also run the kiosk's start-up checks: data directory writable,
        /// catalog valid, font present, devices there. Exit 3 when one of
        /// them would stop the kiosk (a missing device only degrades it).
        #[arg(long)]
        startup: bool,
    },
}

pub fn run(command: ConfigCommand) -> ExitCode {
    match command {
        ConfigCommand::Check { config, startup } => check(config, startup),
    }
}

fn check(config: Option<PathBuf>, startup: bool) -> ExitCode {
    let path = KioskConfig::config_path(config.as_deref());
    let file = match &path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => match ConfigFile::parse(&text) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("配置无效 (configuration invalid): {}\n{e}", p.display());
                    return ExitCode::from(2);
                }
            },
            Err(e) => {
                eprintln!("cannot read config {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
        None => ConfigFile::default(),
    };
    match KioskConfig::from_file(file) {
        Ok(cfg) => {
            match &path {
                Some(p) => println!("配置有效 (configuration OK): {}", p.display()),
                None => println!(
                    "配置有效 (configuration OK): no file given (--config or $ONEVISIT_CONFIG): built-in development settings"
                ),
            }
            print!("{}", cfg.describe());
            for w in &cfg.warnings {
                println!("WARNING: {w}");
            }
            if cfg.dev_keys {
                println!(
                    "WARNING: built-in DEVELOPMENT keys in use; never run a real kiosk like this"
                );
            }
            if startup {
                let report = crate::firmware::startup::run(&cfg);
                println!("start-up checks:");
                print!("{report}");
                if report.fatal() {
                    eprintln!("本机不能启动 (the kiosk would not start): see FATAL above");
                    return ExitCode::from(3);
                }
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!(
                "配置无效 (configuration invalid): {} — {} error(s):",
                path.as_deref()
                    .map_or("built-in settings".into(), |p| p.display().to_string()),
                errors.len()
            );
            for e in errors {
                eprintln!("  {e}");
            }
            ExitCode::from(2)
        }
    }
}
