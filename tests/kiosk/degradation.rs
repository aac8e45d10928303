//! Graceful degradation, through the kiosk's own wiring and screens: the
//! production services and devices (`Production::start` from a kiosk.toml
//! whose devices are the PTY simulators), the reference platform on
//! loopback with its fault switches, the Slint testing backend on system
//! time (device events reach the UI thread through the event loop, as on
//! a kiosk). One event-loop test, the degradations in the order a bad day
//! might bring them:
//!
//! 1. the ID reader is missing → the welcome page says so and the manual
//!    path ("不用证件，继续") still starts a visit;
//! 2. the scanner goes away → 办件查询 asks to type the number, and the
//!    staff screen shows the scanner 未连接;
//! 3. the platform is down → the visit goes on, the submission is queued,
//!    the offline banner shows; it is sent once the platform is back;
//! 4. the printer runs out of paper mid-visit → the visit finishes, the
//!    receipt number stays large with "补打"; the paper forecast and the
//!    staff screen say 缺纸; paper back in → the test page prints, and
//!    prints again after 重置终端 restarted the devices;
//! 5. the disk is full → the welcome page gives way to the out-of-service
//!    screen naming the staff window, and staff see the storage alert.

use crate::common::visit;

use onevisit::config::{ConfigFile, KioskConfig};
use onevisit::wiring::production::{self, Production};
use onevisit::wiring::services::{DeviceSinks, set_posted_kiosk, staff_services};
use onevisit_core::staff::{PaperLevel, hash_pin};
use onevisit_core::visit::session::Page as CPage;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::{DeviceId, Health};
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::sim::scanner::ScannerSim;
use onevisit_platform::faults::FaultSettings;
use onevisit_ui::{
    AppState, AppWindow, ApplyState, CardState, DoneState, Kiosk, Page, ProgressState, SpeechState,
    StaffState,
};
use slint::{ComponentHandle, Model};
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

const PIN: &str = "246810";

/// Runs the event loop until `cond` holds (checked every 50 ms) or
/// `secs` pass; fails with `what` if it never held.
fn wait_until(kiosk: &Rc<Kiosk>, secs: u64, what: &str, cond: impl Fn(&Kiosk) -> bool + 'static) {
    let cond = Rc::new(cond);
    if cond(kiosk) {
        return;
    }
    let weak = Rc::downgrade(kiosk);
    let check = cond.clone();
    let poll = slint::Timer::default();
    poll.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(50),
        move || {
            if weak.upgrade().is_some_and(|k| check(&k)) {
                let _ = slint::quit_event_loop();
            }
        },
    );
    let give_up = slint::Timer::default();
    give_up.start(
        slint::TimerMode::SingleShot,
        Duration::from_secs(secs),
        || {
            let _ = slint::quit_event_loop();
        },
    );
    slint::run_event_loop_until_quit().unwrap();
    assert!(cond(kiosk), "waited {secs} s for: {what}");
}

fn config(dir: &Path, url: &str, scanner: &Path, printer: &Path) -> KioskConfig {
    let mut f = ConfigFile {
        data_dir: dir.join("data"),
        platform_url: url.into(),
        catalog_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")),
        staff_window: Some("3".into()),
        staff_pin_hash: Some(hash_pin(PIN).unwrap()),
        ..ConfigFile::default()
    };
    f.idle.timeout_secs = 600;
    // Configured, but not plugged in.
    f.devices.id_reader.address = Some(dir.join("no-reader").display().to_string());
    f.devices.scanner.address = Some(scanner.display().to_string());
    f.devices.scanner.baud = 9_600;
    f.devices.printer.address = Some(printer.display().to_string());
    f.devices.printer.paper_width_mm = 58;
    f.devices.printer.roll_length_m = 20.0;
    KioskConfig::from_file(f).unwrap()
}

fn health_of(k: &Kiosk, device: DeviceId) -> Option<Health> {
    k.controller().device_health().get(&device).cloned()
}

fn staff_rows(window: &AppWindow) -> Vec<String> {
    window
        .global::<StaffState>()
        .get_devices()
        .iter()
        .map(|r| format!("{} {}", r.label, r.value))
        .collect()
}

/// A button on the staff screen; what the screen says afterwards.
fn act(window: &AppWindow, action: &str) -> String {
    let staff = window.global::<StaffState>();
    staff.invoke_action(action.into());
    staff.get_message().to_string()
}

fn staff_alerts(window: &AppWindow) -> Vec<String> {
    window
        .global::<StaffState>()
        .get_alerts()
        .iter()
        .map(|a| a.to_string())
        .collect()
}

