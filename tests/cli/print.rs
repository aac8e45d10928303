//! `onevisit print`: files for each document, the development-key
//! warning, refusals, reopening a scanned notice, and printing on a port
//! (the printer simulator on a PTY).

use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::sim::printer::PrinterSim;
use std::process::{Command, Output};

fn print(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .arg("print")
        .args(args)
        .env(
            "ONEVISIT_CATALOG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/catalog"),
        )
        .env_remove("ONEVISIT_CONFIG")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const B01: &[&str] = &[
    "--answer",
    "new_entity=new",
    "--answer",
    "entity_type=company",
    "--answer",
    "lodging=no",
    "--answer",
    "construction=no",
];

#[test]
fn notice_files_at_58_mm_and_a_reopened_qr() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("n.bin");
    let png = dir.path().join("n.png");
    let mut args = vec!["notice", "B01", "--width", "58"];
    args.extend_from_slice(B01);
    args.extend([
        "--escpos",
        bin.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    let out = print(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    // Loud about the development key.
    assert!(stderr(&out).contains("DEVELOPMENT_NOTICE_KEY"));
    let bytes = std::fs::read(&bin).unwrap();
    assert_eq!(&bytes[..2], &[0x1B, 0x40]);
    let img = image::open(&png).unwrap();
    assert_eq!(img.width(), PaperWidth::Mm58.dots());
    // The QR in the job reopens the same notice.
    let payload = notice_payload(&bytes);
    let payload = payload.as_str();
    let out = print(&["reopen", payload]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("一次告知单：B01"), "{text}");
    // A tampered one is refused (exit 1) with the reason.
    let mut tampered = payload.to_string();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let out = print(&["reopen", &tampered]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("校验失败") || stderr(&out).contains("损坏"));
}

/// The notice QR payload inside an ESC/POS job.
fn notice_payload(job: &[u8]) -> String {
    let start = job
        .windows(6)
        .position(|w| w == b"OV1:N:")
        .expect("notice QR in the job");
    let end = start + job[start..].iter().position(|b| *b == 0x1D).unwrap();
    String::from_utf8(job[start..end].to_vec()).unwrap()
}

#[test]
fn the_halls_notice_key_from_kiosk_toml_signs_and_checks_notices() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, format!("notice_key_hex = \"{}\"\n", "5a".repeat(32))).unwrap();
    let cfg = cfg.to_str().unwrap();
    let bin = dir.path().join("n.bin");
    let mut args = vec![
        "notice",
        "B01",
        "--config",
        cfg,
        "--escpos",
        bin.to_str().unwrap(),
    ];
    args.extend_from_slice(B01);
    let out = print(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("DEVELOPMENT_NOTICE_KEY"),
        "no development warning with the hall's key: {}",
        stderr(&out)
    );
    let payload = notice_payload(&std::fs::read(&bin).unwrap());
    // The windows' check with the same key reopens it…
    let out = print(&["reopen", &payload, "--config", cfg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("一次告知单：B01"));
    // …a check with another key (here the development one) refuses it.
    let out = print(&["reopen", &payload]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn receipt_masks_the_applicant_and_bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("r.bin");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/applicant.json");
    let mut args = vec![
        "receipt",
        "--receipt-no",
        "HL-7",
        "--bundle",
        "B01",
        "--applicant",
        fixture,
        "--at",
        "2026-03-02T09:30:00",
    ];
    args.extend_from_slice(B01);
    args.extend(["--escpos", bin.to_str().unwrap()]);
    let out = print(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = encoding_rs_free_decode(&std::fs::read(&bin).unwrap());
    assert!(text.contains("410***********0026") && !text.contains("410902198503120026"));
    // Unfinished questionnaire, no output, a key material as 容缺.
    let out = print(&[
        "receipt",
        "--receipt-no",
        "1",
        "--bundle",
        "B01",
        "--escpos",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("问卷尚未答完"));
    let mut args = vec!["test-page"];
    args.extend(["--width", "58"]);
    assert_eq!(print(&args).status.code(), Some(2));
    let commitment = |missing: &str| {
        let mut args = vec!["commitment", "--receipt-no", "HL-7", "--bundle", "B01"];
        args.extend(["--missing", missing, "--at", "2026-03-02T09:30:00"]);
        args.extend_from_slice(B01);
        args.extend(["--escpos", bin.to_str().unwrap()]);
        print(&args)
    };
    let out = commitment("company_application");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("关键材料"), "{}", stderr(&out));
    let out = commitment("no_such_material");
    assert_eq!(out.status.code(), Some(2));
    let out = commitment("premises_proof");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = encoding_rs_free_decode(&std::fs::read(&bin).unwrap());
    assert!(
        text.contains("经营场所使用证明") && text.contains("2026-03-16"),
        "{text}"
    );
}

/// The job's text through the printer simulator (GB18030 decoded).
fn encoding_rs_free_decode(bytes: &[u8]) -> String {
    let mut model = onevisit_drivers::sim::printer::PrinterModel::new(PaperWidth::Mm80);
    model.receive(bytes);
    model.transcript()
}

#[test]
fn test_page_on_a_port_and_paper_out_refused() {
    let sim = PrinterSim::start(PaperWidth::Mm58).unwrap();
    let control = sim.control();
    let port = sim.path().to_str().unwrap().to_string();
    let out = print(&[
        "test-page",
        "--width",
        "58",
        "--port",
        &port,
        "--baud",
        "115200",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t = control.transcript();
    assert!(
        t.contains("打印机测试页") && t.contains("OV1:R:TEST-0001"),
        "{t}"
    );
    control.set_paper_out(true);
    let out = print(&[
        "test-page",
        "--width",
        "58",
        "--port",
        &port,
        "--baud",
        "115200",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("不能打印"), "{}", stderr(&out));
}

#[test]
fn a_missing_font_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(["print", "test-page", "--png", "/dev/null"])
        .env("ONEVISIT_FONT", "/nonexistent/font.ttc")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("/nonexistent/font.ttc"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_kept_receipt_reprints_the_same_bytes_by_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = dir.path().join("first.bin");
    let again = dir.path().join("again.bin");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/applicant.json");
    let mut args = vec![
        "receipt",
        "--receipt-no",
        "K0101-20261129-00042-7",
        "--bundle",
        "B01",
        "--applicant",
        fixture,
        "--at",
        "2026-11-29T10:00:00",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    args.extend_from_slice(B01);
    args.extend(["--escpos", first.to_str().unwrap()]);
    let out = print(&args);
    assert!(out.status.success(), "{}", stderr(&out));

    // A separate process later: the job comes back from the data directory.
    let out = print(&[
        "reprint",
        "--receipt-no",
        "K0101-20261129-00042-7",
        "--data-dir",
        data.to_str().unwrap(),
        "--escpos",
        again.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&again).unwrap()
    );

    let out = print(&[
        "reprint",
        "--receipt-no",
        "K0101-20261129-00043-5",
        "--data-dir",
        data.to_str().unwrap(),
        "--escpos",
        again.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("无法补打"), "{}", stderr(&out));
}
