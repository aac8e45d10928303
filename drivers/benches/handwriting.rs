//! Handwriting recognition: latency per written character (goal ≤ 50 ms,
//! issue 14) and the memory the model costs once loaded, private and
//! file-backed apart (Zinnia maps the 27 MB model, so it should be
//! file-backed and shared, not private).
//!
//! Run: `cargo bench -p onevisit-drivers --bench handwriting`

use criterion::{Criterion, criterion_group, criterion_main};
use onevisit_drivers::handwriting::{CANDIDATES, Recognizer, samples};
use std::hint::black_box;
use std::time::Instant;

#[path = "../../benches/common/memory.rs"]
mod memory;
use memory::memory_kb;

fn recognition(c: &mut Criterion) {
    let before = memory_kb();
    let started = Instant::now();
    let recognizer = Recognizer::open_default().expect("Zinnia model installed");
    println!(
        "model open: {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let inks: Vec<_> = samples::characters()
        .map(|ch| (ch, samples::ink(ch).unwrap()))
        .collect();
    for (ch, ink) in &inks {
        let started = Instant::now();
        recognizer.classify(ink, CANDIDATES).unwrap();
        println!(
            "first {ch}: {:.2} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    if let (Some((rss0, private0, file0)), Some((rss, private, file))) = (before, memory_kb()) {
        println!(
            "memory after loading and one pass: resident +{} kB, private +{} kB, file-backed +{} kB",
            rss.saturating_sub(rss0),
            private.saturating_sub(private0),
            file.saturating_sub(file0)
        );
    }
    let (_, four_strokes) = inks.iter().find(|(ch, _)| *ch == "中").unwrap();
    c.bench_function("classify 中 (4 strokes, 10 candidates)", |b| {
        b.iter(|| {
            recognizer
                .classify(black_box(four_strokes), CANDIDATES)
                .unwrap()
        })
    });
}

criterion_group!(benches, recognition);
criterion_main!(benches);
