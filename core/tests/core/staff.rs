//! Staff mode without the screens, on real SQLite files: the paper
//! forecast through a scripted day, the overview and actions, the
//! diagnostics bundle (masked), and heartbeats carrying device health and
//! the paper estimate to the reference platform.

use crate::common::*;
use onevisit_core::ids::mask_id_text;
use onevisit_core::staff::status::{DeviceCondition, device_views};
use onevisit_core::staff::{ManualClock, PaperLevel, StaffWindow};
use onevisit_drivers::manager::{DeviceId, Health};
use onevisit_drivers::printer::PrinterStatus;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn paper_forecast_through_a_scripted_roll() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let d = desk(dir.path(), clock.clone());
    let p = d.paper();
    let f = p.forecast().unwrap();
    assert_eq!(
        (f.level, f.remaining_m, f.percent),
        (PaperLevel::Ok, 10.0, 100)
    );
    assert_eq!(f.visits_left, None, "no history yet");

    // 20 visits of a notice (150 mm) and a receipt (100 mm), and a test
    // page that belongs to no visit.
    for v in 1..=20 {
        p.record_job(150.0, Some(&receipt(v))).unwrap();
        p.record_job(100.0, Some(&receipt(v))).unwrap();
    }
    p.record_job(80.0, None).unwrap();
    let f = p.forecast().unwrap();
    assert_eq!(f.per_visit_mm, Some(250.0));
    assert_eq!(f.printed_since_restock_m, 5.1);
    assert_eq!(f.remaining_m, 4.9);
    assert_eq!(f.visits_left, Some(19));
    assert_eq!(f.level, PaperLevel::Low, "fewer than 30 visits left");
    assert_eq!(f.percent, 49);
    assert!(!f.calibrated);

    // The near-end sensor fires early (the roll was shorter than
    // configured): the estimate drops to the near-end remainder.
    let mut st = PrinterStatus::healthy();
    st.paper_near_end = true;
    p.observe_status(&st).unwrap();
    let f = p.forecast().unwrap();
    assert_eq!(
        (f.level, f.remaining_m, f.visits_left),
        (PaperLevel::NearEnd, 1.5, Some(6))
    );
    assert!(f.calibrated);
    // Still near end on the next poll: no second calibration.
    p.record_job(250.0, Some(&receipt(21))).unwrap();
    p.observe_status(&st).unwrap();
    let f = p.forecast().unwrap();
    assert_eq!((f.remaining_m, f.visits_left), (1.3, Some(5)));

    // The counters survive a restart.
    drop(d);
    let d = desk(dir.path(), clock.clone());
    let p = d.paper();
    assert_eq!(p.forecast().unwrap().remaining_m, 1.3);

    // Paper out, then staff restock.
    st.paper_out = true;
    p.observe_status(&st).unwrap();
    let f = p.forecast().unwrap();
    assert_eq!(
        (f.level, f.remaining_m, f.visits_left),
        (PaperLevel::Out, 0.0, Some(0))
    );
    clock.advance(Duration::from_secs(600));
    let f = d.paper_restocked().unwrap();
    assert_eq!(
        (f.level, f.remaining_m, f.percent),
        (PaperLevel::Ok, 10.0, 100)
    );
    assert_eq!(f.restocked_ms, Some(T0 + 600_000));
    assert_eq!(f.visits_left, Some(40), "history is kept across rolls");
    let last = &d.audit().recent(1).unwrap()[0];
    assert_eq!(
        (last.who.as_str(), last.action.as_str()),
        ("staff", "paper_restocked")
    );

    // A roll put in without telling the kiosk: paper back after out
    // counts as a restock.
    p.record_job(9_000.0, None).unwrap();
    p.observe(false, true).unwrap();
    assert_eq!(p.forecast().unwrap().level, PaperLevel::Out);
    p.observe(false, false).unwrap();
    let f = p.forecast().unwrap();
    assert_eq!((f.level, f.remaining_m), (PaperLevel::Ok, 10.0));
    assert_eq!(d.audit().recent(1).unwrap()[0].who, "system");
}

#[test]
fn device_health_maps_to_the_staff_screens_words() {
    let printer = |bytes: &[u8]| {
        onevisit_drivers::printer::supervised::health_of(
            &PrinterStatus::from_replies(bytes).unwrap(),
        )
    };
    let mut h = BTreeMap::new();
    h.insert(DeviceId::IdReader, Health::Ok);
    h.insert(DeviceId::Printer, printer(&[0x12, 0x12, 0x12, 0x1E]));
    let v = device_views(&h);
    let names: Vec<_> = v.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["idreader", "scanner", "printer", "camera"]);
    assert_eq!(v[0].condition, DeviceCondition::Online);
    assert_eq!(v[1].condition, DeviceCondition::Missing, "never reported");
    assert_eq!(v[2].condition, DeviceCondition::PaperNearEnd);
    assert_eq!(v[2].condition_label, "纸将用完");
    for (bytes, want) in [
        (&[0x1A, 0x32, 0x12, 0x72][..], DeviceCondition::PaperOut),
        (&[0x1A, 0x16][..], DeviceCondition::CoverOpen),
        (&[0x1A, 0x52, 0x1A][..], DeviceCondition::Fault),
    ] {
        h.insert(DeviceId::Printer, printer(bytes));
        assert_eq!(device_views(&h)[2].condition, want, "{bytes:?}");
    }
    h.insert(
        DeviceId::Scanner,
        Health::Missing("/dev/ttyACM0: no such file".into()),
    );
    let v = device_views(&h);
    assert_eq!(v[1].condition, DeviceCondition::Missing);
    assert!(v[1].reason.contains("ttyACM0"));
}

