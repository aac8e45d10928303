//! The document model every printed document is described in, and the one
//! line layout both renderers share, so that the PNG preview shows exactly
//! the lines the printer prints.
//!
//! Geometry follows the printer: a column is 12 dots (a CJK character two
//! columns), a text line 24 dots high plus spacing, 384 dots on 58 mm paper
//! and 576 on 80 mm.

use onevisit_drivers::escpos::{PaperWidth, display_width};
use serde::{Deserialize, Serialize};

/// One block of a document. Documents are width-independent: the same
/// blocks lay out on 58 and 80 mm paper (and can be stored for reprints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Centred, double size, bold: the document's name.
    Title {
        text: String,
    },
    /// Centred, double size: what the reader must see at once (a receipt
    /// number).
    Big {
        text: String,
    },
    /// Bold, left: a section.
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    Centered {
        text: String,
    },
    /// `label：value`, the value wrapping under itself.
    Field {
        label: String,
        value: String,
    },
    /// A numbered or bulleted entry, wrapping under its text.
    ListItem {
        marker: String,
        text: String,
    },
    Separator,
    /// A QR code, with its caption under it.
    Qr {
        data: String,
        caption: String,
    },
    /// A Code 39 barcode (digits, capitals, `-`), with its text under it.
    Barcode {
        data: String,
    },
    /// Blank lines.
    Feed {
        lines: u8,
    },
    Cut,
}

/// A printable document: blocks in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }
    pub fn title(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Title { text: t.into() })
    }
    pub fn heading(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Heading { text: t.into() })
    }
    pub fn para(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Paragraph { text: t.into() })
    }
    pub fn centered(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Centered { text: t.into() })
    }
    pub fn field(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.push(Block::Field {
            label: label.into(),
            value: value.into(),
        })
    }
    pub fn item(&mut self, marker: impl Into<String>, t: impl Into<String>) -> &mut Self {
        self.push(Block::ListItem {
            marker: marker.into(),
            text: t.into(),
        })
    }
    pub fn separator(&mut self) -> &mut Self {
        self.push(Block::Separator)
    }
    pub fn qr(&mut self, data: impl Into<String>, caption: impl Into<String>) -> &mut Self {
        self.push(Block::Qr {
            data: data.into(),
            caption: caption.into(),
        })
    }
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.push(Block::Feed { lines })
    }
}

/// Text styles the printer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Normal,
    Bold,
    /// Double width and height, bold.
    Double,
}

impl Style {
    /// Width and height multiplier.
    pub fn scale(self) -> u32 {
        if self == Style::Double { 2 } else { 1 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAlign {
    Left,
    Center,
}

/// One laid-out line or object, ready for either renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Laid {
    Text {
        text: String,
        style: Style,
        align: LineAlign,
    },
    Rule,
    Qr {
        data: String,
        module: u8,
    },
    Barcode {
        data: String,
    },
    Feed {
        lines: u8,
    },
    Cut,
}

/// Dots per column of the printer's 12x24 font.
pub const COLUMN_DOTS: u32 = 12;
/// Glyph height in dots.
pub const GLYPH_DOTS: u32 = 24;
/// Line pitch in dots (the printer's default ESC 2 spacing).
pub const LINE_DOTS: u32 = 30;

/// Lays `doc` out for `paper`.
pub fn lay_out(doc: &Document, paper: PaperWidth) -> Vec<Laid> {
    let cols = paper.columns();
    let mut out = Vec::new();
    let text = |out: &mut Vec<Laid>, s: String, style: Style, align: LineAlign| {
        out.push(Laid::Text {
            text: s,
            style,
            align,
        })
    };
    for block in &doc.blocks {
        match block {
            Block::Title { text: t } | Block::Big { text: t } => {
                for l in wrap_words(t, cols / 2) {
                    text(&mut out, l, Style::Double, LineAlign::Center);
                }
            }
            Block::Heading { text: t } => {
                for l in wrap_words(t, cols) {
                    text(&mut out, l, Style::Bold, LineAlign::Left);
                }
            }
            Block::Paragraph { text: t } => {
                for l in wrap_words(t, cols) {
                    text(&mut out, l, Style::Normal, LineAlign::Left);
                }
            }
            Block::Centered { text: t } => {
                for l in wrap_words(t, cols) {
                    text(&mut out, l, Style::Normal, LineAlign::Center);
                }
            }
            Block::Field { label, value } => {
                let head = format!("{label}：");
                for l in hanging(&head, value, cols) {
                    text(&mut out, l, Style::Normal, LineAlign::Left);
                }
            }
            Block::ListItem { marker, text: t } => {
                let head = format!("{marker} ");
                for l in hanging(&head, t, cols) {
                    text(&mut out, l, Style::Normal, LineAlign::Left);
                }
            }
            Block::Separator => out.push(Laid::Rule),
            Block::Qr { data, caption } => {
                out.push(Laid::Qr {
                    data: data.clone(),
                    module: qr_module(data, paper),
                });
                for l in wrap_words(caption, cols) {
                    text(&mut out, l, Style::Normal, LineAlign::Center);
                }
            }
            Block::Barcode { data } => {
                out.push(Laid::Barcode { data: data.clone() });
                text(&mut out, data.clone(), Style::Normal, LineAlign::Center);
            }
            Block::Feed { lines } => out.push(Laid::Feed { lines: *lines }),
            Block::Cut => out.push(Laid::Cut),
        }
    }
    out
}

/// Printer dots per millimetre of paper feed (203 dpi heads).
pub const DOTS_PER_MM: f64 = 8.0;

/// How much paper `doc` uses on `paper`, in dots of feed: the same line
/// pitches, QR and barcode heights the preview draws, and the four lines
/// the printer feeds before a cut (what `escpos::to_escpos` sends). The
/// paper forecast counts jobs with this.
pub fn paper_length_dots(doc: &Document, paper: PaperWidth) -> u32 {
    lay_out(doc, paper)
        .iter()
        .map(|laid| match laid {
            Laid::Text { style, .. } => LINE_DOTS * style.scale(),
            Laid::Rule => LINE_DOTS,
            Laid::Qr { data, module } => {
                let w = qrcode::QrCode::with_error_correction_level(
                    data.as_bytes(),
                    qrcode::EcLevel::M,
                )
                .map(|c| c.width() as u32)
                .unwrap_or(41);
                // The quiet zone, then the line feed after the code.
                (w + 8) * u32::from(*module) + LINE_DOTS
            }
            // Code 39 bars are 80 dots high.
            Laid::Barcode { .. } => 80,
            Laid::Feed { lines } => LINE_DOTS * u32::from(*lines),
            Laid::Cut => LINE_DOTS * 4,
        })
        .sum()
}

/// [`paper_length_dots`] in millimetres.
pub fn paper_length_mm(doc: &Document, paper: PaperWidth) -> f64 {
    f64::from(paper_length_dots(doc, paper)) / DOTS_PER_MM
}

/// `head` then `body` wrapped; continuation lines are indented under the
/// body when the head is short, else by two columns, so a label/value
/// table stays readable on 58 mm paper.
fn hanging(head: &str, body: &str, cols: usize) -> Vec<String> {
    let hw = display_width(head);
    let indent = if hw <= cols / 3 { hw } else { 2 };
    let pad = " ".repeat(indent);
    wrap_rooms(body, cols.saturating_sub(hw), cols - indent)
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                format!("{head}{l}").trim_end().to_string()
            } else if l.is_empty() {
                l
            } else {
                format!("{pad}{l}")
            }
        })
        .collect()
}

