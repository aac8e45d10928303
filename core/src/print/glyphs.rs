//! Draws laid-out lines, QR codes and barcodes as pixels: for the PNG
//! preview and for the printer lines its own font cannot print.
//!
//! Every character sits in the printer's own cell (12 dots per column,
//! 24 dots high), so a rasterised line lines up with printed ones.

use super::PrintError;
use super::layout::{COLUMN_DOTS, GLYPH_DOTS, LineAlign, Style};
use crate::fonts::CjkFont;
use ab_glyph::{Font, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};
use onevisit_drivers::escpos::display_width;

const WHITE: Luma<u8> = Luma([255]);

/// A white image `width` dots wide and `height` high.
pub fn blank(width: u32, height: u32) -> GrayImage {
    GrayImage::from_pixel(width, height.max(1), WHITE)
}

/// One text line `paper_dots` wide, black on white, thresholded to pure
/// black and white (thermal paper has no grey). Refused when the font
/// lacks a character: never an empty box.
pub fn text_line(
    font: &CjkFont,
    text: &str,
    style: Style,
    align: LineAlign,
    paper_dots: u32,
) -> Result<GrayImage, PrintError> {
    if let Some(c) = text.chars().find(|c| !font.has_glyph(*c)) {
        return Err(PrintError::MissingGlyph {
            code: u32::from(c),
            font: font.path().display().to_string(),
        });
    }
    let scale = style.scale();
    let cell_h = GLYPH_DOTS * scale;
    let mut img = blank(paper_dots, cell_h);
    let width = display_width(text) as u32 * COLUMN_DOTS * scale;
    let mut x = match align {
        LineAlign::Left => 0,
        LineAlign::Center => paper_dots.saturating_sub(width) / 2,
    };
    // Glyphs a little smaller than the cell, as printer fonts are.
    let px = PxScale::from(cell_h as f32 * 0.92);
    let scaled = font.font().as_scaled(px);
    let baseline = (cell_h as f32 - (scaled.ascent() - scaled.descent())) / 2.0 + scaled.ascent();
    for c in text.chars() {
        let cols = display_width(&c.to_string()) as u32;
        let cell_w = cols * COLUMN_DOTS * scale;
        if !c.is_whitespace() {
            let id = font.font().glyph_id(c);
            let advance = scaled.h_advance(id);
            let offset = ((cell_w as f32 - advance) / 2.0).max(0.0);
            let glyph = id.with_scale_and_position(px, point(x as f32 + offset, baseline));
            if let Some(outlined) = font.font().outline_glyph(glyph) {
                let b = outlined.px_bounds();
                let bold = style != Style::Normal;
                outlined.draw(|gx, gy, cov| {
                    if cov < 0.45 {
                        return;
                    }
                    let px = b.min.x as i32 + gx as i32;
                    let py = b.min.y as i32 + gy as i32;
                    for dx in 0..=i32::from(bold) {
                        put_black(&mut img, px + dx, py);
                    }
                });
            }
        }
        x += cell_w;
    }
    Ok(img)
}

fn put_black(img: &mut GrayImage, x: i32, y: i32) {
    if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
        img.put_pixel(x as u32, y as u32, Luma([0]));
    }
}

/// A QR code (error correction M, as printed) with `module` dots per
/// module and a 4-module quiet zone, centred on the paper.
pub fn qr(data: &str, module: u8, paper_dots: u32) -> Option<GrayImage> {
    let code =
        qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let m = u32::from(module);
    let w = code.width() as u32;
    let size = (w + 8) * m;
    let mut img = blank(paper_dots, size);
    let left = paper_dots.saturating_sub(size) / 2 + 4 * m;
    let colors = code.to_colors();
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (cx, cy) = (i as u32 % w, i as u32 / w);
            for y in 0..m {
                for x in 0..m {
                    put_black(
                        &mut img,
                        (left + cx * m + x) as i32,
                        ((4 + cy) * m + y) as i32,
                    );
                }
            }
        }
    }
    Some(img)
}

/// Code 39 patterns (bar, space, bar, ... ; 1 = wide), with `*` the
/// start/stop character.
const CODE39: &[(char, u16)] = &[
    ('0', 0x034),
    ('1', 0x121),
    ('2', 0x061),
    ('3', 0x160),
    ('4', 0x031),
    ('5', 0x130),
    ('6', 0x070),
    ('7', 0x025),
    ('8', 0x124),
    ('9', 0x064),
    ('A', 0x109),
    ('B', 0x049),
    ('C', 0x148),
    ('D', 0x019),
    ('E', 0x118),
    ('F', 0x058),
    ('-', 0x085),
    ('*', 0x094),
];

/// A Code 39 barcode 80 dots high (narrow bar 2 dots, wide 5), centred;
/// `None` when `data` has a character outside the supported set.
pub fn code39(data: &str, paper_dots: u32) -> Option<GrayImage> {
    let (narrow, wide, height) = (2u32, 5u32, 80u32);
    let mut bars: Vec<(bool, u32)> = Vec::new();
    for c in format!("*{data}*").chars() {
        let pattern = CODE39.iter().find(|(k, _)| *k == c)?.1;
        for i in 0..9 {
            let w = if pattern & (0x100 >> i) != 0 {
                wide
            } else {
                narrow
            };
            bars.push((i % 2 == 0, w));
        }
        bars.push((false, narrow));
    }
    let total: u32 = bars.iter().map(|(_, w)| w).sum();
    if total > paper_dots {
        return None;
    }
    let mut img = blank(paper_dots, height);
    let mut x = (paper_dots - total) / 2;
    for (black, w) in bars {
        if black {
            for dx in 0..w {
                for y in 0..height {
                    img.put_pixel(x + dx, y, Luma([0]));
                }
            }
        }
        x += w;
    }
    Some(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a drawn Code 39 back: bar and space widths → characters.
    fn read_code39(img: &GrayImage) -> String {
        let y = img.height() / 2;
        let mut runs: Vec<(bool, u32)> = Vec::new();
        for x in 0..img.width() {
            let black = img.get_pixel(x, y).0[0] < 128;
            match runs.last_mut() {
                Some((b, n)) if *b == black => *n += 1,
                _ => runs.push((black, 1)),
            }
        }
        let runs: Vec<u32> = runs
            .iter()
            .skip_while(|(b, _)| !b)
            .map(|(_, n)| *n)
            .collect();
        runs.chunks(10)
            .map(|ch| {
                let bits = ch[..9]
                    .iter()
                    .fold(0u16, |acc, w| (acc << 1) | u16::from(*w > 3));
                CODE39
                    .iter()
                    .find(|(_, p)| *p == bits)
                    .map_or('?', |(c, _)| *c)
            })
            .collect()
    }

    #[test]
    fn code39_patterns_are_valid_and_read_back() {
        for (c, p) in CODE39 {
            assert_eq!(p.count_ones(), 3, "{c}: Code 39 has 3 wide elements");
        }
        let img = code39("0123456789-ABCDEF", 576).unwrap();
        assert_eq!(read_code39(&img), "*0123456789-ABCDEF*");
        assert!(code39("abc", 576).is_none());
        assert!(code39(&"8".repeat(40), 384).is_none(), "too wide for 58 mm");
    }
}
