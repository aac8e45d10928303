//! Property tests of the scanner parsers: what a scanner sends for any code
//! comes back intact, and no byte sequence panics or grows memory.

use onevisit_drivers::scanner::{
    AimId, HID_POS_REPORT_LEN, HidPosAssembler, LineAssembler, LineConfig, WedgeDecoder, classify,
};
use onevisit_drivers::sim::scanner::{Framing, Terminator, hid_pos_reports, wedge_reports};
use proptest::prelude::*;

fn aim_strategy() -> impl Strategy<Value = Option<AimId>> {
    prop::option::of(
        (
            prop::sample::select(b"CEQdLhz".to_vec()),
            prop::sample::select(b"0123".to_vec()),
        )
            .prop_map(|(code, modifier)| AimId { code, modifier }),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hid_pos_reports_round_trip(code in "\\PC{1,400}", aim in aim_strategy()) {
        let reports = hid_pos_reports(code.as_bytes(), aim);
        prop_assert_eq!(reports.len(), code.len().div_ceil(56));
        let mut asm = HidPosAssembler::default();
        let (last, rest) = reports.split_last().unwrap();
        for r in rest {
            prop_assert!(asm.push(r).unwrap().is_none());
        }
        let scan = asm.push(last).unwrap().unwrap();
        prop_assert_eq!(scan.text, code);
        prop_assert_eq!(scan.aim, aim);
        prop_assert_eq!(asm.pending_len(), 0);
    }

    #[test]
    fn wedge_reports_round_trip(code in "[ -~]{1,100}") {
        let mut dec = WedgeDecoder::default();
        let mut got = Vec::new();
        for r in wedge_reports(&code).unwrap() {
            if let Some(scan) = dec.push(&r).unwrap() {
                got.push(scan.text);
            }
        }
        prop_assert_eq!(got, vec![code]);
    }

    #[test]
    fn serial_lines_round_trip(codes in prop::collection::vec("[^\r\n]{1,60}", 1..5),
                               term in prop::sample::select(vec![Terminator::Cr, Terminator::CrLf, Terminator::Lf]),
                               aim in aim_strategy(),
                               split in 1usize..64) {
        let framing = Framing { terminator: term, aim, ..Framing::default() };
        let bytes: Vec<u8> = codes.iter().flat_map(|c| framing.frame(c)).collect();
        let mut asm = LineAssembler::new(LineConfig::default());
        let mut got = Vec::new();
        for chunk in bytes.chunks(split) {
            got.extend(asm.push(chunk).into_iter().map(|r| r.unwrap().text));
        }
        // A code that itself starts like an AIM id is ambiguous without one: skip those.
        prop_assume!(aim.is_some() || codes.iter().all(|c| AimId::parse_prefix(c.as_bytes()).is_none()));
        prop_assert_eq!(got, codes);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(bytes in prop::collection::vec(any::<u8>(), 0..4000)) {
        let mut lines = LineAssembler::new(LineConfig { max_len: 100, ..LineConfig::default() });
        let results = lines.push(&bytes);
        prop_assert!(lines.pending_len() <= 100);
        for scan in results.into_iter().flatten() {
            let _ = classify(&scan.text);
        }
        let mut hid = HidPosAssembler::new(300);
        for chunk in bytes.chunks(HID_POS_REPORT_LEN) {
            let mut report = chunk.to_vec();
            // Also feed well-formed headers so the assembly paths are reached.
            if report.len() == HID_POS_REPORT_LEN {
                report[0] = 0x02;
                report[1] %= 57;
            }
            let _ = hid.push(&report);
            prop_assert!(hid.pending_len() <= 300);
        }
        let mut wedge = WedgeDecoder::new(50);
        for chunk in bytes.chunks(8) {
            let _ = wedge.push(chunk);
        }
        let _ = classify(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn hid_pos_over_long_code_is_refused_then_next_code_works() {
    let mut asm = HidPosAssembler::new(100);
    let reports = hid_pos_reports(&[b'9'; 500], None);
    let mut result = None;
    for r in &reports {
        result = Some(asm.push(r));
        assert!(asm.pending_len() <= 100);
    }
    let err = result.unwrap().unwrap_err();
    assert!(err.to_string().contains("超过100字节"), "{err}");
    let ok = hid_pos_reports(b"OV1:N:xyz", AimId::parse_prefix(b"]Q1"));
    assert_eq!(asm.push(&ok[0]).unwrap().unwrap().text, "OV1:N:xyz");
}

#[test]
fn hid_pos_bad_reports_are_named() {
    let mut asm = HidPosAssembler::default();
    assert!(
        asm.push(&[0x02; 10])
            .unwrap_err()
            .to_string()
            .contains("64")
    );
    let mut r = hid_pos_reports(b"abc", None)[0];
    r[0] = 0x04;
    assert!(asm.push(&r).unwrap_err().to_string().contains("0x04"));
    r[0] = 0x02;
    r[1] = 57;
    assert!(asm.push(&r).unwrap_err().to_string().contains("57"));
    // A broken continuation drops the partial code instead of gluing it on.
    let long = hid_pos_reports(&[b'x'; 100], None);
    asm.push(&long[0]).unwrap();
    assert!(asm.push(&[0u8; 64]).is_err());
    assert_eq!(asm.pending_len(), 0);
    assert_eq!(
        asm.push(&hid_pos_reports(b"ok", None)[0])
            .unwrap()
            .unwrap()
            .text,
        "ok"
    );
}

#[test]
fn wedge_refuses_chinese_with_a_clear_error() {
    let err = wedge_reports("回执123").unwrap_err();
    assert!(err.to_string().contains("回"), "{err}");
}

/// Hands out queued bytes in reads of at most `step` bytes, then times out.
struct Script {
    bytes: std::collections::VecDeque<u8>,
    step: usize,
}

impl onevisit_drivers::transport::Transport for Script {
    fn write_all(&mut self, _: &[u8]) -> Result<(), onevisit_drivers::transport::TransportError> {
        Ok(())
    }
    fn read(
        &mut self,
        buf: &mut [u8],
        _: std::time::Duration,
    ) -> Result<usize, onevisit_drivers::transport::TransportError> {
        let n = buf.len().min(self.step).min(self.bytes.len());
        for (slot, b) in buf.iter_mut().zip(self.bytes.drain(..n)) {
            *slot = b;
        }
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), onevisit_drivers::transport::TransportError> {
        Ok(())
    }
}

#[test]
fn hid_scanners_read_reports_through_a_transport_in_odd_pieces() {
    use onevisit_drivers::scanner::HidScanner;
    use std::time::Duration;
    let wait = Duration::from_millis(10);
    let mut bytes: Vec<u8> = hid_pos_reports(&[b'5'; 120], AimId::parse_prefix(b"]C0")).concat();
    bytes.extend(hid_pos_reports(b"OV1:R:9", None).concat());
    for step in [1, 7, 64, 1000] {
        let script = Script {
            bytes: bytes.iter().copied().collect(),
            step,
        };
        let mut hid = HidScanner::new(script, HidPosAssembler::default());
        let first = hid.next_scan(wait).unwrap().unwrap();
        assert_eq!(first.text, "5".repeat(120));
        assert_eq!(first.aim.unwrap().symbology(), "Code 128");
        assert_eq!(hid.next_scan(wait).unwrap().unwrap().text, "OV1:R:9");
        assert!(hid.next_scan(wait).unwrap().is_none());
    }
    let keys = wedge_reports("AB-12").unwrap().concat();
    let script = Script {
        bytes: keys.into_iter().collect(),
        step: 5,
    };
    let mut wedge = HidScanner::new(script, WedgeDecoder::default());
    assert_eq!(wedge.next_scan(wait).unwrap().unwrap().text, "AB-12");
}
