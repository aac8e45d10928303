//! `onevisit outbox …` (staff and tests) and `onevisit uplink`.

use super::Format;
use super::submit::KioskArgs;
use onevisit_core::outbox::{Outbox, now_ms};
use onevisit_uplink::{Uplink, UplinkConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum OutboxCommand {
    /// Queue counts, the head of the queue, rejected cases, uplink state.
    Status {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Put a rejected submission (or every rejected and waiting job) back
    /// in the queue, due now.
    Retry {
        /// A receipt number; without it, everything.
        id: Option<String>,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// One submission by its receipt number.
    Show {
        receipt: String,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Ask the platform where a case stands (the applicant's progress
    /// query), by receipt number.
    Progress {
        receipt: String,
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Queue the applicant's 好差评 rating (1-5) for a receipt.
    Rate {
        receipt: String,
        score: u8,
        #[arg(long, default_value = "")]
        comment: String,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Remove personal data of cases accepted longer ago than the
    /// retention period; the audit trail stays.
    Purge {
        #[arg(long)]
        retention_days: Option<u32>,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
    /// Test tool: queue COUNT copies of a submission while the uplink runs
    /// in the same process; prints each receipt once it is durable.
    #[command(hide = true)]
    Soak {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        count: u32,
        #[arg(long, default_value_t = 2000)]
        timeout_ms: u64,
        #[command(flatten)]
        kiosk: KioskArgs,
    },
}

#[derive(clap::Args)]
pub struct UplinkArgs {
    /// Exit 0 once nothing is left to send.
    #[arg(long)]
    until_empty: bool,
    /// Give up (exit 4) after this many seconds.
    #[arg(long)]
    deadline_secs: Option<u64>,
    /// Per-request timeout.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// Do not send heartbeats.
    #[arg(long)]
    no_heartbeat: bool,
    #[command(flatten)]
    kiosk: KioskArgs,
}

/// Operators watching `onevisit uplink` see retries, rejections and staff
/// alerts on stderr. Log lines carry receipts and platform reasons only,
/// never personal data.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Info && m.target().starts_with("onevisit")
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            eprintln!("{} {}", r.level(), r.args());
        }
    }
    fn flush(&self) {}
}

fn log_to_stderr() {
    static LOG: StderrLog = StderrLog;
    if log::set_logger(&LOG).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("json"));
}

fn fail(e: onevisit_core::outbox::OutboxError) -> ExitCode {
    eprintln!("outbox: {e} ({})", e.code());
    ExitCode::from(3)
}

pub fn run(cmd: OutboxCommand) -> ExitCode {
    match cmd {
        OutboxCommand::Status { format, kiosk } => {
            let Ok((_, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            match outbox.status() {
                Ok(s) if format == Format::Json => print_json(&s),
                Ok(s) => {
                    println!("kiosk {}  pending {}", s.kiosk_id, s.pending);
                    for (kind, states) in &s.counts {
                        println!("  {kind}: {states:?}");
                    }
                    if let Some(u) = &s.uplink {
                        println!(
                            "uplink: {} since {}{}",
                            u.mode,
                            onevisit_platform::store::ms_to_rfc3339(u.since_ms),
                            u.last_error
                                .as_deref()
                                .map(|e| format!(" (last error: {e})"))
                                .unwrap_or_default()
                        );
                    }
                    for r in &s.rejected {
                        println!(
                            "REJECTED {} {:?} [{}]: {}",
                            r.receipt, r.kind, r.code, r.reason
                        );
                    }
                }
                Err(e) => return fail(e),
            }
            ExitCode::SUCCESS
        }
        OutboxCommand::Retry { id, kiosk } => {
            let Ok((_, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            let id = match id.as_deref().map(onevisit_core::outbox::receipt::normalise) {
                Some(None) => {
                    eprintln!("受理编号格式或校验位不对，请核对后重新输入");
                    return ExitCode::from(2);
                }
                Some(Some(r)) => Some(r),
                None => None,
            };
            match outbox.retry(id.as_deref()) {
                Ok(n) => {
                    println!("{n} job(s) queued again");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        OutboxCommand::Show { receipt, kiosk } => {
            let Ok((_, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            let Some(r) = onevisit_core::outbox::receipt::normalise(&receipt) else {
                eprintln!("受理编号格式或校验位不对，请核对后重新输入");
                return ExitCode::from(2);
            };
            match outbox.lookup(&r) {
                Ok(Some(v)) => {
                    print_json(&v);
                    ExitCode::SUCCESS
                }
                Ok(None) => {
                    eprintln!("本机没有受理编号为 {r} 的申请");
                    ExitCode::from(1)
                }
                Err(e) => fail(e),
            }
        }
        OutboxCommand::Progress {
            receipt,
            timeout_ms,
            kiosk,
        } => {
            let Ok(cfg) = kiosk.load() else {
                return ExitCode::from(2);
            };
            let Some(r) = onevisit_core::outbox::receipt::normalise(&receipt) else {
                eprintln!("受理编号格式或校验位不对，请核对后重新输入");
                return ExitCode::from(2);
            };
            let client = match cfg.platform_client(Duration::from_millis(timeout_ms)) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("platform client: {e}");
                    return ExitCode::from(2);
                }
            };
            match runtime().block_on(client.case_status(&r)) {
                Ok(s) => {
                    print_json(&s);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("暂时查询不到办理进度，请稍后再试或到窗口咨询。({e})");
                    ExitCode::from(1)
                }
            }
        }
        OutboxCommand::Rate {
            receipt,
            score,
            comment,
            kiosk,
        } => {
            let Ok((_, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            match outbox.enqueue_rating(&receipt, score, &comment) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
            }
        }
        OutboxCommand::Purge {
            retention_days,
            kiosk,
        } => {
            let Ok((cfg, outbox)) = kiosk.open() else {
                return ExitCode::from(3);
            };
            let days = retention_days.unwrap_or(cfg.retention_days) as i64;
            match outbox.purge(now_ms(), days * 86_400_000) {
                Ok(n) => {
                    println!("personal data purged from {n} submission(s)");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        OutboxCommand::Soak {
            file,
            count,
            timeout_ms,
            kiosk,
        } => soak(&file, count, timeout_ms, &kiosk),
    }
}

fn uplink_for(
    cfg: &crate::config::KioskConfig,
    outbox: Arc<Outbox>,
    timeout_ms: u64,
    heartbeat: bool,
) -> Result<Uplink, ExitCode> {
    let client = cfg
        .platform_client(Duration::from_millis(timeout_ms))
        .map_err(|e| {
            eprintln!("platform client: {e}");
            ExitCode::from(2)
        })?;
    let ucfg = UplinkConfig {
        heartbeat_every: heartbeat.then(|| Duration::from_secs(60)),
        retention: Some(Duration::from_secs(u64::from(cfg.retention_days) * 86_400)),
        ..UplinkConfig::default()
    };
    let up = Uplink::new(outbox, client, ucfg);
    if !heartbeat {
        return Ok(up);
    }
    // Run as its own service, the uplink takes device health and the
    // paper forecast from what the kiosk saved in staff.sqlite3.
    match onevisit_core::staff::StaffDesk::open(
        &cfg.data_dir,
        cfg.devices.paper,
        Arc::new(onevisit_core::staff::SystemClock),
    ) {
        Ok(desk) => {
            let cell =
                onevisit_core::staff::SnapshotCell::new(desk.saved_snapshot().unwrap_or_default());
            let writer = cell.clone();
            // Refreshed for the life of the process (the CLI runs until
            // the drain or the service ends).
            std::thread::Builder::new()
                .name("device-snapshot".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(30));
                        writer.set(desk.saved_snapshot().unwrap_or_default());
                    }
                })
                .expect("spawning a thread");
            Ok(up.with_device_snapshot(cell))
        }
        Err(e) => {
            log::warn!("heartbeats without device data: {e}");
            Ok(up)
        }
    }
}

pub fn uplink(args: UplinkArgs) -> ExitCode {
    log_to_stderr();
    let Ok((cfg, outbox)) = args.kiosk.open() else {
        return ExitCode::from(3);
    };
    let up = match uplink_for(&cfg, Arc::new(outbox), args.timeout_ms, !args.no_heartbeat) {
        Ok(u) => u,
        Err(c) => return c,
    };
    let rt = runtime();
    rt.block_on(async {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop_tx.send(true);
        });
        let run = up.run(args.until_empty, stop_rx);
        let result = match args.deadline_secs {
            Some(s) => match tokio::time::timeout(Duration::from_secs(s), run).await {
                Ok(r) => r,
                Err(_) => {
                    eprintln!("uplink: deadline reached with jobs still queued");
                    return ExitCode::from(4);
                }
            },
            None => run.await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        }
    })
}

fn soak(file: &std::path::Path, count: u32, timeout_ms: u64, kiosk: &KioskArgs) -> ExitCode {
    let (sub, images) = match super::submit::load_submission(file) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let Ok((cfg, outbox)) = kiosk.open() else {
        return ExitCode::from(3);
    };
    let outbox = Arc::new(outbox);
    let up = match uplink_for(&cfg, outbox.clone(), timeout_ms, false) {
        Ok(u) => u,
        Err(c) => return c,
    };
    let rt = runtime();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let drain = rt.spawn(async move { up.run(false, stop_rx).await });
    let producer = {
        let outbox = outbox.clone();
        std::thread::spawn(move || -> Result<(), onevisit_core::outbox::OutboxError> {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for _ in 0..count {
                let mut s = sub.clone();
                let r = outbox.enqueue(&mut s, &images)?;
                // The receipt is printed only once it is durable: this line
                // is the kiosk's acknowledgement.
                writeln!(out, "{r}").and_then(|_| out.flush()).ok();
            }
            Ok(())
        })
    };
    if let Err(e) = producer.join().expect("producer thread") {
        return fail(e);
    }
    // Then wait for the queue to empty.
    rt.block_on(async {
        // An uplink that stopped on an outbox error ends the wait too.
        while outbox.pending().unwrap_or(1) > 0 && !drain.is_finished() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = stop_tx.send(true);
        let _ = drain.await;
    });
    ExitCode::SUCCESS
}
