//! A document as ESC/POS bytes. Lines the printer's font can print go as
//! GB18030 text; a line with any character outside GB2312 (the set every
//! Chinese printer font holds, e.g. 䶮 in a name) goes as a raster image
//! drawn with the kiosk's CJK font, so the applicant's name is never
//! printed as '?' or a blank.

use super::PrintError;
use super::glyphs;
use super::layout::{Document, LINE_DOTS, Laid, LineAlign, Style, lay_out};
use crate::fonts::CjkFont;
use onevisit_drivers::escpos::{
    Align, Bitmap, Cut, EscPosBuilder, PaperWidth, QrEc, can_encode_gb2312,
};

/// Threshold for rasters: glyph images are already black and white.
const THRESHOLD: u8 = 128;

/// The document as one ESC/POS job for `paper`.
pub fn to_escpos(doc: &Document, paper: PaperWidth, font: &CjkFont) -> Result<Vec<u8>, PrintError> {
    let mut b = EscPosBuilder::new(paper);
    b.init().chinese_mode(true);
    // ESC @ leaves the printer left-aligned; alignment is sent on change
    // only, so the job (and its transcript) stays lean.
    let mut current = Align::Left;
    let mut align = |b: &mut EscPosBuilder, a: Align| {
        if a != current {
            b.align(a);
            current = a;
        }
    };
    for laid in lay_out(doc, paper) {
        match laid {
            Laid::Text {
                text,
                style,
                align: line_align,
            } => {
                if can_encode_gb2312(&text) {
                    align(
                        &mut b,
                        match line_align {
                            LineAlign::Left => Align::Left,
                            LineAlign::Center => Align::Center,
                        },
                    );
                    text_line(&mut b, &text, style);
                } else {
                    // Alignment is drawn into the paper-wide raster.
                    let img = glyphs::text_line(font, &text, style, line_align, paper.dots())?;
                    align(&mut b, Align::Left);
                    b.raster_gray(&img, THRESHOLD)?;
                    // The raster has no line spacing of its own.
                    b.feed_dots((LINE_DOTS - 24) as u8 * style.scale() as u8);
                }
            }
            Laid::Rule => {
                align(&mut b, Align::Left);
                b.separator('-');
            }
            Laid::Qr { data, module } => {
                align(&mut b, Align::Center);
                b.qr(data.as_bytes(), module, QrEc::M)?.lf();
            }
            Laid::Barcode { data } => {
                align(&mut b, Align::Left);
                let img = glyphs::code39(&data, paper.dots())
                    .ok_or_else(|| PrintError::Barcode(data.clone()))?;
                b.raster_image(&Bitmap::from_gray(&img, THRESHOLD))?;
            }
            Laid::Feed { lines } => {
                b.feed_lines(lines);
            }
            Laid::Cut => {
                b.feed_lines(4).cut(Cut::Partial);
            }
        }
    }
    Ok(b.into_bytes())
}

fn text_line(b: &mut EscPosBuilder, text: &str, style: Style) {
    match style {
        Style::Normal => {
            b.line(text);
        }
        Style::Bold => {
            b.bold(true).line(text).bold(false);
        }
        Style::Double => {
            b.bold(true)
                .double_size(true)
                .line(text)
                .double_size(false)
                .bold(false);
        }
    }
}
