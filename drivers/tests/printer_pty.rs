//! The printer driver over a PTY against the printer simulator: jobs,
//! transcripts, the drawn receipt, status flags and fault handling.

use onevisit_drivers::escpos::{Align, Cut, EscPosBuilder, PaperWidth, QrEc, test_page};
use onevisit_drivers::printer::{Health, Printer, PrinterConfig, PrinterError, Problem};
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::transport::serial::SerialTransport;
use std::time::Duration;

fn config() -> PrinterConfig {
    PrinterConfig {
        status_timeout: Duration::from_millis(500),
        chunk_size: 256,
        // The simulator handles bytes as they arrive; a short settle lets
        // the last chunk be processed before the closing status query.
        settle: Duration::from_millis(30),
    }
}

fn printer(sim: &PrinterSim) -> Printer<SerialTransport> {
    Printer::new(
        SerialTransport::open(sim.path(), 115_200).unwrap(),
        config(),
    )
}

fn receipt(paper: PaperWidth) -> Vec<u8> {
    let mut b = EscPosBuilder::new(paper);
    b.init()
        .chinese_mode(true)
        .align(Align::Center)
        .bold(true)
        .line("受理回执")
        .bold(false)
        .align(Align::Left);
    b.qr(b"OV1:R:2026-0001", 4, QrEc::M).unwrap();
    b.cut(Cut::Full);
    b.into_bytes()
}

#[test]
fn a_job_is_printed_as_sent() {
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let sim = PrinterSim::start(paper).unwrap();
        let control = sim.control();
        let mut printer = printer(&sim);
        let report = printer.print_job(&receipt(paper)).unwrap();
        assert_eq!(report.status_after.health(), Health::Ready);
        assert_eq!(
            control.transcript(),
            "[INIT] [CN ON] [ALIGN CENTER] [BOLD ON] 受理回执 [LF] [BOLD OFF] [ALIGN LEFT] \
             [QR M=2 S=4 EC=M \"OV1:R:2026-0001\"] [CUT]"
        );
        let dir = std::env::temp_dir().join(format!("ov-printer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join(format!("receipt-{}.png", paper.dots()));
        control.save_png(&png).unwrap();
        let img = image::open(&png).unwrap().to_luma8();
        assert_eq!(img.width(), paper.dots());
        // Heading line + a QR of 21+ modules at 4 dots with its quiet zones.
        assert!(img.height() > 24 + 29 * 4, "height {}", img.height());
        std::fs::remove_file(&png).unwrap();
    }
}

#[test]
fn the_test_page_prints_fully() {
    let sim = PrinterSim::start(PaperWidth::Mm58).unwrap();
    let report = printer(&sim)
        .print_job(&test_page(PaperWidth::Mm58))
        .unwrap();
    assert_eq!(report.bytes, test_page(PaperWidth::Mm58).len());
    let transcript = sim.control().transcript();
    assert!(
        transcript.contains("中文：受理回执、告知单、营业执照 [LF]"),
        "{transcript}"
    );
    assert!(transcript.contains("[QR M=2 S=6 EC=M \"OV1:R:TEST-0001\"]"));
    assert!(
        transcript.ends_with("[FEED 3] [CUT PARTIAL]"),
        "{transcript}"
    );
    assert!(!transcript.contains("UNKNOWN"));
}

#[test]
fn each_fault_shows_in_the_status() {
    let sim = PrinterSim::start(PaperWidth::Mm80).unwrap();
    let control = sim.control();
    let mut printer = printer(&sim);
    let status = printer.status().unwrap();
    assert_eq!(status.health(), Health::Ready);
    assert_eq!(status.answered, [true; 4]);

    control.set_paper_near_end(true);
    let s = printer.status().unwrap();
    assert!(s.paper_near_end && !s.paper_out && s.online);
    assert_eq!(s.health(), Health::Warning);
    control.set_paper_near_end(false);

    control.set_paper_out(true);
    let s = printer.status().unwrap();
    assert!(s.paper_out && s.paper_stop && !s.online);
    assert_eq!(s.problems(), [Problem::PaperOut]);
    control.set_paper_out(false);

    control.set_cover_open(true);
    let s = printer.status().unwrap();
    assert!(s.cover_open && !s.online);
    assert_eq!(s.problems(), [Problem::CoverOpen]);
    control.set_cover_open(false);

    control.set_cutter_error(true);
    let s = printer.status().unwrap();
    assert!(s.cutter_error && s.error);
    assert_eq!(s.problems(), [Problem::CutterError]);
    control.set_cutter_error(false);

    control.set_unrecoverable_error(true);
    assert!(printer.status().unwrap().unrecoverable_error);
    control.set_unrecoverable_error(false);

    control.set_offline(true);
    assert_eq!(printer.status().unwrap().problems(), [Problem::Offline]);
    control.set_offline(false);
    assert_eq!(printer.status().unwrap().health(), Health::Ready);
}

#[test]
fn paper_out_before_a_job_refuses_it_up_front() {
    let sim = PrinterSim::start(PaperWidth::Mm58).unwrap();
    let control = sim.control();
    // One driver for the whole test, as in the kiosk: the same connection
    // is refused, then prints once the fault is cleared.
    let mut printer = printer(&sim);
    control.set_paper_out(true);
    let err = printer.print_job(&receipt(PaperWidth::Mm58)).unwrap_err();
    match &err {
        PrinterError::NotReady(problems) => assert_eq!(problems, &[Problem::PaperOut]),
        other => panic!("expected NotReady, got {other:?}"),
    }
    assert!(err.to_string().contains("缺纸"), "{err}");
    // Nothing but status queries went to the printer.
    assert_eq!(control.with(|m| m.printed_bytes() + m.dropped_bytes()), 0);

    control.set_paper_out(false);
    control.set_cover_open(true);
    let err = printer.print_job(&receipt(PaperWidth::Mm58)).unwrap_err();
    assert!(err.to_string().contains("纸仓盖"), "{err}");
    control.set_cover_open(false);
    assert!(printer.print_job(&receipt(PaperWidth::Mm58)).is_ok());
}

#[test]
fn paper_out_mid_job_is_reported_not_lost() {
    let sim = PrinterSim::start(PaperWidth::Mm80).unwrap();
    let control = sim.control();
    control.paper_out_after(40);
    let job = test_page(PaperWidth::Mm80);
    let err = printer(&sim).print_job(&job).unwrap_err();
    match &err {
        PrinterError::Interrupted {
            problems,
            sent,
            total,
        } => {
            assert_eq!(problems, &[Problem::PaperOut]);
            assert_eq!((*sent, *total), (job.len(), job.len()));
        }
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert!(err.to_string().contains("重新打印"), "{err}");
    let transcript = control.transcript();
    assert!(transcript.ends_with("[PAPER OUT]"), "{transcript}");
    assert!(control.with(|m| m.printed_bytes()) <= 40);
}

#[test]
fn a_silent_port_is_no_reply_not_a_hang() {
    // A PTY with nothing behind it: the query must time out cleanly.
    let (_master, slave) = serialport::TTYPort::pair().unwrap();
    let mut printer = Printer::new(
        SerialTransport::from_port(slave, "printer-pty"),
        PrinterConfig {
            status_timeout: Duration::from_millis(100),
            ..config()
        },
    );
    assert!(matches!(printer.status(), Err(PrinterError::NoReply(1))));
}
