//! The print queue over a PTY against the printer simulator: status
//! checked before, paper out before (refused, job kept), paper out mid-job
//! (reported), and reprinting by receipt number afterwards.

use chrono::NaiveDate;
use onevisit_core::applicant::Applicant;
use onevisit_core::catalog::Catalog;
use onevisit_core::fonts::cjk_font;
use onevisit_core::guide::{self, Answers, Outcome};
use onevisit_core::print::{
    self, Delivery, DocumentKind, JobStore, MemoryJobStore, PrintError, PrintQueue, ReceiptData,
    StoredJob,
};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::printer::{Printer, PrinterConfig, PrinterError, Problem};
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::transport::SerialTransport;
use std::time::Duration;

fn receipt_job(no: &str) -> StoredJob {
    let catalog = Catalog::load_default().unwrap();
    let answers: Answers = [
        ("new_entity", "new"),
        ("entity_type", "company"),
        ("lodging", "no"),
        ("construction", "no"),
    ]
    .iter()
    .map(|(q, a)| (q.to_string(), a.to_string()))
    .collect();
    let Outcome::Notice { notice } = guide::step(&catalog, "B01", &answers).unwrap() else {
        panic!("B01 notice");
    };
    let at = NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let data = ReceiptData::from_notice(
        &notice,
        &Applicant::default(),
        no,
        "KIOSK-07",
        at,
        Delivery::Post,
        &catalog.holidays,
    );
    StoredJob {
        key: no.to_string(),
        kind: DocumentKind::Receipt,
        document: print::receipt_document(&data),
    }
}

#[test]
fn queued_jobs_survive_paper_out_and_reprint_by_receipt_number() {
    let font = cjk_font().expect("CJK font");
    let sim = PrinterSim::start(PaperWidth::Mm58).unwrap();
    let control = sim.control();
    // One open per test: exclusive PTY opens only succeed twice for root.
    let transport = SerialTransport::open(sim.path(), 115_200).unwrap();
    let mut printer = Printer::new(
        transport,
        PrinterConfig {
            status_timeout: Duration::from_millis(500),
            chunk_size: 256,
            settle: Duration::from_millis(50),
        },
    );
    let mut queue = PrintQueue::new(MemoryJobStore::default(), PaperWidth::Mm58);

    // Paper out before: refused up front, nothing printed, job kept.
    control.set_paper_out(true);
    queue.submit(receipt_job("HL-0001")).unwrap();
    let err = queue.run(&mut printer, font).unwrap_err();
    assert!(
        matches!(&err, PrintError::Printer(PrinterError::NotReady(p)) if p.contains(&Problem::PaperOut)),
        "{err}"
    );
    assert_eq!(queue.pending(), 1);
    assert!(!control.transcript().contains("HL-0001"));
    assert!(
        control.with(|m| m.status_requests()) >= 4,
        "status checked before"
    );

    // Paper loaded: the queued job prints.
    control.set_paper_out(false);
    let reports = queue.run(&mut printer, font).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(queue.pending(), 0);
    let t = control.transcript();
    assert!(
        t.contains("HL-0001") && t.contains("\"OV1:R:HL-0001\""),
        "{t}"
    );
    control.with(|m| m.clear_output());

    // Paper runs out mid-job: reported as interrupted, kept at the head.
    queue.submit(receipt_job("HL-0002")).unwrap();
    control.paper_out_after(300);
    let err = queue.run(&mut printer, font).unwrap_err();
    assert!(
        matches!(&err, PrintError::Printer(PrinterError::Interrupted { sent, total, .. }) if sent == total),
        "{err}"
    );
    assert!(err.to_string().contains("重新打印"));
    assert_eq!(queue.pending(), 1);
    assert!(control.transcript().contains("[PAPER OUT]"));

    // New roll; later the counter reprints HL-0001 by its number, and the
    // interrupted HL-0002 goes out too.
    control.set_paper_out(false);
    control.with(|m| m.clear_output());
    let reports = queue.reprint("HL-0001", &mut printer, font).unwrap();
    assert_eq!(reports.len(), 2);
    let t = control.transcript();
    assert!(t.contains("HL-0001") && t.contains("HL-0002"), "{t}");
    assert_eq!(queue.store().get("HL-0001").unwrap().len(), 1);

    // An unknown number is a clear error, not a silent no-op.
    let err = queue.reprint("HL-9999", &mut printer, font).unwrap_err();
    assert!(matches!(err, PrintError::NothingToReprint(_)), "{err}");
}

#[test]
fn the_store_keeps_one_job_per_kind_and_number() {
    check_store(&mut MemoryJobStore::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("print-jobs.sqlite");
    check_store(&mut onevisit_core::print::SqliteJobStore::open(&path).unwrap());
    // The durable store still has them after the kiosk restarts.
    let reopened = onevisit_core::print::SqliteJobStore::open(&path).unwrap();
    let kinds: Vec<DocumentKind> = reopened.get("A1").unwrap().iter().map(|j| j.kind).collect();
    assert_eq!(kinds, [DocumentKind::Receipt, DocumentKind::Commitment]);
    assert_eq!(reopened.get("A1").unwrap()[0], receipt_job("A1"));
}

fn check_store(store: &mut impl JobStore) {
    store.put(receipt_job("A1")).unwrap();
    store.put(receipt_job("A1")).unwrap();
    let mut commitment = receipt_job("A1");
    commitment.kind = DocumentKind::Commitment;
    store.put(commitment).unwrap();
    let kept = store.get("A1").unwrap();
    assert_eq!(
        kept.iter().map(|j| j.kind).collect::<Vec<_>>(),
        [DocumentKind::Receipt, DocumentKind::Commitment]
    );
    assert!(store.get("B2").unwrap().is_empty());
    // Jobs are plain data, so a database store can keep them as JSON.
    let json = serde_json::to_string(&kept[0]).unwrap();
    assert_eq!(serde_json::from_str::<StoredJob>(&json).unwrap(), kept[0]);
}
