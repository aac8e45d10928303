//! The kiosk UI's speed and size, against issue #6's targets: cold start to
//! the first frame (headless, release: < 300 ms), one full 1920×1080
//! software repaint (< 16 ms), peak RSS over a whole visit (< 80 MB), and
//! the release binary's size. Run: `cargo bench --bench ui` (prints a
//! table; percentiles and a peak are the targets, not criterion's means).
//! Cold start here is in-process (catalog load, window, first frame);
//! process start and dynamic linking add a few ms on top.

use onevisit::catalog::Catalog;
use onevisit::ui::screenshots::{HEIGHT, Scratch, WIDTH, fill_all, headless, sample_card};
use onevisit::ui::{Kiosk, SessionController};
use slint::platform::software_renderer::MinimalSoftwareWindow;
use std::time::{Duration, Instant};

fn frame(window: &MinimalSoftwareWindow, pixels: &mut [slint::Rgb8Pixel]) {
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    window.draw_if_needed(|r| {
        r.render(pixels, WIDTH as usize);
    });
}

fn repaint_times(
    window: &MinimalSoftwareWindow,
    pixels: &mut [slint::Rgb8Pixel],
    n: usize,
) -> String {
    let mut v: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            frame(window, pixels);
            t.elapsed()
        })
        .collect();
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "p50 {:.2} ms  p90 {:.2} ms  max {:.2} ms  (n={n})",
        ms(v[n / 2]),
        ms(v[n * 9 / 10]),
        ms(v[n - 1])
    )
}

fn peak_rss_mb() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    if let Err(e) = onevisit::ui::fonts::ensure_cjk_font() {
        eprintln!("{e}");
        return;
    }
    let t0 = Instant::now();
    let catalog = Catalog::load_default().expect("catalog");
    let (window, app) = headless().expect("headless window");
    let scratch = Scratch::new("bench-ui").expect("scratch dir");
    let controller = SessionController::new(catalog).with_outbox(scratch.outbox().expect("outbox"));
    let kiosk = Kiosk::new(app, controller);
    let mut pixels = vec![slint::Rgb8Pixel::default(); (WIDTH * HEIGHT) as usize];
    frame(&window, &mut pixels);
    let cold = t0.elapsed();
    println!(
        "cold start to first frame   {:.1} ms  (target < 300 ms, release)",
        cold.as_secs_f64() * 1e3
    );

    println!(
        "full repaint, welcome       {}",
        repaint_times(&window, &mut pixels, 30)
    );
    kiosk.update(|c| {
        c.card_placed(sample_card());
        c.consent();
        c.choose_bundle("B01");
        while let Some((_, s, _)) = c.question() {
            c.answer(&s);
        }
    });
    println!(
        "full repaint, notice        {}",
        repaint_times(&window, &mut pixels, 30)
    );
    kiosk.update(SessionController::apply);
    println!(
        "full repaint, form          {}",
        repaint_times(&window, &mut pixels, 30)
    );
    kiosk.update(fill_all);
    kiosk.update(|c| {
        c.materials_next();
        c.toggle_declaration();
        c.submit();
    });
    frame(&window, &mut pixels);
    println!("  (target < 16 ms per full 1920×1080 repaint)");
    println!(
        "peak RSS over a visit       {:.1} MB  (target < 80 MB)",
        peak_rss_mb()
    );

    let release = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/onevisit");
    match std::fs::metadata(&release) {
        Ok(m) => println!(
            "release binary              {:.1} MB  ({})",
            m.len() as f64 / 1e6,
            release.display()
        ),
        Err(_) => println!("release binary              (build it: cargo build --release)"),
    }
}
