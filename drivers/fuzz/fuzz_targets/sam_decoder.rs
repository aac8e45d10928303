#![no_main]

use libfuzzer_sys::fuzz_target;

// (Being written.)
fuzz_target!(|_data: &[u8]| {});