#[test]
fn overview_actions_and_out_of_service_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let ob = outbox(dir.path());
    let r1 = ob.enqueue(&mut example(), &[]).unwrap();
    let d = desk(dir.path(), clock.clone());
    let mut h = BTreeMap::new();
    h.insert(DeviceId::IdReader, Health::Ok);
    h.insert(DeviceId::Scanner, Health::Ok);
    h.insert(
        DeviceId::Printer,
        Health::Degraded("打印机缺纸，请更换纸卷 (paper out)".into()),
    );
    d.save_devices(&h).unwrap();

    let o = d
        .overview(Some(&h), &ob, None, Some("2026.11 (abc)".into()))
        .unwrap();
    assert_eq!(o.kiosk_id, "K0101");
    assert_eq!(o.outbox.queued, 1);
    assert_eq!(
        o.outbox.oldest_waiting_receipt.as_deref(),
        Some(r1.as_str())
    );
    assert!(o.outbox.oldest_waiting_ms.is_some());
    assert_eq!(o.outbox.last_success_ms, None);
    assert_eq!(o.network.mode, "unknown");
    assert_eq!(o.versions.catalog.as_deref(), Some("2026.11 (abc)"));
    assert_eq!(o.versions.app, env!("CARGO_PKG_VERSION"));
    let disk = o.disk.expect("statvfs of the data dir");
    assert!(disk.total_bytes >= disk.free_bytes && disk.total_bytes > 0);
    assert_eq!(o.devices[2].condition, DeviceCondition::PaperOut);
    assert!(
        o.alerts.iter().any(|a| a == "打印机：缺纸"),
        "{:?}",
        o.alerts
    );
    assert!(o.to_text().contains("待发送 1"), "{}", o.to_text());

    // Out of service with a window number; kept across a restart.
    let oos = d.set_out_of_service("3").unwrap();
    assert_eq!(oos.message, "暂停服务，请到3号窗口办理");
    assert!(d.set_out_of_service("  ").is_err());
    // A window's name reads as a name, not "综合受理窗口 号窗口".
    let named = d.set_out_of_service("综合受理窗口").unwrap();
    assert_eq!(named.message, "暂停服务，请到综合受理窗口办理");
    assert_eq!(
        d.set_out_of_service("综合受理").unwrap().message,
        "暂停服务，请到综合受理窗口办理"
    );
    d.set_out_of_service("3").unwrap();
    drop(d);
    let d = desk(dir.path(), clock.clone());
    assert_eq!(
        d.out_of_service().unwrap().unwrap().message,
        "暂停服务，请到3号窗口办理"
    );
    // The CLI (another process) sees the saved device health.
    let o = d.overview(None, &ob, None, None).unwrap();
    assert_eq!(o.devices_at_ms, Some(T0));
    assert_eq!(o.devices[2].condition, DeviceCondition::PaperOut);
    assert!(o.alerts[0].contains("暂停服务"), "{:?}", o.alerts);
    assert_eq!(
        d.service_block(&ob, &StaffWindow::new("综合受理窗口"))
            .unwrap()
            .as_deref(),
        Some("暂停服务，请到3号窗口办理")
    );
    d.clear_out_of_service().unwrap();
    assert!(d.out_of_service().unwrap().is_none());
    assert_eq!(
        d.service_block(&ob, &StaffWindow::new("综合受理窗口"))
            .unwrap(),
        None
    );

    // Retry uploads: everything waiting is due now, and it is audited.
    assert_eq!(d.retry_uploads(&ob).unwrap(), 1);
    let actions: Vec<String> = d
        .audit()
        .recent(4)
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.result))
        .collect();
    assert_eq!(
        actions,
        [
            "retry_uploads ok: 1 job(s) due now",
            "out_of_service off",
            "out_of_service on: 暂停服务，请到3号窗口办理",
            "out_of_service on: 暂停服务，请到综合受理窗口办理",
        ]
    );
}