/// Wraps `text` to `cols` display columns without breaking inside a
/// number, code or Latin word, and without starting a line with closing
/// punctuation; only a token wider than a whole line is cut.
pub fn wrap_words(text: &str, cols: usize) -> Vec<String> {
    wrap_rooms(text, cols, cols)
}

/// [`wrap_words`] with a first line of `first` columns and later lines of
/// `rest` columns.
fn wrap_rooms(text: &str, first: usize, rest: usize) -> Vec<String> {
    let rest = rest.max(2);
    let mut lines: Vec<String> = Vec::new();
    let mut room = first;
    for part in text.split('\n') {
        let mut line = String::new();
        let mut width = 0;
        let mut queue: std::collections::VecDeque<String> = tokens(part).into();
        while let Some(t) = queue.pop_front() {
            let w = display_width(&t);
            if width + w <= room {
                line.push_str(&t);
                width += w;
                continue;
            }
            if w > rest && room > width {
                // Wider than any line: cut it (nothing else would fit).
                let (a, b) = split_at_width(&t, room - width);
                if a.is_empty() {
                    // Not even its first character fits here: next line.
                    queue.push_front(t);
                } else {
                    line.push_str(&a);
                    queue.push_front(b);
                }
            } else if t.trim().is_empty() {
                // A space at the break is dropped, not carried over.
            } else {
                queue.push_front(t);
            }
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            width = 0;
            room = rest;
        }
        lines.push(line.trim_end().to_string());
        room = rest;
    }
    lines
}

/// Characters that must not begin a line (they stay with the text before).
fn closes(c: char) -> bool {
    "，。、；：？！）》」』】〕”’,.;:?!)]%".contains(c)
}

/// Characters that must not end a line (they go with the text after).
fn opens(c: char) -> bool {
    "（《「『【〔“‘([".contains(c)
}

/// A run that must stay on one line: a number or code (ASCII letters,
/// digits and the punctuation codes are made of), or one other character
/// with the closing punctuation after it and opening punctuation before.
fn tokens(text: &str) -> Vec<String> {
    let is_code = |c: char| c.is_ascii_alphanumeric() || "-_./:#*@+".contains(c);
    let mut out: Vec<String> = Vec::new();
    let mut pending_open = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut tok = std::mem::take(&mut pending_open);
        if opens(c) {
            pending_open = tok;
            pending_open.push(c);
            i += 1;
            continue;
        }
        if is_code(c) {
            while i < chars.len() && is_code(chars[i]) {
                tok.push(chars[i]);
                i += 1;
            }
        } else {
            tok.push(c);
            i += 1;
        }
        while i < chars.len() && closes(chars[i]) {
            tok.push(chars[i]);
            i += 1;
        }
        out.push(tok);
    }
    if !pending_open.is_empty() {
        out.push(pending_open);
    }
    out
}

