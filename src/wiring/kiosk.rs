//! `onevisit` with no subcommand: the kiosk in a developer window with
//! every device simulated in process (the same bytes as the real devices,
//! over PTYs, under the same supervision), a reference platform on
//! loopback and the data in `./onevisit-data`, so the whole visit works
//! end to end on a fresh machine. A small panel places cards, scans a
//! business licence and takes the printer's paper out.

use crate::config::KioskConfig;
use crate::wiring::services::{
    DeviceOpeners, DeviceRig, DeviceSinks, ScannerOpener, Services, ServicesError, serial,
    set_posted_kiosk, watchdog_timer,
};
use onevisit_drivers::camera::sim::{SimCamera, SimControl};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::sim::sam::{SamSimulator, SimOptions, TestCard};
use onevisit_drivers::sim::scanner::{Framing, ScannerSim};
use onevisit_platform::{self as server, Running, ServerConfig};
use onevisit_ui::{AppWindow, Kiosk, fonts};
use slint::ComponentHandle;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A business licence's QR code as the simulated scanner sends it.
pub const DEV_LICENCE_QR: &str = "http://www.gsxt.gov.cn/index.html?uniscid=91350200776049653A";

pub(super) fn has_display() -> bool {
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
    let catalog = match onevisit_core::catalog::load_dir(&cfg.active_catalog_dir()) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return ExitCode::FAILURE;
        }
    };
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
    // As `onevisit run` builds them, against the local platform.
    let cfg = &services.cfg;
    // The controller applies kiosk.toml's staff window to the catalog;
    // staff mode and the query read it back from there.
    let controller = crate::wiring::production::controller(cfg, catalog, &services.services);
    let staff =
        crate::wiring::services::staff_services(cfg, &services.services, controller.catalog());
    let kiosk = Kiosk::new(window, controller);
    kiosk.set_portrait(cfg.screen.orientation == crate::config::Orientation::Portrait);
    match staff {
        Ok(s) => kiosk.with_staff(s),
        Err(e) => log::error!("staff mode unavailable: {e}"),
    }
    set_posted_kiosk(Some(kiosk.clone()));
    // Speech as on a kiosk: this machine's sound card, if it has one.
    crate::wiring::production::connect_speaker(cfg, &kiosk);
    let _devices = match services.wire(&kiosk) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot start the simulated devices: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "onevisit kiosk: data in {}, reference platform at {}.\n\
         Use the 模拟设备 strip right of the kiosk screen to place a test ID\n\
         card, scan a business licence, or take the printer's paper out.",
        services.cfg.data_dir.display(),
        services.platform.url()
    );
    // Under systemd (Type=notify): ready now, and keep-alives from the UI
    // thread's own timer, so a hung event loop gets the kiosk restarted.
    let _watchdog = watchdog_timer();
    if let Err(e) = crate::firmware::watchdog::notify_ready() {
        log::warn!("sd_notify READY: {e}");
    }
    let result = kiosk.window().run();
    set_posted_kiosk(None);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The developer setup: local data, a reference platform on loopback, and
/// the shared outbox and uplink ([`Services`]) pointed at it.
pub struct DevServices {
    pub platform: Running,
    /// The configuration as run: `platform_url` is the local platform.
    pub cfg: KioskConfig,
    pub services: Services,
}

impl DevServices {
    pub fn start(mut cfg: KioskConfig) -> Result<DevServices, ServicesError> {
        std::fs::create_dir_all(&cfg.data_dir)?;
        let platform = server::start(
            "127.0.0.1:0".parse().expect("loopback address"),
            ServerConfig::new(cfg.data_dir.join("platform.sqlite3")),
        )?;
        cfg.platform_url = platform.url();
        let services = Services::start(&cfg)?;
        Ok(DevServices {
            platform,
            cfg,
            services,
        })
    }

    /// Starts the simulated reader, scanner and printer under one device
    /// manager and connects them to `kiosk`.
    pub fn wire(&self, kiosk: &Rc<Kiosk>) -> std::io::Result<DevDevices> {
        let sam = SamSimulator::start(SimOptions::default())?;
        let scanner = ScannerSim::start()?;
        let printer = PrinterSim::start(PaperWidth::Mm80)?;
        let paths = (
            sam.path(),
            scanner.path().to_path_buf(),
            printer.path().to_path_buf(),
        );
        // One switch for every simulated camera the rig opens.
        let camera = SimControl::default();
        let devices = DeviceRig::start(
            move || DeviceOpeners {
                reader: Some(serial(paths.0.clone(), 115_200)),
                scanner: Some(ScannerOpener::Line(serial(paths.1.clone(), 9_600))),
                printer: Some(serial(paths.2.clone(), 115_200)),
                camera: Some(SimCamera::opener(camera.clone())),
                paper: PaperWidth::Mm80,
                reader_poll: Duration::from_millis(300),
            },
            DeviceSinks::kiosk(),
            self.services.recorder.clone(),
            self.cfg.data_dir.clone(),
        )?;
        devices.connect(kiosk);
        self.services.share_licences(kiosk);

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
        self.services.show_banner()?;
        Ok(DevDevices {
            _devices: devices,
            _sam: sam,
            _printer: printer,
        })
    }
}

/// Keeps the simulated devices and their supervision alive.
pub struct DevDevices {
    _devices: Rc<DeviceRig>,
    _sam: SamSimulator,
    _printer: PrinterSim,
}
