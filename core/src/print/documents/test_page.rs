//! The staff test page: what technicians print to check a printer.

use crate::print::layout::{Block, Document};
use onevisit_drivers::escpos::{PaperWidth, TEST_PAGE_QR};

/// The barcode sample (Code 39).
pub const TEST_BARCODE: &str = "0123456789";

/// `model`: what the printer says it is (or the configured name).
pub fn test_page_document(model: &str, paper: PaperWidth) -> Document {
    let mm = match paper {
        PaperWidth::Mm58 => 58,
        PaperWidth::Mm80 => 80,
    };
    let mut d = Document::default();
    d.title("打印机测试页");
    d.centered("一件事一次办 自助机");
    d.separator();
    d.field("型号", model);
    d.field(
        "纸宽",
        format!("{mm} mm，{} 点，{} 列", paper.dots(), paper.columns()),
    );
    d.heading("字符覆盖");
    d.para("汉字：受理回执告知单容缺承诺营业执照");
    d.para("标点：，。、；：？！（）《》“”【】");
    d.para("数字字母：0123456789 ABCXYZ abcxyz");
    d.para("生僻字（图像打印）：䶮 堃 玥");
    d.separator();
    d.heading("条码样例（Code 39）");
    d.push(Block::Barcode {
        data: TEST_BARCODE.into(),
    });
    d.heading("二维码样例");
    d.qr(TEST_PAGE_QR, format!("扫码应显示 {TEST_PAGE_QR}"));
    d.push(Block::Cut);
    d
}
