//! The simulated document camera: generated photos ([`super::scene`])
//! encoded once as MJPEG (or packed as YUYV) and served as frames at the
//! pace of a real camera, so everything after the camera (decode, preview,
//! capture) runs the code it runs with a real one. Which photo is under the
//! camera is switched through [`SimControl`] (the developer panel, tests,
//! the demo: "the applicant put the next page down").

use super::scene::Scene;
use super::{Camera, CameraDescription, CameraError, Frame, PixelFormat};
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The size of the simulator's frames (a 2 MP document camera's preview).
pub const SIM_SIZE: (u32, u32) = (1600, 1200);

/// Frames a second the simulator sends.
pub const SIM_FPS: u32 = 15;

/// Picks which of the simulator's photos is under the camera.
#[derive(Debug, Clone, Default)]
pub struct SimControl(Arc<AtomicUsize>);

impl SimControl {
    /// Shows photo `index` (wrapping around the list).
    pub fn show(&self, index: usize) {
        self.0.store(index, Ordering::Relaxed);
    }

    /// The photo shown now.
    pub fn shown(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// A camera that serves generated photos.
pub struct SimCamera {
    format: PixelFormat,
    width: u32,
    height: u32,
    frames: Vec<Vec<u8>>,
    control: SimControl,
    sequence: u32,
    next_due: Instant,
    interval: Duration,
}

impl SimCamera {
    /// Serves `scenes` (all of one size) in `format`; photo 0 first.
    pub fn new(scenes: &[Scene], format: PixelFormat) -> SimCamera {
        let (width, height) = scenes.first().map_or(SIM_SIZE, |s| (s.width, s.height));
        let frames = scenes
            .iter()
            .map(|scene| {
                let photo = scene.render();
                match format {
                    PixelFormat::Mjpeg => {
                        let mut out = Vec::new();
                        image::codecs::jpeg::JpegEncoder::new_with_quality(
                            Cursor::new(&mut out),
                            85,
                        )
                        .encode_image(&photo)
                        .expect("encoding a generated photo in memory");
                        out
                    }
                    PixelFormat::Yuyv => super::encode_yuyv(&photo),
                }
            })
            .collect();
        SimCamera {
            format,
            width,
            height,
            frames,
            control: SimControl::default(),
            sequence: 0,
            next_due: Instant::now(),
            interval: Duration::from_secs(1) / SIM_FPS,
        }
    }

    /// The default run's camera: 0 and 1 are two different A4 pages lying
    /// askew (6° and −4°, the camera a little tilted), 2 the empty desk,
    /// 3 a page in dim light.
    pub fn documents(format: PixelFormat) -> SimCamera {
        let (w, h) = SIM_SIZE;
        SimCamera::new(&SimCamera::document_scenes(w, h), format)
    }

    /// The photos of [`SimCamera::documents`] at any size.
    pub fn document_scenes(width: u32, height: u32) -> Vec<Scene> {
        vec![
            Scene::page(width, height, 6.0, 0.06).with_seed(1),
            Scene::page(width, height, -4.0, 0.04).with_seed(2),
            Scene::empty_desk(width, height),
            Scene::page(width, height, 3.0, 0.0)
                .with_seed(3)
                .with_light(0.35),
        ]
    }

    /// The switch for the photo under the camera.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// Switched by `control` (shared by every camera a reopening opener makes).
    pub fn with_control(mut self, control: SimControl) -> SimCamera {
        self.control = control;
        self
    }

    /// An opener for the device manager: the default run's photos, switched
    /// by `control`.
    pub fn opener(control: SimControl) -> super::supervised::CameraOpener {
        Box::new(move || {
            Ok(
                Box::new(SimCamera::documents(PixelFormat::Mjpeg).with_control(control.clone()))
                    as Box<dyn Camera>,
            )
        })
    }

    /// Serves frames as fast as they are asked for (benches, tests).
    pub fn unpaced(mut self) -> SimCamera {
        self.interval = Duration::ZERO;
        self
    }
}

impl Camera for SimCamera {
    fn describe(&self) -> CameraDescription {
        CameraDescription {
            path: "sim".into(),
            name: "模拟高拍仪 (simulated document camera)".into(),
            format: self.format,
            width: self.width,
            height: self.height,
        }
    }

    fn frame(&mut self, timeout: Duration) -> Result<Frame, CameraError> {
        if self.frames.is_empty() {
            return Err(CameraError::Timeout(timeout.as_millis() as u64));
        }
        let now = Instant::now();
        if self.next_due > now {
            let wait = self.next_due - now;
            if wait > timeout {
                std::thread::sleep(timeout);
                return Err(CameraError::Timeout(timeout.as_millis() as u64));
            }
            std::thread::sleep(wait);
        }
        self.next_due = Instant::now().max(self.next_due) + self.interval;
        self.sequence = self.sequence.wrapping_add(1);
        let data = self.frames[self.control.shown() % self.frames.len()].clone();
        Ok(Frame {
            format: self.format,
            width: self.width,
            height: self.height,
            stride: 2 * self.width,
            sequence: self.sequence,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_decode_to_the_generated_photo() {
        let scenes = [Scene::page(320, 240, 5.0, 0.0)];
        let photo = scenes[0].render();
        for format in [PixelFormat::Mjpeg, PixelFormat::Yuyv] {
            let mut camera = SimCamera::new(&scenes, format).unpaced();
            let frame = camera.frame(Duration::from_secs(1)).unwrap();
            assert_eq!(frame.format, format);
            let decoded = frame.decode().unwrap();
            assert_eq!(decoded.dimensions(), (320, 240));
            // Mean absolute difference small: the same picture came through.
            let diff: u64 = photo
                .as_raw()
                .iter()
                .zip(decoded.as_raw())
                .map(|(&a, &b)| (a as i32 - b as i32).unsigned_abs() as u64)
                .sum();
            let mean = diff as f64 / photo.as_raw().len() as f64;
            assert!(mean < 8.0, "{format}: mean difference {mean}");
        }
    }

    #[test]
    fn the_control_switches_the_photo_and_frames_are_paced() {
        let mut camera = SimCamera::new(
            &[Scene::page(64, 48, 0.0, 0.0), Scene::empty_desk(64, 48)],
            PixelFormat::Mjpeg,
        );
        let control = camera.control();
        let first = camera.frame(Duration::from_secs(1)).unwrap();
        control.show(1);
        let started = Instant::now();
        let second = camera.frame(Duration::from_secs(1)).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert_ne!(first.data, second.data);
        assert_eq!(second.sequence, first.sequence + 1);
        control.show(2);
        assert_eq!(
            camera.frame(Duration::from_secs(1)).unwrap().data,
            first.data
        );
    }
}