fn enter_staff(window: &AppWindow) {
    let staff = window.global::<StaffState>();
    for _ in 0..5 {
        staff.invoke_corner_tap();
    }
    for d in PIN.chars() {
        staff.invoke_pin_key(d.to_string().into());
    }
    staff.invoke_pin_ok();
    assert_eq!(
        window.global::<AppState>().get_page(),
        Page::Staff,
        "{}",
        staff.get_pin_message()
    );
}

pub fn each_degradation_keeps_the_visit_going_and_tells_staff() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let dir = tempfile::tempdir().unwrap();
    let srv = crate::common::server(dir.path(), |_| {});
    let scanner = ScannerSim::start().unwrap();
    let printer = PrinterSim::start(PaperWidth::Mm58).unwrap();
    let cfg = config(dir.path(), &srv.url(), scanner.path(), printer.path());

    // A missing device degrades; it does not stop the kiosk.
    let (report, catalog) = production::check(&cfg).expect("start-up checks pass");
    assert!(!report.fatal(), "{report}");
    let running = Production::start(&cfg, DeviceSinks::kiosk()).unwrap();
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    // As `onevisit run` builds them: the controller applies kiosk.toml's
    // staff window ("3"), staff mode reads it back from its catalog.
    let controller = production::controller(&cfg, catalog, &running.services);
    let staff_svc = staff_services(&cfg, &running.services, controller.catalog()).unwrap();
    let kiosk = Kiosk::new(window.clone_strong(), controller);
    kiosk.with_staff(staff_svc);
    set_posted_kiosk(Some(kiosk.clone()));
    running.connect(&kiosk).unwrap();
    // No sound card (as on CI): a staff alert, the speech bar hidden, the
    // kiosk on; with one, the bar shows.
    production::connect_speaker(&cfg, &kiosk);
    let speaker = kiosk.speaker().expect("speech.enabled by default");
    assert_eq!(
        window.global::<SpeechState>().get_available(),
        speaker.is_available()
    );
    let app = window.global::<AppState>();
    let outbox = running.services.outbox.clone();
    let desk = running
        .services
        .recorder
        .desk()
        .expect("staff database")
        .clone();

    // 1. No reader: the banner says so; the manual path starts a visit.
    wait_until(&kiosk, 20, "the reader reported missing", |k| {
        k.controller().reader_problem().is_some()
    });
    assert!(
        app.get_banner().contains("不用证件"),
        "{}",
        app.get_banner()
    );
    assert!(matches!(
        health_of(&kiosk, DeviceId::IdReader),
        Some(Health::Missing(_))
    ));
    app.invoke_start();
    assert_eq!(app.get_page(), Page::CardRead);
    window.global::<CardState>().invoke_without_card();
    assert_eq!(
        app.get_page(),
        Page::BundleChoice,
        "the manual path goes on"
    );
    app.invoke_finish();
    assert_eq!(app.get_page(), Page::Welcome);

    // 2. The scanner answers, then goes away: 办件查询 asks for typing.
    wait_until(&kiosk, 20, "the scanner online", |k| {
        health_of(k, DeviceId::Scanner) == Some(Health::Ok)
    });
    let progress = window.global::<ProgressState>();
    progress.invoke_open();
    assert_eq!(app.get_page(), Page::Query);
    assert!(progress.get_instruction().contains("扫描"));
    drop(scanner);
    wait_until(&kiosk, 20, "the scanner reported gone", |k| {
        matches!(
            health_of(k, DeviceId::Scanner),
            Some(Health::Missing(_) | Health::Degraded(_))
        )
    });
    assert_eq!(
        progress.get_instruction(),
        "扫码器暂时不能使用，请点击下方输入受理编号"
    );
    progress.invoke_home();
    assert_eq!(app.get_page(), Page::Welcome);

    // 3 + 4. The platform is down and the printer out of paper: a whole
    // visit still ends with a receipt number.
    srv.faults.set(FaultSettings {
        down: true,
        ..FaultSettings::default()
    });
    wait_until(&kiosk, 20, "the printer online", |k| {
        health_of(k, DeviceId::Printer) == Some(Health::Ok)
    });
    printer.control().set_paper_out(true);
    kiosk.update(|c| {
        visit::to_notice(c, "B01");
        visit::fill_form(c);
    });
    let apply = window.global::<ApplyState>();
    apply.invoke_materials_next();
    apply.invoke_toggle_declaration();
    apply.invoke_submit();
    assert_eq!(app.get_page(), Page::Done, "{}", apply.get_message());
    let done = window.global::<DoneState>();
    let receipt = done.get_receipt().to_string();
    assert!(outbox.lookup(&receipt).unwrap().is_some(), "queued first");
    wait_until(&kiosk, 30, "the receipt's print to fail for paper", |k| {
        k.window().global::<DoneState>().get_print_failed()
    });
    assert_eq!(done.get_receipt(), receipt.as_str(), "the number stays");
    assert!(
        done.get_print_status().contains("缺纸"),
        "{}",
        done.get_print_status()
    );
    assert!(
        done.get_print_status().contains("补打"),
        "{}",
        done.get_print_status()
    );
    wait_until(&kiosk, 20, "the offline banner", |k| {
        k.window().global::<AppState>().get_offline()
    });
    assert_eq!(desk.paper().forecast().unwrap().level, PaperLevel::Out);
    app.invoke_finish();
    assert_eq!(app.get_page(), Page::Welcome);

    // Staff see the paper out, live, and the roll empty.
    wait_until(&kiosk, 20, "the printer reported out of paper", |k| {
        matches!(health_of(k, DeviceId::Printer), Some(Health::Degraded(_)))
    });
    enter_staff(&window);
    let rows = staff_rows(&window);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("打印机") && r.contains("缺纸")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("扫码器") && r.contains("未连接")),
        "{rows:?}"
    );
    let alerts = staff_alerts(&window);
    assert!(alerts.iter().any(|a| a.contains("打印机")), "{alerts:?}");
    // The saved health is what `onevisit staff status` shows.
    let saved = desk.saved_devices().unwrap().expect("saved");
    assert!(matches!(
        saved.health.get(&DeviceId::Printer),
        Some(Health::Degraded(_))
    ));

    // Paper back in and restocked: the test page prints and is counted.
    printer.control().set_paper_out(false);
    wait_until(&kiosk, 20, "the printer back online", |k| {
        health_of(k, DeviceId::Printer) == Some(Health::Ok)
    });
    let staff = window.global::<StaffState>();
    let said = act(&window, "paper");
    assert!(said.contains("更换纸卷"), "{said}");
    staff.invoke_action("test-print".into());
    wait_until(&kiosk, 30, "the test page printed", |k| {
        k.window().global::<StaffState>().get_message() == "打印完成"
    });
    let forecast = desk.paper().forecast().unwrap();
    assert!(forecast.printed_since_restock_m > 0.0, "{forecast:?}");
    assert_eq!(forecast.level, PaperLevel::Ok);

    // 重置终端: the devices are stopped and opened again; the printer
    // works through the new ones.
    staff.invoke_action("reset".into());
    assert_eq!(running.devices.restarts(), 1);
    wait_until(&kiosk, 20, "the printer online after the reset", |k| {
        health_of(k, DeviceId::Printer) == Some(Health::Ok)
    });
    staff.invoke_action("test-print".into());
    assert_eq!(staff.get_message(), "测试页已发送到打印机");
    wait_until(&kiosk, 30, "the test page printed after the reset", |k| {
        k.window().global::<StaffState>().get_message() == "打印完成"
    });
    let after_reset = desk.paper().forecast().unwrap();
    assert!(after_reset.printed_since_restock_m > forecast.printed_since_restock_m);

    // 3, continued: the platform is back; 重试上传 sends the queued visit
    // now rather than at the end of its backoff.
    srv.faults.set(FaultSettings::default());
    let said = act(&window, "retry");
    assert!(said.contains("重新上传"), "{said}");
    staff.invoke_action("leave".into());
    assert_eq!(app.get_page(), Page::Welcome);
    let r = receipt.clone();
    let ob = outbox.clone();
    wait_until(&kiosk, 60, "the queued visit accepted", move |_| {
        ob.receipts()
            .unwrap()
            .iter()
            .any(|(x, s)| *x == r && s == "accepted")
    });
    wait_until(&kiosk, 20, "the banner gone", |k| {
        !k.window().global::<AppState>().get_offline()
    });

    // 5. The disk fills up: no new visit starts; staff are alerted.
    let pages: u64 = rusqlite::Connection::open(cfg.outbox_path())
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    outbox.limit_pages(pages + 2).unwrap();
    for _ in 0..1000 {
        if outbox.enqueue(&mut crate::common::example(), &[]).is_err() {
            break;
        }
    }
    assert!(!outbox.accepting());
    wait_until(&kiosk, 10, "the out-of-service screen", |k| {
        k.controller().page() == CPage::OutOfService
    });
    assert_eq!(app.get_page(), Page::OutOfService);
    assert_eq!(
        window.global::<StaffState>().get_block_message(),
        "本机暂停服务，请携带材料到3号窗口办理"
    );
    app.invoke_start();
    assert_eq!(
        app.get_page(),
        Page::OutOfService,
        "no way in for applicants"
    );
    enter_staff(&window);
    let alerts = staff_alerts(&window);
    assert!(alerts.iter().any(|a| a.contains("存储故障")), "{alerts:?}");

    set_posted_kiosk(None);
    drop(kiosk);
    srv.stop();
}
