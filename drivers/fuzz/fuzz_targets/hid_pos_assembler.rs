#![no_main]

//! Arbitrary report streams into the HID POS assembler and the keyboard
//! decoder: no panic, and held bytes stay under the configured bound.

use libfuzzer_sys::fuzz_target;
use onevisit_drivers::scanner::{HID_POS_REPORT_LEN, HidPosAssembler, WedgeDecoder};

fuzz_target!(|data: &[u8]| {
    let mut asm = HidPosAssembler::new(512);
    // The first byte picks report sizes so short and long reports occur too.
    let size = match data.first() {
        Some(b) if b % 4 == 0 => usize::from(*b % 70).max(1),
        _ => HID_POS_REPORT_LEN,
    };
    for report in data.chunks(size) {
        let _ = asm.push(report);
        assert!(asm.pending_len() <= 512);
    }
    let mut wedge = WedgeDecoder::new(64);
    for report in data.chunks(8) {
        let _ = wedge.push(report);
    }
});