/// The longest prefix of `t` at most `cols` wide, and the rest.
fn split_at_width(t: &str, cols: usize) -> (String, String) {
    let mut w = 0;
    let mut a = String::new();
    let mut chars = t.chars();
    for c in chars.by_ref() {
        let cw = display_width(&c.to_string());
        if w + cw > cols {
            let mut b = c.to_string();
            b.extend(chars);
            return (a, b);
        }
        a.push(c);
        w += cw;
    }
    (a, String::new())
}

/// QR modules in dots: as large as fits comfortably (at most 60% of the
/// paper with its quiet zone), at least 4 dots (0.5 mm, what handheld and
/// kiosk scanners read reliably) and at most 8.
pub fn qr_module(data: &str, paper: PaperWidth) -> u8 {
    let width = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
        .map(|c| c.width() as u32)
        .unwrap_or(41);
    let fit = paper.dots() * 6 / 10 / (width + 8);
    fit.clamp(4, 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_codes_are_never_cut() {
        let lines = wrap_words("受理编号 OV-20260301-000123 请妥善保管", 20);
        assert_eq!(lines, ["受理编号", "OV-20260301-000123", "请妥善保管"]);
        let lines = wrap_words("证件号码410***********0026，请核对", 24);
        assert_eq!(lines, ["证件号码", "410***********0026，请核", "对"]);
        // Closing punctuation never starts a line.
        let lines = wrap_words("一二三四五六七，八九", 14);
        assert_eq!(lines, ["一二三四五六", "七，八九"]);
        // Opening punctuation never ends one.
        let lines = wrap_words("一二三四五六（七八）", 14);
        assert_eq!(lines, ["一二三四五六", "（七八）"]);
        // Only a token wider than the line is cut.
        let lines = wrap_words("0123456789012345678901234567890123456789", 16);
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn paper_length_counts_lines_feeds_and_the_cut() {
        let mut doc = Document::default();
        doc.title("受理回执").para("一行").feed(2).push(Block::Cut);
        // Title: double height (60), paragraph 30, feed 60, cut 120.
        assert_eq!(paper_length_dots(&doc, PaperWidth::Mm58), 270);
        assert!((paper_length_mm(&doc, PaperWidth::Mm58) - 33.75).abs() < 1e-9);
        let mut with_qr = doc.clone();
        with_qr.qr("OV1:R:K0101-20261129-00001-X", "扫码查询");
        assert!(paper_length_dots(&with_qr, PaperWidth::Mm58) > 270 + 25 * 4);
    }

    #[test]
    fn fields_wrap_under_their_value() {
        let lines = hanging("部门：", "市场监督管理局（登记注册科），综合窗口 3 号", 32);
        assert_eq!(lines[0], "部门：市场监督管理局（登记注册");
        assert!(lines[1].starts_with("      ") && !lines[1].starts_with("       "));
        for l in &lines {
            assert!(display_width(l) <= 32, "{l}");
        }
        // A long label indents continuation by two columns.
        let lines = hanging(
            "需在以下事项办结后办理：",
            "设立登记、食品经营许可、公共场所卫生许可",
            32,
        );
        assert!(lines[1].starts_with("  ") && !lines[1].starts_with("   "));
    }

    #[test]
    fn qr_modules_fit_and_stay_scannable() {
        for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
            let m = u32::from(qr_module(&"A".repeat(80), paper));
            assert!((4..=8).contains(&m));
            assert!(m * 45 <= paper.dots());
        }
    }

    proptest::proptest! {
        /// Whatever the text: no line is too wide, and nothing but spaces
        /// at breaks is lost.
        #[test]
        fn wrapping_fits_and_keeps_every_character(
            text in "[a-z0-9 一二三，。（）䶮-]{0,60}",
            cols in 4usize..40,
        ) {
            let lines = wrap_words(&text, cols);
            for l in &lines {
                proptest::prop_assert!(display_width(l) <= cols, "{l:?}");
            }
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let expected: String = text.chars().filter(|c| *c != ' ').collect();
            proptest::prop_assert_eq!(joined, expected);
        }

        /// The same for label/value rows, whatever the label's length.
        #[test]
        fn fields_fit_and_keep_every_character(
            label in "[一二三a]{0,12}",
            text in "[a-z0-9 一二三，。（）-]{0,60}",
            paper in proptest::sample::select(vec![PaperWidth::Mm58, PaperWidth::Mm80]),
        ) {
            let head = format!("{label}：");
            let cols = paper.columns();
            let lines = hanging(&head, &text, cols);
            for l in &lines {
                proptest::prop_assert!(display_width(l) <= cols, "{l:?}");
            }
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let expected: String =
                format!("{head}{text}").chars().filter(|c| *c != ' ').collect();
            proptest::prop_assert_eq!(joined, expected);
        }
    }
}
