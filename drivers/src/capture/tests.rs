//! The capture pipeline over generated photos (`camera::scene`): pages
//! found and straightened whatever their angle, perspective and light;
//! the desk, darkness, blur and cut-off pages refused with their codes;
//! garbage never panics.

use super::*;
use crate::camera::scene::{MARKER_MM, PAGE_MM, Scene};

use proptest::prelude::*;

const W: u32 = 1600;
const H: u32 = 1200;

fn decode(page: &CapturedPage) -> GrayImage {
    image::load_from_memory(&page.jpeg).unwrap().to_luma8()
}

/// Mean luma of a box given in page millimetres.
fn mean_mm(page: &GrayImage, x: f32, y: f32, side: f32) -> f32 {
    let (w, h) = page.dimensions();
    let (kx, ky) = (w as f32 / PAGE_MM.0, h as f32 / PAGE_MM.1);
    let (x0, y0, x1, y1) = (
        (x * kx) as u32,
        (y * ky) as u32,
        ((x + side) * kx) as u32,
        ((y + side) * ky) as u32,
    );
    let mut sum = 0u64;
    for yy in y0..y1 {
        for xx in x0..x1 {
            sum += page.get_pixel(xx, yy).0[0] as u64;
        }
    }
    sum as f32 / ((x1 - x0) * (y1 - y0)) as f32
}

/// Found, corners near the truth, A4 at ≥ 150 dpi, ≤ 500 KB, upright (the
/// marker in the top-left, paper in the other corners).
fn assert_straightened(scene: &Scene, expected_angle: f32) -> CapturedPage {
    let photo = scene.render();
    let page = capture(&photo, &CaptureOptions::default())
        .unwrap_or_else(|r| panic!("{scene:?}: refused {} ({r})", r.code()));
    let truth = scene.page.unwrap();
    let diagonal = ((W * W + H * H) as f32).sqrt();
    for (found, real) in page.corners.iter().zip(truth) {
        let off = distance(*found, real);
        assert!(
            off < diagonal * 0.006,
            "corner {found:?} vs {real:?}: {off:.1} px off"
        );
    }
    assert!(
        (page.angle_deg - expected_angle).abs() < 1.0,
        "angle {} vs {expected_angle}",
        page.angle_deg
    );
    assert_eq!((page.width, page.height), A4_150DPI);
    assert!(page.jpeg.len() <= 500 * 1024, "{} bytes", page.jpeg.len());
    let out = decode(&page);
    assert_eq!(out.dimensions(), A4_150DPI);
    let (mx, my, side) = MARKER_MM;
    let inset = 4.0;
    let marker = mean_mm(&out, mx + inset, my + inset, side - 2.0 * inset);
    assert!(marker < 70.0, "marker not dark at top-left: {marker}");
    // Blank paper in the other three corners (no text there).
    for (x, y, side) in [
        (172.0, 14.0, 18.0),
        (3.0, 279.0, 14.0),
        (193.0, 279.0, 14.0),
    ] {
        let corner = mean_mm(&out, x + 2.0, y + 2.0, side - 4.0);
        assert!(corner > 200.0, "paper expected at ({x}, {y}) mm: {corner}");
    }
    page
}

#[test]
fn rotated_pages_are_found_and_straightened() {
    for degrees in [3.0, -7.0, 10.0, -15.0, 15.0] {
        assert_straightened(&Scene::page(W, H, degrees, 0.0), degrees);
    }
}

#[test]
fn a_tilted_camera_perspective_is_corrected() {
    for (degrees, tilt) in [(0.0, 0.12), (5.0, 0.08), (-9.0, 0.15)] {
        // The top edge is shorter: the two edges' angles differ; the
        // average is the rotation.
        let page = assert_straightened(&Scene::page(W, H, degrees, tilt), degrees);
        assert!(page.edge_px < 3.0, "{}", page.edge_px);
    }
}

#[test]
fn a_page_in_dim_light_is_found_and_cleaned() {
    let page = assert_straightened(&Scene::page(W, H, 6.0, 0.05).with_light(0.35), 6.0);
    // Stretched: paper comes out near white, not the dim grey it was shot.
    let out = decode(&page);
    assert!(mean_mm(&out, 100.0, 40.0, 8.0) > 235.0);
}

#[test]
fn colour_output_is_the_same_page_in_colour() {
    let photo = Scene::page(W, H, 4.0, 0.0).render();
    let options = CaptureOptions {
        colour: true,
        ..CaptureOptions::default()
    };
    let page = capture(&photo, &options).unwrap();
    let decoded = image::load_from_memory(&page.jpeg).unwrap();
    assert_eq!(decoded.color(), image::ColorType::Rgb8);
    assert!(page.jpeg.len() <= options.max_bytes);
}

