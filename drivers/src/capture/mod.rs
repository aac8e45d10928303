//! Page capture: from a photo of a document lying on a darker desk to a
//! clean, straight page image.
//!
//! ```text
//!  photo ─► luma, ≤ 640 px ─► too dark? ─► blur, Otsu threshold ─► largest
//!  outer contour ─► convex hull ─► 4 corners (Douglas–Peucker) ─► page cut?
//!  ─► edges refined at full size along their normals (also the edge width:
//!  blurred?) ─► perspective warp to A4 at 150 dpi ─► contrast stretched
//!  (paper white, ink black) ─► JPEG ≤ 500 KB
//! ```
//!
//! It lives in `drivers` beside the camera because it is signal processing
//! on the camera's pixels (like handwriting recognition on a pad's ink):
//! the camera test (`onevisit devices test camera`), the CLI
//! (`onevisit capture`) and the UI's capture screen call it; core only
//! stores the resulting pages. The heavy lifting is `imageproc`'s
//! (contours, hull, polygon approximation, Otsu, warp).

#[cfg(test)]
mod tests;

use image::{GrayImage, Luma, Rgb, RgbImage};
use imageproc::contours::BorderType;
use imageproc::geometric_transformations::{Border, Interpolation, Projection};
use imageproc::point::Point;
use std::fmt;
use std::io::Cursor;

/// What to produce.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureOptions {
    /// Colour instead of grayscale.
    pub colour: bool,
    /// The output's long side in pixels: 1754 = A4 at 150 dpi.
    pub long_side: u32,
    /// Largest JPEG; the quality steps down until the page fits.
    pub max_bytes: usize,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            colour: false,
            long_side: A4_150DPI.1,
            max_bytes: 500 * 1024,
        }
    }
}

/// A4 at 150 dpi, portrait: 1240 × 1754 pixels.
pub const A4_150DPI: (u32, u32) = (1240, 1754);

/// The page, found and straightened.
#[derive(Clone, PartialEq)]
pub struct CapturedPage {
    /// The JPEG (what is stored and sent).
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The page's top-left, top-right, bottom-right, bottom-left corners
    /// in the photo, in pixels.
    pub corners: [(f32, f32); 4],
    /// How far the page was turned (clockwise, degrees): the skew removed.
    pub angle_deg: f32,
    /// The page edge's width in the photo (25–75 % rise, pixels): small
    /// is sharp.
    pub edge_px: f32,
    /// The JPEG quality used.
    pub quality: u8,
}

impl fmt::Debug for CapturedPage {
    // The JPEG is a picture of someone's papers: never in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapturedPage")
            .field("size", &(self.width, self.height))
            .field("jpeg_bytes", &self.jpeg.len())
            .field("corners", &self.corners)
            .field("angle_deg", &self.angle_deg)
            .field("edge_px", &self.edge_px)
            .field("quality", &self.quality)
            .finish()
    }
}

/// Why no page came out. [`Refusal::code`] is stable; [`Refusal::message`]
/// is what the applicant reads.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// Even the brightest part of the photo is dark.
    #[error("光线太暗 (too dark: brightest {brightness}/255)")]
    TooDark { brightness: u8 },
    /// Nothing page-like: an empty desk, a page the colour of the desk, a
    /// shape that is not four-sided.
    #[error("没有找到材料 (no page found)")]
    NoPage,
    /// A page, but running off the edge of the photo.
    #[error("材料没有完全在拍摄区内 (page cut off at the edge)")]
    PageCut,
    /// The page's edges are smeared (out of focus, moved).
    #[error("照片模糊 (blurred: edge {edge_px:.1} px, at most {limit_px:.1})")]
    Blurred { edge_px: f32, limit_px: f32 },
}

impl Refusal {
    /// The stable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Refusal::TooDark { .. } => "capture.too_dark",
            Refusal::NoPage => "capture.no_page",
            Refusal::PageCut => "capture.page_cut",
            Refusal::Blurred { .. } => "capture.blurred",
        }
    }

    /// In plain words, what happened and what to do.
    pub const fn message(&self) -> &'static str {
        match self {
            Refusal::TooDark { .. } => "光线太暗，看不清材料。请打开高拍仪的灯，或请工作人员帮忙。",
            Refusal::NoPage => "没有找到材料。请把材料平放在拍摄区中间，再拍一次。",
            Refusal::PageCut => "材料有一部分在拍摄区外面。请把材料移到中间，四个角都要露出来。",
            Refusal::Blurred { .. } => "照片模糊。请放平材料，拍照时不要移动，再拍一次。",
        }
    }
}