#[test]
fn diagnostics_bundle_masks_personal_data_and_says_when_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let clock = Arc::new(ManualClock::new(T0));
    let ob = outbox(&data);
    ob.enqueue(&mut example(), &[]).unwrap();
    let d = desk(&data, clock);
    d.audit().record("staff", "enter", "granted").unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let id = "410902198503120026";
    std::fs::write(
        logs.join("kiosk.log"),
        format!(
            "2026-11-29 10:00:01 INFO card placed id={id}\n\
             2026-11-29 10:00:02 WARN form {{\"name\":\"张晓梅\",\"mobile\":\"13903930001\"}}\n\
             2026-11-29 10:00:03 INFO printed receipt K0101-20261129-00001-X\n"
        ),
    )
    .unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let mut h = BTreeMap::new();
    h.insert(DeviceId::Printer, Health::Ok);
    let input = onevisit_core::staff::diagnostics::DiagnosticsInput {
        outbox: &ob,
        devices: Some(&h),
        uplink: None,
        catalog_version: Some("test".into()),
        logs: vec![logs.clone()],
        audit_entries: 100,
    };
    let rep = onevisit_core::staff::diagnostics::export(&d, &usb, &input).unwrap();
    assert!(rep.dir.starts_with(&usb));
    for f in [
        "overview.json",
        "overview.txt",
        "outbox-status.json",
        "devices.json",
        "audit.txt",
        "MANIFEST.txt",
        "logs/00-kiosk.log",
    ] {
        assert!(rep.files.iter().any(|x| x == f), "{f} in {:?}", rep.files);
        assert!(rep.dir.join(f).is_file(), "{f}");
    }
    let mut all = String::new();
    for f in &rep.files {
        all.push_str(&std::fs::read_to_string(rep.dir.join(f)).unwrap());
    }
    assert!(!all.contains(id), "the ID number survived");
    assert!(!all.contains("张晓梅") && !all.contains("13903930001"));
    let log = std::fs::read_to_string(rep.dir.join("logs/00-kiosk.log")).unwrap();
    assert!(log.contains(&mask_id_text(id)), "{log}");
    assert!(log.contains("K0101-20261129-00001-X"), "receipts stay");
    assert!(all.contains("granted"), "audit entries are in");
    // No partial folder is left behind.
    let names: Vec<_> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 1);
    assert!(!names[0].ends_with(".partial"));
    assert_eq!(d.audit().recent(1).unwrap()[0].action, "diagnostics_export");
    // A second export in the same second gets its own folder.
    let again = onevisit_core::staff::diagnostics::export(&d, &usb, &input).unwrap();
    assert_ne!(again.dir, rep.dir);

    // Not a writable directory: a clear error.
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    for bad in [file.clone(), file.join("sub"), dir.path().join("absent")] {
        let e = onevisit_core::staff::diagnostics::export(&d, &bad, &input).unwrap_err();
        assert!(e.to_string().contains("无法写入"), "{e}");
        assert!(e.to_string().contains("U 盘"), "{e}");
    }
}

#[test]
fn a_full_disk_puts_the_kiosk_out_of_service_and_alerts_staff() {
    let dir = tempfile::tempdir().unwrap();
    let ob = outbox(dir.path());
    ob.enqueue(&mut example(), &[]).unwrap();
    let d = desk(dir.path(), Arc::new(ManualClock::new(T0)));
    assert_eq!(
        d.service_block(&ob, &StaffWindow::new("综合受理窗口"))
            .unwrap(),
        None
    );
    let pages: u64 = rusqlite::Connection::open(dir.path().join("outbox.sqlite3"))
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    ob.limit_pages(pages + 2).unwrap();
    for _ in 0..1000 {
        if ob.enqueue(&mut example(), &[]).is_err() {
            break;
        }
    }
    let block = d
        .service_block(&ob, &StaffWindow::new("综合受理窗口"))
        .unwrap()
        .expect("out of service");
    assert_eq!(block, "本机暂停服务，请携带材料到综合受理窗口办理");
    assert_eq!(
        d.service_block(&ob, &StaffWindow::new("7"))
            .unwrap()
            .as_deref(),
        Some("本机暂停服务，请携带材料到7号窗口办理")
    );
    let o = d.overview(None, &ob, None, None).unwrap();
    assert!(!o.outbox.accepting_submissions);
    assert!(
        o.alerts.iter().any(|a| a.contains("存储故障")),
        "{:?}",
        o.alerts
    );
}

#[test]
fn counted_paper_matches_the_preview_of_the_same_document() {
    use onevisit_core::print::layout::{LINE_DOTS, paper_length_dots};
    use onevisit_drivers::escpos::PaperWidth;
    let font =
        onevisit_core::fonts::cjk_font().expect("CJK font (packaging/install-build-deps.sh)");
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        // The test page has text, a rule, a barcode, a QR code and a cut.
        let doc = onevisit_core::print::test_page_document("TM-T88", paper);
        let img = onevisit_core::print::to_image(&doc, paper, font).unwrap();
        let cuts = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, onevisit_core::print::Block::Cut))
            .count() as u32;
        let qrs = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, onevisit_core::print::Block::Qr { .. }))
            .count() as u32;
        assert!(cuts >= 1 && qrs >= 1);
        // The preview adds 12-dot margins, draws a cut as two lines where
        // the printer feeds four, and leaves out the line feed the ESC/POS
        // job sends after a QR code.
        assert_eq!(
            paper_length_dots(&doc, paper),
            img.height() - 24 + cuts * 2 * LINE_DOTS + qrs * LINE_DOTS,
            "{paper:?}"
        );
    }
}
