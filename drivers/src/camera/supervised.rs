//! The document camera under the device manager: opened, watched, reopened
//! when it comes back, its health on the staff screen like the other
//! devices. While the capture screen is open ([`CameraFeed::set_active`])
//! every frame is decoded on the camera's thread, kept as the latest full
//! picture (what 拍照 captures) and handed downscaled to the preview sink;
//! otherwise frames are only dequeued (the camera keeps streaming, so the
//! picture is live the moment the screen opens, and a pulled cable shows).

use super::{Camera, CameraError, preview};
use crate::manager::{DeviceId, Fault, Health, Supervised};
use image::RgbImage;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Receives each preview picture on the camera's thread.
pub type PreviewSink = Box<dyn Fn(RgbImage) + Send>;

/// Opens the camera (a V4L2 device or the simulator).
pub type CameraOpener = Box<dyn FnMut() -> Result<Box<dyn Camera>, CameraError> + Send>;

/// The preview's largest size (the capture screen's picture box).
pub const PREVIEW_SIZE: (u32, u32) = (800, 600);

/// Between the camera's thread and the capture screen.
#[derive(Clone)]
pub struct CameraFeed {
    inner: Arc<FeedInner>,
}

struct FeedInner {
    active: AtomicBool,
    latest: Mutex<Option<Arc<RgbImage>>>,
    sink: Mutex<Option<PreviewSink>>,
    preview: (u32, u32),
    frames: AtomicU64,
}

impl Default for CameraFeed {
    fn default() -> Self {
        CameraFeed::new(PREVIEW_SIZE)
    }
}

impl CameraFeed {
    /// A feed whose previews fit `preview` (width, height).
    pub fn new(preview: (u32, u32)) -> CameraFeed {
        CameraFeed {
            inner: Arc::new(FeedInner {
                active: AtomicBool::new(false),
                latest: Mutex::new(None),
                sink: Mutex::new(None),
                preview,
                frames: AtomicU64::new(0),
            }),
        }
    }

    /// The capture screen opened (`true`) or closed. Closing forgets the
    /// last picture: a photo of someone's papers is not kept for nothing.
    pub fn set_active(&self, active: bool) {
        self.inner.active.store(active, Ordering::Relaxed);
        if !active && let Ok(mut latest) = self.inner.latest.lock() {
            *latest = None;
        }
    }

    pub fn is_active(&self) -> bool {
        self.inner.active.load(Ordering::Relaxed)
    }

    /// Where previews go (the UI posts them to its event loop).
    pub fn set_sink(&self, sink: PreviewSink) {
        if let Ok(mut slot) = self.inner.sink.lock() {
            *slot = Some(sink);
        }
    }

    /// The newest full-size picture while active.
    pub fn latest(&self) -> Option<Arc<RgbImage>> {
        self.inner.latest.lock().ok()?.clone()
    }

    /// Frames decoded so far.
    pub fn frames(&self) -> u64 {
        self.inner.frames.load(Ordering::Relaxed)
    }

    /// Takes one decoded frame: keeps it, sends its preview.
    pub fn publish(&self, image: RgbImage) {
        let (w, h) = self.inner.preview;
        let small = preview(&image, w, h);
        if let Ok(mut latest) = self.inner.latest.lock() {
            *latest = Some(Arc::new(image));
        }
        self.inner.frames.fetch_add(1, Ordering::Relaxed);
        if let Ok(sink) = self.inner.sink.lock()
            && let Some(sink) = sink.as_ref()
        {
            sink(small);
        }
    }

    /// Reads, decodes and publishes one frame of `camera`.
    pub fn pump(&self, camera: &mut dyn Camera, timeout: Duration) -> Result<(), CameraError> {
        let frame = camera.frame(timeout)?;
        self.publish(frame.decode()?);
        Ok(())
    }
}

/// A camera for [`crate::manager::DeviceManager::supervise`].
pub struct SupervisedCamera {
    opener: CameraOpener,
    feed: CameraFeed,
}

