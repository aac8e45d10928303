//! Printed documents: golden transcripts and previews at both widths, a
//! long notice, a rare name character printed as an image, and the notice
//! QR's round trip and refusal of tampered payloads.
//!
//! Regenerate the golden files with `UPDATE_GOLDEN=1 cargo test -p
//! onevisit-core --test core print_documents` and review the diff (and the PNGs) before committing.

use chrono::{NaiveDate, NaiveDateTime};
use onevisit_core::applicant::Applicant;
use onevisit_core::catalog::Catalog;
use onevisit_core::fonts::{CjkFont, cjk_font};
use onevisit_core::guide::{self, Answers, Notice, Outcome};
use onevisit_core::print::layout::{Laid, lay_out};
use onevisit_core::print::qr_payload::{self, PayloadError};
use onevisit_core::print::{self, CommitmentData, Delivery, Document, ReceiptData};
use onevisit_drivers::escpos::{PaperWidth, display_width};
use onevisit_drivers::sim::printer::PrinterModel;
use std::path::PathBuf;
use std::sync::OnceLock;

const KEY: &[u8] = b"test key of kiosk 07";

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::load_default().expect("catalog"))
}

fn font() -> &'static CjkFont {
    cjk_font().expect("a CJK font (fonts-wqy-zenhei)")
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs
        .iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect()
}

fn notice(bundle: &str, a: &Answers) -> Notice {
    match guide::step(catalog(), bundle, a).unwrap() {
        Outcome::Notice { notice } => *notice,
        other => panic!("{bundle}: no notice: {}", other.status()),
    }
}

/// The B01 notice the golden files show (a new company opening a
/// restaurant, as in tests/fixtures/b01-answers.toml).
fn b01() -> Notice {
    notice(
        "B01",
        &answers(&[
            ("new_entity", "new"),
            ("entity_type", "company"),
            ("lodging", "no"),
            ("construction", "no"),
        ]),
    )
}

/// B07 with the most items of any of its paths (every conditional item).
fn b07_longest() -> Notice {
    let bundle = catalog().bundle("B07").unwrap();
    guide::enumerate(catalog(), bundle)
        .into_iter()
        .filter_map(|p| match p.outcome {
            Outcome::Notice { notice } => Some(*notice),
            _ => None,
        })
        .max_by_key(|n| (n.items.len(), n.materials.len()))
        .expect("B07 has notices")
}

fn at() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

fn applicant(name: &str) -> Applicant {
    let mut a: Applicant = serde_json::from_str(
        &std::fs::read_to_string(crate::common::repo_root().join("tests/fixtures/applicant.json"))
            .unwrap(),
    )
    .unwrap();
    a.card.as_mut().unwrap().name = name.to_string();
    a
}

/// A B01 receipt; the case handed in two materials as pages (2 and 1)
/// and a third as the platform's 电子证照.
fn receipt(name: &str) -> ReceiptData {
    let n = b01();
    let mut r = ReceiptData::from_notice(
        &n,
        &applicant(name),
        "HL20260302-0042",
        "KIOSK-07",
        at(),
        Delivery::WindowPickup {
            window: "华龙区政务服务中心“综合受理窗口”".into(),
        },
        &catalog().holidays,
    );
    let got = |i: usize, received| print::ReceivedMaterial {
        name: n.materials[i].name.clone(),
        received,
    };
    r.received = vec![
        got(0, print::Received::Pages { pages: 2 }),
        got(1, print::Received::Pages { pages: 1 }),
        got(
            2,
            print::Received::Elicence {
                title: "不动产权证书".into(),
            },
        ),
    ];
    r
}

fn commitment() -> CommitmentData {
    let n = b01();
    CommitmentData {
        receipt_no: "HL20260302-0042".into(),
        bundle_code: n.bundle.code.clone(),
        bundle_name: n.bundle.name.clone(),
        missing: n
            .materials
            .iter()
            .filter(|m| m.rongque_eligible)
            .take(2)
            .map(|m| m.name.clone())
            .collect(),
        deadline: catalog()
            .holidays
            .add_working_days(at().date(), catalog().rongque_days)
            .date,
        deadline_warning: None,
        signed_on: at().date(),
        applicant_name: "刘晓䶮".into(),
        applicant_id: "410902198503120026".into(),
    }
}

