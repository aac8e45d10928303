//! A short test page, for `onevisit devices test-print`, tests and benches.

use super::{Align, Cut, EscPosBuilder, PaperWidth, QrEc};

/// The payload of the test page's QR code.
pub const TEST_PAGE_QR: &str = "OV1:R:TEST-0001";

/// A test page: a heading, paper width, a Chinese line, an ASCII line, a
/// QR code a scanner should read as [`TEST_PAGE_QR`], then a cut.
pub fn test_page(paper: PaperWidth) -> Vec<u8> {
    let mut b = EscPosBuilder::new(paper);
    b.init()
        .chinese_mode(true)
        .align(Align::Center)
        .bold(true)
        .double_size(true)
        .line("一件事一次办")
        .double_size(false)
        .bold(false)
        .line("打印机测试页 (test page)")
        .align(Align::Left)
        .separator('-');
    let mm = match paper {
        PaperWidth::Mm58 => 58,
        PaperWidth::Mm80 => 80,
    };
    b.row("纸宽", &format!("{mm} mm / {} 点", paper.dots()))
        .line("中文：受理回执、告知单、营业执照")
        .line("ASCII: 0123456789 ABCXYZ abcxyz")
        .separator('=')
        .align(Align::Center);
    // The payload is short and the size valid: this cannot fail.
    if b.qr(TEST_PAGE_QR.as_bytes(), 6, QrEc::M).is_err() {
        b.line(TEST_PAGE_QR);
    }
    b.lf()
        .line(&format!("扫码应显示 {TEST_PAGE_QR}"))
        .align(Align::Left)
        .feed_lines(3)
        .cut(Cut::Partial);
    b.into_bytes()
}
