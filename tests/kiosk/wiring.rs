//! `onevisit run`'s wiring without a display: the production services and
//! devices built from a kiosk.toml whose "real" devices are the PTY
//! simulators, the outbox in the configured data directory, the uplink at a
//! reference platform on loopback. One event-loop test (Slint testing
//! backend, system time): a card placed on the simulated reader reaches the
//! controller through the device manager and the UI thread, and a business
//! licence scanned on the form fills it from the platform's shared data. The
//! other tests read the devices' channels directly.

use onevisit::config::{ConfigFile, KioskConfig};
use onevisit::wiring::production::{self, Production};
use onevisit::wiring::services::{DeviceSinks, set_posted_kiosk};
use onevisit_core::staff::recorder::NOT_CONFIGURED;
use onevisit_core::visit::session::{CardState, Page};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::{DeviceId, Health};
use onevisit_drivers::printer::supervised::PrintRequest;
use onevisit_drivers::sam::ReaderEvent;
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::sim::sam::{SamSimulator, SimOptions, TestCard};
use onevisit_drivers::sim::scanner::{Framing, ScannerSim};
use onevisit_ui::{AppState, AppWindow, Kiosk};
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn source_catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")
}

/// kiosk.toml as an integrator writes it, with the simulators' PTYs as the
/// device addresses (`None`: that device disabled).
fn config(
    dir: &Path,
    url: &str,
    reader: Option<&Path>,
    scanner: &Path,
    printer: &Path,
) -> KioskConfig {
    let mut f = ConfigFile {
        data_dir: dir.join("data"),
        platform_url: url.into(),
        catalog_dir: Some(source_catalog()),
        staff_window: Some("7".into()),
        ..ConfigFile::default()
    };
    f.idle.timeout_secs = 90;
    match reader {
        Some(p) => f.devices.id_reader.address = Some(p.display().to_string()),
        None => f.devices.id_reader.enabled = false,
    }
    f.devices.id_reader.baud = 115_200;
    f.devices.scanner.address = Some(scanner.display().to_string());
    f.devices.scanner.baud = 9_600;
    f.devices.printer.address = Some(printer.display().to_string());
    f.devices.printer.paper_width_mm = 58;
    KioskConfig::from_file(f).unwrap()
}

pub fn a_card_on_the_configured_reader_reaches_the_controller_through_the_event_loop() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let dir = tempfile::tempdir().unwrap();
    let srv = crate::common::server(dir.path(), |_| {});
    let sam = SamSimulator::start(SimOptions::default()).unwrap();
    let scanner = ScannerSim::start().unwrap();
    let printer = PrinterSim::start(PaperWidth::Mm58).unwrap();
    let cfg = config(
        dir.path(),
        &srv.url(),
        Some(&sam.path()),
        scanner.path(),
        printer.path(),
    );

    let (report, catalog) = production::check(&cfg).expect("start-up checks pass");
    assert!(!report.fatal(), "{report}");
    let running = Production::start(&cfg, DeviceSinks::kiosk()).unwrap();
    assert!(cfg.data_dir.join("outbox.sqlite3").exists());
    let kiosk = Kiosk::new(
        AppWindow::new().unwrap(),
        production::controller(&cfg, catalog, &running.services),
    );
    set_posted_kiosk(Some(kiosk.clone()));
    running.connect(&kiosk).unwrap();
    assert!(
        !kiosk.window().global::<AppState>().get_dev_panel(),
        "no developer panel in production"
    );
    // kiosk.toml's staff window is the one the catalog names from now on
    // (notice, receipt; core's staff_window tests follow it everywhere).
    assert_eq!(kiosk.controller().catalog().meta.combined_window, "7号窗口");

    sam.control().place(TestCard::Resident);
    let weak = std::rc::Rc::downgrade(&kiosk);
    let poll = slint::Timer::default();
    poll.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(50),
        move || {
            if weak
                .upgrade()
                .is_some_and(|k| k.controller().page() == Page::CardRead)
            {
                let _ = slint::quit_event_loop();
            }
        },
    );
    // Give up after 20 s rather than hang.
    slint::Timer::single_shot(Duration::from_secs(20), || {
        let _ = slint::quit_event_loop();
    });
    slint::run_event_loop_until_quit().unwrap();
    drop(poll);

    let c = kiosk.controller();
    assert_eq!(c.page(), Page::CardRead, "the card never reached the kiosk");
    assert!(matches!(c.card(), CardState::Read(_)));
    drop(c);

    a_scanned_licence_fills_the_form_from_the_platform(&kiosk, scanner);
    set_posted_kiosk(None);
    srv.stop();
}

