//! The document camera (高拍仪) in `devices list` and `devices test camera`.

use super::OutputFormat;
use onevisit_drivers::camera::sim::SimCamera;
use onevisit_drivers::camera::v4l2::{self, V4l2Camera};
use onevisit_drivers::camera::{Camera, CameraError, PixelFormat};
use onevisit_drivers::capture::{CaptureOptions, capture};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug, Clone)]
pub struct CameraTestArgs {
    /// The V4L2 node (/dev/video0, /dev/v4l/by-id/...) or `sim`.
    #[arg(long, default_value = "/dev/video0")]
    pub device: String,
    /// Frame size to ask for (the nearest offered is used).
    #[arg(long, default_value_t = v4l2::DEFAULT_SIZE.0)]
    pub width: u32,
    #[arg(long, default_value_t = v4l2::DEFAULT_SIZE.1)]
    pub height: u32,
    /// Frames to read.
    #[arg(long, default_value_t = 30)]
    pub frames: u32,
    /// Also try to capture a page from the last frame and write it here.
    #[arg(long)]
    pub save: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// The cameras part of `devices list`.
pub fn list() {
    println!("摄像头 (V4L2 cameras):");
    let cameras = v4l2::list_devices();
    if cameras.is_empty() {
        println!("  (没有找到 none found; `devices test camera --device sim` tests the simulator)");
    }
    for camera in cameras {
        let formats: Vec<String> = camera
            .formats
            .iter()
            .map(|(code, sizes)| {
                let largest = sizes.iter().max_by_key(|(w, h)| w * h);
                match largest {
                    Some((w, h)) => format!("{code} ≤{w}×{h}"),
                    None => code.clone(),
                }
            })
            .collect();
        let verdict = match (camera.capture, camera.usable) {
            (false, _) => "不是采集设备 (not a capture node)",
            (true, false) => "格式不可用 (no MJPEG/YUYV)",
            (true, true) => "可用作高拍仪 (usable)",
        };
        println!(
            "  {}  {} [{}] {}  {}",
            camera.path.display(),
            camera.name,
            camera.driver,
            formats.join(", "),
            verdict
        );
    }
}

/// `devices test camera`: opens the camera, reads frames, reports the
/// format, the frame rate and decode time, and tries a page capture.
pub fn test(args: &CameraTestArgs) -> ExitCode {
    let opened = if args.device == "sim" {
        Ok(Box::new(SimCamera::documents(PixelFormat::Mjpeg)) as Box<dyn Camera>)
    } else {
        V4l2Camera::open(
            std::path::Path::new(&args.device),
            (args.width, args.height),
        )
        .map(|c| Box::new(c) as Box<dyn Camera>)
    };
    let mut camera = match opened {
        Ok(camera) => camera,
        Err(e) => return failed(args.format, &e),
    };
    let description = camera.describe();
    let started = Instant::now();
    let mut decode_time = Duration::ZERO;
    let mut last = None;
    for _ in 0..args.frames.max(1) {
        let frame = match camera.frame(Duration::from_secs(3)) {
            Ok(frame) => frame,
            Err(e) => return failed(args.format, &e),
        };
        let t = Instant::now();
        match frame.decode() {
            Ok(image) => last = Some(image),
            Err(e) => return failed(args.format, &e),
        }
        decode_time += t.elapsed();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = args.frames.max(1) as f64;
    let fps = n / elapsed.max(1e-6);
    let decode_ms = decode_time.as_secs_f64() * 1000.0 / n;
    let page = last.map(|image| capture(&image, &CaptureOptions::default()));
    let page_json = match &page {
        Some(Ok(p)) => json!({ "found": true, "width": p.width, "height": p.height,
            "bytes": p.jpeg.len(), "angle_deg": p.angle_deg }),
        Some(Err(r)) => json!({ "found": false, "code": r.code(), "reason": r.message() }),
        None => json!(null),
    };
    if let (Some(path), Some(Ok(p))) = (&args.save, &page)
        && let Err(e) = std::fs::write(path, &p.jpeg)
    {
        eprintln!("无法写入 {} (cannot write): {e}", path.display());
        return ExitCode::from(2);
    }
    match args.format {
        OutputFormat::Json => println!(
            "{}",
            json!({
                "ok": true,
                "device": description.path,
                "name": description.name,
                "format": description.format,
                "width": description.width,
                "height": description.height,
                "frames": args.frames.max(1),
                "fps": (fps * 10.0).round() / 10.0,
                "decode_ms": (decode_ms * 10.0).round() / 10.0,
                "page": page_json,
            })
        ),
        OutputFormat::Text => {
            println!(
                "高拍仪正常 (camera OK): {} {}",
                description.path, description.name
            );
            println!(
                "  {} {}×{}, {} 帧 {:.1} 帧/秒, 每帧解码 {:.1} ms",
                description.format,
                description.width,
                description.height,
                args.frames.max(1),
                fps,
                decode_ms
            );
            match &page {
                Some(Ok(p)) => println!(
                    "  最后一帧找到材料 (page found): {}×{}, {} KB, 倾斜 {:.1}°",
                    p.width,
                    p.height,
                    p.jpeg.len().div_ceil(1024),
                    p.angle_deg
                ),
                Some(Err(r)) => println!("  最后一帧没有材料 ({}): {}", r.code(), r.message()),
                None => {}
            }
        }
    }
    ExitCode::SUCCESS
}

fn failed(format: OutputFormat, error: &CameraError) -> ExitCode {
    match format {
        OutputFormat::Json => println!(
            "{}",
            json!({ "ok": false, "code": error.code(), "reason": error.to_string() })
        ),
        OutputFormat::Text => eprintln!("高拍仪测试失败 ({}): {error}", error.code()),
    }
    ExitCode::from(1)
}
