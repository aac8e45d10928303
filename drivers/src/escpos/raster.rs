//! 1-bit images for GS v 0.

use image::GrayImage;

/// Rows per GS v 0 command; printers' receive buffers choke on taller ones.
pub const MAX_RASTER_BAND: u32 = 960;

/// A 1-bit image, rows packed MSB-first (leftmost pixel in bit 7), 1 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl Bitmap {
    /// A white image.
    pub fn new(width: u32, height: u32) -> Self {
        let data = vec![0; (width.div_ceil(8) * height) as usize];
        Self {
            width,
            height,
            data,
        }
    }

    /// From packed rows (`width_bytes * height` bytes); `None` when the
    /// length does not match.
    pub fn from_packed(width: u32, height: u32, data: Vec<u8>) -> Option<Self> {
        (data.len() as u64 == u64::from(width.div_ceil(8)) * u64::from(height)).then_some(Self {
            width,
            height,
            data,
        })
    }

    /// Thresholds a grey image: pixels darker than `threshold` print black.
    pub fn from_gray(image: &GrayImage, threshold: u8) -> Self {
        let mut bitmap = Self::new(image.width(), image.height());
        for (x, y, p) in image.enumerate_pixels() {
            if p.0[0] < threshold {
                bitmap.set(x, y, true);
            }
        }
        bitmap
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn width_bytes(&self) -> u32 {
        self.width.div_ceil(8)
    }

    /// Packed rows.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Sets a pixel; out-of-range coordinates are ignored.
    pub fn set(&mut self, x: u32, y: u32, black: bool) {
        if x >= self.width || y >= self.height {
            return;
        }
        let i = (y * self.width_bytes() + x / 8) as usize;
        let bit = 0x80 >> (x % 8);
        if black {
            self.data[i] |= bit;
        } else {
            self.data[i] &= !bit;
        }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width
            && y < self.height
            && self.data[(y * self.width_bytes() + x / 8) as usize] & (0x80 >> (x % 8)) != 0
    }

    /// Appends GS v 0 commands (mode 0, normal size), one per band.
    pub(crate) fn encode_gs_v0(&self, out: &mut Vec<u8>) {
        let wb = self.width_bytes();
        let mut y = 0;
        while y < self.height {
            let rows = (self.height - y).min(MAX_RASTER_BAND);
            out.extend_from_slice(&[
                0x1D,
                0x76,
                0x30,
                0x00,
                (wb & 0xFF) as u8,
                (wb >> 8) as u8,
                (rows & 0xFF) as u8,
                (rows >> 8) as u8,
            ]);
            let start = (y * wb) as usize;
            out.extend_from_slice(&self.data[start..start + (rows * wb) as usize]);
            y += rows;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::{EscPosBuilder, PaperWidth};

    #[test]
    fn msb_is_leftmost_and_tall_images_are_banded() {
        let mut img = GrayImage::from_pixel(10, 2000, image::Luma([255]));
        img.put_pixel(0, 0, image::Luma([0]));
        img.put_pixel(9, 1999, image::Luma([10]));
        let bitmap = Bitmap::from_gray(&img, 128);
        assert_eq!(bitmap.width_bytes(), 2);
        assert_eq!(bitmap.data()[0], 0x80);
        assert!(bitmap.get(9, 1999) && !bitmap.get(1, 0));
        let mut b = EscPosBuilder::new(PaperWidth::Mm58);
        b.raster_image(&bitmap).unwrap();
        let bytes = b.as_bytes();
        // 960 + 960 + 80 rows.
        assert_eq!(&bytes[..8], &[0x1D, 0x76, 0x30, 0, 2, 0, 0xC0, 0x03]);
        let second = 8 + 960 * 2;
        assert_eq!(
            &bytes[second..second + 8],
            &[0x1D, 0x76, 0x30, 0, 2, 0, 0xC0, 0x03]
        );
        let third = second * 2;
        assert_eq!(
            &bytes[third..third + 8],
            &[0x1D, 0x76, 0x30, 0, 2, 0, 80, 0]
        );
        assert_eq!(bytes.len(), 3 * 8 + 2000 * 2);
        assert_eq!(bytes[bytes.len() - 1], 0x40);
        let mut gray = EscPosBuilder::new(PaperWidth::Mm58);
        gray.raster_gray(&img, 128).unwrap();
        assert_eq!(gray.as_bytes(), bytes);
        let wide = Bitmap::new(385, 1);
        assert!(b.raster_image(&wide).is_err());
        assert!(b.raster_image(&Bitmap::new(0, 0)).is_err());
    }
}
