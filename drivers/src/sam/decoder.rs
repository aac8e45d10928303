//! Frames out of a byte stream that arrives in arbitrary pieces, with
//! garbage in between.
//!
//! The decoder never holds more than [`MAX_BUFFERED`] bytes: input is
//! taken in slices that fit, and a full buffer always contains either a
//! complete frame or bytes that cannot start one, so making room is always
//! possible.

use super::frame::{FrameError, HEADER_LEN, MAX_LEN_FIELD, MIN_LEN_FIELD, PREAMBLE, RawFrame};
use std::collections::VecDeque;

/// The most bytes a decoder keeps between calls: one largest frame.
pub const MAX_BUFFERED: usize = HEADER_LEN + MAX_LEN_FIELD;

/// An incremental SAM frame decoder.
#[derive(Debug, Default, Clone)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    ready: VecDeque<Result<RawFrame, FrameError>>,
    discarded: usize,
}

impl FrameDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes bytes as they arrive.
    pub fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = MAX_BUFFERED - self.buf.len();
            let take = room.min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            self.extract();
        }
    }

    /// The next complete frame or the error that made the decoder skip
    /// one; `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<RawFrame, FrameError>> {
        self.ready.pop_front()
    }

    /// Bytes held while waiting for the rest of a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Bytes dropped as garbage since the decoder was made.
    pub fn discarded(&self) -> usize {
        self.discarded
    }

    /// Forgets everything, e.g. before a new command so that a late answer
    /// to an earlier one is not taken for the new one.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ready.clear();
    }

    /// Moves every complete frame (or framing error) from the buffer to
    /// the ready queue and drops bytes that cannot start a frame.
    fn extract(&mut self) {
        loop {
            match find_preamble(&self.buf) {
                Some(0) => {}
                Some(start) => {
                    self.drop_front(start);
                    continue;
                }
                None => {
                    // Keep only a tail that might be the start of a preamble.
                    let keep = partial_preamble_suffix(&self.buf);
                    let drop = self.buf.len() - keep;
                    self.drop_front(drop);
                    return;
                }
            }
            if self.buf.len() < HEADER_LEN {
                return;
            }
            let len = usize::from(u16::from_be_bytes([self.buf[5], self.buf[6]]));
            if !(MIN_LEN_FIELD..=MAX_LEN_FIELD).contains(&len) {
                self.ready.push_back(Err(FrameError::BadLength(len)));
                // Resynchronise after this false preamble.
                self.drop_front(1);
                continue;
            }
            let total = HEADER_LEN + len;
            if self.buf.len() < total {
                return;
            }
            match RawFrame::from_checked_parts(&self.buf[PREAMBLE.len()..total]) {
                Ok(frame) => {
                    self.ready.push_back(Ok(frame));
                    self.buf.drain(..total);
                }
                Err(error) => {
                    // A corrupt frame may hide a real one inside it.
                    self.ready.push_back(Err(error));
                    self.drop_front(1);
                }
            }
        }
    }

    fn drop_front(&mut self, n: usize) {
        self.discarded += n;
        self.buf.drain(..n);
    }
}

fn find_preamble(buf: &[u8]) -> Option<usize> {
    buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE)
}

