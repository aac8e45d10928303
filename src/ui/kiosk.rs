//! `onevisit` with no subcommand: the kiosk in a developer window with
//! every device simulated in process (the same bytes as the real devices,
//! over PTYs, under the same supervision), a reference platform on
//! loopback and the data in `./onevisit-data`, so the whole visit works
//! end to end on a fresh machine. A small panel places cards, scans a
//! business licence and takes the printer's paper out.

use super::devices::print_handler;
use super::{AppWindow, Kiosk, SessionController, fonts};
use crate::config::KioskConfig;
use crate::outbox::Outbox;
use crate::platform::server::{self, Running, ServerConfig};
use crate::uplink::{Uplink, UplinkConfig};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::{Backoff, DeviceManager};
use onevisit_drivers::printer::PrinterConfig;
use onevisit_drivers::printer::supervised::SupervisedPrinter;
use onevisit_drivers::sam::ReaderEvent;
use onevisit_drivers::sam::supervised::SupervisedReader;
use onevisit_drivers::scanner::LineConfig;
use onevisit_drivers::scanner::supervised::{ScannerEvent, SupervisedScanner};
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::sim::sam::{SamSimulator, SimOptions, TestCard};
use onevisit_drivers::sim::scanner::{Framing, ScannerSim};
use onevisit_drivers::transport::SerialTransport;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A business licence's QR code as the simulated scanner sends it.
pub const DEV_LICENCE_QR: &str = "http://www.gsxt.gov.cn/index.html?uniscid=91350200776049653A";

thread_local! {
    // The UI thread's kiosk, for events posted with invoke_from_event_loop
    // (the closure must be Send; the kiosk is not).
    static KIOSK: RefCell<Option<Rc<Kiosk>>> = const { RefCell::new(None) };
}

/// Runs `f` on the UI thread with the kiosk; false once the loop has ended.
fn post(f: impl FnOnce(&Kiosk) + Send + 'static) -> bool {
    slint::invoke_from_event_loop(move || {
        KIOSK.with(|k| {
            if let Some(k) = k.borrow().as_ref() {
                f(k);
            }
        })
    })
    .is_ok()
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

pub fn run() -> ExitCode {
    if !has_display() {
        eprintln!(
            "没有显示器 (no display: neither DISPLAY nor WAYLAND_DISPLAY is set).\n\
             The kiosk window needs a desktop session. Without one, run a scripted\n\
             visit and get a PNG of every screen:  onevisit demo --out DIR\n\
             or render every screen in both sizes:  onevisit screenshots --out DIR"
        );
        return ExitCode::from(2);
    }
    if let Err(message) = fonts::ensure_cjk_font() {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    // $ONEVISIT_CONFIG when set (idle times, data directory, catalog),
    // else development defaults.
    let cfg = match KioskConfig::load(None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let catalog = match crate::catalog::load_dir(&cfg.active_catalog_dir()) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (idle, countdown) = (cfg.idle_timeout, cfg.idle_countdown);
    let window = match AppWindow::new() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("无法打开窗口 (cannot open the window): {e}\nTry: onevisit demo --out DIR");
            return ExitCode::from(2);
        }
    };
    let services = match DevServices::start(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start the simulated devices and platform: {e}");
            return ExitCode::FAILURE;
        }
    };
    let controller = SessionController::new(catalog)
        .with_outbox(services.outbox.clone())
        .with_idle(idle, countdown);
    let kiosk = Kiosk::new(window, controller);
    KIOSK.with(|k| *k.borrow_mut() = Some(Rc::clone(&kiosk)));
    let _devices = match services.wire(&kiosk) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot start the simulated devices: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "onevisit kiosk: data in {}, reference platform at {}.\n\
         Use the panel at the bottom right to place a test ID card, scan a\n\
         business licence, or take the printer's paper out.",
        services.data_dir.display(),
        services.platform.url()
    );
    // Under systemd (Type=notify): ready now, and keep-alives from the UI
    // thread's own timer, so a hung event loop gets the kiosk restarted.
    let _watchdog = watchdog_timer();
    if let Err(e) = crate::firmware::watchdog::notify_ready() {
        log::warn!("sd_notify READY: {e}");
    }
    let result = kiosk.window().run();
    KIOSK.with(|k| k.borrow_mut().take());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Sends the systemd watchdog keep-alive from the event loop, when the
/// service has a watchdog.
fn watchdog_timer() -> Option<slint::Timer> {
    let every = crate::firmware::watchdog::watchdog_interval()?;
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, every, || {
        if let Err(e) = crate::firmware::watchdog::notify_watchdog() {
            log::warn!("sd_notify WATCHDOG: {e}");
        }
    });
    Some(timer)
}

/// The developer setup: local data, outbox, reference platform, uplink.
pub struct DevServices {
    pub data_dir: std::path::PathBuf,
    pub outbox: Arc<Outbox>,
    pub platform: Running,
    _uplink: std::thread::JoinHandle<()>,
    uplink_state: Arc<Mutex<Option<bool>>>,
}

