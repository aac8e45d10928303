//! The SAM reader under the device manager, against the simulator: a
//! pulled cable is reported and the reader is picked up again when it
//! returns, without a restart.

use onevisit_drivers::idcard::CivilDate;
use onevisit_drivers::manager::{Backoff, DeviceId, DeviceManager, Health};
use onevisit_drivers::sam::supervised::{SupervisedReader, opener};
use onevisit_drivers::sam::{ReaderEvent, Timeouts};
use onevisit_drivers::sim::sam::{SIM_SAM_ID, SamSimulator, SimFault, SimOptions, TestCard};
use onevisit_drivers::transport::{DeviceAddress, SerialTransport};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

fn today() -> CivilDate {
    CivilDate::parse("2026-06-01").unwrap()
}

fn next_event(events: &Receiver<ReaderEvent>, what: &str) -> ReaderEvent {
    events
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("no event while waiting for {what}"))
}

fn wait_health(manager: &DeviceManager, want: impl Fn(&Health) -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if manager
            .health_of(DeviceId::IdReader)
            .as_ref()
            .is_some_and(&want)
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!(
        "health never became {what}: {:?}",
        manager.health_of(DeviceId::IdReader)
    );
}

#[test]
fn pulled_reader_goes_missing_and_comes_back_without_restart() {
    let link: PathBuf =
        std::env::temp_dir().join(format!("onevisit-idreader-test-{}", std::process::id()));
    let sim = SamSimulator::start(SimOptions {
        link: Some(link.clone()),
        card: None,
    })
    .unwrap();
    let (tx, events) = std::sync::mpsc::channel();
    let opener = {
        let link = link.clone();
        move || SerialTransport::open(&link, 115_200)
    };
    let reader = SupervisedReader::new(opener, tx)
        .with_timeouts(Timeouts::default())
        .with_poll_interval(Duration::from_millis(30))
        .with_today(today);
    let (mut manager, _changes) = DeviceManager::new();
    let backoff = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(200),
        reopen_after_failures: 3,
    };
    manager.supervise(reader, backoff);

    match next_event(&events, "ready") {
        ReaderEvent::Ready { sam_id } => assert_eq!(sam_id, SIM_SAM_ID),
        other => panic!("{other:?}"),
    }
    wait_health(&manager, Health::is_ok, "ok");

    sim.control().place(TestCard::Resident);
    assert!(matches!(
        next_event(&events, "card"),
        ReaderEvent::CardPlaced(_)
    ));

    sim.control().unplug();
    assert!(matches!(
        next_event(&events, "lost"),
        ReaderEvent::ReaderLost(_)
    ));
    wait_health(&manager, |h| matches!(h, Health::Missing(_)), "missing");
    // Missing for a while: retried with backoff, no event storm.
    std::thread::sleep(Duration::from_millis(300));
    assert!(events.try_recv().is_err());

    sim.control().replug().unwrap();
    assert!(matches!(
        next_event(&events, "back"),
        ReaderEvent::ReaderBack
    ));
    assert!(matches!(
        next_event(&events, "ready again"),
        ReaderEvent::Ready { .. }
    ));
    wait_health(&manager, Health::is_ok, "ok again");
    // The card is still on the reader: read again after the reconnect.
    assert!(matches!(
        next_event(&events, "card again"),
        ReaderEvent::CardPlaced(_)
    ));
    sim.control().remove();
    assert!(matches!(
        next_event(&events, "removed"),
        ReaderEvent::CardRemoved
    ));
    manager.shutdown();
}

#[test]
fn a_reader_missing_at_start_is_reported_then_found() {
    let link: PathBuf =
        std::env::temp_dir().join(format!("onevisit-idreader-late-{}", std::process::id()));
    let _ = std::fs::remove_file(&link);
    let (tx, events) = std::sync::mpsc::channel();
    // Configured the way the kiosk's TOML would: an address string.
    let address: DeviceAddress = link.to_str().unwrap().parse().unwrap();
    let reader = SupervisedReader::new(opener(address, 115_200), tx)
        .with_timeouts(Timeouts::default())
        .with_poll_interval(Duration::from_millis(30));
    let (mut manager, changes) = DeviceManager::new();
    let backoff = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(100),
        reopen_after_failures: 3,
    };
    manager.supervise(reader, backoff);
    assert!(matches!(
        next_event(&events, "lost"),
        ReaderEvent::ReaderLost(_)
    ));
    let first = changes.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(first.device, DeviceId::IdReader);
    assert!(matches!(first.health, Health::Missing(_)));

    let _sim = SamSimulator::start(SimOptions {
        link: Some(link),
        card: None,
    })
    .unwrap();
    assert!(matches!(
        next_event(&events, "back"),
        ReaderEvent::ReaderBack
    ));
    let change = changes.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(change.health, Health::Ok);
    manager.shutdown();
}

#[test]
fn a_silent_reader_is_degraded_then_recovers() {
    let sim = SamSimulator::start(SimOptions::default()).unwrap();
    let path = sim.path();
    let (tx, events) = std::sync::mpsc::channel();
    let reader = SupervisedReader::new(move || SerialTransport::open(&path, 115_200), tx)
        .with_timeouts(Timeouts::default().scaled(0.5))
        .with_poll_interval(Duration::from_millis(20));
    let (mut manager, _changes) = DeviceManager::new();
    let backoff = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(100),
        reopen_after_failures: 3,
    };
    manager.supervise(reader, backoff);
    assert!(matches!(
        next_event(&events, "ready"),
        ReaderEvent::Ready { .. }
    ));
    wait_health(&manager, Health::is_ok, "ok");

    sim.control().inject(SimFault::Silence, u32::MAX);
    wait_health(
        &manager,
        |h| matches!(h, Health::Degraded(reason) if reason.contains("没有应答")),
        "degraded",
    );
    // Silent is not gone: no ReaderLost.
    assert!(events.try_recv().is_err());

    sim.control().clear_faults();
    wait_health(&manager, Health::is_ok, "ok again");
    manager.shutdown();
}
