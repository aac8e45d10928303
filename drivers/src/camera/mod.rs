//! The document camera (高拍仪): frames from a USB UVC camera through
//! Video4Linux2 ([`v4l2::V4l2Camera`]), or from the simulated camera
//! ([`sim::SimCamera`]), which serves generated photos ([`scene`]) as the
//! same MJPEG or YUYV bytes a real camera sends. Both hand out [`Frame`]s;
//! [`Frame::decode`] is the one path from camera bytes to pixels, and
//! [`preview`] the downscale for the live picture on screen.
//!
//! Finding and straightening the page in a frame is `crate::capture`.
//! [`supervised::SupervisedCamera`] runs a camera under the device
//! manager and feeds the capture screen ([`supervised::CameraFeed`]).

pub mod scene;
pub mod sim;
pub mod supervised;
pub mod v4l2;

use image::RgbImage;
use std::fmt;
use std::time::Duration;

/// How a frame's bytes are laid out. The two formats every UVC document
/// camera offers; MJPEG is preferred (a fraction of the USB bandwidth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelFormat {
    /// Motion JPEG: each frame a JPEG image (often without Huffman tables,
    /// which the decoder supplies).
    Mjpeg,
    /// YUV 4:2:2 packed as Y0 U Y1 V, two bytes a pixel.
    Yuyv,
}

impl PixelFormat {
    /// The V4L2 four-character code.
    pub const fn fourcc(self) -> &'static [u8; 4] {
        match self {
            PixelFormat::Mjpeg => b"MJPG",
            PixelFormat::Yuyv => b"YUYV",
        }
    }

    /// The format with this four-character code, if it is one we decode.
    pub fn from_fourcc(code: &[u8; 4]) -> Option<PixelFormat> {
        match code {
            b"MJPG" => Some(PixelFormat::Mjpeg),
            b"YUYV" => Some(PixelFormat::Yuyv),
            _ => None,
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PixelFormat::Mjpeg => "MJPEG",
            PixelFormat::Yuyv => "YUYV",
        })
    }
}

/// One frame as the camera sent it.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    /// Bytes per row for YUYV (at least `2 × width`); unused for MJPEG.
    pub stride: u32,
    /// The camera's frame counter.
    pub sequence: u32,
    pub data: Vec<u8>,
}

impl fmt::Debug for Frame {
    // A frame is a picture of someone's documents: never its bytes in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Frame({} {}×{}, #{}, {} bytes)",
            self.format,
            self.width,
            self.height,
            self.sequence,
            self.data.len()
        )
    }
}

/// Largest frame we decode: 8192 × 8192 (document cameras stop near 16 MP).
pub const MAX_SIDE: u32 = 8192;

impl Frame {
    /// The pixels. Bad bytes (a truncated JPEG, a short YUYV buffer, sizes
    /// out of range) are [`CameraError::Decode`], never a panic.
    pub fn decode(&self) -> Result<RgbImage, CameraError> {
        match self.format {
            PixelFormat::Mjpeg => decode_jpeg(&self.data),
            PixelFormat::Yuyv => decode_yuyv(&self.data, self.width, self.height, self.stride),
        }
    }
}

/// Decodes a JPEG (an MJPEG frame or a photo file) to RGB.
pub fn decode_jpeg(data: &[u8]) -> Result<RgbImage, CameraError> {
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(data), image::ImageFormat::Jpeg);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| CameraError::Decode(format!("MJPEG: {e}")))?;
    Ok(image.to_rgb8())
}

/// Converts packed YUYV (BT.601, limited range) to RGB.
pub fn decode_yuyv(
    data: &[u8],
    width: u32,
    height: u32,
    stride: u32,
) -> Result<RgbImage, CameraError> {
    if width == 0
        || height == 0
        || width > MAX_SIDE
        || height > MAX_SIDE
        || !width.is_multiple_of(2)
    {
        return Err(CameraError::Decode(format!(
            "YUYV: 尺寸不可用 (bad size {width}×{height})"
        )));
    }
    let row = 2 * width as usize;
    let stride = (stride as usize).max(row);
    let needed = stride * (height as usize - 1) + row;
    if data.len() < needed {
        return Err(CameraError::Decode(format!(
            "YUYV: 数据不足 (short frame: {} of {needed} bytes)",
            data.len()
        )));
    }
    let mut out = RgbImage::new(width, height);
    let pixels: &mut [u8] = &mut out;
    for y in 0..height as usize {
        let src = &data[y * stride..y * stride + row];
        let dst = &mut pixels[y * width as usize * 3..(y + 1) * width as usize * 3];
        for (quad, rgb) in src.chunks_exact(4).zip(dst.chunks_exact_mut(6)) {
            let (u, v) = (quad[1] as i32 - 128, quad[3] as i32 - 128);
            for (i, luma) in [quad[0], quad[2]].into_iter().enumerate() {
                let c = 298 * (luma as i32 - 16);
                let px = &mut rgb[i * 3..i * 3 + 3];
                px[0] = clamp8((c + 409 * v + 128) >> 8);
                px[1] = clamp8((c - 100 * u - 208 * v + 128) >> 8);
                px[2] = clamp8((c + 516 * u + 128) >> 8);
            }
        }
    }
    Ok(out)
}

