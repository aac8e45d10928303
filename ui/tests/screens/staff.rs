//! Headless Slint: hall staff mode through the UI's own callbacks. The
//! hidden gesture, the PIN pad (wrong PINs, the lock, the right PIN once
//! the lock has expired on a manual clock), the staff screen's overview,
//! every action, the out-of-service screen surviving a new kiosk on the
//! same data directory, and the audit log. One event-loop test per file.

use crate::common::*;
use onevisit_core::catalog::Catalog;
use onevisit_core::print::{DocumentKind, JobStore, SqliteJobStore, StoredJob, test_page_document};
use onevisit_core::staff::{ManualClock, PaperSettings, StaffDesk, hash_pin};
use onevisit_core::visit::session::Page as CPage;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::{DeviceId, Health};
use onevisit_ui::{
    AppState, AppWindow, KeyboardState, Kiosk, Page, SessionController, StaffServices, StaffState,
};
use slint::{ComponentHandle, Model};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const PIN: &str = "135790";

fn seconds(n: u64) {
    for _ in 0..n {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
}

fn services(
    dir: &Path,
    clock: Arc<ManualClock>,
    hash: &str,
    outbox: Arc<onevisit_core::outbox::Outbox>,
) -> (StaffDesk, StaffServices) {
    let desk = StaffDesk::open(dir, PaperSettings::default(), clock).unwrap();
    let gate = desk.gate(Some(hash)).unwrap();
    let s = StaffServices::new(desk.clone(), gate, outbox)
        .with_export_dir(dir.join("usb"))
        .with_reprint_store(dir.join("print-jobs.sqlite3"))
        .with_paper(PaperWidth::Mm80)
        .with_catalog_version(Some("2026.11".into()));
    (desk, s)
}

fn new_kiosk(outbox: &Arc<onevisit_core::outbox::Outbox>) -> (AppWindow, Rc<Kiosk>) {
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap())
            .with_outbox(outbox.clone())
            .with_staff_window(Some(onevisit_core::staff::StaffWindow::new("3"))),
    );
    (window, kiosk)
}

fn type_pin(window: &AppWindow, pin: &str) {
    let s = window.global::<StaffState>();
    for d in pin.chars() {
        s.invoke_pin_key(d.to_string().into());
    }
    s.invoke_pin_ok();
}

fn taps(window: &AppWindow, n: usize) {
    for _ in 0..n {
        window.global::<StaffState>().invoke_corner_tap();
    }
}

fn rows<M: Model<Data = onevisit_ui::StaffRow>>(m: &M) -> Vec<(String, String, bool)> {
    m.iter()
        .map(|r| (r.label.to_string(), r.value.to_string(), r.problem))
        .collect()
}

