//! An ESC/POS encoder for what the kiosk prints: receipts and checklists
//! on 58 mm or 80 mm thermal paper, Chinese text in GB18030, QR codes,
//! raster images, feeds and cuts.
//!
//! The builder only emits bytes; laying a receipt out (wrapping, choosing
//! raster images for characters the printer font lacks) is the print
//! layout's job, helped by [`display_width`], [`wrap`] and
//! [`can_encode_gb2312`].

mod raster;
mod sample;
mod text;

pub use raster::{Bitmap, MAX_RASTER_BAND};
pub use sample::{TEST_PAGE_QR, test_page};
pub use text::{can_encode_gb2312, display_width, encode_gb18030, wrap};

/// Paper the printer is loaded with (203 dpi heads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PaperWidth {
    Mm58,
    Mm80,
}

impl PaperWidth {
    /// From the millimetre figure technicians use.
    pub fn from_mm(mm: u32) -> Option<Self> {
        match mm {
            58 => Some(Self::Mm58),
            80 => Some(Self::Mm80),
            _ => None,
        }
    }

    /// Printable dots per line.
    pub fn dots(self) -> u32 {
        match self {
            Self::Mm58 => 384,
            Self::Mm80 => 576,
        }
    }

    /// Columns of the 12x24 font; a CJK character takes two.
    pub fn columns(self) -> usize {
        match self {
            Self::Mm58 => 32,
            Self::Mm80 => 48,
        }
    }
}

/// Horizontal alignment (ESC a n).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left = 0,
    Center = 1,
    Right = 2,
}

/// QR error correction level (GS ( k fn 69).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrEc {
    L = 0x30,
    M = 0x31,
    Q = 0x32,
    H = 0x33,
}

/// Ways to cut (GS V).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// GS V 0.
    Full,
    /// GS V 1.
    Partial,
    /// GS V 65 n: feed n dots (to the cutter) then cut fully.
    FeedFull(u8),
    /// GS V 66 n: feed n dots then cut partially.
    FeedPartial(u8),
}

/// What the encoder refuses to emit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("二维码内容为空或超过{max}字节（实际{len}字节） (QR data length)")]
    QrDataLength { len: usize, max: usize },
    #[error("二维码模块大小应为1-16，实际{0} (QR module size)")]
    QrModuleSize(u8),
    #[error("图像宽{width}点超过纸宽{paper}点 (image wider than paper)")]
    ImageTooWide { width: u32, paper: u32 },
    #[error("图像为空 (empty image)")]
    EmptyImage,
    #[error("字符放大倍数应为1-8，实际{0}x{1} (character size)")]
    CharSize(u8, u8),
}

/// Largest QR payload printers accept (QR version 40, numeric; bytes are
/// far fewer in practice, the printer says no by printing nothing).
pub const QR_MAX_DATA: usize = 7089;

/// Builds one print job. Text is sanitised: control characters in it are
/// replaced so that data (a name, an address) can never inject commands.
#[derive(Debug, Clone)]
pub struct EscPosBuilder {
    paper: PaperWidth,
    buf: Vec<u8>,
    width_mult: u8,
}

impl EscPosBuilder {
    pub fn new(paper: PaperWidth) -> Self {
        Self {
            paper,
            buf: Vec::new(),
            width_mult: 1,
        }
    }

    pub fn paper(&self) -> PaperWidth {
        self.paper
    }

    /// Columns available at the current character width.
    pub fn columns(&self) -> usize {
        self.paper.columns() / usize::from(self.width_mult.max(1))
    }

    /// ESC @: reset modes (not the buffer).
    pub fn init(&mut self) -> &mut Self {
        self.width_mult = 1;
        self.raw(&[0x1B, 0x40])
    }

    /// FS & / FS .: double-byte (GB) character mode on or off.
    pub fn chinese_mode(&mut self, on: bool) -> &mut Self {
        self.raw(if on { &[0x1C, 0x26] } else { &[0x1C, 0x2E] })
    }

    /// Text in GB18030, without a line feed; `\n` becomes LF, other control
    /// characters become `?`.
    pub fn text(&mut self, text: &str) -> &mut Self {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
            .collect();
        let bytes = encode_gb18030(&clean);
        self.buf.extend_from_slice(&bytes);
        self
    }

