//! USB UVC document cameras through Video4Linux2 (the `v4l` crate):
//! capability check, format negotiation (MJPEG preferred, else YUYV; the
//! frame size nearest the one asked for), mmap streaming with four buffers.

use super::{Camera, CameraDescription, CameraError, Frame, PixelFormat};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use v4l::buffer::Type;
use v4l::capability::Flags;
use v4l::framesize::FrameSizeEnum;
use v4l::io::mmap::Stream;
use v4l::io::traits::CaptureStream;
use v4l::video::Capture;
use v4l::{Device, Format, FourCC};

/// The frame size asked for when kiosk.toml names none: 2 MP, what most
/// 高拍仪 stream in MJPEG at 15 frames a second or more.
pub const DEFAULT_SIZE: (u32, u32) = (1600, 1200);

/// An open, streaming V4L2 camera.
pub struct V4l2Camera {
    // Declared first: the buffers are unmapped before the device closes.
    stream: Stream<'static>,
    _device: Device,
    description: CameraDescription,
    stride: u32,
}

/// One `/dev/video*` node and what it offers (`onevisit devices list`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CameraInfo {
    pub path: PathBuf,
    pub name: String,
    pub driver: String,
    pub bus: String,
    /// Captures video and streams (UVC cameras' metadata nodes do not).
    pub capture: bool,
    /// Each format as its four-character code with its frame sizes.
    pub formats: Vec<(String, Vec<(u32, u32)>)>,
    /// A format we decode (MJPEG or YUYV) is among them.
    pub usable: bool,
}

/// Every video device node, with what it offers; nodes that cannot be
/// opened are left out.
pub fn list_devices() -> Vec<CameraInfo> {
    let mut nodes: Vec<PathBuf> = v4l::context::enum_devices()
        .into_iter()
        .map(|node| node.path().to_path_buf())
        .collect();
    nodes.sort();
    nodes
        .iter()
        .filter_map(|path| describe_node(path).ok())
        .collect()
}

/// What one node offers.
pub fn describe_node(path: &Path) -> Result<CameraInfo, CameraError> {
    let device = open_device(path)?;
    let caps = device.query_caps().map_err(|e| io_error(path, e))?;
    let capture = caps.capabilities.contains(Flags::VIDEO_CAPTURE)
        && caps.capabilities.contains(Flags::STREAMING);
    let mut formats = Vec::new();
    if capture {
        for description in device.enum_formats().unwrap_or_default() {
            let sizes = device
                .enum_framesizes(description.fourcc)
                .unwrap_or_default()
                .into_iter()
                .flat_map(|size| discrete_sizes(size.size))
                .collect();
            formats.push((fourcc_text(description.fourcc), sizes));
        }
    }
    let usable = formats.iter().any(|(code, _)| {
        code.as_bytes()
            .try_into()
            .ok()
            .and_then(PixelFormat::from_fourcc)
            .is_some()
    });
    Ok(CameraInfo {
        path: path.to_path_buf(),
        name: caps.card,
        driver: caps.driver,
        bus: caps.bus,
        capture,
        formats,
        usable,
    })
}

impl V4l2Camera {
    /// Opens `path` and starts streaming at the size nearest `wanted`.
    pub fn open(path: &Path, wanted: (u32, u32)) -> Result<V4l2Camera, CameraError> {
        let device = open_device(path)?;
        let caps = device.query_caps().map_err(|e| io_error(path, e))?;
        if !caps.capabilities.contains(Flags::VIDEO_CAPTURE)
            || !caps.capabilities.contains(Flags::STREAMING)
        {
            return Err(CameraError::NotACamera(path.display().to_string()));
        }
        let offered = device.enum_formats().map_err(|e| io_error(path, e))?;
        let format = [PixelFormat::Mjpeg, PixelFormat::Yuyv]
            .into_iter()
            .find(|f| offered.iter().any(|d| d.fourcc.repr == *f.fourcc()))
            .ok_or_else(|| {
                CameraError::NoUsableFormat(
                    offered
                        .iter()
                        .map(|d| fourcc_text(d.fourcc))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })?;
        let fourcc = FourCC::new(format.fourcc());
        let sizes: Vec<(u32, u32)> = device
            .enum_framesizes(fourcc)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|size| discrete_sizes(size.size))
            .collect();
        let (width, height) = nearest_size(&sizes, wanted).unwrap_or(wanted);
        let set = device
            .set_format(&Format::new(width, height, fourcc))
            .map_err(|e| io_error(path, e))?;
        if set.fourcc != fourcc {
            return Err(CameraError::NoUsableFormat(fourcc_text(set.fourcc)));
        }
        let stream =
            Stream::with_buffers(&device, Type::VideoCapture, 4).map_err(|e| io_error(path, e))?;
        Ok(V4l2Camera {
            stream,
            _device: device,
            description: CameraDescription {
                path: path.display().to_string(),
                name: caps.card,
                format,
                width: set.width,
                height: set.height,
            },
            stride: set.stride,
        })
    }
}