pub fn staff_entry_lockout_overview_actions_and_out_of_service() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("usb")).unwrap();
    let outbox = Arc::new(outbox(dir.path()));
    let receipt = outbox.enqueue(&mut example(), &[]).unwrap();
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let hash = hash_pin(PIN).unwrap();
    let (desk, svc) = services(dir.path(), clock.clone(), &hash, outbox.clone());
    // The printer is out of paper; a visit's worth of paper was printed.
    let mut health = BTreeMap::new();
    health.insert(DeviceId::IdReader, Health::Ok);
    health.insert(DeviceId::Scanner, Health::Ok);
    health.insert(DeviceId::Printer, Health::Degraded("缺纸".into()));
    desk.save_devices(&health).unwrap();
    desk.paper().record_job(400.0, Some("v1")).unwrap();
    assert!(desk.paper().forecast().unwrap().printed_since_restock_m > 0.0);
    // A receipt kept for reprints.
    SqliteJobStore::open(&dir.path().join("print-jobs.sqlite3"))
        .unwrap()
        .put(StoredJob {
            key: receipt.clone(),
            kind: DocumentKind::Receipt,
            document: test_page_document("receipt stand-in", PaperWidth::Mm80),
        })
        .unwrap();

    let (window, kiosk) = new_kiosk(&outbox);
    kiosk.with_staff(svc);
    let printed: Rc<RefCell<Vec<StoredJob>>> = Rc::default();
    let sink = printed.clone();
    kiosk.set_print_handler(move |jobs| sink.borrow_mut().extend(jobs));
    let resets = Rc::new(RefCell::new(0));
    let r = resets.clone();
    kiosk.set_staff_reset_handler(move || *r.borrow_mut() += 1);
    let app = window.global::<AppState>();
    let staff = window.global::<StaffState>();
    assert_eq!(app.get_page(), Page::Welcome);

    // Taps spread over more than three seconds do nothing.
    taps(&window, 4);
    clock.advance(Duration::from_millis(3_100));
    taps(&window, 1);
    assert_eq!(app.get_page(), Page::Welcome);
    // During a visit the corner does nothing either.
    app.invoke_start();
    taps(&window, 5);
    assert_eq!(app.get_page(), Page::CardRead);
    app.invoke_back();
    assert_eq!(app.get_page(), Page::Welcome);
    taps(&window, 5);
    assert_eq!(app.get_page(), Page::StaffPin);

    // The pad shows dots, never digits.
    for d in "135".chars() {
        staff.invoke_pin_key(d.to_string().into());
    }
    assert_eq!(staff.get_pin_length(), 3);
    staff.invoke_pin_delete();
    assert_eq!(staff.get_pin_length(), 2);
    staff.invoke_pin_cancel();
    assert_eq!(app.get_page(), Page::Welcome);
    assert_eq!(staff.get_pin_length(), 0);

    // Wrong PINs: attempts left, then the lock.
    taps(&window, 5);
    for left in (1..5).rev() {
        type_pin(&window, "000000");
        assert_eq!(app.get_page(), Page::StaffPin);
        assert_eq!(
            staff.get_pin_message(),
            format!("密码错误，还可尝试 {left} 次")
        );
        assert_eq!(staff.get_pin_length(), 0);
    }
    type_pin(&window, "000000");
    assert!(
        staff.get_pin_message().contains("已锁定") && staff.get_pin_message().contains("5 分钟"),
        "{}",
        staff.get_pin_message()
    );
    // Locked: even the right PIN is refused.
    clock.advance(Duration::from_secs(240));
    type_pin(&window, PIN);
    assert_eq!(app.get_page(), Page::StaffPin);
    assert!(staff.get_pin_message().contains("1 分钟"));
    clock.advance(Duration::from_secs(61));
    type_pin(&window, PIN);
    assert_eq!(app.get_page(), Page::Staff, "{}", staff.get_pin_message());
    assert!(staff.get_pin_message().is_empty());

    // The overview: the printer's problem with its reason, the outbox.
    let devices = rows(&staff.get_devices());
    assert!(
        devices
            .iter()
            .any(|(l, v, p)| l == "打印机" && v.contains("缺纸") && *p),
        "{devices:?}"
    );
    assert!(
        devices
            .iter()
            .any(|(l, v, p)| l == "身份证阅读器" && v == "正常" && !p)
    );
    let queue = rows(&staff.get_outbox());
    assert!(
        queue
            .iter()
            .any(|(l, v, _)| l == "待上传" && v.starts_with("1 件")),
        "{queue:?}"
    );
    assert!(
        queue
            .iter()
            .any(|(l, v, _)| l == "最早等待" && v.contains(&receipt))
    );
    let system = rows(&staff.get_system());
    assert!(system.iter().any(|(_, v, _)| v.contains("2026.11")));
    assert!(
        staff
            .get_alerts()
            .iter()
            .any(|a| a.contains("打印机") && a.contains("缺纸"))
    );

    // Portrait: the state above the actions, its rows the screen's width
    // (side by side they were squeezed to a strip a few characters wide).
    kiosk.set_portrait(true);
    window
        .window()
        .set_size(slint::LogicalSize::new(1080.0, 1920.0));
    let reader = crate::ui::find(&window, "身份证阅读器 正常");
    let paper = crate::ui::find(&window, "已补充纸张");
    assert!(
        reader.size().width >= 500.0,
        "portrait: the state's rows are {} px wide",
        reader.size().width
    );
    assert!(
        paper.absolute_position().y > reader.absolute_position().y + reader.size().height,
        "portrait: the actions below the state"
    );
    for label in ["已补充纸张", "重试上传", "重置终端", "退出维护"] {
        let b = crate::ui::find(&window, label);
        assert!(
            b.absolute_position().x + b.size().width <= 1080.5,
            "{label} off screen"
        );
    }
    kiosk.set_portrait(false);
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    let reader = crate::ui::find(&window, "身份证阅读器 正常");
    let paper = crate::ui::find(&window, "已补充纸张");
    assert!(
        paper.absolute_position().x > reader.absolute_position().x + reader.size().width,
        "landscape: the actions beside the state"
    );

    // 已补充纸张 resets the counter.
    staff.invoke_action("paper".into());
    assert!(staff.get_message().contains("已记录更换纸卷"));
    assert_eq!(
        desk.paper().forecast().unwrap().printed_since_restock_m,
        0.0
    );

    // 重试上传.
    staff.invoke_action("retry".into());
    assert!(
        staff.get_message().contains("重新上传"),
        "{}",
        staff.get_message()
    );

    // 打印测试页 goes to the print handler.
    staff.invoke_action("test-print".into());
    assert_eq!(printed.borrow().len(), 1);
    assert_eq!(printed.borrow()[0].kind, DocumentKind::TestPage);
    kiosk.print_finished(Err(onevisit_core::visit::PrintFailure::PaperOut));
    assert!(
        staff.get_message().contains("打印失败"),
        "{}",
        staff.get_message()
    );

    // 补打回执: the number typed on the keyboard, the stored receipt again.
    staff.invoke_action("reprint".into());
    let keys = window.global::<KeyboardState>();
    assert!(keys.get_visible());
    assert_eq!(keys.get_layout_name(), "英文");
    for ch in receipt.to_ascii_lowercase().chars() {
        keys.invoke_key(ch.to_string().into());
    }
    assert_eq!(keys.get_text().to_ascii_uppercase(), receipt);
    keys.invoke_done();
    assert!(!keys.get_visible());
    assert_eq!(printed.borrow().len(), 2, "{}", staff.get_message());
    assert_eq!(printed.borrow()[1].key, receipt);
    assert!(staff.get_message().contains("已发送补打"));
    // An unknown number says so.
    staff.invoke_action("reprint".into());
    let unknown = onevisit_core::outbox::receipt::format("K0101", "20261129", 999);
    for ch in unknown.chars() {
        keys.invoke_key(ch.to_ascii_lowercase().to_string().into());
    }
    keys.invoke_done();
    assert!(
        staff.get_message().contains("没有"),
        "{}",
        staff.get_message()
    );
    assert_eq!(printed.borrow().len(), 2);

    // 导出诊断 to the USB path.
    staff.invoke_action("export".into());
    assert!(
        staff.get_message().contains("已导出"),
        "{}",
        staff.get_message()
    );
    let exported: Vec<_> = std::fs::read_dir(dir.path().join("usb")).unwrap().collect();
    assert_eq!(exported.len(), 1);

    // 重置终端 calls the device hook.
    staff.invoke_action("reset".into());
    assert_eq!(*resets.borrow(), 1);
    assert!(staff.get_message().contains("已重置"));

    // 暂停服务, then 退出维护: the out-of-service screen, no way out.
    staff.invoke_action("pause".into());
    assert!(staff.get_paused());
    staff.invoke_action("leave".into());
    assert_eq!(app.get_page(), Page::OutOfService);
    assert_eq!(staff.get_block_message(), "暂停服务，请到3号窗口办理");
    app.invoke_start();
    kiosk.update(|c| c.card_placed(crate::common::sample_card()));
    seconds(120);
    assert_eq!(app.get_page(), Page::OutOfService);
    assert!(!app.get_idle_prompt());
    drop(kiosk);

    // A new kiosk on the same data directory is still out of service.
    let (desk2, svc2) = services(dir.path(), clock.clone(), &hash, outbox.clone());
    let (window2, kiosk2) = new_kiosk(&outbox);
    kiosk2.with_staff(svc2);
    let app2 = window2.global::<AppState>();
    let staff2 = window2.global::<StaffState>();
    assert_eq!(app2.get_page(), Page::OutOfService);
    assert_eq!(staff2.get_block_message(), "暂停服务，请到3号窗口办理");
    // The staff gesture still works there: 恢复服务.
    taps(&window2, 5);
    assert_eq!(app2.get_page(), Page::StaffPin);
    type_pin(&window2, PIN);
    assert_eq!(app2.get_page(), Page::Staff);
    staff2.invoke_action("resume".into());
    assert!(!staff2.get_paused());
    staff2.invoke_action("leave".into());
    assert_eq!(app2.get_page(), Page::Welcome);
    assert!(staff2.get_block_message().is_empty());
    app2.invoke_start();
    assert_eq!(app2.get_page(), Page::CardRead);
    app2.invoke_back();

    // Staff mode left alone is closed by the idle timeout, and nothing of
    // it stays in the globals.
    taps(&window2, 5);
    type_pin(&window2, PIN);
    assert_eq!(app2.get_page(), Page::Staff);
    seconds(80);
    assert_eq!(kiosk2.controller().page(), CPage::Welcome);
    assert_eq!(staff2.get_devices().row_count(), 0);
    assert_eq!(staff2.get_outbox().row_count(), 0);
    assert_eq!(staff2.get_alerts().row_count(), 0);
    assert!(staff2.get_message().is_empty());

    // Everything went to the audit log, and no PIN did.
    let audit = desk2.audit().recent(200).unwrap();
    let actions: Vec<String> = audit
        .iter()
        .map(|e| format!("{} {}", e.action, e.result))
        .collect();
    for want in [
        "enter granted",
        "enter refused: locked",
        "paper_restocked",
        "retry_uploads",
        "test_print",
        "reprint",
        "diagnostics_export ok",
        "reset",
        "out_of_service on",
        "out_of_service off",
        "leave",
    ] {
        assert!(
            actions.iter().any(|a| a.starts_with(want)),
            "{want} not in {actions:?}"
        );
    }
    assert!(actions.iter().all(|a| !a.contains(PIN)));
    assert_eq!(
        actions.iter().filter(|a| a.starts_with("leave")).count(),
        3,
        "{actions:?}"
    );
}