    /// Text then LF.
    pub fn line(&mut self, text: &str) -> &mut Self {
        self.text(text).lf()
    }

    /// `left` and `right` on one line, padded apart to the full width; when
    /// both do not fit, `right` goes on its own line, flush right.
    pub fn row(&mut self, left: &str, right: &str) -> &mut Self {
        let cols = self.columns();
        let used = display_width(left) + display_width(right);
        if used >= cols {
            let pad = " ".repeat(cols.saturating_sub(display_width(right)));
            return self.line(left).line(&format!("{pad}{right}"));
        }
        let pad = " ".repeat(cols - used);
        self.line(&format!("{left}{pad}{right}"))
    }

    /// A full-width line of `c` (e.g. '-' or '=').
    pub fn separator(&mut self, c: char) -> &mut Self {
        let w = display_width(&c.to_string()).max(1);
        let line: String = std::iter::repeat_n(c, self.columns() / w).collect();
        self.line(&line)
    }

    /// ESC E n.
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.raw(&[0x1B, 0x45, u8::from(on)])
    }

    /// ESC - n (0 off, 1 thin, 2 thick).
    pub fn underline(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x2D, n.min(2)])
    }

    /// GS B n: white on black.
    pub fn reverse(&mut self, on: bool) -> &mut Self {
        self.raw(&[0x1D, 0x42, u8::from(on)])
    }

    /// ESC ! n: print mode bits (3 bold, 4 double height, 5 double width,
    /// 7 underline). Resets GS ! sizes on most printers.
    pub fn print_mode(&mut self, n: u8) -> &mut Self {
        self.width_mult = if n & 0x20 != 0 { 2 } else { 1 };
        self.raw(&[0x1B, 0x21, n])
    }

    /// GS ! n: character width and height multipliers, 1-8 each.
    pub fn char_size(&mut self, width: u8, height: u8) -> Result<&mut Self, EncodeError> {
        if !(1..=8).contains(&width) || !(1..=8).contains(&height) {
            return Err(EncodeError::CharSize(width, height));
        }
        self.width_mult = width;
        Ok(self.raw(&[0x1D, 0x21, ((width - 1) << 4) | (height - 1)]))
    }

    /// Double width and height (GS ! 0x11), or back to normal (GS ! 0).
    pub fn double_size(&mut self, on: bool) -> &mut Self {
        self.width_mult = if on { 2 } else { 1 };
        self.raw(&[0x1D, 0x21, if on { 0x11 } else { 0x00 }])
    }

    /// ESC a n.
    pub fn align(&mut self, align: Align) -> &mut Self {
        self.raw(&[0x1B, 0x61, align as u8])
    }

    /// LF.
    pub fn lf(&mut self) -> &mut Self {
        self.raw(&[0x0A])
    }

    /// ESC d n: print and feed n lines.
    pub fn feed_lines(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x64, n])
    }

    /// ESC J n: print and feed n dots.
    pub fn feed_dots(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x4A, n])
    }

    /// GS V.
    pub fn cut(&mut self, cut: Cut) -> &mut Self {
        match cut {
            Cut::Full => self.raw(&[0x1D, 0x56, 0x00]),
            Cut::Partial => self.raw(&[0x1D, 0x56, 0x01]),
            Cut::FeedFull(n) => self.raw(&[0x1D, 0x56, 0x41, n]),
            Cut::FeedPartial(n) => self.raw(&[0x1D, 0x56, 0x42, n]),
        }
    }

    /// A QR code (model 2) via GS ( k: model, module size, error
    /// correction, store (pL pH = data length + 3), print.
    pub fn qr(&mut self, data: &[u8], module_size: u8, ec: QrEc) -> Result<&mut Self, EncodeError> {
        if data.is_empty() || data.len() > QR_MAX_DATA {
            return Err(EncodeError::QrDataLength {
                len: data.len(),
                max: QR_MAX_DATA,
            });
        }
        if !(1..=16).contains(&module_size) {
            return Err(EncodeError::QrModuleSize(module_size));
        }
        let store_len = data.len() + 3;
        self.raw(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        self.raw(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, module_size]);
        self.raw(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, ec as u8]);
        self.raw(&[
            0x1D,
            0x28,
            0x6B,
            (store_len & 0xFF) as u8,
            (store_len >> 8) as u8,
            0x31,
            0x50,
            0x30,
        ]);
        self.raw(data);
        Ok(self.raw(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]))
    }

    /// A 1-bit image via GS v 0, in bands of at most [`MAX_RASTER_BAND`]
    /// rows. It must fit the paper.
    pub fn raster_image(&mut self, image: &Bitmap) -> Result<&mut Self, EncodeError> {
        if image.width() == 0 || image.height() == 0 {
            return Err(EncodeError::EmptyImage);
        }
        if image.width() > self.paper.dots() {
            return Err(EncodeError::ImageTooWide {
                width: image.width(),
                paper: self.paper.dots(),
            });
        }
        image.encode_gs_v0(&mut self.buf);
        Ok(self)
    }

    /// A grey image as GS v 0: pixels darker than `threshold` print black.
    pub fn raster_gray(
        &mut self,
        image: &image::GrayImage,
        threshold: u8,
    ) -> Result<&mut Self, EncodeError> {
        self.raster_image(&Bitmap::from_gray(image, threshold))
    }

    /// Bytes passed through untouched (for commands not covered here).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// The job so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_sequence_matches_the_reference() {
        let mut b = EscPosBuilder::new(PaperWidth::Mm80);
        b.qr(b"OV1:R:1", 6, QrEc::M).unwrap();
        let expected: Vec<u8> = [
            &[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00][..],
            &[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 6],
            &[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31],
            &[0x1D, 0x28, 0x6B, 10, 0x00, 0x31, 0x50, 0x30],
            b"OV1:R:1",
            &[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30],
        ]
        .concat();
        assert_eq!(b.as_bytes(), expected);
        let long = vec![b'1'; 300];
        let mut b = EscPosBuilder::new(PaperWidth::Mm80);
        b.qr(&long, 3, QrEc::L).unwrap();
        // 303 = 0x012F: pL 0x2F, pH 0x01.
        assert_eq!(&b.as_bytes()[28..33], &[0x2F, 0x01, 0x31, 0x50, 0x30]);
        assert!(b.qr(b"", 3, QrEc::L).is_err());
        assert!(b.qr(b"x", 17, QrEc::L).is_err());
    }

    #[test]
    fn modes_feeds_cuts_and_text() {
        let mut b = EscPosBuilder::new(PaperWidth::Mm58);
        b.init()
            .chinese_mode(true)
            .align(Align::Center)
            .bold(true)
            .double_size(true)
            .text("回执\x1b@")
            .feed_lines(3)
            .feed_dots(24)
            .print_mode(0x08)
            .cut(Cut::FeedPartial(10))
            .cut(Cut::Full);
        let mut expected = vec![0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 1, 0x1B, 0x45, 1];
        expected.extend([0x1D, 0x21, 0x11]);
        expected.extend(encoding_rs::GB18030.encode("回执").0.iter());
        // The ESC in the text is neutralised.
        expected.extend(b"?@");
        expected.extend([0x1B, 0x64, 3, 0x1B, 0x4A, 24, 0x1B, 0x21, 0x08]);
        expected.extend([0x1D, 0x56, 0x42, 10, 0x1D, 0x56, 0x00]);
        assert_eq!(b.as_bytes(), expected);
        assert!(b.char_size(9, 1).is_err());
    }

    #[test]
    fn separators_and_rows_fill_the_paper() {
        let mut b = EscPosBuilder::new(PaperWidth::Mm58);
        b.separator('-');
        assert_eq!(b.as_bytes().len(), 33);
        let mut b = EscPosBuilder::new(PaperWidth::Mm80);
        b.double_size(true).separator('=');
        assert_eq!(b.as_bytes().len(), 3 + 24 + 1);
        let mut b = EscPosBuilder::new(PaperWidth::Mm58);
        b.row("受理部门", "市场监管局");
        let line = encoding_rs::GB18030.decode(b.as_bytes()).0.into_owned();
        assert_eq!(display_width(line.trim_end_matches('\n')), 32);
        let mut b = EscPosBuilder::new(PaperWidth::Mm58);
        b.row("办理事项：开办餐饮店（食品经营许可）", "已受理");
        let text = encoding_rs::GB18030.decode(b.as_bytes()).0.into_owned();
        let second = text.lines().nth(1).unwrap();
        assert_eq!(display_width(second), 32);
        assert!(second.ends_with("已受理"));
    }
}