fn documents(paper: PaperWidth) -> Vec<(&'static str, Document)> {
    let n = b01();
    let payload = qr_payload::encode_notice(catalog(), &n, KEY).unwrap();
    vec![
        ("notice", print::notice_document(&n, &payload, "2026-03-02")),
        ("receipt", print::receipt_document(&receipt("刘晓䶮"))),
        ("commitment", print::commitment_document(&commitment())),
        ("test-page", print::test_page_document("XP-80C", paper)),
    ]
}

fn mm(paper: PaperWidth) -> u32 {
    match paper {
        PaperWidth::Mm58 => 58,
        PaperWidth::Mm80 => 80,
    }
}

/// The printer simulator's transcript, one printed line per line.
fn transcript(bytes: &[u8], paper: PaperWidth) -> String {
    let mut model = PrinterModel::new(paper);
    model.receive(bytes);
    let t = model.transcript();
    assert!(!t.contains("[UNKNOWN"), "unparsed bytes: {t}");
    // One printed line per line; a rasterised line ends with its feed.
    t.replace("[LF] ", "[LF]\n")
        .replace("[FEED DOTS 6] ", "[FEED DOTS 6]\n")
        .replace("[FEED DOTS 12] ", "[FEED DOTS 12]\n")
        + "\n"
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from("tests/golden/print").join(name)
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn check_text(name: &str, actual: &str) {
    let path = golden_path(name);
    if updating() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from the golden file; review and run with UPDATE_GOLDEN=1\n{actual}"
    );
}

fn check_png(name: &str, doc: &Document, paper: PaperWidth) {
    let path = golden_path(name);
    let img = print::to_image(doc, paper, font()).unwrap();
    if updating() {
        std::fs::write(&path, print::to_png(doc, paper, font()).unwrap()).unwrap();
        return;
    }
    let golden = image::open(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()))
        .to_luma8();
    assert_eq!(
        golden.dimensions(),
        img.dimensions(),
        "{name}: size changed"
    );
    let differing = golden
        .pixels()
        .zip(img.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differing,
        0,
        "{name}: {differing} pixels differ (font {:?}); review and run with UPDATE_GOLDEN=1",
        font().path()
    );
}

#[test]
fn every_document_matches_its_golden_files_at_both_widths() {
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        for (name, doc) in documents(paper) {
            let bytes = print::to_escpos(&doc, paper, font()).unwrap();
            let t = transcript(&bytes, paper);
            check_text(&format!("{name}-{}.txt", mm(paper)), &t);
            check_png(&format!("{name}-{}.png", mm(paper)), &doc, paper);
        }
    }
}

/// Every text line fits the paper at its size.
fn assert_fits(doc: &Document, paper: PaperWidth) -> Vec<String> {
    let mut lines = Vec::new();
    for laid in lay_out(doc, paper) {
        if let Laid::Text { text, style, .. } = laid {
            let cols = paper.columns() / style.scale() as usize;
            assert!(display_width(&text) <= cols, "too wide for {cols}: {text}");
            let first = text.trim_start().chars().next();
            assert!(
                !matches!(first, Some('，' | '。' | '、' | '；' | '：' | '）')),
                "line starts with closing punctuation: {text}"
            );
            lines.push(text);
        }
    }
    lines
}

#[test]
fn the_longest_b07_notice_wraps_within_the_paper_and_loses_nothing() {
    let n = b07_longest();
    assert!(
        n.items.len() >= 3,
        "B07's longest path has {} items",
        n.items.len()
    );
    let payload = qr_payload::encode_notice(catalog(), &n, KEY).unwrap();
    let doc = print::notice_document(&n, &payload, "2026-03-02");
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let lines = assert_fits(&doc, paper);
        // Joined back without the wrap indents (and the spaces a break
        // drops), every name is whole.
        let joined: String = lines.iter().map(|l| l.replace(' ', "")).collect();
        let has = |s: &str| joined.contains(&s.replace(' ', ""));
        for i in &n.items {
            assert!(has(&i.name), "{} lost at {paper:?}", i.name);
            assert!(has(&i.window), "{} lost", i.window);
        }
        for m in &n.materials {
            assert!(has(&m.name), "{} lost at {paper:?}", m.name);
            assert!(has(&m.source_label), "{} lost", m.source_label);
        }
        for e in &n.elsewhere {
            assert!(has(&e.name), "{} lost", e.name);
        }
        assert!(has(&n.catalog_version.to_string()));
        let bytes = print::to_escpos(&doc, paper, font()).unwrap();
        let t = transcript(&bytes, paper);
        check_text(&format!("notice-b07-long-{}.txt", mm(paper)), &t);
    }
}