/// On the form of a restaurant that already exists (B01, not new), the
/// licence's QR on the simulated scanner: the credit code at once, then,
/// from the reference platform's shared data through the lookup thread
/// and the event loop, 主体名称 and 住所 with the licence as their source.
fn a_scanned_licence_fills_the_form_from_the_platform(
    kiosk: &std::rc::Rc<Kiosk>,
    scanner: ScannerSim,
) {
    use onevisit_core::applicant::PrefillSource;
    use onevisit_core::visit::application::FieldPath;
    let sample = onevisit_platform::licences::samples().remove(0);
    kiosk.update(|c| {
        c.consent();
        c.choose_bundle("B01");
        while let Some((q, selected, _)) = c.question() {
            let pick = match q.id.as_str() {
                "new_entity" => q.options.iter().find(|o| o.id != "new").unwrap().id.clone(),
                _ => selected,
            };
            c.answer(&pick);
        }
        c.apply();
    });
    assert_eq!(kiosk.controller().page(), Page::Form);
    let path_of = |label: &str| {
        let c = kiosk.controller();
        let a = c.application().unwrap();
        let f = a.form().fields().find(|f| f.label.starts_with(label));
        FieldPath::scalar(&f.unwrap_or_else(|| panic!("no {label}")).id)
    };
    let (name, address, code) = (
        path_of("主体名称"),
        path_of("住所"),
        path_of("统一社会信用代码"),
    );
    let qr = format!("http://www.gsxt.gov.cn/index.html?uniscid={}", sample.uscc);
    let weak = std::rc::Rc::downgrade(kiosk);
    let scans = slint::Timer::default();
    // The scanner is opened by the device manager: scan until the form
    // has the name (each scan asks once; a later one asks again).
    let sent = std::cell::Cell::new(0);
    let name_seen = name.clone();
    scans.start(slint::TimerMode::Repeated, Duration::from_millis(300), {
        let mut scanner = scanner;
        move || {
            let Some(k) = weak.upgrade() else { return };
            if !k
                .controller()
                .application()
                .unwrap()
                .text(&name_seen)
                .is_empty()
            {
                let _ = slint::quit_event_loop();
                return;
            }
            if sent.get() < 30 {
                sent.set(sent.get() + 1);
                let _ = scanner.scan(&qr, &Framing::default());
            }
        }
    });
    slint::Timer::single_shot(Duration::from_secs(20), || {
        let _ = slint::quit_event_loop();
    });
    slint::run_event_loop_until_quit().unwrap();
    drop(scans);

    let c = kiosk.controller();
    let a = c.application().unwrap();
    assert_eq!(a.text(&code), sample.uscc, "the scan's credit code");
    assert_eq!(a.text(&name), sample.name, "{:?}", c.message());
    assert_eq!(a.prefilled_from(&name), Some(PrefillSource::Licence));
    assert_eq!(a.text(&address), sample.address);
    assert!(c.message().unwrap().contains("请核对"), "{:?}", c.message());
}

pub fn without_a_reader_the_kiosk_degrades_and_scanner_and_printer_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut scanner = ScannerSim::start().unwrap();
    let printer = PrinterSim::start(PaperWidth::Mm58).unwrap();
    // The platform is down: the services start anyway (the outbox keeps).
    let url = format!("http://127.0.0.1:{}", crate::common::free_port());
    let cfg = config(dir.path(), &url, None, scanner.path(), printer.path());
    assert_eq!(cfg.devices.paper_width, PaperWidth::Mm58);

    let (reader_tx, reader_rx) = std::sync::mpsc::channel();
    let (scan_tx, scan_rx) = std::sync::mpsc::channel();
    let (health_tx, health_rx) = std::sync::mpsc::channel();
    let running = Production::start(
        &cfg,
        DeviceSinks {
            reader: Box::new(move |e| reader_tx.send(e).is_ok()),
            scanned: Box::new(move |s| scan_tx.send(s).is_ok()),
            health: Box::new(move |h| health_tx.send(h.clone()).is_ok()),
        },
    )
    .unwrap();
    // No reader configured: the UI's reader banner and manual path.
    match reader_rx.recv_timeout(Duration::from_secs(5)).unwrap() {
        ReaderEvent::ReaderLost(why) => assert!(why.contains("no ID reader"), "{why}"),
        other => panic!("expected ReaderLost, got {other:?}"),
    }

    // The scanner is opened by the device manager; retry until it listens.
    let code = onevisit::wiring::kiosk::DEV_LICENCE_QR;
    let mut got = None;
    for _ in 0..50 {
        scanner.scan(code, &Framing::default()).unwrap();
        if let Ok(s) = scan_rx.recv_timeout(Duration::from_millis(200)) {
            got = Some(s);
            break;
        }
    }
    assert_eq!(got.as_deref(), Some(code));

    // Health: the reader is reported as not configured, the scanner and
    // the printer online, and the staff database has it (CLI, heartbeats).
    let mut health = std::collections::BTreeMap::new();
    let started = std::time::Instant::now();
    while !(health.get(&DeviceId::Scanner) == Some(&Health::Ok)
        && health.get(&DeviceId::Printer) == Some(&Health::Ok))
        && started.elapsed() < Duration::from_secs(20)
    {
        if let Ok(h) = health_rx.recv_timeout(Duration::from_millis(200)) {
            health = h;
        }
    }
    assert_eq!(
        health.get(&DeviceId::IdReader),
        Some(&Health::Missing(NOT_CONFIGURED.into())),
        "{health:?}"
    );
    assert_eq!(
        health.get(&DeviceId::Printer),
        Some(&Health::Ok),
        "{health:?}"
    );
    let desk = running.services.recorder.desk().expect("staff database");
    let saved = desk.saved_devices().unwrap().expect("health saved");
    assert_eq!(saved.health.get(&DeviceId::Printer), Some(&Health::Ok));
    let o = desk
        .overview(None, &running.services.outbox, None, None)
        .unwrap();
    assert!(
        !o.alerts.iter().any(|a| a.contains("身份证阅读器")),
        "a device the kiosk does not have is no alarm: {:?}",
        o.alerts
    );

    let jobs = running.devices.printer().expect("printer configured");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    jobs.send(PrintRequest {
        id: "test-page".into(),
        bytes: b"\x1b@onevisit test\n".to_vec(),
        done: done_tx,
    })
    .unwrap();
    let outcome = done_rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    assert!(printer.control().transcript().contains("onevisit test"));

    // A queued submission cannot be sent: the uplink reports the platform
    // unreachable (the offline banner) and the submission stays queued.
    let mut sub = crate::common::example();
    let receipt = running.services.outbox.enqueue(&mut sub, &[]).unwrap();
    let started = std::time::Instant::now();
    while running.services.offline() != Some(true) && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(running.services.offline(), Some(true));
    let states = running.services.outbox.receipts().unwrap();
    assert!(
        states.iter().any(|(r, s)| *r == receipt && s != "accepted"),
        "{states:?}"
    );
}

