//! `onevisit submit`: print an example submission, or queue one from a
//! file under a new receipt number.

use crate::config::KioskConfig;
use onevisit_core::outbox::Outbox;
use onevisit_core::visit::submission::{Submission, SubmissionInput, example_input};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options every kiosk-side command shares.
#[derive(clap::Args, Clone, Debug)]
pub struct KioskArgs {
    /// The kiosk configuration (kiosk_id, keys, ...); else $ONEVISIT_CONFIG,
    /// else built-in development settings.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where the outbox lives (overrides the configuration).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The platform's base URL (overrides the configuration).
    #[arg(long)]
    pub platform: Option<String>,
}

impl KioskArgs {
    pub fn load(&self) -> Result<KioskConfig, ExitCode> {
        let mut cfg = KioskConfig::load(self.config.as_deref()).map_err(|e| {
            eprintln!("configuration: {e}");
            ExitCode::from(2)
        })?;
        if let Some(d) = &self.data_dir {
            cfg.data_dir = d.clone();
        }
        if let Some(p) = &self.platform {
            cfg.platform_url = p.clone();
        }
        cfg.warn_if_dev();
        Ok(cfg)
    }

    pub fn open(&self) -> Result<(KioskConfig, Outbox), ExitCode> {
        let cfg = self.load()?;
        let outbox =
            Outbox::open(&cfg.outbox_path(), &cfg.kiosk_id, &cfg.data_key).map_err(|e| {
                eprintln!(
                    "{}\n(operator: {e})",
                    e.user_message(&cfg.effective_staff_window())
                );
                ExitCode::from(3)
            })?;
        Ok((cfg, outbox))
    }
}

#[derive(clap::Args)]
pub struct SubmitArgs {
    /// Print a valid example submission (bundle B01) and exit.
    #[arg(long, conflicts_with = "file")]
    example: bool,
    /// A submission as JSON (see --example); queued under a new receipt.
    #[arg(long, required_unless_present = "example")]
    file: Option<PathBuf>,
    #[command(flatten)]
    kiosk: KioskArgs,
}

/// Reads and checks a submission file against the catalog.
pub fn load_submission(path: &std::path::Path) -> Result<(Submission, Vec<Vec<u8>>), ExitCode> {
    let catalog = super::load_catalog()?;
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("无法读取 {}: {e}", path.display());
        ExitCode::from(2)
    })?;
    let input: SubmissionInput = serde_json::from_str(&text).map_err(|e| {
        eprintln!("{}: 提交文件格式错误: {e}", path.display());
        ExitCode::from(2)
    })?;
    Submission::from_input(&catalog, &input).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

pub fn run(args: SubmitArgs) -> ExitCode {
    if args.example {
        println!(
            "{}",
            serde_json::to_string_pretty(&example_input()).expect("json")
        );
        return ExitCode::SUCCESS;
    }
    let path = args.file.expect("clap requires --file without --example");
    let (mut sub, images) = match load_submission(&path) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let (cfg, outbox) = match args.kiosk.open() {
        Ok(v) => v,
        Err(c) => return c,
    };
    match outbox.enqueue(&mut sub, &images) {
        Ok(receipt) => {
            println!("{receipt}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "{}\n(STAFF ALERT: {e})",
                e.user_message(&cfg.effective_staff_window())
            );
            ExitCode::from(3)
        }
    }
}
