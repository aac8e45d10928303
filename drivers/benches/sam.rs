//! SAM reader hot paths: frame decoding, card text decoding, and the time
//! from the last byte of a read response to the card event (target < 1 ms).
//!
//! Run: `cargo bench -p onevisit-drivers --bench sam`

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use onevisit_drivers::idcard::{CivilDate, WltPhoto, check_card, decode_text, encode_text};
use onevisit_drivers::sam::frame::encode_response;
use onevisit_drivers::sam::reader::split_lengths;
use onevisit_drivers::sam::{CardRead, FrameDecoder, ReaderEvent, SamStatus};
use onevisit_drivers::sim::sam::{TestCard, read_response_data};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn read_response() -> Vec<u8> {
    encode_response(
        SamStatus::Success,
        &read_response_data(&TestCard::Permanent.record()),
    )
}

fn today() -> CivilDate {
    CivilDate {
        year: 2026,
        month: 6,
        day: 1,
    }
}

/// What the reader does once the last byte is in: finish the frame, split
/// the lengths, decode and judge the text, build the event.
fn last_byte_to_event(decoder: &mut FrameDecoder, last: u8) -> ReaderEvent {
    decoder.push(&[last]);
    let frame = decoder
        .next_frame()
        .expect("frame complete")
        .expect("valid frame");
    let response = frame.into_response().expect("status bytes");
    let mut parts = split_lengths(&response.data, 2).expect("lengths");
    let photo = WltPhoto(parts.pop().unwrap_or_default());
    let record = decode_text(&parts[0]).expect("text decodes");
    match check_card(&record, today()) {
        Ok(()) => ReaderEvent::CardPlaced(Box::new(CardRead { record, photo })),
        Err(problem) => ReaderEvent::CardRejected(Box::new(problem)),
    }
}

fn benches(c: &mut Criterion) {
    let frame = read_response();
    c.bench_function("decode 1295-byte read response frame", |b| {
        b.iter(|| {
            let mut decoder = FrameDecoder::new();
            decoder.push(black_box(&frame));
            black_box(decoder.next_frame())
        })
    });

    let block = encode_text(&TestCard::Foreign2023.record()).expect("fits");
    c.bench_function("decode 256-byte card text block", |b| {
        b.iter(|| black_box(decode_text(black_box(&block))))
    });

    let (body, last) = frame.split_at(frame.len() - 1);
    let mut primed = FrameDecoder::new();
    primed.push(body);
    c.bench_function("last byte of read response to card event", |b| {
        b.iter_batched(
            || primed.clone(),
            |mut decoder| black_box(last_byte_to_event(&mut decoder, last[0])),
            BatchSize::SmallInput,
        )
    });

    // A plain number against the target, for the report.
    let runs = 2000u32;
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    for _ in 0..runs {
        let mut decoder = primed.clone();
        let started = Instant::now();
        black_box(last_byte_to_event(&mut decoder, last[0]));
        let took = started.elapsed();
        total += took;
        worst = worst.max(took);
    }
    println!(
        "last byte → card event: mean {:?}, worst {:?} over {runs} runs (target < 1 ms)",
        total / runs,
        worst
    );
}

criterion_group!(sam, benches);
criterion_main!(sam);
