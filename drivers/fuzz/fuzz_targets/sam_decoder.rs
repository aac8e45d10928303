#![no_main]
//! Arbitrary bytes, fed in arbitrary pieces, must never panic the SAM
//! frame decoder nor grow its buffer past one frame.

use libfuzzer_sys::fuzz_target;
use onevisit_drivers::sam::decoder::{FrameDecoder, MAX_BUFFERED};
use onevisit_drivers::sam::frame::RawFrame;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the piece size, so splits are fuzzed too.
    let Some((&split, rest)) = data.split_first() else { return };
    let piece = usize::from(split).max(1);
    let mut decoder = FrameDecoder::new();
    for chunk in rest.chunks(piece) {
        decoder.push(chunk);
        assert!(decoder.buffered() <= MAX_BUFFERED);
        while let Some(frame) = decoder.next_frame() {
            if let Ok(frame) = frame {
                let _ = frame.into_response();
            }
        }
    }
    let _ = RawFrame::parse(rest);
});