impl Camera for V4l2Camera {
    fn describe(&self) -> CameraDescription {
        self.description.clone()
    }

    fn frame(&mut self, timeout: Duration) -> Result<Frame, CameraError> {
        self.stream
            .set_timeout(timeout.max(Duration::from_millis(1)));
        let (data, meta) = self.stream.next().map_err(|e| {
            if e.kind() == io::ErrorKind::TimedOut {
                CameraError::Timeout(timeout.as_millis() as u64)
            } else {
                stream_error(&self.description.path, e)
            }
        })?;
        // Some drivers leave bytesused 0 for uncompressed formats.
        let used = match meta.bytesused as usize {
            0 => data.len(),
            n => n.min(data.len()),
        };
        Ok(Frame {
            format: self.description.format,
            width: self.description.width,
            height: self.description.height,
            stride: self.stride,
            sequence: meta.sequence,
            data: data[..used].to_vec(),
        })
    }
}

/// The offered size nearest `wanted` (by the difference in pixel count,
/// a size at least as large winning a tie).
pub fn nearest_size(sizes: &[(u32, u32)], wanted: (u32, u32)) -> Option<(u32, u32)> {
    let area = |(w, h): (u32, u32)| w as i64 * h as i64;
    sizes
        .iter()
        .copied()
        .min_by_key(|&s| ((area(s) - area(wanted)).abs(), area(s) < area(wanted)))
}

fn discrete_sizes(size: FrameSizeEnum) -> Vec<(u32, u32)> {
    match size {
        FrameSizeEnum::Discrete(d) => vec![(d.width, d.height)],
        // Stepwise: the two ends are enough to choose from.
        FrameSizeEnum::Stepwise(s) => {
            vec![(s.min_width, s.min_height), (s.max_width, s.max_height)]
        }
    }
}

fn fourcc_text(code: FourCC) -> String {
    code.str()
        .map(str::to_owned)
        .unwrap_or_else(|_| format!("{:?}", code.repr))
}

fn open_device(path: &Path) -> Result<Device, CameraError> {
    Device::with_path(path).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ENODEV) | Some(libc::ENXIO) => {
            CameraError::NotFound(path.display().to_string())
        }
        _ => io_error(path, e),
    })
}

fn io_error(path: &Path, e: io::Error) -> CameraError {
    CameraError::Io(format!("{}: {e}", path.display()))
}

/// While streaming, ENODEV (and EIO from some hubs) means unplugged.
fn stream_error(path: &str, e: io::Error) -> CameraError {
    match e.raw_os_error() {
        Some(libc::ENODEV) | Some(libc::EIO) | Some(libc::ENXIO) => {
            CameraError::Gone(format!("{path}: {e}"))
        }
        _ => CameraError::Io(format!("{path}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_size_is_chosen() {
        let sizes = [(640, 480), (1280, 720), (1600, 1200), (2592, 1944)];
        assert_eq!(nearest_size(&sizes, (1600, 1200)), Some((1600, 1200)));
        assert_eq!(nearest_size(&sizes, (1920, 1080)), Some((1600, 1200)));
        assert_eq!(nearest_size(&sizes, (4000, 3000)), Some((2592, 1944)));
        assert_eq!(nearest_size(&[], (640, 480)), None);
    }

    #[test]
    fn a_missing_node_is_not_found() {
        let error = V4l2Camera::open(Path::new("/dev/video-onevisit-none"), DEFAULT_SIZE)
            .err()
            .unwrap();
        assert_eq!(error.code(), "camera.not_found");
    }

    /// The real backend, on whatever camera this machine has: skipped
    /// (with a message) when there is none.
    #[test]
    fn a_real_camera_streams_decodable_frames() {
        let Some(info) = list_devices().into_iter().find(|i| i.capture && i.usable) else {
            eprintln!("SKIPPED: no V4L2 capture device with MJPEG or YUYV on this machine");
            return;
        };
        let mut camera = V4l2Camera::open(&info.path, DEFAULT_SIZE).expect("opening the camera");
        let description = camera.describe();
        let frame = (0..5)
            .find_map(|_| camera.frame(Duration::from_secs(3)).ok())
            .expect("a frame within 15 s");
        let image = frame.decode().expect("decoding the camera's frame");
        assert_eq!(image.dimensions(), (description.width, description.height));
    }
}