#[test]
fn a_rare_name_character_prints_as_an_image_and_nothing_personal_is_unmasked() {
    let r = receipt("刘晓䶮");
    let doc = print::receipt_document(&r);
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let bytes = print::to_escpos(&doc, paper, font()).unwrap();
        let t = transcript(&bytes, paper);
        // The masked name 刘*䶮 is not sent as text (the printer would
        // print '?' or nothing): its line is a raster the paper's width.
        assert!(!t.contains('䶮') && !t.contains("申请人："), "{t}");
        let raster = format!("[RASTER {}x24]", paper.dots());
        assert!(t.contains(&raster), "{t}");
        // The raster really has ink: render it in the simulator.
        let mut model = PrinterModel::new(paper);
        model.receive(&bytes);
        let img = model.image();
        assert!(img.pixels().any(|p| p.0[0] < 128));
        // ID masked as the issue specifies; the full name and number
        // appear nowhere.
        assert!(t.contains("410***********0026"), "{t}");
        // (The transcript is the job's text decoded from GB18030.)
        assert!(!t.contains("410902198503120026"));
        assert!(!t.contains("刘晓"));
        assert!(!format!("{r:?}").contains("410902198503120026"));
        assert!(!format!("{r:?}").contains("晓"));
    }
    // A plain GB2312 name stays text.
    let plain = print::to_escpos(
        &print::receipt_document(&receipt("张晓梅")),
        PaperWidth::Mm58,
        font(),
    )
    .unwrap();
    let t = transcript(&plain, PaperWidth::Mm58);
    assert!(t.contains("申请人：张*梅") && !t.contains("[RASTER"), "{t}");
}

#[test]
fn a_character_the_font_lacks_is_an_error_not_a_blank() {
    // U+E000 (private use) is in no font: the receipt is refused, naming
    // the code point only.
    let doc = print::receipt_document(&receipt("刘晓\u{E000}"));
    for err in [
        print::to_escpos(&doc, PaperWidth::Mm58, font()).unwrap_err(),
        print::to_png(&doc, PaperWidth::Mm80, font()).unwrap_err(),
    ] {
        let msg = err.to_string();
        assert!(msg.contains("U+E000") && !msg.contains("刘"), "{msg}");
    }
}

#[test]
fn the_receipt_has_its_number_large_and_a_progress_qr() {
    let doc = print::receipt_document(&receipt("张晓梅"));
    let bytes = print::to_escpos(&doc, PaperWidth::Mm58, font()).unwrap();
    let t = transcript(&bytes, PaperWidth::Mm58);
    assert!(t.contains("[SIZE 2x2] HL20260302-0042"), "{t}");
    assert!(t.contains("\"OV1:R:HL20260302-0042\""), "{t}");
    // 2026-03-02 is a Monday; the expected completion skips weekends.
    let days = b01().schedule.expected_days;
    let due = catalog().holidays.add_working_days(at().date(), days).date;
    assert!(t.contains(&due.format("%Y-%m-%d").to_string()));
    assert_eq!(
        catalog()
            .holidays
            .add_working_days(NaiveDate::from_ymd_opt(2026, 3, 6).unwrap(), 1)
            .date,
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
    );
}

#[test]
fn the_shipped_holiday_schedule_moves_deadlines_past_the_spring_festival() {
    // Friday 2026-02-13 + 1 working day: Saturday the 14th is worked (调休).
    let h = &catalog().holidays;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        h.add_working_days(day("2026-02-13"), 1).date,
        day("2026-02-14")
    );
    // Then 春节 (15th–23rd) is off: + 2 is Tuesday the 24th.
    assert_eq!(
        h.add_working_days(day("2026-02-13"), 2).date,
        day("2026-02-24")
    );
    // 国庆: 10 working days from 2026-09-28 (Mon) — 29, 30, (Oct 1–7 off), 8, 9,
    // 10 (Sat, worked), 12, 13, 14, 15, 16.
    assert_eq!(
        h.add_working_days(day("2026-09-28"), 10).date,
        day("2026-10-16")
    );
    let year = h.year(2026).expect("2026 is shipped");
    assert!(year.verified.is_verified());
    // 2027's schedule is not shipped: a date that reaches it warns.
    let late = h.add_working_days(day("2026-12-24"), 10);
    assert_eq!(late.missing_years, [2027]);
    let mut c = commitment();
    c.deadline = late.date;
    c.deadline_warning = late.warning();
    let t = transcript(
        &print::to_escpos(&print::commitment_document(&c), PaperWidth::Mm80, font()).unwrap(),
        PaperWidth::Mm80,
    );
    assert!(t.contains("2027年节假日安排未载入"), "{t}");
}