/// Where the page lies in the photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageQuad {
    /// Top-left, top-right, bottom-right, bottom-left, in photo pixels.
    pub corners: [(f32, f32); 4],
    /// Median edge width (25–75 % rise), pixels.
    pub edge_px: f32,
}

/// The photo's long side for finding the page (fast, and noise averages out).
const WORK_SIDE: u32 = 640;
/// Brighter than this somewhere, or it is too dark (99th percentile luma).
const MIN_BRIGHTNESS: u8 = 50;
/// The page must stand out from the desk by this much (mean luma levels).
const MIN_CONTRAST: f32 = 25.0;
/// The page covers at least this share of the photo.
const MIN_AREA: f64 = 0.08;

/// Finds, straightens and encodes the page in `photo`.
pub fn capture(photo: &RgbImage, options: &CaptureOptions) -> Result<CapturedPage, Refusal> {
    let luma = image::imageops::grayscale(photo);
    let quad = find_page(&luma)?;
    let corners = quad.corners;
    let (width, height) = output_size(&corners, options.long_side.clamp(64, 8192));
    let to_page = Projection::from_control_points(
        corners,
        [
            (0.0, 0.0),
            (width as f32, 0.0),
            (width as f32, height as f32),
            (0.0, height as f32),
        ],
    )
    .ok_or(Refusal::NoPage)?;
    let (jpeg, quality) = if options.colour {
        let mut page = RgbImage::new(width, height);
        imageproc::geometric_transformations::warp_into(
            photo,
            to_page,
            Interpolation::Bilinear,
            Border::Constant(Rgb([255, 255, 255])),
            &mut page,
        );
        let levels = levels(&image::imageops::grayscale(&page));
        for p in page.pixels_mut() {
            p.0 = p.0.map(|c| stretch(c, levels));
        }
        encode(&page, options.max_bytes)
    } else {
        let mut page = GrayImage::new(width, height);
        imageproc::geometric_transformations::warp_into(
            &luma,
            to_page,
            Interpolation::Bilinear,
            Border::Constant(Luma([255])),
            &mut page,
        );
        let levels = levels(&page);
        for p in page.pixels_mut() {
            p.0[0] = stretch(p.0[0], levels);
        }
        encode(&page, options.max_bytes)
    };
    let angle = |a: (f32, f32), b: (f32, f32)| (b.1 - a.1).atan2(b.0 - a.0).to_degrees();
    Ok(CapturedPage {
        jpeg,
        width,
        height,
        corners,
        angle_deg: (angle(corners[0], corners[1]) + angle(corners[3], corners[2])) / 2.0,
        edge_px: quad.edge_px,
        quality,
    })
}

