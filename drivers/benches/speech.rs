//! Speech: how soon the first sound of a screen's sentence is ready (the
//! applicant hears nothing until then), how long the whole sentence takes
//! against how long it lasts (real-time factor: below 1 the speaker never
//! waits for the synthesizer), and the memory eSpeak NG costs once open,
//! private and file-backed apart.
//!
//! Run: `cargo bench -p onevisit-drivers --bench speech`

use criterion::{Criterion, criterion_group, criterion_main};
use onevisit_drivers::speech::{Cancel, SpeechSettings, Synthesizer};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What the ID-card screen says.
const SENTENCE: &str = "请插入身份证，办理开餐馆一件事";
/// A notice screen read in full.
const NOTICE: &str = "您要办理的是开餐馆一件事。需要准备的材料有：身份证、营业场所证明、\
    健康证明。办理的部门有：市场监督管理局、卫生健康委员会、消防救援支队。\
    请按屏幕上的提示一步一步操作，如有疑问请联系大厅工作人员。";

#[path = "../../benches/common/memory.rs"]
mod memory;
use memory::memory_kb;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// (time to the first buffer, time to the last, seconds of speech).
fn timed(
    synthesizer: &Synthesizer,
    text: &str,
    settings: &SpeechSettings,
) -> (Duration, Duration, f64) {
    let started = Instant::now();
    let mut first = None;
    let mut samples = 0usize;
    synthesizer
        .synthesize_streaming(text, settings, &Cancel::new(), &mut |chunk| {
            first.get_or_insert_with(|| started.elapsed());
            samples += chunk.len();
        })
        .unwrap();
    let total = started.elapsed();
    let seconds = samples as f64 / f64::from(synthesizer.sample_rate());
    (first.unwrap_or(total), total, seconds)
}

fn speech(c: &mut Criterion) {
    let before = memory_kb();
    let started = Instant::now();
    let synthesizer = Synthesizer::open().expect("espeak-ng-data installed");
    println!(
        "open (eSpeak NG + cmn voice): {:.1} ms",
        ms(started.elapsed())
    );
    if let (Some((rss0, private0, file0)), Some((rss, private, file))) = (before, memory_kb()) {
        println!(
            "memory after open: resident +{} kB, private +{} kB, file-backed +{} kB",
            rss.saturating_sub(rss0),
            private.saturating_sub(private0),
            file.saturating_sub(file0)
        );
    }
    for (name, text, settings) in [
        ("sentence", SENTENCE, SpeechSettings::default()),
        ("sentence, 长者模式", SENTENCE, SpeechSettings::elderly()),
        ("notice", NOTICE, SpeechSettings::default()),
    ] {
        let (first, total, seconds) = timed(&synthesizer, text, &settings);
        println!(
            "{name} ({} chars, {} wpm): first audio {:.1} ms, all {:.1} ms for {seconds:.2} s of speech, real-time factor {:.3}",
            text.chars().count(),
            settings.rate_wpm,
            ms(first),
            ms(total),
            total.as_secs_f64() / seconds
        );
    }
    if let Some((rss, private, file)) = memory_kb() {
        println!("memory now: resident {rss} kB, private {private} kB, file-backed {file} kB");
    }
    let settings = SpeechSettings::default();
    let mut group = c.benchmark_group("speech");
    group.sample_size(20);
    // Criterion times only the wait for the first buffer, not the rest.
    group.bench_function("first audio of the ID-card sentence", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| timed(&synthesizer, black_box(SENTENCE), &settings).0)
                .sum()
        })
    });
    group.bench_function("synthesize the ID-card sentence", |b| {
        b.iter(|| {
            synthesizer
                .synthesize(black_box(SENTENCE), &settings)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, speech);
criterion_main!(benches);