impl DevServices {
    pub fn start(mut cfg: KioskConfig) -> std::io::Result<DevServices> {
        std::fs::create_dir_all(&cfg.data_dir)?;
        let platform = server::start(
            "127.0.0.1:0".parse().expect("loopback address"),
            ServerConfig::new(cfg.data_dir.join("platform.sqlite3")),
        )?;
        cfg.platform_url = platform.url();
        let outbox = Arc::new(
            Outbox::open(&cfg.outbox_path(), &cfg.kiosk_id, &cfg.data_key)
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        );
        let client = cfg
            .platform_client(Duration::from_secs(5))
            .map_err(std::io::Error::other)?;
        let up = Uplink::new(
            outbox.clone(),
            client,
            UplinkConfig {
                retention: Some(Duration::from_secs(u64::from(cfg.retention_days) * 86_400)),
                ..UplinkConfig::default()
            },
        );
        let uplink_state = Arc::new(Mutex::new(None));
        let seen = uplink_state.clone();
        let handle = std::thread::Builder::new()
            .name("uplink".into())
            .spawn(move || run_uplink(up, seen))?;
        Ok(DevServices {
            data_dir: cfg.data_dir,
            outbox,
            platform,
            _uplink: handle,
            uplink_state,
        })
    }

    /// Starts the simulated reader, scanner and printer under one device
    /// manager and connects them to `kiosk`.
    pub fn wire(&self, kiosk: &Kiosk) -> std::io::Result<DevDevices> {
        let (mut manager, _health) = DeviceManager::new();
        let backoff = Backoff {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
            reopen_after_failures: 3,
        };

        let sam = SamSimulator::start(SimOptions::default())?;
        let path = sam.path();
        let (tx, rx) = std::sync::mpsc::channel::<ReaderEvent>();
        manager.supervise(
            SupervisedReader::new(
                "idreader",
                move || SerialTransport::open(&path, 115_200),
                tx,
            )
            .with_poll_interval(Duration::from_millis(300)),
            backoff,
        );
        forward("reader-events", rx, |e| post(move |k| k.reader_event(e)))?;

        let scanner = ScannerSim::start()?;
        let path = scanner.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel::<ScannerEvent>();
        manager.supervise(
            SupervisedScanner::new(
                "scanner",
                move || SerialTransport::open(&path, 9_600),
                LineConfig::default(),
                tx,
            ),
            backoff,
        );
        forward("scanner-events", rx, |e| match e {
            ScannerEvent::Scanned { scan, .. } => post(move |k| k.scanned(&scan.text)),
            ScannerEvent::Rejected(err) => {
                log::warn!("scan rejected: {err}");
                true
            }
        })?;

        let printer = PrinterSim::start(PaperWidth::Mm80)?;
        let path = printer.path().to_path_buf();
        let (jobs_tx, jobs_rx) = std::sync::mpsc::channel();
        manager.supervise(
            SupervisedPrinter::new(
                "printer",
                move || SerialTransport::open(&path, 115_200),
                PrinterConfig::default(),
                jobs_rx,
            ),
            backoff,
        );
        kiosk.set_print_handler(print_handler(
            jobs_tx,
            Some(self.data_dir.join("print-jobs.sqlite3")),
            PaperWidth::Mm80,
            |result| {
                post(move |k| k.print_finished(result));
            },
        ));

        let cards = sam.control().clone();
        let paper = printer.control();
        let scans = Arc::new(Mutex::new(scanner));
        kiosk.set_dev_card_handler(move |what| match what {
            "resident" => cards.place(TestCard::Resident),
            "expired" => cards.place(TestCard::Expired),
            "licence" => {
                if let Ok(mut s) = scans.lock()
                    && let Err(e) = s.scan(DEV_LICENCE_QR, &Framing::default())
                {
                    log::warn!("simulated scan: {e}");
                }
            }
            "paper-out" => paper.set_paper_out(true),
            "paper-in" => paper.set_paper_out(false),
            _ => cards.remove(),
        });
        // The banner follows the uplink (checked once a second).
        let state = self.uplink_state.clone();
        std::thread::Builder::new()
            .name("uplink-banner".into())
            .spawn(move || {
                let mut shown = None;
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    let now = *state.lock().unwrap_or_else(|p| p.into_inner());
                    if now != shown {
                        shown = now;
                        let offline = now == Some(true);
                        if !post(move |k| k.set_offline(offline)) {
                            break;
                        }
                    }
                }
            })?;
        Ok(DevDevices {
            _manager: manager,
            _sam: sam,
            _printer: printer,
        })
    }
}

/// Keeps the simulated devices and their supervision alive.
pub struct DevDevices {
    _manager: DeviceManager,
    _sam: SamSimulator,
    _printer: PrinterSim,
}

/// Moves device events off their channel onto the UI thread; ends when
/// `deliver` says the event loop is gone.
fn forward<E: Send + 'static>(
    name: &str,
    rx: std::sync::mpsc::Receiver<E>,
    deliver: impl Fn(E) -> bool + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            for event in rx {
                if !deliver(event) {
                    break;
                }
            }
        })
        .map(|_| ())
}

/// Runs the uplink for the life of the process, noting in `offline`
/// whether the platform is unreachable.
fn run_uplink(up: Uplink, offline: Arc<Mutex<Option<bool>>>) {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            log::error!("uplink runtime: {e}");
            return;
        }
    };
    rt.block_on(async move {
        let mut states = up.subscribe();
        tokio::spawn(async move {
            while states.changed().await.is_ok() {
                let retrying = states.borrow().mode == "retrying";
                *offline.lock().unwrap_or_else(|p| p.into_inner()) = Some(retrying);
            }
        });
        let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        if let Err(e) = up.run(false, stop_rx).await {
            log::error!("uplink stopped: {e}");
        }
    });
}
