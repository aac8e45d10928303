//! A document as a PNG preview with real glyphs: the same lines, QR codes
//! and barcodes at the same positions as on the paper (one pixel = one
//! printer dot), for the kiosk's screen and the docs.

use super::PrintError;
use super::glyphs;
use super::layout::{Document, GLYPH_DOTS, LINE_DOTS, Laid, lay_out};
use crate::fonts::CjkFont;
use image::{GrayImage, Luma};
use onevisit_drivers::escpos::PaperWidth;

/// Blank margin above and below the print, in dots.
const MARGIN: u32 = 12;

/// The document as the paper would look.
pub fn to_image(
    doc: &Document,
    paper: PaperWidth,
    font: &CjkFont,
) -> Result<GrayImage, PrintError> {
    let width = paper.dots();
    let mut parts: Vec<GrayImage> = vec![glyphs::blank(width, MARGIN)];
    for laid in lay_out(doc, paper) {
        match laid {
            Laid::Text { text, style, align } => {
                let line = glyphs::text_line(font, &text, style, align, width)?;
                let mut cell = glyphs::blank(width, LINE_DOTS * style.scale());
                image::imageops::overlay(&mut cell, &line, 0, 0);
                parts.push(cell);
            }
            Laid::Rule => {
                let mut cell = glyphs::blank(width, LINE_DOTS);
                // The printer prints a row of '-': a dashed rule mid-line.
                for x in (0..width).filter(|x| x % 12 >= 2 && x % 12 < 10) {
                    cell.put_pixel(x, GLYPH_DOTS / 2, Luma([0]));
                    cell.put_pixel(x, GLYPH_DOTS / 2 + 1, Luma([0]));
                }
                parts.push(cell);
            }
            Laid::Qr { data, module } => {
                let img = glyphs::qr(&data, module, width).ok_or(PrintError::QrTooLong(data))?;
                parts.push(img);
            }
            Laid::Barcode { data } => {
                let img = glyphs::code39(&data, width)
                    .ok_or_else(|| PrintError::Barcode(data.clone()))?;
                parts.push(img);
            }
            Laid::Feed { lines } => parts.push(glyphs::blank(width, LINE_DOTS * u32::from(lines))),
            Laid::Cut => {
                let mut cell = glyphs::blank(width, LINE_DOTS * 2);
                for x in (0..width).filter(|x| x % 8 < 4) {
                    cell.put_pixel(x, LINE_DOTS, Luma([160]));
                }
                parts.push(cell);
            }
        }
    }
    parts.push(glyphs::blank(width, MARGIN));
    let height = parts.iter().map(GrayImage::height).sum();
    let mut out = glyphs::blank(width, height);
    let mut y = 0;
    for p in parts {
        image::imageops::overlay(&mut out, &p, 0, i64::from(y));
        y += p.height();
    }
    Ok(out)
}

/// The preview as PNG bytes (8-bit grey; nearly all white, so small).
pub fn to_png(doc: &Document, paper: PaperWidth, font: &CjkFont) -> Result<Vec<u8>, PrintError> {
    let img = to_image(doc, paper, font)?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| PrintError::Png(e.to_string()))?;
    Ok(out.into_inner())
}
