//! End to end over a PTY: the simulated scanner types codes, the serial
//! scanner reader (with the real serial port code) reads and classifies them.

use onevisit_drivers::scanner::{
    AimId, LineConfig, ScanError, ScanKind, SerialScanner, TextEncoding, classify,
};
use onevisit_drivers::sim::scanner::{Framing, ScannerSim, SimEncoding, Terminator};
use onevisit_drivers::transport::serial::SerialTransport;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(2);

fn reader(sim: &ScannerSim, config: LineConfig) -> SerialScanner<SerialTransport> {
    let port = SerialTransport::open(sim.path(), 9600).expect("open PTY slave");
    SerialScanner::new(port, config)
}

fn qr() -> Option<AimId> {
    AimId::parse_prefix(b"]Q1")
}

#[test]
fn every_framing_with_and_without_aim() {
    let mut sim = ScannerSim::start().unwrap();
    let mut scanner = reader(&sim, LineConfig::default());
    for terminator in [Terminator::Cr, Terminator::CrLf, Terminator::Lf] {
        for aim in [None, qr()] {
            let framing = Framing {
                terminator,
                aim,
                ..Framing::default()
            };
            sim.scan_all(&["OV1:R:2026-0001", "91350200776049653A"], &framing)
                .unwrap();
            let first = scanner.next_scan(WAIT).unwrap().expect("first code");
            assert_eq!(first.text, "OV1:R:2026-0001", "{terminator:?} {aim:?}");
            assert_eq!(first.aim, aim);
            assert_eq!(classify(&first.text).kind_name(), "receipt");
            let second = scanner.next_scan(WAIT).unwrap().expect("second code");
            assert!(matches!(
                classify(&second.text),
                ScanKind::SocialCreditCode { in_text: false, .. }
            ));
        }
    }
    // Nothing else is waiting: CRLF did not leave empty records behind.
    assert!(
        scanner
            .next_scan(Duration::from_millis(100))
            .unwrap()
            .is_none()
    );
}

#[test]
fn gbk_prefix_suffix_and_records_split_across_writes() {
    let mut sim = ScannerSim::start().unwrap();
    let config = LineConfig {
        prefix: b"STX".to_vec(),
        suffix: b"ETX".to_vec(),
        ..LineConfig::default()
    };
    let mut scanner = reader(&sim, config);
    let framing = Framing {
        terminator: Terminator::CrLf,
        aim: AimId::parse_prefix(b"]h0"),
        prefix: b"STX".to_vec(),
        suffix: b"ETX".to_vec(),
        encoding: SimEncoding::Gbk,
    };
    let bytes = framing.frame("名称：某某餐饮店 统一社会信用代码：91350200776049653A");
    let (a, b) = bytes.split_at(7);
    sim.send_raw(a).unwrap();
    assert!(
        scanner
            .next_scan(Duration::from_millis(50))
            .unwrap()
            .is_none()
    );
    sim.send_raw(b).unwrap();
    let scan = scanner.next_scan(WAIT).unwrap().unwrap();
    assert_eq!(scan.encoding, TextEncoding::Gbk);
    assert_eq!(scan.aim.unwrap().symbology(), "Han Xin");
    assert!(scan.text.starts_with("名称：某某餐饮店"));
    assert!(matches!(
        classify(&scan.text),
        ScanKind::SocialCreditCode { in_text: true, .. }
    ));
}

#[test]
fn over_long_garbage_then_a_good_code() {
    let mut sim = ScannerSim::start().unwrap();
    let mut scanner = reader(
        &sim,
        LineConfig {
            max_len: 256,
            ..LineConfig::default()
        },
    );
    // 20 kB of noise without a line end, then its end, then a real scan.
    // More than a PTY buffers, so it is sent while the reader reads.
    let noise: Vec<u8> = (0..20_000u32).map(|i| b'A' + (i % 26) as u8).collect();
    let sender = std::thread::spawn(move || {
        for chunk in noise.chunks(1000) {
            sim.send_raw(chunk).unwrap();
        }
        sim.send_raw(b"\r").unwrap();
        sim.scan("11010519491231002X", &Framing::default()).unwrap();
        sim
    });
    let err = scanner.next_scan(WAIT).unwrap_err();
    assert!(
        matches!(
            err,
            ScanError::TooLong {
                limit: 256,
                length: 20_000
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_fatal());
    assert!(err.to_string().contains("已丢弃"));
    let good = scanner.next_scan(WAIT).unwrap().unwrap();
    assert!(matches!(classify(&good.text), ScanKind::ResidentId(_)));
    drop(sender.join().unwrap());
}

#[test]
fn an_invalid_identifier_is_reported_not_passed_as_text() {
    let mut sim = ScannerSim::start().unwrap();
    let mut scanner = reader(&sim, LineConfig::default());
    sim.scan("91350200776049653B", &Framing::default()).unwrap();
    let scan = scanner.next_scan(WAIT).unwrap().unwrap();
    let kind = classify(&scan.text);
    assert!(kind.is_error());
    assert!(kind.to_string().contains("校验位应为“A”"), "{kind}");
}
