//! In-process printer tests: encoder → simulator parser round trips, the
//! drawn QR code decodes, raster images land dot for dot, and no byte
//! sequence panics the parsers or grows their memory.

use onevisit_drivers::escpos::{
    Align, Bitmap, EscPosBuilder, PaperWidth, QrEc, TEST_PAGE_QR, test_page,
};
use onevisit_drivers::printer::{PrinterStatus, status_request};
use onevisit_drivers::sim::printer::PrinterModel;
use onevisit_drivers::sim::printer::parser::{EscPosParser, MAX_RASTER_DATA};
use onevisit_drivers::transport::Transport;
use proptest::prelude::*;

fn decode_qr(img: &image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

#[test]
fn the_drawn_qr_code_decodes() {
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let mut model = PrinterModel::new(paper);
        model.write_all(&test_page(paper)).unwrap();
        let img = model.image();
        assert_eq!(img.width(), paper.dots());
        assert_eq!(decode_qr(&img), [TEST_PAGE_QR]);
    }
    // Chinese payloads too (stored as UTF-8 bytes).
    let mut b = EscPosBuilder::new(PaperWidth::Mm80);
    b.align(Align::Right)
        .qr("受理编号 2026-0001".as_bytes(), 5, QrEc::H)
        .unwrap();
    let mut model = PrinterModel::new(PaperWidth::Mm80);
    model.write_all(b.as_bytes()).unwrap();
    assert_eq!(decode_qr(&model.image()), ["受理编号 2026-0001"]);
}

#[test]
fn raster_images_are_drawn_dot_for_dot() {
    let mut bitmap = Bitmap::new(40, 1000);
    for y in 0..1000 {
        bitmap.set((y * 7) % 40, y, true);
    }
    let mut b = EscPosBuilder::new(PaperWidth::Mm58);
    b.raster_image(&bitmap).unwrap();
    let mut model = PrinterModel::new(PaperWidth::Mm58);
    model.write_all(b.as_bytes()).unwrap();
    assert_eq!(model.transcript(), "[RASTER 40x960] [RASTER 40x40]");
    let img = model.image();
    assert_eq!(img.height(), 1000);
    for y in 0..1000 {
        for x in 0..40 {
            let black = img.get_pixel(x, y).0[0] == 0;
            assert_eq!(black, bitmap.get(x, y), "({x},{y})");
        }
    }
}

#[test]
fn status_replies_follow_the_faults() {
    let mut model = PrinterModel::new(PaperWidth::Mm58);
    let ask = |model: &mut PrinterModel| {
        for n in 1..=4 {
            model.write_all(&status_request(n)).unwrap();
        }
        PrinterStatus::from_replies(&model.take_replies()).unwrap()
    };
    assert!(ask(&mut model).problems().is_empty());
    model.faults.paper_near_end = true;
    assert!(ask(&mut model).paper_near_end);
    model.faults.cover_open = true;
    let s = ask(&mut model);
    assert!(s.cover_open && !s.online);
    // An invalid n gets no answer, like a real printer.
    model.write_all(&status_request(9)).unwrap();
    assert!(model.take_replies().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn encoded_text_parses_back_to_the_same_text(lines in prop::collection::vec("\\PC{1,80}", 1..6),
                                                 split in 1usize..50) {
        let mut b = EscPosBuilder::new(PaperWidth::Mm80);
        b.init().chinese_mode(true);
        for line in &lines {
            b.bold(true).line(line).bold(false);
        }
        let mut model = PrinterModel::new(PaperWidth::Mm80);
        for chunk in b.as_bytes().chunks(split) {
            model.write_all(chunk).unwrap();
        }
        let mut expected = vec!["[INIT]".to_string(), "[CN ON]".into()];
        for line in &lines {
            expected.push("[BOLD ON]".into());
            expected.push(line.clone());
            expected.push("[LF]".into());
            expected.push("[BOLD OFF]".into());
        }
        prop_assert_eq!(model.transcript(), expected.join(" "));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_printer_side(bytes in prop::collection::vec(any::<u8>(), 0..3000),
                                                   split in 1usize..300) {
        let mut parser = EscPosParser::new();
        let mut model = PrinterModel::new(PaperWidth::Mm58);
        for chunk in bytes.chunks(split) {
            let _ = parser.push(chunk);
            // Held bytes: at most one GS ( command (64 KiB) or text run.
            prop_assert!(parser.pending_len() <= 70_000 + MAX_RASTER_DATA.min(bytes.len()));
            model.write_all(chunk).unwrap();
        }
        let _ = model.transcript();
        let img = model.image();
        prop_assert_eq!(img.width(), 384);
        for window in bytes.windows(4).take(200) {
            let _ = PrinterStatus::from_replies(window);
            if let Ok(s) = PrinterStatus::from_replies(&window[..1]) {
                let _ = (s.summary(), s.health());
            }
        }
    }
}

#[test]
fn a_huge_declared_image_does_not_hold_memory() {
    let mut parser = EscPosParser::new();
    // 65535 x 65535 bytes declared: must be skipped, not buffered.
    parser.push(&[0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    for _ in 0..50 {
        parser.push(&[0xAA; 65536]);
        assert!(parser.pending_len() == 0);
    }
}

/// A printer whose cable is pulled after `limit` bytes.
struct Unplugged {
    model: PrinterModel,
    limit: usize,
}

impl Transport for Unplugged {
    fn write_all(
        &mut self,
        bytes: &[u8],
    ) -> Result<(), onevisit_drivers::transport::TransportError> {
        if self.model.printed_bytes() + bytes.len() > self.limit && bytes.len() > 3 {
            return Err(onevisit_drivers::transport::TransportError::Disconnected(
                "pulled".into(),
            ));
        }
        self.model.write_all(bytes)
    }
    fn read(
        &mut self,
        buf: &mut [u8],
        t: std::time::Duration,
    ) -> Result<usize, onevisit_drivers::transport::TransportError> {
        self.model.read(buf, t)
    }
    fn flush(&mut self) -> Result<(), onevisit_drivers::transport::TransportError> {
        Ok(())
    }
}

#[test]
fn a_connection_lost_mid_job_reports_how_far_it_got() {
    use onevisit_drivers::printer::{Printer, PrinterConfig, PrinterError};
    let config = PrinterConfig {
        chunk_size: 100,
        settle: std::time::Duration::ZERO,
        ..PrinterConfig::default()
    };
    let job = test_page(PaperWidth::Mm58);
    let unplugged = Unplugged {
        model: PrinterModel::new(PaperWidth::Mm58),
        limit: 250,
    };
    let err = Printer::new(unplugged, config.clone())
        .print_job(&job)
        .unwrap_err();
    match &err {
        PrinterError::SendFailed { sent, total, .. } => {
            assert_eq!((*sent, *total), (200, job.len()))
        }
        other => panic!("expected SendFailed, got {other:?}"),
    }
    assert!(err.to_string().contains("200/"), "{err}");
    // In process the whole flow is instant: the same job on a healthy model.
    let report = Printer::new(PrinterModel::new(PaperWidth::Mm58), config)
        .print_job(&job)
        .unwrap();
    assert_eq!(report.bytes, job.len());
}