#[test]
fn notice_qr_round_trips_for_every_notice_of_every_bundle() {
    for bundle in &catalog().bundles {
        for p in guide::enumerate(catalog(), bundle) {
            let Outcome::Notice { notice } = p.outcome else {
                continue;
            };
            let payload = qr_payload::encode_notice(catalog(), &notice, KEY).unwrap();
            assert!(
                payload.len() <= 80
                    && payload
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':'),
                "not compact alphanumeric: {payload}"
            );
            let back = qr_payload::decode_notice(catalog(), &payload, KEY).unwrap();
            assert_eq!(back.to_text(), notice.to_text(), "{payload}");
        }
    }
}

#[test]
fn the_printed_notice_qr_scans_and_reopens_the_same_notice() {
    let n = b07_longest();
    let payload = qr_payload::encode_notice(catalog(), &n, KEY).unwrap();
    let doc = print::notice_document(&n, &payload, "2026-03-02");
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let img = print::to_image(&doc, paper, font()).unwrap();
        // The QR is near the end: decode the bottom part of the preview.
        let h = img.height();
        let bottom =
            image::imageops::crop_imm(&img, 0, h.saturating_sub(700), paper.dots(), 700.min(h))
                .to_image();
        let mut prepared = rqrr::PreparedImage::prepare(bottom);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "{paper:?}");
        let (_, scanned) = grids[0].decode().unwrap();
        assert_eq!(scanned, payload);
        let back = qr_payload::decode_notice(catalog(), &scanned, KEY).unwrap();
        assert_eq!(back.to_text(), n.to_text());
    }
}

#[test]
fn a_scanned_notice_qr_goes_from_the_scanner_classifier_to_the_notice() {
    use onevisit_drivers::scanner::{KioskCode, ScanKind, classify};
    let n = b01();
    let payload = qr_payload::encode_notice(catalog(), &n, KEY).unwrap();
    let ScanKind::Kiosk(KioskCode::Notice(opaque)) = classify(&payload) else {
        panic!("{payload} not classified as a notice");
    };
    let back = qr_payload::decode_notice_scan(catalog(), &opaque, KEY).unwrap();
    assert_eq!(back.to_text(), n.to_text());
    // The receipt QR is classified as a receipt with its number.
    assert_eq!(
        classify(&qr_payload::receipt_payload("HL-7")),
        ScanKind::Kiosk(KioskCode::Receipt("HL-7".into()))
    );
}

#[test]
fn tampered_forged_and_outdated_notice_qrs_are_refused() {
    let n = b07_longest();
    let payload = qr_payload::encode_notice(catalog(), &n, KEY).unwrap();
    // Every single-character change is caught.
    let prefix = qr_payload::NOTICE_PREFIX.len();
    for i in prefix..payload.len() {
        let mut chars: Vec<char> = payload.chars().collect();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        let err = qr_payload::decode_notice(catalog(), &tampered, KEY).unwrap_err();
        assert!(
            matches!(err, PayloadError::BadSignature | PayloadError::Malformed(_)),
            "{i}: {err}"
        );
    }
    // Signed with another kiosk's (or a forger's) key.
    let forged = qr_payload::encode_notice(catalog(), &n, b"forger").unwrap();
    assert_eq!(
        qr_payload::decode_notice(catalog(), &forged, KEY).unwrap_err(),
        PayloadError::BadSignature
    );
    assert!(
        qr_payload::decode_notice(catalog(), &forged, KEY)
            .unwrap_err()
            .to_string()
            .contains("校验失败")
    );
    // Cut short, other kinds, garbage.
    let short = &payload[..payload.len() - 4];
    assert!(qr_payload::decode_notice(catalog(), short, KEY).is_err());
    assert_eq!(
        qr_payload::decode_notice(catalog(), "OV1:R:HL1", KEY).unwrap_err(),
        PayloadError::NotNotice
    );
    assert!(matches!(
        qr_payload::decode_notice(catalog(), "OV1:N:0189", KEY).unwrap_err(),
        PayloadError::Malformed(_)
    ));
    // A catalog edited since printing: refused with both versions named.
    let mut newer = catalog().clone();
    newer.version.content_hash = "ffffffff00000000".into();
    let err = qr_payload::decode_notice(&newer, &payload, KEY).unwrap_err();
    assert!(matches!(err, PayloadError::CatalogChanged { .. }), "{err}");
}