/// Packs RGB as YUYV (BT.601, limited range): what a YUYV camera sends. The
/// simulated camera uses it; so do the tests of [`decode_yuyv`].
pub fn encode_yuyv(image: &RgbImage) -> Vec<u8> {
    let (width, height) = image.dimensions();
    let width = width & !1;
    let mut out = Vec::with_capacity(width as usize * height as usize * 2);
    for y in 0..height {
        for x in (0..width).step_by(2) {
            let a = image.get_pixel(x, y).0;
            let b = image.get_pixel(x + 1, y).0;
            let yuv = |p: [u8; 3]| {
                let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
                (
                    ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16,
                    ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128,
                    ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128,
                )
            };
            let (ya, ua, va) = yuv(a);
            let (yb, ub, vb) = yuv(b);
            out.extend_from_slice(&[
                clamp8(ya),
                clamp8((ua + ub) / 2),
                clamp8(yb),
                clamp8((va + vb) / 2),
            ]);
        }
    }
    out
}

fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// The live picture: `image` scaled down to fit `max_width` × `max_height`
/// (never up), fast enough for every frame (≥ 10 a second).
pub fn preview(image: &RgbImage, max_width: u32, max_height: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let scale = (max_width as f32 / w.max(1) as f32)
        .min(max_height as f32 / h.max(1) as f32)
        .min(1.0);
    let (pw, ph) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    if (pw, ph) == (w, h) {
        return image.clone();
    }
    image::imageops::thumbnail(image, pw, ph)
}

/// What a camera is and what it is sending.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CameraDescription {
    /// `/dev/video0` or `sim`.
    pub path: String,
    /// The device's own name (V4L2 `card`), e.g. "USB Document Camera".
    pub name: String,
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
}

/// A source of frames: a V4L2 device or the simulator.
pub trait Camera: Send {
    /// What is streaming.
    fn describe(&self) -> CameraDescription;

    /// The next frame, waiting at most `timeout`.
    fn frame(&mut self, timeout: Duration) -> Result<Frame, CameraError>;
}

impl Camera for Box<dyn Camera> {
    fn describe(&self) -> CameraDescription {
        (**self).describe()
    }
    fn frame(&mut self, timeout: Duration) -> Result<Frame, CameraError> {
        (**self).frame(timeout)
    }
}

/// How the camera failed. [`CameraError::code`] is stable (logs, `--format json`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    #[error("没有找到摄像头 {0} (camera not found)")]
    NotFound(String),
    #[error("{0} 不是视频采集设备 (not a capture device)")]
    NotACamera(String),
    #[error("摄像头不支持 MJPEG 或 YUYV (no usable format; offers {0})")]
    NoUsableFormat(String),
    #[error("摄像头已断开 (camera gone): {0}")]
    Gone(String),
    #[error("摄像头读写错误 (camera I/O): {0}")]
    Io(String),
    #[error("摄像头没有送来画面 (no frame within {0} ms)")]
    Timeout(u64),
    #[error("画面无法解码 (frame decode): {0}")]
    Decode(String),
}

impl CameraError {
    /// The stable code.
    pub const fn code(&self) -> &'static str {
        match self {
            CameraError::NotFound(_) => "camera.not_found",
            CameraError::NotACamera(_) => "camera.not_a_camera",
            CameraError::NoUsableFormat(_) => "camera.no_format",
            CameraError::Gone(_) => "camera.gone",
            CameraError::Io(_) => "camera.io",
            CameraError::Timeout(_) => "camera.timeout",
            CameraError::Decode(_) => "camera.decode",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_round_trip_keeps_colours_close() {
        let mut image = RgbImage::new(8, 2);
        for (i, p) in image.pixels_mut().enumerate() {
            // Pairs of equal pixels, so 4:2:2 chroma loses nothing.
            let v = (i / 2 * 30) as u8;
            *p = image::Rgb([v, 255 - v, v / 2 + 60]);
        }
        let bytes = encode_yuyv(&image);
        assert_eq!(bytes.len(), 8 * 2 * 2);
        let back = decode_yuyv(&bytes, 8, 2, 16).unwrap();
        for (a, b) in image.pixels().zip(back.pixels()) {
            for c in 0..3 {
                assert!((a[c] as i32 - b[c] as i32).abs() <= 3, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn short_or_odd_yuyv_is_an_error() {
        assert_eq!(
            decode_yuyv(&[0; 10], 4, 2, 8).unwrap_err().code(),
            "camera.decode"
        );
        assert_eq!(
            decode_yuyv(&[0; 64], 3, 2, 8).unwrap_err().code(),
            "camera.decode"
        );
        assert_eq!(
            decode_yuyv(&[], 0, 0, 0).unwrap_err().code(),
            "camera.decode"
        );
        // A stride larger than the row is honoured (padding skipped).
        assert!(decode_yuyv(&[128; 2 * 20 + 8], 4, 2, 20).is_ok());
    }

    #[test]
    fn truncated_mjpeg_is_an_error() {
        let frame = Frame {
            format: PixelFormat::Mjpeg,
            width: 4,
            height: 4,
            stride: 0,
            sequence: 0,
            data: vec![0xFF, 0xD8, 0xFF, 0xDB, 0, 3],
        };
        assert_eq!(frame.decode().unwrap_err().code(), "camera.decode");
        assert!(format!("{frame:?}").contains("6 bytes"));
    }

    #[test]
    fn preview_fits_the_box_and_never_grows() {
        let image = RgbImage::new(1600, 1200);
        assert_eq!(preview(&image, 640, 640).dimensions(), (640, 480));
        assert_eq!(preview(&image, 4000, 4000).dimensions(), (1600, 1200));
    }
}
