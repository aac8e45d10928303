//! `onevisit staff …` (staff tasks without the screen) and
//! `onevisit progress` (the applicant's progress query).

use super::Format;
use super::submit::KioskArgs;
use onevisit_core::staff::{PaperSettings, StaffDesk, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum StaffCommand {
    /// Read a staff PIN (6-12 digits) from stdin and print its argon2 hash
    /// for `staff_pin_hash` in kiosk.toml.
    HashPin,
    /// Devices, paper, outbox, network, versions, disk space.
    Status {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        paper: PaperArgs,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// The staff audit log, newest first.
    Audit {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        last: usize,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// A new paper roll is in: restart the paper counter.
    PaperRestocked {
        #[command(flatten)]
        paper: PaperArgs,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Take the kiosk out of service ("暂停服务，请到 N号窗口办理"), or back.
    OutOfService {
        /// The window applicants are sent to (default: kiosk.toml's
        /// staff_window).
        #[arg(long)]
        window: Option<String>,
        /// Back in service.
        #[arg(long, conflicts_with = "window")]
        off: bool,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Export a diagnostics bundle (personal data masked) into DIR, e.g.
    /// a USB stick (default: kiosk.toml's diagnostics_dir).
    Diagnostics {
        #[arg(long)]
        out: Option<PathBuf>,
        /// A log file or directory to include (repeatable); default
        /// `<data dir>/logs` when it exists.
        #[arg(long = "log")]
        logs: Vec<PathBuf>,
        #[command(flatten)]
        paper: PaperArgs,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
}

/// Paper roll settings: kiosk.toml's `[devices.printer]` unless given.
#[derive(clap::Args, Clone, Debug)]
pub struct PaperArgs {
    /// Length of a full paper roll in metres (default: roll_length_m).
    #[arg(long)]
    paper_roll_m: Option<f64>,
    /// Paper left when the printer's near-end sensor fires, in metres
    /// (default: near_end_remaining_m).
    #[arg(long)]
    paper_near_end_m: Option<f64>,
}

impl PaperArgs {
    fn settings(&self, cfg: &crate::config::KioskConfig) -> PaperSettings {
        let mut s = cfg.devices.paper;
        if let Some(m) = self.paper_roll_m {
            s.roll_length_mm = m * 1000.0;
        }
        if let Some(m) = self.paper_near_end_m {
            s.near_end_remaining_mm = m * 1000.0;
        }
        s
    }
}

#[derive(clap::Args)]
pub struct ProgressArgs {
    /// The receipt number, or the receipt's scanned QR text (OV1:R:…).
    #[arg(long)]
    receipt: String,
    /// The last four characters of the applicant's ID number.
    #[arg(long)]
    last4: String,
    #[arg(long, default_value_t = 5_000)]
    timeout_ms: u64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    kiosk: KioskArgs,
}

fn desk(cfg: &crate::config::KioskConfig, paper: PaperSettings) -> Result<StaffDesk, ExitCode> {
    StaffDesk::open(&cfg.data_dir, paper, Arc::new(SystemClock)).map_err(|e| {
        eprintln!("staff database: {e}");
        ExitCode::from(3)
    })
}

fn catalog_version() -> Option<String> {
    onevisit_core::catalog::Catalog::load_default()
        .ok()
        .map(|c| c.version.to_string())
}

fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("json"));
}

pub fn run(cmd: StaffCommand) -> ExitCode {
    match cmd {
        StaffCommand::HashPin => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("cannot read the PIN from stdin");
                return ExitCode::from(2);
            }
            match onevisit_core::staff::hash_pin(line.trim_end_matches(['\r', '\n'])) {
                Ok(h) => {
                    println!("{h}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
            }
        }
        StaffCommand::Status {
            format,
            paper,
            kiosk,
        } => {
            let Ok((cfg, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            let Ok(desk) = desk(&cfg, paper.settings(&cfg)) else {
                return ExitCode::from(3);
            };
            match desk.overview(None, &outbox, None, catalog_version()) {
                Ok(o) if format == Format::Json => print_json(&o),
                Ok(o) => print!("{}", o.to_text()),
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(3);
                }
            }
            ExitCode::SUCCESS
        }
        StaffCommand::Audit {
            last,
            format,
            kiosk,
        } => {
            let Ok(cfg) = kiosk.load() else {
                return ExitCode::from(2);
            };
            let Ok(desk) = desk(&cfg, cfg.devices.paper) else {
                return ExitCode::from(3);
            };
            match desk.audit().recent(last) {
                Ok(v) if format == Format::Json => print_json(&v),
                Ok(v) => v.iter().for_each(|e| println!("{e}")),
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(3);
                }
            }
            ExitCode::SUCCESS
        }
        StaffCommand::PaperRestocked { paper, kiosk } => {
            let Ok(cfg) = kiosk.load() else {
                return ExitCode::from(2);
            };
            let Ok(desk) = desk(&cfg, paper.settings(&cfg)) else {
                return ExitCode::from(3);
            };
            match desk.paper_restocked() {
                Ok(f) => {
                    println!("纸卷已更换：剩余约 {:.1} 米（{}）", f.remaining_m, f.label);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(3)
                }
            }
        }
        StaffCommand::OutOfService { window, off, kiosk } => {
            let Ok(cfg) = kiosk.load() else {
                return ExitCode::from(2);
            };
            let Ok(desk) = desk(&cfg, cfg.devices.paper) else {
                return ExitCode::from(3);
            };
            let r = if off {
                desk.clear_out_of_service()
                    .map(|_| "已恢复服务".to_string())
            } else {
                desk.set_out_of_service(
                    window
                        .as_deref()
                        .unwrap_or(cfg.effective_staff_window().as_configured()),
                )
                .map(|o| o.message)
            };
            match r {
                Ok(m) => {
                    println!("{m}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
            }
        }
        StaffCommand::Diagnostics {
            out,
            logs,
            paper,
            kiosk,
        } => {
            let Ok((cfg, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            let Ok(desk) = desk(&cfg, paper.settings(&cfg)) else {
                return ExitCode::from(3);
            };
            let logs = if logs.is_empty() {
                cfg.log_dirs()
            } else {
                logs
            };
            let input = onevisit_core::staff::diagnostics::DiagnosticsInput {
                outbox: &outbox,
                devices: None,
                uplink: None,
                catalog_version: catalog_version(),
                logs,
                audit_entries: 500,
            };
            let out = out.unwrap_or_else(|| cfg.diagnostics_dir.clone());
            match onevisit_core::staff::diagnostics::export(&desk, &out, &input) {
                Ok(r) => {
                    println!("{}", r.dir.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `onevisit progress`: exit 0 with an answer, 1 not found, 2 invalid
/// input, 4 rate limited.
pub fn progress(args: ProgressArgs) -> ExitCode {
    use onevisit_core::progress::{ProgressAnswer, ProgressQuery};
    let Ok((cfg, outbox)) = args.kiosk.open() else {
        return ExitCode::from(3);
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let status: Option<Arc<dyn onevisit_core::progress::CaseStatusSource>> = cfg
        .link(timeout)
        .map_err(|e| eprintln!("platform link: {e}; answering from this kiosk"))
        .ok()
        .map(|link| Arc::new(link.status_lookup(timeout)) as _);
    let names = onevisit_core::catalog::Catalog::load_default()
        .map(|c| onevisit_core::progress::item_names(&c))
        .unwrap_or_default();
    let q = ProgressQuery::new(Arc::new(outbox), status, names, Arc::new(SystemClock));
    let q = match StaffDesk::open(&cfg.data_dir, cfg.devices.paper, Arc::new(SystemClock)) {
        Ok(d) => q.with_audit(d.audit().clone()),
        Err(_) => q,
    };
    let answer = q.query(&args.receipt, &args.last4);
    if args.format == Format::Json {
        print_json(&answer);
    } else if let ProgressAnswer::Found(v) = &answer {
        println!("受理编号 {}：{}", v.receipt, v.headline);
        for i in &v.items {
            match &i.since {
                Some(s) => println!("  {}  {}（{s}）", i.name, i.status),
                None => println!("  {}  {}", i.name, i.status),
            }
        }
        if let Some(n) = &v.note {
            println!("{n}");
        }
    } else {
        eprintln!("{}", answer.message());
    }
    match answer {
        ProgressAnswer::Found(_) => ExitCode::SUCCESS,
        ProgressAnswer::NotFound { .. } => ExitCode::from(1),
        ProgressAnswer::Invalid { .. } => ExitCode::from(2),
        ProgressAnswer::TooManyAttempts { .. } => ExitCode::from(4),
    }
}
