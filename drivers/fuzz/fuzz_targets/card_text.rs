#![no_main]
//! Arbitrary 256-byte text blocks must decode or fail cleanly, and
//! whatever decodes must re-encode to a block that decodes the same.

use libfuzzer_sys::fuzz_target;
use onevisit_drivers::idcard::{CivilDate, check_card, decode_additional_address, decode_text, encode_text};

fuzz_target!(|data: &[u8]| {
    let _ = decode_additional_address(data);
    let Some(block) = data.get(..256) else {
        let _ = decode_text(data);
        return;
    };
    if let Ok(record) = decode_text(block) {
        let _ = check_card(&record, CivilDate { year: 2026, month: 6, day: 1 });
        let _ = format!("{record:?}");
        if let Ok(again) = encode_text(&record) {
            assert_eq!(decode_text(&again).ok(), Some(record));
        }
    }
});
