#![no_main]

//! Arbitrary serial bytes into the line assembler and classifier.

use libfuzzer_sys::fuzz_target;
use onevisit_drivers::scanner::{LineAssembler, LineConfig, classify};

fuzz_target!(|data: &[u8]| {
    let mut lines = LineAssembler::new(LineConfig {
        prefix: b"<".to_vec(),
        suffix: b">".to_vec(),
        max_len: 256,
        detect_aim: true,
    });
    // Split at every 0xFF so partial records across reads are exercised.
    for piece in data.split(|b| *b == 0xFF) {
        for scan in lines.push(piece).into_iter().flatten() {
            let kind = classify(&scan.text);
            let _ = kind.to_string();
        }
        assert!(lines.pending_len() <= 256);
    }
});
