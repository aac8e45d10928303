//! Throughput of the scanner and printer hot paths: serial line parsing,
//! HID POS assembly, encoding a typical receipt, status parsing, and the
//! simulator's parse of a receipt.

use criterion::{Criterion, criterion_group, criterion_main};
use onevisit_drivers::escpos::{Align, Cut, EscPosBuilder, PaperWidth, QrEc, wrap};
use onevisit_drivers::printer::PrinterStatus;
use onevisit_drivers::scanner::{AimId, HidPosAssembler, LineAssembler, LineConfig, classify};
use onevisit_drivers::sim::printer::parser::EscPosParser;
use onevisit_drivers::sim::scanner::{Framing, Terminator, hid_pos_reports};
use std::hint::black_box;

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

criterion_group!(scan_print, benches);
criterion_main!(scan_print);
