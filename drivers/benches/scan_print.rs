//! Throughput of the scanner and printer hot paths: serial line parsing,
//! HID POS assembly, encoding a typical receipt, status parsing, and the
//! simulator's parse of a receipt; the document camera's preview frame
//! (MJPEG decode + downscale: goal ≥ 10 frames a second) and page capture
//! (find, straighten, encode one A4 page), each also printed as one number.
//!
//! Run: `cargo bench -p onevisit-drivers --bench scan_print`

use criterion::{Criterion, criterion_group, criterion_main};
use onevisit_drivers::camera::sim::{SIM_SIZE, SimCamera};
use onevisit_drivers::camera::supervised::PREVIEW_SIZE;
use onevisit_drivers::camera::{Camera, PixelFormat, preview};
use onevisit_drivers::capture::{CaptureOptions, capture};
use onevisit_drivers::escpos::{Align, Cut, EscPosBuilder, PaperWidth, QrEc, wrap};
use onevisit_drivers::printer::PrinterStatus;
use onevisit_drivers::scanner::{AimId, HidPosAssembler, LineAssembler, LineConfig, classify};
use onevisit_drivers::sim::printer::parser::EscPosParser;
use onevisit_drivers::sim::scanner::{Framing, Terminator, hid_pos_reports};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn receipt() -> Vec<u8> {
    let mut b = EscPosBuilder::new(PaperWidth::Mm80);
    b.init()
        .chinese_mode(true)
        .align(Align::Center)
        .bold(true)
        .double_size(true)
        .line("受理回执")
        .double_size(false)
        .bold(false)
        .align(Align::Left)
        .separator('-')
        .row("受理编号", "2026-000123")
        .row("申请人", "张**")
        .row("办理事项", "开办餐饮店");
    for line in wrap(
        "材料清单：营业执照申请书、食品经营许可申请书、场所使用证明、从业人员健康证明、消防安全检查合格证明",
        48,
    ) {
        b.line(&line);
    }
    b.separator('=').align(Align::Center);
    b.qr(b"OV1:R:2026-000123.MEUCIQDx", 6, QrEc::M)
        .expect("valid QR");
    b.feed_lines(3).cut(Cut::Partial);
    b.into_bytes()
}

fn benches(c: &mut Criterion) {
    let framing = Framing {
        terminator: Terminator::CrLf,
        aim: AimId::parse_prefix(b"]Q1"),
        ..Framing::default()
    };
    let stream: Vec<u8> = (0..100)
        .flat_map(|i| framing.frame(&format!("OV1:R:2026-{i:06}")))
        .collect();
    c.bench_function("scanner: 100 serial lines (parse + classify)", |b| {
        b.iter(|| {
            let mut asm = LineAssembler::new(LineConfig::default());
            let scans = asm.push(black_box(&stream));
            scans
                .into_iter()
                .flatten()
                .filter(|s| !classify(&s.text).is_error())
                .count()
        })
    });

    let reports = hid_pos_reports(&[b'7'; 500], AimId::parse_prefix(b"]Q1"));
    c.bench_function("scanner: HID POS 500-byte code (9 reports)", |b| {
        b.iter(|| {
            let mut asm = HidPosAssembler::default();
            let mut out = None;
            for r in &reports {
                out = asm.push(black_box(r)).ok().flatten();
            }
            out
        })
    });

    c.bench_function("escpos: encode a typical 80 mm receipt", |b| {
        b.iter(|| black_box(receipt()))
    });

    c.bench_function("printer: parse DLE EOT 1-4 replies", |b| {
        b.iter(|| {
            PrinterStatus::from_replies(black_box(&[0x12, 0x32, 0x12, 0x7E])).map(|s| s.health())
        })
    });

    let job = receipt();
    c.bench_function("sim: parse a typical receipt", |b| {
        b.iter(|| EscPosParser::new().push(black_box(&job)).len())
    });
}

fn camera(c: &mut Criterion) {
    let (w, h) = SIM_SIZE;
    let scenes = SimCamera::document_scenes(w, h);
    for format in [PixelFormat::Mjpeg, PixelFormat::Yuyv] {
        let mut camera = SimCamera::new(&scenes[..1], format).unpaced();
        let frame = camera.frame(Duration::from_secs(1)).unwrap();
        let started = Instant::now();
        let n = 30;
        for _ in 0..n {
            let image = frame.decode().unwrap();
            black_box(preview(&image, PREVIEW_SIZE.0, PREVIEW_SIZE.1));
        }
        let per = started.elapsed().as_secs_f64() / n as f64;
        println!(
            "preview {format} {w}×{h} → {}×{}: {:.1} ms a frame, {:.1} frames/s",
            PREVIEW_SIZE.0,
            PREVIEW_SIZE.1,
            per * 1e3,
            1.0 / per
        );
        c.bench_function(
            &format!("camera: preview frame ({format} {w}×{h}, decode + downscale)"),
            |b| b.iter(|| preview(&frame.decode().unwrap(), PREVIEW_SIZE.0, PREVIEW_SIZE.1)),
        );
    }
    let photos: Vec<_> = [&scenes[0], &scenes[1], &scenes[3]]
        .iter()
        .map(|s| s.render())
        .collect();
    let options = CaptureOptions::default();
    for (name, photo) in ["6° tilted", "−4° tilted", "dim light"].iter().zip(&photos) {
        let started = Instant::now();
        let page = capture(photo, &options).expect("the page is found");
        println!(
            "capture ({name}, {w}×{h} photo): {:.0} ms, page {}×{} {} KB",
            started.elapsed().as_secs_f64() * 1e3,
            page.width,
            page.height,
            page.jpeg.len().div_ceil(1024)
        );
    }
    let mut group = c.benchmark_group("capture");
    group.sample_size(10);
    group.bench_function(
        "one A4 page from a 1600×1200 photo (find, straighten, JPEG)",
        |b| b.iter(|| capture(black_box(&photos[0]), &options).unwrap()),
    );
    group.finish();
}

criterion_group!(scan_print, benches, camera);
criterion_main!(scan_print);
