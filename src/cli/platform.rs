//! `onevisit platform …`: the reference platform (serve, list, faults).

use super::Format;
use onevisit_platform::{self as server, FaultSettings, ServerConfig};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum PlatformCommand {
    /// Run the reference platform on ADDR with its own database.
    Serve(ServeArgs),
    /// Every case received, with its idempotency key and receipt number.
    List {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Switch a running reference platform's faults at run time.
    Faults {
        /// The platform's base URL (admin endpoints are loopback-only).
        #[arg(long)]
        url: String,
        #[command(flatten)]
        faults: FaultArgs,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct FaultArgs {
    /// Share of requests answered with 500.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Milliseconds added to every request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share answered 429 with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    #[arg(long, default_value_t = 1)]
    retry_after_secs: u64,
    /// Share held for --hang-ms (clients time out).
    #[arg(long, default_value_t = 0.0)]
    timeout_rate: f64,
    #[arg(long, default_value_t = 30_000)]
    hang_ms: u64,
    /// Share processed and then cut off before the answer.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Answer everything 503.
    #[arg(long)]
    down: bool,
    /// Share of attachment chunks damaged on arrival (refused for their
    /// hash; the kiosk sends them again).
    #[arg(long, default_value_t = 0.0)]
    corrupt_chunk_rate: f64,
}

impl FaultArgs {
    fn settings(&self) -> FaultSettings {
        FaultSettings {
            error_rate: self.fault_rate,
            throttle_rate: self.throttle_rate,
            retry_after_secs: self.retry_after_secs,
            timeout_rate: self.timeout_rate,
            hang_ms: self.hang_ms,
            drop_rate: self.drop_rate,
            latency_ms: self.latency_ms,
            down: self.down,
            corrupt_chunk_rate: self.corrupt_chunk_rate,
        }
    }
}

#[derive(clap::Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8480")]
    listen: String,
    #[arg(long)]
    db: PathBuf,
    /// TOML file `KIOSK_ID = "hex key"`; without it the built-in
    /// development key is accepted for every kiosk.
    #[arg(long)]
    keys: Option<PathBuf>,
    /// Refuse to start without --keys.
    #[arg(long)]
    production: bool,
    /// Seconds per status step (accepted → in review → decided).
    #[arg(long, default_value_t = 60)]
    status_step_secs: u64,
    /// A catalog version to refuse with 422 (permanent rejection).
    #[arg(long)]
    retired_catalog: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    #[command(flatten)]
    faults: FaultArgs,
}

fn load_keys(path: &std::path::Path) -> Result<HashMap<String, Vec<u8>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: HashMap<String, String> =
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    table
        .into_iter()
        .map(|(k, v)| {
            hex::decode(v.trim())
                .map(|b| (k.clone(), b))
                .map_err(|e| format!("key of {k}: {e}"))
        })
        .collect()
}

pub fn run(cmd: PlatformCommand) -> ExitCode {
    match cmd {
        PlatformCommand::Serve(a) => serve(a),
        PlatformCommand::List { db, format } => {
            let listing = server::store::open(&db).and_then(|c| server::store::list(&c));
            match listing {
                Ok(l) if format == Format::Json => {
                    println!("{}", serde_json::to_string_pretty(&l).expect("json"))
                }
                Ok(l) => {
                    for c in &l.cases {
                        println!(
                            "{} {} {} key={} duplicates_refused={}",
                            c.case_id,
                            c.receipt,
                            c.received_at,
                            c.idempotency_key,
                            c.duplicates_refused
                        );
                    }
                    println!(
                        "{} case(s), {} duplicate(s) refused, {} bad signature(s)",
                        l.cases.len(),
                        l.duplicates_refused,
                        l.rejected_signatures
                    );
                }
                Err(e) => {
                    eprintln!("{}: {e}", db.display());
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        PlatformCommand::Faults { url, faults } => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let r = rt.block_on(onevisit_uplink::client::put_admin_faults(
                &url,
                &faults.settings(),
            ));
            match r {
                Ok(t) => {
                    println!("{t}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn serve(a: ServeArgs) -> ExitCode {
    let keys = match &a.keys {
        Some(p) => match load_keys(p) {
            Ok(k) => Some(k),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        None if a.production => {
            eprintln!("production mode refuses to start without --keys");
            return ExitCode::from(2);
        }
        None => {
            eprintln!(
                "WARNING: no --keys: accepting the built-in DEVELOPMENT key for every kiosk. \
                 This reference platform is for tests and demos only."
            );
            None
        }
    };
    let cfg = ServerConfig {
        db: a.db.clone(),
        keys,
        faults: a.faults.settings(),
        status_step_ms: (a.status_step_secs.max(1) * 1000) as i64,
        retired_catalog: a.retired_catalog.clone(),
        tls: a.tls_cert.clone().zip(a.tls_key.clone()),
    };
    let scheme = if cfg.tls.is_some() { "https" } else { "http" };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = match tokio::net::TcpListener::bind(&a.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on {}: {e}", a.listen);
                return ExitCode::FAILURE;
            }
        };
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        println!("platform listening on {scheme}://{addr}/");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        match server::serve(listener, cfg).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        }
    })
}