/// Finds the page's four corners in a grayscale photo and checks it is
/// sharp enough.
pub fn find_page(luma: &GrayImage) -> Result<PageQuad, Refusal> {
    let (w, h) = luma.dimensions();
    if w < 16 || h < 16 {
        return Err(Refusal::NoPage);
    }
    let scale = (WORK_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (ww, wh) = (
        ((w as f32 * scale).round() as u32).max(8),
        ((h as f32 * scale).round() as u32).max(8),
    );
    let work = if scale < 1.0 {
        image::imageops::resize(luma, ww, wh, image::imageops::FilterType::Triangle)
    } else {
        luma.clone()
    };
    let (ww, wh) = work.dimensions();
    let brightness = percentile(&histogram(&work), 0.99);
    if brightness < MIN_BRIGHTNESS {
        return Err(Refusal::TooDark { brightness });
    }
    let smooth = imageproc::filter::gaussian_blur_f32(&work, 1.5);
    let level = imageproc::contrast::otsu_level(&smooth);
    let (dark, light) = class_means(&histogram(&smooth), level);
    if light - dark < MIN_CONTRAST {
        return Err(Refusal::NoPage);
    }
    let binary =
        imageproc::contrast::threshold(&smooth, level, imageproc::contrast::ThresholdType::Binary);
    let contours = imageproc::contours::find_contours::<i32>(&binary);
    let page = contours
        .iter()
        .filter(|c| c.border_type == BorderType::Outer && c.points.len() >= 8)
        .map(|c| (imageproc::geometry::contour_area(&c.points), c))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .ok_or(Refusal::NoPage)?;
    let (area, contour) = page;
    if area < MIN_AREA * (ww as f64 * wh as f64) {
        return Err(Refusal::NoPage);
    }
    let hull = imageproc::geometry::convex_hull(contour.points.clone());
    let quad = four_corners(&hull).ok_or(Refusal::NoPage)?;
    let quad_area = imageproc::geometry::contour_area(&quad);
    // Four-sided: the region fills its quadrilateral.
    if quad_area <= 0.0 || !(0.85..=1.1).contains(&(area / quad_area)) {
        return Err(Refusal::NoPage);
    }
    let touching = contour
        .points
        .iter()
        .filter(|p| p.x <= 1 || p.y <= 1 || p.x >= ww as i32 - 2 || p.y >= wh as i32 - 2)
        .count();
    if touching > 3 {
        return Err(Refusal::PageCut);
    }
    let (sx, sy) = (w as f32 / ww as f32, h as f32 / wh as f32);
    let coarse = order_corners(quad.map(|p| ((p.x as f32 + 0.5) * sx, (p.y as f32 + 0.5) * sy)));
    let (corners, edge_px) = refine(luma, coarse);
    let limit_px = (w.max(h) as f32 * 0.0025).max(2.5);
    if edge_px > limit_px {
        return Err(Refusal::Blurred { edge_px, limit_px });
    }
    Ok(PageQuad { corners, edge_px })
}

/// Four corners of a convex hull: Douglas–Peucker with a growing
/// tolerance until four points are left, else the extreme points along the
/// diagonals.
fn four_corners(hull: &[Point<i32>]) -> Option<[Point<i32>; 4]> {
    if hull.len() < 4 {
        return None;
    }
    let mut closed = hull.to_vec();
    closed.push(hull[0]);
    let perimeter = imageproc::geometry::arc_length(hull, true);
    if perimeter <= 0.0 {
        return None;
    }
    for step in 1..=20 {
        let epsilon = perimeter * 0.005 * step as f64;
        let approx = imageproc::geometry::approximate_polygon_dp(&closed, epsilon, true);
        if approx.len() == 4 {
            return Some([approx[0], approx[1], approx[2], approx[3]]);
        }
        if approx.len() < 4 {
            break;
        }
    }
    let by = |f: fn(&Point<i32>) -> i32, max: bool| {
        let it = hull.iter().copied();
        if max {
            it.max_by_key(f)
        } else {
            it.min_by_key(f)
        }
    };
    Some([
        by(|p| p.x + p.y, false)?,
        by(|p| p.x - p.y, true)?,
        by(|p| p.x + p.y, true)?,
        by(|p| p.x - p.y, false)?,
    ])
}

/// Top-left, top-right, bottom-right, bottom-left: clockwise on screen
/// from the corner nearest the photo's top-left.
fn order_corners(points: [(f32, f32); 4]) -> [(f32, f32); 4] {
    let cx = points.iter().map(|p| p.0).sum::<f32>() / 4.0;
    let cy = points.iter().map(|p| p.1).sum::<f32>() / 4.0;
    let mut sorted = points;
    sorted.sort_by(|a, b| {
        (a.1 - cy)
            .atan2(a.0 - cx)
            .total_cmp(&(b.1 - cy).atan2(b.0 - cx))
    });
    let first = (0..4)
        .min_by(|&i, &j| (sorted[i].0 + sorted[i].1).total_cmp(&(sorted[j].0 + sorted[j].1)))
        .unwrap_or(0);
    sorted.rotate_left(first);
    sorted
}

/// Moves each side onto the page's edge in the full-size photo (a line
/// fitted to the mid-rise points found along the side's normals) and
/// measures how wide the edge is. Corners are where the fitted sides meet.
fn refine(luma: &GrayImage, coarse: [(f32, f32); 4]) -> ([(f32, f32); 4], f32) {
    let (w, h) = luma.dimensions();
    let reach = (w.max(h) as f32 / 80.0).clamp(6.0, 40.0);
    let centre = (
        coarse.iter().map(|p| p.0).sum::<f32>() / 4.0,
        coarse.iter().map(|p| p.1).sum::<f32>() / 4.0,
    );
    let mut widths = Vec::new();
    let mut lines = Vec::new();
    for i in 0..4 {
        let (a, b) = (coarse[i], coarse[(i + 1) % 4]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length = (dx * dx + dy * dy).sqrt().max(1e-3);
        let mut normal = (dy / length, -dx / length);
        let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        if (mid.0 - centre.0) * normal.0 + (mid.1 - centre.1) * normal.1 < 0.0 {
            normal = (-normal.0, -normal.1);
        }
        let mut points = Vec::new();
        for k in 0..32 {
            let t = 0.1 + 0.8 * k as f32 / 31.0;
            let p = (a.0 + dx * t, a.1 + dy * t);
            if let Some((offset, width)) = edge_profile(luma, p, normal, reach) {
                points.push((p.0 + normal.0 * offset, p.1 + normal.1 * offset));
                widths.push(width);
            }
        }
        lines.push(fit_line(&points));
    }
    let mut corners = coarse;
    let diagonal = ((w * w + h * h) as f32).sqrt();
    for i in 0..4 {
        // Corner i is where side i-1 (ending at it) meets side i.
        if let (Some(l1), Some(l2)) = (lines[(i + 3) % 4], lines[i])
            && let Some(p) = intersect(l1, l2)
            && distance(p, coarse[i]) < diagonal * 0.03
        {
            corners[i] = p;
        }
    }
    widths.sort_by(f32::total_cmp);
    let edge = if widths.len() >= 8 {
        widths[widths.len() / 2]
    } else {
        // No clear edge anywhere: as if blurred beyond measure.
        f32::INFINITY
    };
    (corners, edge)
}

/// Along the normal through `p` (inside bright → outside dark): where the
/// luma crosses half-way (offset from `p`) and the 25–75 % rise width.
fn edge_profile(luma: &GrayImage, p: (f32, f32), n: (f32, f32), reach: f32) -> Option<(f32, f32)> {
    let steps = (2.0 * reach).round() as usize * 2;
    let at = |s: f32| sample(luma, p.0 + n.0 * s, p.1 + n.1 * s);
    let raw: Vec<f32> = (0..=steps)
        .map(|i| at(-reach + 2.0 * reach * i as f32 / steps as f32))
        .collect::<Option<_>>()?;
    // Light smoothing against sensor noise.
    let profile: Vec<f32> = (0..raw.len())
        .map(|i| {
            let lo = i.saturating_sub(1);
            let hi = (i + 1).min(raw.len() - 1);
            raw[lo..=hi].iter().sum::<f32>() / (hi - lo + 1) as f32
        })
        .collect();
    let quarter = profile.len() / 4;
    let inside = profile[..quarter].iter().sum::<f32>() / quarter as f32;
    let outside = profile[profile.len() - quarter..].iter().sum::<f32>() / quarter as f32;
    if inside - outside < 15.0 {
        return None;
    }
    let step = 2.0 * reach / steps as f32;
    let crossing = |fraction: f32| {
        let level = outside + (inside - outside) * fraction;
        profile.windows(2).enumerate().find_map(|(i, pair)| {
            (pair[0] >= level && pair[1] < level).then(|| {
                let f = (pair[0] - level) / (pair[0] - pair[1]);
                -reach + (i as f32 + f) * step
            })
        })
    };
    let (upper, middle, lower) = (crossing(0.75)?, crossing(0.5)?, crossing(0.25)?);
    let width = lower - upper;
    (width >= 0.0).then_some((middle, width))
}

fn sample(luma: &GrayImage, x: f32, y: f32) -> Option<f32> {
    let (w, h) = luma.dimensions();
    if !(x >= 0.0 && y >= 0.0 && x < (w - 1) as f32 && y < (h - 1) as f32) {
        return None;
    }
    let (x0, y0) = (x as u32, y as u32);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let v = |x, y| luma.get_pixel(x, y).0[0] as f32;
    let top = v(x0, y0) * (1.0 - fx) + v(x0 + 1, y0) * fx;
    let bottom = v(x0, y0 + 1) * (1.0 - fx) + v(x0 + 1, y0 + 1) * fx;
    Some(top * (1.0 - fy) + bottom * fy)
}

/// A line through points as (a point on it, its unit direction): total
/// least squares, so steep and flat sides fit alike.
type Line = ((f32, f32), (f32, f32));

fn fit_line(points: &[(f32, f32)]) -> Option<Line> {
    if points.len() < 5 {
        return None;
    }
    let n = points.len() as f32;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f32>() / n,
        points.iter().map(|p| p.1).sum::<f32>() / n,
    );
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for p in points {
        let (dx, dy) = (p.0 - mx, p.1 - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    Some(((mx, my), (angle.cos(), angle.sin())))
}

fn intersect((p, d): Line, (q, e): Line) -> Option<(f32, f32)> {
    let cross = d.0 * e.1 - d.1 * e.0;
    if cross.abs() < 1e-3 {
        return None;
    }
    let t = ((q.0 - p.0) * e.1 - (q.1 - p.1) * e.0) / cross;
    Some((p.0 + d.0 * t, p.1 + d.1 * t))
}

fn distance(a: (f32, f32), b: (f32, f32)) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// The output's size: the page's measured proportions (A4's when close),
/// its long side `long_side`, portrait when the page is taller than wide.
fn output_size(corners: &[(f32, f32); 4], long_side: u32) -> (u32, u32) {
    let width = distance(corners[0], corners[1]).max(distance(corners[3], corners[2]));
    let height = distance(corners[0], corners[3]).max(distance(corners[1], corners[2]));
    let (long, short) = (width.max(height), width.min(height).max(1.0));
    let mut ratio = long / short;
    let a4 = std::f32::consts::SQRT_2;
    if ((ratio - a4) / a4).abs() < 0.1 {
        ratio = a4;
    }
    let short_side = ((long_side as f32 / ratio).round() as u32).clamp(1, long_side);
    if height >= width {
        (short_side, long_side)
    } else {
        (long_side, short_side)
    }
}

fn histogram(image: &GrayImage) -> [u64; 256] {
    let mut counts = [0u64; 256];
    for p in image.pixels() {
        counts[p.0[0] as usize] += 1;
    }
    counts
}

fn percentile(counts: &[u64; 256], fraction: f64) -> u8 {
    let total: u64 = counts.iter().sum();
    let target = (total as f64 * fraction).ceil() as u64;
    let mut seen = 0;
    for (value, &count) in counts.iter().enumerate() {
        seen += count;
        if seen >= target.max(1) {
            return value as u8;
        }
    }
    255
}

/// Mean luma below and above the threshold.
fn class_means(counts: &[u64; 256], level: u8) -> (f32, f32) {
    let mean = |range: std::ops::Range<usize>| {
        let (sum, n) = range.fold((0u64, 0u64), |(s, n), v| {
            (s + v as u64 * counts[v], n + counts[v])
        });
        if n == 0 { 0.0 } else { sum as f32 / n as f32 }
    };
    (mean(0..level as usize + 1), mean(level as usize + 1..256))
}

/// Ink and paper levels of the straightened page: the 1st and 90th
/// percentiles, stretched to black and white.
fn levels(page: &GrayImage) -> (u8, u8) {
    let counts = histogram(page);
    (percentile(&counts, 0.01), percentile(&counts, 0.90))
}

fn stretch(value: u8, (ink, paper): (u8, u8)) -> u8 {
    if paper <= ink.saturating_add(20) {
        return value;
    }
    let v = (value as f32 - ink as f32) / (paper as f32 - ink as f32) * 255.0;
    v.clamp(0.0, 255.0) as u8
}

fn encode<P>(page: &image::ImageBuffer<P, Vec<u8>>, max_bytes: usize) -> (Vec<u8>, u8)
where
    P: image::Pixel<Subpixel = u8> + image::PixelWithColorType,
{
    let mut last = (Vec::new(), 0);
    for quality in [85u8, 75, 65, 55, 45, 35, 25] {
        let mut out = Vec::new();
        let encoded =
            image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), quality)
                .encode_image(page);
        if encoded.is_err() {
            continue;
        }
        let fits = out.len() <= max_bytes;
        last = (out, quality);
        if fits {
            break;
        }
    }
    last
}
