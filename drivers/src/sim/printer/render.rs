//! Draws what the simulated printer "prints" onto a paper-wide grey image.
//!
//! There is no font rasteriser here, so each character is a box in its
//! cell (12x24 dots, 24x24 for CJK, scaled by the character size); QR codes
//! and raster images are drawn module for module and dot for dot, so they
//! can be checked (a drawn QR decodes).

use super::parser::Event;
use image::GrayImage;
use unicode_width::UnicodeWidthChar;

/// Stop drawing past this many rows (a runaway job must not eat memory).
pub const MAX_ROWS: u32 = 40_000;
const LINE_SPACING: u32 = 30;
const WHITE: u8 = 255;

#[derive(Debug, Clone, Copy)]
struct Glyph {
    width: u32,
    height: u32,
    ink: bool,
    bold: bool,
    underline: bool,
    reverse: bool,
}

/// The paper so far.
#[derive(Debug, Clone)]
pub struct Renderer {
    width: u32,
    pixels: Vec<u8>,
    line: Vec<Glyph>,
    align: u8,
    bold: bool,
    underline: bool,
    reverse: bool,
    size: (u32, u32),
}

impl Renderer {
    pub fn new(width_dots: u32) -> Self {
        Self {
            width: width_dots,
            pixels: Vec::new(),
            line: Vec::new(),
            align: 0,
            bold: false,
            underline: false,
            reverse: false,
            size: (1, 1),
        }
    }

    fn rows(&self) -> u32 {
        (self.pixels.len() / self.width as usize) as u32
    }

    /// The paper printed so far (pending text included).
    pub fn image(&self) -> GrayImage {
        let mut copy = self.clone();
        copy.flush_line();
        let h = copy.rows().max(1);
        copy.pixels.resize((self.width * h) as usize, WHITE);
        GrayImage::from_raw(self.width, h, copy.pixels).unwrap_or_else(|| GrayImage::new(1, 1))
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Init => {
                self.flush_line();
                *self = Self {
                    pixels: std::mem::take(&mut self.pixels),
                    ..Self::new(self.width)
                };
            }
            Event::Text(text) => text.chars().for_each(|c| self.glyph(c)),
            Event::Lf => self.newline(),
            Event::Bold(on) => self.bold = *on,
            Event::Underline(n) => self.underline = *n != 0 && *n != b'0',
            Event::Reverse(on) => self.reverse = *on,
            Event::PrintMode(n) => {
                self.bold = n & 0x08 != 0;
                self.underline = n & 0x80 != 0;
                self.size = (1 + u32::from(n & 0x20 != 0), 1 + u32::from(n & 0x10 != 0));
            }
            Event::CharSize { width, height } => {
                self.size = (u32::from(*width).min(8), u32::from(*height).min(8))
            }
            Event::Align(n) => self.align = n % 0x30,
            Event::FeedLines(n) => {
                self.newline();
                self.advance(u32::from(*n).saturating_sub(1) * LINE_SPACING);
            }
            Event::FeedDots(n) => {
                self.flush_line();
                self.advance(u32::from(*n));
            }
            Event::Qr {
                module_size,
                ec,
                data,
                ..
            } => {
                self.flush_line();
                self.qr(data, u32::from((*module_size).clamp(1, 16)), *ec);
            }
            Event::Raster {
                width_bytes,
                height,
                data: Some(data),
                ..
            } => {
                self.flush_line();
                self.raster(u32::from(*width_bytes), u32::from(*height), data);
            }
            Event::Cut { .. } => {
                self.flush_line();
                self.advance(8);
                let y = self.rows();
                self.advance(1);
                for x in (0..self.width).filter(|x| x % 8 < 4) {
                    self.set(x, y, 0);
                }
                self.advance(8);
            }
            _ => {}
        }
    }

    fn glyph(&mut self, c: char) {
        let cells = UnicodeWidthChar::width(c).unwrap_or(0) as u32;
        if cells == 0 {
            return;
        }
        let g = Glyph {
            width: 12 * cells * self.size.0,
            height: 24 * self.size.1,
            ink: !c.is_whitespace(),
            bold: self.bold,
            underline: self.underline,
            reverse: self.reverse,
        };
        // Printers wrap a line that reaches the right edge.
        if self.line_width() + g.width > self.width {
            self.flush_line();
        }
        self.line.push(g);
    }

    fn line_width(&self) -> u32 {
        self.line.iter().map(|g| g.width).sum()
    }

    fn newline(&mut self) {
        if self.line.is_empty() {
            self.advance(LINE_SPACING);
        } else {
            self.flush_line();
        }
    }

    /// Draws the pending line and moves below it.
    fn flush_line(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.line);
        let height = line.iter().map(|g| g.height).max().unwrap_or(24);
        let width: u32 = line.iter().map(|g| g.width).sum();
        let top = self.rows();
        self.advance(height + LINE_SPACING - 24);
        let mut x = self.offset(width);
        for g in line {
            let base = top + height - g.height;
            if g.reverse {
                self.fill(x, base, g.width, g.height, 0);
            }
            if g.ink {
                let inset = if g.bold { 1 } else { 2 };
                let ink = if g.reverse {
                    WHITE
                } else if g.bold {
                    0
                } else {
                    70
                };
                self.fill(x + inset, base + 3, g.width - 2 * inset, g.height - 6, ink);
            }
            if g.underline {
                self.fill(x, base + g.height - 2, g.width, 2, 0);
            }
            x += g.width;
        }
    }

    fn offset(&self, content: u32) -> u32 {
        let free = self.width.saturating_sub(content);
        match self.align {
            1 => free / 2,
            2 => free,
            _ => 0,
        }
    }

    fn advance(&mut self, rows: u32) {
        let target = (self.rows() + rows).min(MAX_ROWS);
        self.pixels.resize((target * self.width) as usize, WHITE);
    }

    fn set(&mut self, x: u32, y: u32, v: u8) {
        if x < self.width && y < self.rows() {
            self.pixels[(y * self.width + x) as usize] = v;
        }
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, v: u8) {
        for yy in y..y + h {
            for xx in x..(x + w).min(self.width) {
                self.set(xx, yy, v);
            }
        }
    }

    fn qr(&mut self, data: &[u8], module: u32, ec: u8) {
        let level = match ec {
            0x31 => qrcode::EcLevel::M,
            0x32 => qrcode::EcLevel::Q,
            0x33 => qrcode::EcLevel::H,
            _ => qrcode::EcLevel::L,
        };
        // A printer prints nothing for data it cannot encode.
        let Ok(code) = qrcode::QrCode::with_error_correction_level(data, level) else {
            return;
        };
        let n = code.width() as u32;
        let size = n * module;
        let quiet = 4 * module;
        self.advance(quiet);
        let top = self.rows();
        self.advance(size + quiet);
        let left = self.offset(size);
        let colors = code.to_colors();
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (mx, my) = (i as u32 % n, i as u32 / n);
                self.fill(left + mx * module, top + my * module, module, module, 0);
            }
        }
    }

    fn raster(&mut self, width_bytes: u32, height: u32, data: &[u8]) {
        let top = self.rows();
        self.advance(height);
        let left = self.offset(width_bytes * 8);
        for y in 0..height {
            for xb in 0..width_bytes {
                let byte = data
                    .get((y * width_bytes + xb) as usize)
                    .copied()
                    .unwrap_or(0);
                for bit in 0..8 {
                    if byte & (0x80 >> bit) != 0 {
                        self.set(left + xb * 8 + bit, top + y, 0);
                    }
                }
            }
        }
    }
}