pub fn onevisit_run_refuses_without_a_config_and_on_fatal_start_up_problems() {
    let bin = env!("CARGO_BIN_EXE_onevisit");
    let out = std::process::Command::new(bin)
        .arg("run")
        .env_remove("ONEVISIT_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no configuration"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "kiosk_id = \"K0101\"\nno_such_key = 1\n").unwrap();
    let out = std::process::Command::new(bin)
        .args(["run", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid configuration") && err.contains("no_such_key"),
        "{err}"
    );

    // A data directory that cannot be created is fatal: the report says so.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let fatal = dir.path().join("fatal.toml");
    std::fs::write(
        &fatal,
        format!(
            "data_dir = \"{}\"\ncatalog_dir = \"{}\"\n",
            blocker.join("data").display(),
            source_catalog().display()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(bin)
        .args(["run", "--config"])
        .arg(&fatal)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot start") && err.contains("FATAL"),
        "{err}"
    );
}

pub fn a_usb_scanner_address_is_read_as_hid_and_its_scans_reach_the_kiosk() {
    use onevisit::wiring::services::{DeviceOpeners, ScannerOpener, start_devices};
    use onevisit_drivers::scanner::HidReportFormat;
    use onevisit_drivers::sim::scanner::wedge_reports;
    use onevisit_drivers::transport::{MemoryTransport, Transport, TransportError};

    let dir = tempfile::tempdir().unwrap();
    let mut f = ConfigFile {
        data_dir: dir.path().join("data"),
        catalog_dir: Some(source_catalog()),
        ..ConfigFile::default()
    };
    f.devices.id_reader.enabled = false;
    f.devices.printer.enabled = false;
    f.devices.scanner.address = Some("0C2E:0B61".into());
    let cfg = KioskConfig::from_file(f).unwrap();
    let mut openers = DeviceOpeners::from_config(&cfg);
    // A USB address is read through HID now, not ignored. No such device
    // here: opening fails (the manager would report Missing and retry).
    match openers.scanner.as_mut() {
        Some(ScannerOpener::Hid(open)) => assert!(open().is_err()),
        Some(ScannerOpener::Line(_)) => panic!("a USB scanner opened as a serial line"),
        None => panic!("the USB scanner was dropped"),
    }

    // The same wiring with the USB endpoint replaced by an in-memory one: a
    // keyboard-mode scanner's boot reports come out as scanned text.
    let (mut device, host) = MemoryTransport::pair();
    let mut host = Some(host);
    openers.scanner = Some(ScannerOpener::Hid(Box::new(move || {
        host.take()
            .map(|t| (Box::new(t) as Box<dyn Transport>, HidReportFormat::Keyboard))
            .ok_or_else(|| TransportError::Disconnected("unplugged".into()))
    })));
    let (scan_tx, scan_rx) = std::sync::mpsc::channel();
    let _running = start_devices(
        openers,
        DeviceSinks {
            reader: Box::new(|_| true),
            scanned: Box::new(move |s| scan_tx.send(s).is_ok()),
            health: Box::new(|_| true),
        },
    )
    .unwrap();
    let code = "OV1:R:HL01-20261129-0007-K";
    device
        .write_all(&wedge_reports(code).unwrap().concat())
        .unwrap();
    assert_eq!(scan_rx.recv_timeout(Duration::from_secs(5)).unwrap(), code);
}
