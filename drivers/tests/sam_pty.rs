//! The SAM reader end to end over a real PTY: the real serial transport,
//! the real reader and session, against the simulator.

use onevisit_drivers::idcard::{CardError, CivilDate};
use onevisit_drivers::sam::{
    FrameError, ReaderError, ReaderEvent, ReaderSession, SamReader, SamStatus, Timeouts,
};
use onevisit_drivers::sim::sam::{
    SIM_SAM_ID, SamSimulator, SimFault, SimOptions, TestCard, fake_photo,
};
use onevisit_drivers::transport::SerialTransport;
use std::time::{Duration, Instant};

fn fast() -> Timeouts {
    // Short enough that the silence test stays quick, long enough for a
    // PTY round trip on a loaded CI machine.
    Timeouts {
        control: Duration::from_millis(500),
        find: Duration::from_millis(400),
        select: Duration::from_millis(400),
        read: Duration::from_millis(1000),
        read_fingerprint: Duration::from_millis(1000),
        additional_address: Duration::from_millis(500),
        after_corrupt_frame: Duration::from_millis(50),
    }
}

fn today() -> CivilDate {
    CivilDate::parse("2026-06-01").unwrap()
}

fn start(card: Option<TestCard>) -> (SamSimulator, SamReader<SerialTransport>) {
    let sim = SamSimulator::start(SimOptions { link: None, card }).unwrap();
    let transport = SerialTransport::open(&sim.path(), 115_200).unwrap();
    (sim, SamReader::new(transport, fast()))
}

fn session(reader: SamReader<SerialTransport>) -> ReaderSession<SerialTransport> {
    ReaderSession::new(reader, today)
}

#[test]
fn start_resets_checks_and_reports_the_sam_id() {
    let (_sim, mut reader) = start(None);
    assert_eq!(reader.start().unwrap(), SIM_SAM_ID);
    assert!(!reader.find_card().unwrap());
}

#[test]
fn every_test_card_reads_end_to_end_and_removal_is_noticed() {
    let (sim, reader) = start(None);
    let mut session = session(reader);
    assert!(session.poll().unwrap().is_none());
    for card in TestCard::ALL {
        sim.control().place(card);
        let event = session.poll().unwrap().expect("an event for a new card");
        let expected = card.record();
        match (card, event) {
            (TestCard::Expired, ReaderEvent::CardRejected(problem)) => match *problem {
                CardError::Expired { record, valid_to } => {
                    assert_eq!(*record, expected);
                    assert_eq!(valid_to, "2015-01-01");
                }
                other => panic!("expired card rejected for {other:?}"),
            },
            (TestCard::BadCheckDigit, ReaderEvent::CardRejected(problem)) => {
                assert!(
                    matches!(*problem, CardError::BadIdNumber { .. }),
                    "{problem:?}"
                );
                assert_eq!(problem.record(), Some(&expected));
            }
            (_, ReaderEvent::CardPlaced(read)) => {
                assert_eq!(read.record, expected, "{card:?}");
                assert_eq!(read.photo.0, fake_photo());
            }
            (card, event) => panic!("{card:?}: unexpected {event:?}"),
        }
        // Still there: nothing new.
        assert!(session.poll().unwrap().is_none());
        sim.control().remove();
        // One miss may be noise; the second is a removal.
        assert!(session.poll().unwrap().is_none());
        assert!(matches!(
            session.poll().unwrap(),
            Some(ReaderEvent::CardRemoved)
        ));
        assert!(!session.card_present());
    }
}

#[test]
fn bad_checksum_is_reported_then_the_next_command_works() {
    let (sim, mut reader) = start(Some(TestCard::Resident));
    sim.control().inject(SimFault::BadChecksum, 1);
    match reader.find_card() {
        Err(ReaderError::Frame {
            error: FrameError::Checksum { .. },
            ..
        }) => {}
        other => panic!("expected a checksum error, got {other:?}"),
    }
    assert!(reader.find_card().unwrap());
}

#[test]
fn read_failure_0x41_is_retried_within_a_poll() {
    let (sim, reader) = start(Some(TestCard::Resident));
    let mut session = session(reader);
    sim.control().inject(SimFault::ReadFailure, 1);
    assert!(matches!(
        session.poll().unwrap(),
        Some(ReaderEvent::CardPlaced(_))
    ));
}

#[test]
fn persistent_read_failure_is_an_error_event_with_the_status_then_recovers() {
    let (sim, reader) = start(Some(TestCard::Resident));
    let mut session = session(reader);
    sim.control().inject(SimFault::ReadFailure, 2);
    match session.poll().unwrap() {
        Some(ReaderEvent::Error(ReaderError::Status {
            status: SamStatus::ReadFailed,
            ..
        })) => {}
        other => panic!("expected a read failure, got {other:?}"),
    }
    let message = SamStatus::ReadFailed.message();
    assert!(message.contains("读证失败"));
    // Next poll tries the same placement again and succeeds.
    assert!(matches!(
        session.poll().unwrap(),
        Some(ReaderEvent::CardPlaced(_))
    ));
}

#[test]
fn silence_is_a_timeout_within_the_command_budget() {
    let (sim, mut reader) = start(None);
    sim.control().inject(SimFault::Silence, 1);
    let started = Instant::now();
    match reader.find_card() {
        Err(ReaderError::Timeout { waited, .. }) => assert_eq!(waited, fast().find),
        other => panic!("expected a timeout, got {other:?}"),
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= fast().find && elapsed < fast().find * 3,
        "{elapsed:?}"
    );
    // The reader answers again afterwards.
    assert!(!reader.find_card().unwrap());
}

#[test]
fn split_frames_still_read() {
    let (sim, reader) = start(Some(TestCard::Permanent));
    sim.control().inject(SimFault::SplitFrames, u32::MAX);
    let mut session = session(reader);
    match session.poll().unwrap() {
        Some(ReaderEvent::CardPlaced(read)) => {
            assert_eq!(read.record, TestCard::Permanent.record())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_before_every_frame_is_skipped() {
    let (sim, mut reader) = start(Some(TestCard::Foreign2023));
    sim.control().inject(SimFault::GarbageBefore, u32::MAX);
    assert_eq!(reader.start().unwrap(), SIM_SAM_ID);
    let mut session = session(reader);
    match session.poll().unwrap() {
        Some(ReaderEvent::CardPlaced(read)) => {
            assert_eq!(read.record, TestCard::Foreign2023.record())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fingerprint_read_has_three_lengths() {
    let (_sim, mut reader) = start(Some(TestCard::Resident));
    assert!(reader.find_card().unwrap());
    reader.select_card().unwrap();
    let (text, photo, fingerprint) = reader.read_text_photo_fingerprint().unwrap();
    assert_eq!(text.len(), 256);
    assert_eq!(photo.0.len(), 1024);
    assert!(fingerprint.is_empty());
}

#[test]
fn unplugging_is_a_disconnect_not_a_timeout() {
    let (sim, reader) = start(None);
    let mut session = session(reader);
    assert!(session.poll().unwrap().is_none());
    sim.control().unplug();
    let error = session.poll().unwrap_err();
    assert!(error.is_disconnected(), "{error:?}");
}
