//! Generated photos of documents on a desk: what the simulated camera
//! shows and what the capture tests and bench photograph. A page (A4 by
//! default, 210 × 297 mm) lighter than the desk, with text-like marks and a
//! black marker square in its top-left corner (so a test can tell that the
//! captured page is upright), placed by its four corners in the photo;
//! rotation, perspective, dim light and blur are parameters.

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::Projection;

/// The page's size in millimetres (A4 portrait).
pub const PAGE_MM: (f32, f32) = (210.0, 297.0);

/// The black marker square in the page's top-left corner, in mm: x, y, side.
pub const MARKER_MM: (f32, f32, f32) = (15.0, 15.0, 22.0);

/// One photo to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// Where the page's own top-left, top-right, bottom-right and
    /// bottom-left corners lie in the photo; `None` for an empty desk.
    pub page: Option<[(f32, f32); 4]>,
    /// Light on the whole scene, 1.0 = a lit desk; 0.3 = dim.
    pub light: f32,
    /// Gaussian blur in pixels (camera out of focus, page moving).
    pub blur: f32,
    /// Varies the text marks, so two pages look different.
    pub seed: u32,
}

impl Scene {
    /// An A4 page filling about 80 % of the photo's height, turned by
    /// `rotation_deg` (clockwise) about the centre; `perspective` > 0 makes
    /// the top edge that fraction shorter than the bottom (camera tilted).
    pub fn page(width: u32, height: u32, rotation_deg: f32, perspective: f32) -> Scene {
        let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
        let h = height as f32 * 0.8;
        let w = h * PAGE_MM.0 / PAGE_MM.1;
        let top = w * (1.0 - perspective.clamp(0.0, 0.5));
        let corners = [
            (-top / 2.0, -h / 2.0),
            (top / 2.0, -h / 2.0),
            (w / 2.0, h / 2.0),
            (-w / 2.0, h / 2.0),
        ];
        let (sin, cos) = rotation_deg.to_radians().sin_cos();
        let page = corners.map(|(x, y)| (cx + x * cos - y * sin, cy + x * sin + y * cos));
        Scene {
            width,
            height,
            page: Some(page),
            light: 1.0,
            blur: 0.0,
            seed: 1,
        }
    }

    /// The desk with nothing on it.
    pub fn empty_desk(width: u32, height: u32) -> Scene {
        Scene {
            page: None,
            ..Scene::page(width, height, 0.0, 0.0)
        }
    }

    pub fn with_light(mut self, light: f32) -> Scene {
        self.light = light;
        self
    }

    pub fn with_blur(mut self, sigma: f32) -> Scene {
        self.blur = sigma;
        self
    }

    pub fn with_seed(mut self, seed: u32) -> Scene {
        self.seed = seed;
        self
    }

    /// The photo.
    pub fn render(&self) -> RgbImage {
        let to_page = self.page.and_then(|corners| {
            let (pw, ph) = PAGE_MM;
            Projection::from_control_points(corners, [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)])
        });
        let light = self.light.clamp(0.0, 2.0);
        let mut image = RgbImage::from_fn(self.width, self.height, |x, y| {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let base = match to_page.map(|p| p * (fx, fy)) {
                Some((u, v)) if (0.0..PAGE_MM.0).contains(&u) && (0.0..PAGE_MM.1).contains(&v) => {
                    page_colour(u, v, self.seed)
                }
                _ => desk_colour(x, y),
            };
            let noise = (hash(x, y, self.seed ^ 0x5eed) % 13) as f32 - 6.0;
            Rgb(base.map(|c| (c as f32 * light + noise).clamp(0.0, 255.0) as u8))
        });
        if self.blur > 0.0 {
            image = imageproc::filter::gaussian_blur_f32(&image, self.blur);
        }
        image
    }
}

/// A dark wooden desk: brown with slow grain.
fn desk_colour(x: u32, y: u32) -> [u8; 3] {
    let grain = ((y as f32 / 23.0 + (x as f32 / 180.0).sin() * 3.0).sin() * 8.0) as i32;
    [(88 + grain) as u8, (66 + grain) as u8, (50 + grain) as u8]
}

/// The paper at (u, v) mm: off-white, the marker, a title bar and lines of
/// word-like dark marks.
fn page_colour(u: f32, v: f32, seed: u32) -> [u8; 3] {
    const PAPER: [u8; 3] = [238, 236, 230];
    const INK: [u8; 3] = [35, 35, 40];
    let (mx, my, side) = MARKER_MM;
    if (mx..mx + side).contains(&u) && (my..my + side).contains(&v) {
        return INK;
    }
    if (60.0..150.0).contains(&u) && (20.0..30.0).contains(&v) {
        return INK;
    }
    if !(20.0..190.0).contains(&u) || !(50.0..275.0).contains(&v) {
        return PAPER;
    }
    let line = ((v - 50.0) / 8.0) as u32;
    if (v - 50.0) % 8.0 > 3.5 {
        return PAPER;
    }
    // Words of 6–25 mm with 3 mm gaps, different on every line and page.
    let mut x = 20.0;
    let mut word = 0;
    while x < 190.0 {
        let len = 6.0 + (hash(line, word, seed) % 20) as f32;
        if (x..x + len).contains(&u) {
            return INK;
        }
        x += len + 3.0;
        word += 1;
    }
    PAPER
}

fn hash(a: u32, b: u32, seed: u32) -> u32 {
    let mut h =
        a.wrapping_mul(0x9E37_79B1) ^ b.wrapping_mul(0x85EB_CA77) ^ seed.wrapping_mul(0xC2B2_AE3D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_lighter_than_the_desk_and_the_marker_dark() {
        let scene = Scene::page(400, 300, 0.0, 0.0);
        let photo = scene.render();
        let luma = |x: u32, y: u32| {
            photo
                .get_pixel(x, y)
                .0
                .iter()
                .map(|&c| c as u32)
                .sum::<u32>()
                / 3
        };
        // Desk at the border, paper near the centre's right margin.
        assert!(luma(5, 5) < 110, "desk {}", luma(5, 5));
        let [tl, _, br, _] = scene.page.unwrap();
        let (cx, cy) = ((tl.0 + br.0) / 2.0, (tl.1 + br.1) / 2.0);
        assert!(luma(cx as u32, (tl.1 + 4.0) as u32) > 200);
        // The marker: 15–37 mm in from the top-left corner.
        let k = (br.0 - tl.0) / PAGE_MM.0;
        let marker = (tl.0 + 25.0 * k, tl.1 + 25.0 * k);
        assert!(luma(marker.0 as u32, marker.1 as u32) < 80);
        assert!(cx > 0.0 && cy > 0.0);
    }
}