impl SupervisedCamera {
    pub fn new(opener: CameraOpener, feed: CameraFeed) -> SupervisedCamera {
        SupervisedCamera { opener, feed }
    }
}

fn fault(error: CameraError) -> Fault {
    match error {
        CameraError::NotFound(_) | CameraError::Gone(_) => Fault::Gone(error.to_string()),
        _ => Fault::Failing(error.to_string()),
    }
}

const FRAME_TIMEOUT: Duration = Duration::from_secs(2);

impl Supervised for SupervisedCamera {
    type Device = Box<dyn Camera>;

    fn id(&self) -> DeviceId {
        DeviceId::Camera
    }

    fn open(&mut self) -> Result<Box<dyn Camera>, Fault> {
        let camera = (self.opener)().map_err(fault)?;
        let d = camera.describe();
        log::info!(
            "高拍仪已打开 (camera open): {} {} {}×{} {}",
            d.path,
            d.name,
            d.width,
            d.height,
            d.format
        );
        Ok(camera)
    }

    fn probe(&mut self, camera: &mut Box<dyn Camera>) -> Result<Health, Fault> {
        // A frame that decodes: the camera really works.
        let frame = camera.frame(FRAME_TIMEOUT).map_err(fault)?;
        match frame.decode() {
            Ok(_) => Ok(Health::Ok),
            Err(e) => Ok(Health::Degraded(e.to_string())),
        }
    }

    fn run_once(&mut self, camera: &mut Box<dyn Camera>) -> Result<Health, Fault> {
        let until = Instant::now() + Duration::from_secs(1);
        let mut health = Health::Ok;
        loop {
            let frame = camera.frame(FRAME_TIMEOUT).map_err(fault)?;
            if self.feed.is_active() {
                match frame.decode() {
                    Ok(image) => {
                        self.feed.publish(image);
                        health = Health::Ok;
                    }
                    Err(e) => health = Health::Degraded(e.to_string()),
                }
            }
            if Instant::now() >= until {
                return Ok(health);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::PixelFormat;
    use crate::camera::scene::Scene;
    use crate::camera::sim::SimCamera;
    use crate::manager::{Backoff, DeviceManager};

    #[test]
    fn the_manager_runs_the_camera_and_previews_flow_only_while_active() {
        let feed = CameraFeed::new((160, 120));
        let (tx, rx) = std::sync::mpsc::channel();
        feed.set_sink(Box::new(move |image| {
            let _ = tx.send(image.dimensions());
        }));
        let opener: CameraOpener = Box::new(|| {
            Ok(Box::new(SimCamera::new(
                &[Scene::page(320, 240, 4.0, 0.0)],
                PixelFormat::Mjpeg,
            )) as Box<dyn Camera>)
        });
        let (mut manager, _changes) = DeviceManager::new();
        manager.supervise(
            SupervisedCamera::new(opener, feed.clone()),
            Backoff::default(),
        );
        let started = Instant::now();
        while manager.health_of(DeviceId::Camera) != Some(Health::Ok) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "camera never became Ok"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(feed.frames(), 0, "inactive: nothing decoded");
        assert!(rx.try_recv().is_err());
        feed.set_active(true);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), (160, 120));
        assert_eq!(feed.latest().unwrap().dimensions(), (320, 240));
        feed.set_active(false);
        assert!(feed.latest().is_none());
        manager.shutdown();
    }

    #[test]
    fn a_camera_that_is_not_there_is_missing() {
        let opener: CameraOpener = Box::new(|| Err(CameraError::NotFound("/dev/video9".into())));
        let (mut manager, _changes) = DeviceManager::new();
        manager.supervise(
            SupervisedCamera::new(opener, CameraFeed::default()),
            Backoff::default(),
        );
        let started = Instant::now();
        loop {
            if let Some(Health::Missing(reason)) = manager.health_of(DeviceId::Camera) {
                assert!(reason.contains("/dev/video9"), "{reason}");
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
