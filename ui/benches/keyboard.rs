//! Speed of the on-screen keyboard's pinyin engine: building it (once per
//! process, `keyboard::pinyin_engine`) and the candidate refresh behind one
//! key press, which must stay well inside a 16 ms frame on the kiosk PC.
//! Run: `cargo bench -p onevisit-ui --bench keyboard`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use inputx_pinyin::PinyinEngine;
use onevisit_ui::keyboard::{Key, Keyboard, Layout, pinyin_engine};
use std::hint::black_box;
use std::time::Instant;

/// A pinyin keyboard with `typed` already composed.
fn composing(typed: &str) -> Keyboard {
    let mut kb = Keyboard::new(Layout::Pinyin, "", None);
    for c in typed.chars() {
        kb.press(Key::Char(c));
    }
    kb
}

/// The cost of one press on top of `typed`.
fn press_after(c: &mut Criterion, name: &str, typed: &str, key: char) {
    c.bench_function(name, |b| {
        b.iter_batched(
            || composing(typed),
            |mut kb| {
                kb.press(Key::Char(black_box(key)));
                kb
            },
            BatchSize::SmallInput,
        )
    });
}

fn bench(c: &mut Criterion) {
    // The first use in a process, as the kiosk meets it: building the
    // engine and the first candidate list (pages of the embedded
    // dictionary are touched for the first time, and the compiled-in
    // ranking data of ui/data/pinyin is parsed). Measured once, before
    // criterion warms everything up.
    let start = Instant::now();
    pinyin_engine();
    let built = start.elapsed();
    let first = composing("zhangsan");
    let first_press = start.elapsed() - built;
    assert!(first.candidates().iter().any(|c| c.text == "张三"));
    println!(
        "cold: engine built in {built:?}, first 8 presses (zhangsan, ranking data parsed) in {first_press:?}"
    );

    c.bench_function("build the pinyin engine (PinyinEngine::new)", |b| {
        b.iter(PinyinEngine::new)
    });
    press_after(c, "press: z (one letter, no candidates yet)", "", 'z');
    press_after(c, "press: zh (prefix completion, worst case)", "z", 'h');
    press_after(c, "press: zhang (exact, 26 words)", "zhan", 'g');
    press_after(
        c,
        "press: zhangsan (whole-buffer compositions)",
        "zhangsa",
        'n',
    );
    press_after(c, "press: wangxiaoming (12 letters)", "wangxiaomin", 'g');
    press_after(c, "press: li (hundreds of characters)", "l", 'i');
    press_after(c, "press: wei (ranked, name characters)", "we", 'i');
    c.bench_function("type zhangsan, all 8 presses", |b| {
        b.iter(|| composing(black_box("zhangsan")))
    });
    c.bench_function("choose 张三 (commit and clear)", |b| {
        b.iter_batched(
            || composing("zhangsan"),
            |mut kb| {
                let i = kb
                    .page_candidates()
                    .iter()
                    .position(|c| c.text == "张三")
                    .unwrap();
                kb.choose_candidate(i);
                kb
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