#[test]
fn an_empty_desk_is_no_page() {
    let refusal = capture(
        &Scene::empty_desk(W, H).render(),
        &CaptureOptions::default(),
    )
    .unwrap_err();
    assert_eq!(refusal, Refusal::NoPage);
    assert_eq!(refusal.code(), "capture.no_page");
    assert!(refusal.message().contains("没有找到材料"));
}

#[test]
fn darkness_is_too_dark() {
    let refusal = capture(
        &Scene::page(W, H, 5.0, 0.0).with_light(0.12).render(),
        &CaptureOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(refusal, Refusal::TooDark { .. }), "{refusal:?}");
    assert_eq!(refusal.code(), "capture.too_dark");
}

#[test]
fn a_blurred_photo_is_blurred_and_a_sharp_one_not() {
    let scene = Scene::page(W, H, 5.0, 0.0);
    let sharp = capture(&scene.render(), &CaptureOptions::default()).unwrap();
    let refusal = capture(
        &scene.clone().with_blur(6.0).render(),
        &CaptureOptions::default(),
    )
    .unwrap_err();
    match refusal {
        Refusal::Blurred { edge_px, limit_px } => {
            assert!(edge_px > limit_px && sharp.edge_px < limit_px)
        }
        other => panic!("expected blurred, got {other:?}"),
    }
    assert_eq!(refusal.code(), "capture.blurred");
}

#[test]
fn a_page_off_the_edge_is_cut() {
    let mut scene = Scene::page(W, H, 5.0, 0.0);
    let corners = scene.page.unwrap();
    // Slide the page 40 % of its width out of the picture to the right.
    scene.page = Some(corners.map(|(x, y)| (x + W as f32 * 0.45, y)));
    let refusal = capture(&scene.render(), &CaptureOptions::default()).unwrap_err();
    assert_eq!(refusal.code(), "capture.page_cut", "{refusal:?}");
}

#[test]
fn every_refusal_has_a_distinct_code_and_chinese_words() {
    let all = [
        Refusal::TooDark { brightness: 10 },
        Refusal::NoPage,
        Refusal::PageCut,
        Refusal::Blurred {
            edge_px: 9.0,
            limit_px: 4.0,
        },
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(Refusal::code).collect();
    assert_eq!(codes.len(), all.len());
    for r in &all {
        assert!(r.code().starts_with("capture."));
        assert!(
            r.message()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
    }
}

#[test]
fn the_captured_page_debug_shows_no_pixels() {
    let page = capture(
        &Scene::page(800, 600, 3.0, 0.0).render(),
        &CaptureOptions::default(),
    )
    .unwrap();
    let text = format!("{page:?}");
    assert!(text.contains("jpeg_bytes") && text.len() < 400, "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random pixels of random sizes: a refusal or a page, never a panic.
    #[test]
    fn garbage_never_panics(w in 1u32..96, h in 1u32..96, seed in any::<u64>(), flat in any::<bool>()) {
        let mut state = seed | 1;
        let photo = RgbImage::from_fn(w, h, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if flat { Rgb([200, 200, 200]) } else { Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8]) }
        });
        let _ = capture(&photo, &CaptureOptions::default());
    }

    /// Blocks of light and dark (page-like shapes, cut, tiny, thin): never a panic.
    #[test]
    fn random_rectangles_never_panic(
        w in 16u32..200, h in 16u32..200,
        x0 in 0u32..200, y0 in 0u32..200, x1 in 0u32..200, y1 in 0u32..200,
        paper in 0u8..=255, desk in 0u8..=255,
    ) {
        let photo = RgbImage::from_fn(w, h, |x, y| {
            let inside = (x0.min(x1)..=x0.max(x1)).contains(&x) && (y0.min(y1)..=y0.max(y1)).contains(&y);
            let v = if inside { paper } else { desk };
            Rgb([v, v, v])
        });
        if let Ok(page) = capture(&photo, &CaptureOptions::default()) {
            prop_assert!(page.jpeg.len() <= 500 * 1024);
        }
    }

    /// Bytes that claim to be a camera frame: an error or a picture.
    #[test]
    fn garbage_frames_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600), w in 0u32..40, h in 0u32..40) {
        use crate::camera::{Frame, PixelFormat};
        for format in [PixelFormat::Mjpeg, PixelFormat::Yuyv] {
            let mut bytes = data.clone();
            if format == PixelFormat::Mjpeg && bytes.len() > 4 {
                bytes[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xDB]);
            }
            let frame = Frame { format, width: w, height: h, stride: 2 * w, sequence: 0, data: bytes };
            let _ = frame.decode();
        }
    }
}
