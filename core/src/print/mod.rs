//! Printed documents: the notice checklist (一次告知单), the submission
//! receipt (受理回执), the 容缺 commitment (承诺书) and the staff test page.
//!
//! Each document is built once as a [`layout::Document`] and rendered two
//! ways from the same line layout: ESC/POS bytes ([`escpos`]) and a PNG
//! preview ([`preview`]).

pub mod documents;
pub mod escpos;
mod glyphs;
pub mod job;
pub mod layout;
pub mod preview;
pub mod qr_payload;

pub use documents::*;
pub use escpos::to_escpos;
pub use job::{
    DocumentKind, JobStore, MemoryJobStore, PrintQueue, REPRINT_STORE_FILE, SqliteJobStore,
    StoredJob,
};
pub use layout::{Block, Document};
pub use preview::{to_image, to_png};

use onevisit_drivers::escpos::EncodeError;
use onevisit_drivers::printer::PrinterError;

/// Why a document could not be rendered or printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(transparent)]
    Font(#[from] crate::fonts::FontError),
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error(transparent)]
    Printer(#[from] PrinterError),
    #[error("二维码内容过长，无法打印 (QR data too long: {} bytes)", .0.len())]
    QrTooLong(String),
    #[error("条码只能含数字、A-F 和 - (barcode data {0:?})")]
    Barcode(String),
    /// Drawing it would leave a blank where a character belongs (a name
    /// printed wrong is worse than a clear error staff can act on). Only
    /// the code point is named: the text may be personal.
    #[error("字体 {font} 没有字符 U+{code:04X} 的字形，无法打印；请安装覆盖更全的字体（{env}） (missing glyph)", env = crate::fonts::FONT_ENV)]
    MissingGlyph { code: u32, font: String },
    #[error("预览图片无法生成：{0} (PNG)")]
    Png(String),
    #[error("没有编号为 {0} 的打印记录，无法补打 (nothing to reprint)")]
    NothingToReprint(String),
    #[error("打印记录存取失败：{0} (job store)")]
    Store(String),
}
