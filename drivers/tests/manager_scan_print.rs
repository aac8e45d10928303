//! The scanner and the printer under the device manager, against their
//! simulators over real PTYs: codes arrive classified, a pulled scanner is
//! found again without a restart, and the printer's paper state shows in
//! its health while jobs print or are refused with a reason.

use onevisit_drivers::escpos::{Cut, EscPosBuilder, PaperWidth};
use onevisit_drivers::manager::{Backoff, DeviceId, DeviceManager, Health};
use onevisit_drivers::printer::supervised::{PrintRequest, SupervisedPrinter};
use onevisit_drivers::printer::{PrinterConfig, PrinterError};
use onevisit_drivers::scanner::supervised::{ScannerEvent, SupervisedScanner};
use onevisit_drivers::scanner::{KioskCode, LineConfig, ScanKind};
use onevisit_drivers::sim::printer::PrinterSim;
use onevisit_drivers::sim::pty::StableLink;
use onevisit_drivers::sim::scanner::{Framing, ScannerSim};
use onevisit_drivers::transport::SerialTransport;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn fast_backoff() -> Backoff {
    Backoff {
        initial: Duration::from_millis(30),
        max: Duration::from_millis(150),
        reopen_after_failures: 3,
    }
}

fn wait_health(
    manager: &DeviceManager,
    name: DeviceId,
    want: impl Fn(&Health) -> bool,
    what: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if manager.health_of(name).as_ref().is_some_and(&want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{name} never became {what}: {:?}", manager.health_of(name));
}

fn link_path(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("onevisit-{what}-{}", std::process::id()))
}

#[test]
fn scans_arrive_classified_and_a_pulled_scanner_is_found_again() {
    let link_at = link_path("scanner");
    let mut sim = ScannerSim::start().unwrap();
    let link = StableLink::create(&link_at, sim.path()).unwrap();
    let (tx, events) = mpsc::channel();
    let opener = {
        let link_at = link_at.clone();
        move || SerialTransport::open(&link_at, 9600)
    };
    let (mut manager, _changes) = DeviceManager::new();
    manager.supervise(
        SupervisedScanner::new(opener, LineConfig::default(), tx),
        fast_backoff(),
    );
    wait_health(&manager, DeviceId::Scanner, Health::is_ok, "ok");

    sim.scan("OV1:R:HL01-20261129-0007-K", &Framing::default())
        .unwrap();
    match events.recv_timeout(Duration::from_secs(5)).unwrap() {
        ScannerEvent::Scanned {
            kind: ScanKind::Kiosk(KioskCode::Receipt(n)),
            ..
        } => {
            assert_eq!(n, "HL01-20261129-0007-K")
        }
        other => panic!("{other:?}"),
    }

    // Unplug: the PTY's master goes away, reads fail.
    drop(sim);
    wait_health(
        &manager,
        DeviceId::Scanner,
        |h| matches!(h, Health::Missing(_)),
        "missing",
    );

    // Plug back in: a new PTY behind the same stable name.
    let mut sim = ScannerSim::start().unwrap();
    drop(link);
    let _link = StableLink::create(&link_at, sim.path()).unwrap();
    wait_health(&manager, DeviceId::Scanner, Health::is_ok, "ok again");
    sim.scan("91350200776049653A", &Framing::default()).unwrap();
    match events.recv_timeout(Duration::from_secs(5)).unwrap() {
        ScannerEvent::Scanned {
            kind: ScanKind::SocialCreditCode { code, .. },
            ..
        } => {
            assert_eq!(code.as_str(), "91350200776049653A")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn printer_health_follows_the_paper_and_jobs_report_their_outcome() {
    let sim = PrinterSim::start(PaperWidth::Mm80).unwrap();
    let control = sim.control();
    let path = sim.path().to_path_buf();
    let (jobs_tx, jobs) = mpsc::channel();
    let printer = SupervisedPrinter::new(
        move || SerialTransport::open(&path, 115_200),
        PrinterConfig {
            settle: Duration::from_millis(20),
            ..PrinterConfig::default()
        },
        jobs,
    )
    .with_status_every(Duration::from_millis(50));
    let (mut manager, _changes) = DeviceManager::new();
    manager.supervise(printer, fast_backoff());
    wait_health(&manager, DeviceId::Printer, Health::is_ok, "ok");

    let job = |id: &str| {
        let mut b = EscPosBuilder::new(PaperWidth::Mm80);
        b.init().chinese_mode(true).line("受理回执").cut(Cut::Full);
        let (done, outcome) = mpsc::channel();
        jobs_tx
            .send(PrintRequest {
                id: id.into(),
                bytes: b.into_bytes(),
                done,
            })
            .unwrap();
        outcome.recv_timeout(Duration::from_secs(5)).unwrap()
    };
    let ok = job("first");
    assert_eq!(ok.id, "first");
    assert!(ok.result.is_ok(), "{:?}", ok.result);
    assert!(control.transcript().contains("受理回执"));

    control.set_paper_near_end(true);
    wait_health(
        &manager,
        DeviceId::Printer,
        |h| matches!(h, Health::Degraded(r) if r.contains("纸")),
        "near end",
    );

    control.set_paper_out(true);
    let refused = job("second");
    assert!(
        matches!(refused.result, Err(PrinterError::NotReady(_))),
        "{:?}",
        refused.result
    );
    wait_health(
        &manager,
        DeviceId::Printer,
        |h| matches!(h, Health::Degraded(_)),
        "degraded",
    );

    control.set_paper_out(false);
    control.set_paper_near_end(false);
    wait_health(
        &manager,
        DeviceId::Printer,
        Health::is_ok,
        "ok after restock",
    );
}