/// Length of the longest suffix of `buf` that is a proper prefix of the
/// preamble (0..=4).
fn partial_preamble_suffix(buf: &[u8]) -> usize {
    (1..PREAMBLE.len())
        .rev()
        .find(|&n| buf.len() >= n && buf[buf.len() - n..] == PREAMBLE[..n])
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sam::frame::{Command, encode_response};
    use crate::sam::status::SamStatus;
    use proptest::prelude::*;

    fn drain(decoder: &mut FrameDecoder) -> Vec<Result<RawFrame, FrameError>> {
        std::iter::from_fn(|| decoder.next_frame()).collect()
    }

    #[test]
    fn frames_split_byte_by_byte_come_out_whole() {
        let frame = encode_response(SamStatus::Success, &[7; 1284]);
        let mut decoder = FrameDecoder::new();
        for (i, b) in frame.iter().enumerate() {
            decoder.push(&[*b]);
            if i + 1 < frame.len() {
                assert!(decoder.next_frame().is_none());
            }
        }
        let got = decoder.next_frame().unwrap().unwrap();
        assert_eq!(got.payload.len(), 3 + 1284);
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn garbage_before_between_and_inside_preambles_is_skipped() {
        let a = Command::FindCard.encode();
        let b = encode_response(SamStatus::NoCard, &[]);
        let mut stream = vec![0x00, 0xAA, 0xAA, 0x96, 0xFF, 0xAA];
        stream.extend(&a);
        stream.extend([0xAA, 0xAA, 0xAA, 0x13]);
        stream.extend(&b);
        let mut decoder = FrameDecoder::new();
        decoder.push(&stream);
        let frames = drain(&mut decoder);
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert_eq!(frames[0].as_ref().unwrap().payload, vec![0x20, 0x01]);
        assert_eq!(frames[1].as_ref().unwrap().payload, vec![0, 0, 0x80]);
        assert_eq!(decoder.discarded(), 10);
    }

    #[test]
    fn corrupt_frame_is_reported_and_the_next_one_still_decodes() {
        let mut bad = encode_response(SamStatus::Success, &[1, 2, 3]);
        let last = bad.len() - 1;
        bad[last] ^= 0xFF;
        let good = encode_response(SamStatus::Success, &[4]);
        let mut decoder = FrameDecoder::new();
        decoder.push(&bad);
        decoder.push(&good);
        let frames = drain(&mut decoder);
        assert!(matches!(frames[0], Err(FrameError::Checksum { .. })));
        assert_eq!(
            frames.last().unwrap().as_ref().unwrap().payload,
            vec![0, 0, 0x90, 4]
        );
    }

    #[test]
    fn absurd_length_is_refused_without_waiting_for_it() {
        let mut decoder = FrameDecoder::new();
        decoder.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF]);
        assert_eq!(
            decoder.next_frame(),
            Some(Err(FrameError::BadLength(0xFFFF)))
        );
        assert!(decoder.buffered() <= 4);
        decoder.push(&Command::ResetSam.encode());
        assert!(matches!(decoder.next_frame(), Some(Ok(_))));
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic_and_stay_bounded(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..3000), 0..8)) {
            let mut decoder = FrameDecoder::new();
            for chunk in &chunks {
                decoder.push(chunk);
                prop_assert!(decoder.buffered() <= MAX_BUFFERED);
                while decoder.next_frame().is_some() {}
            }
        }

        #[test]
        fn response_round_trips_through_any_split(status in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..2400), garbage in proptest::collection::vec(any::<u8>(), 0..64), cut in any::<proptest::sample::Index>()) {
            let frame = encode_response(SamStatus::from_code(status), &data);
            let mut stream = garbage.clone();
            stream.extend(&frame);
            let at = cut.index(stream.len() + 1);
            let mut decoder = FrameDecoder::new();
            decoder.push(&stream[..at]);
            decoder.push(&stream[at..]);
            let frames: Vec<_> = std::iter::from_fn(|| decoder.next_frame()).filter_map(Result::ok).collect();
            // Garbage might itself contain a valid frame; the real one is last.
            let last = frames.last().cloned().expect("the frame decodes");
            let response = last.into_response().unwrap();
            prop_assert_eq!(response.status.code(), status);
            prop_assert_eq!(response.data, data);
        }
    }

    proptest! {
        // Generating biased bytes is slow in debug builds; fewer, larger
        // cases still push well past the buffer cap.
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn preamble_heavy_garbage_stays_bounded(chunks in proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(0xAAu8), Just(0x96), Just(0x69), Just(0x00), Just(0x10), any::<u8>()], 0..3000), 0..5)) {
            let mut decoder = FrameDecoder::new();
            for chunk in &chunks {
                decoder.push(chunk);
                prop_assert!(decoder.buffered() <= MAX_BUFFERED);
            }
        }
    }
}
