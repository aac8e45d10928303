//! `onevisit capture`: the kiosk's page capture on a photo file — find the
//! page, straighten it, write the clean JPEG — or say why not (exit 1).
//! The same code as the capture screen (`onevisit_drivers::capture`).

use super::Format;
use onevisit_drivers::capture::{CaptureOptions, CapturedPage, capture};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CaptureArgs {
    /// The photo: JPEG or PNG of a document lying on a darker surface.
    #[arg(long)]
    image: PathBuf,
    /// Where the page goes (JPEG).
    #[arg(long)]
    out: PathBuf,
    /// Keep colour (default: clean grayscale).
    #[arg(long)]
    colour: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: CaptureArgs) -> ExitCode {
    let photo = match read_photo(&args.image) {
        Ok(photo) => photo,
        Err(reason) => return fail(args.format, "capture.unreadable", &reason),
    };
    let options = CaptureOptions {
        colour: args.colour,
        ..CaptureOptions::default()
    };
    let started = std::time::Instant::now();
    let page = match capture(&photo, &options) {
        Ok(page) => page,
        Err(refusal) => return fail(args.format, refusal.code(), refusal.message()),
    };
    let millis = started.elapsed().as_millis();
    if let Err(e) = std::fs::write(&args.out, &page.jpeg) {
        return fail(
            args.format,
            "capture.write_failed",
            &format!("无法写入 {} (cannot write): {e}", args.out.display()),
        );
    }
    print_page(args.format, &page, &args.out, millis);
    ExitCode::SUCCESS
}

fn read_photo(path: &std::path::Path) -> Result<image::RgbImage, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("无法读取 {} (cannot read): {e}", path.display()))?;
    let photo = image::load_from_memory(&bytes).map_err(|e| {
        format!(
            "{} 不是可用的 JPEG/PNG 照片 (not a photo): {e}",
            path.display()
        )
    })?;
    Ok(photo.to_rgb8())
}

fn print_page(format: Format, page: &CapturedPage, out: &std::path::Path, millis: u128) {
    let corners: Vec<[f32; 2]> = page
        .corners
        .iter()
        .map(|&(x, y)| [(x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0])
        .collect();
    match format {
        Format::Json => println!(
            "{}",
            json!({
                "ok": true,
                "out": out.display().to_string(),
                "corners": corners,
                "angle_deg": (page.angle_deg * 100.0).round() / 100.0,
                "width": page.width,
                "height": page.height,
                "bytes": page.jpeg.len(),
                "quality": page.quality,
                "edge_px": (page.edge_px * 100.0).round() / 100.0,
                "millis": millis,
            })
        ),
        Format::Text => {
            println!("找到材料 (page found): {}", out.display());
            let names = ["左上", "右上", "右下", "左下"];
            for (name, [x, y]) in names.iter().zip(&corners) {
                println!("  {name}角 ({x:.1}, {y:.1})");
            }
            println!("  已纠正倾斜 (angle corrected): {:.2}°", page.angle_deg);
            println!(
                "  输出 (output): {}×{} 像素, {} KB, JPEG 质量 {}",
                page.width,
                page.height,
                page.jpeg.len().div_ceil(1024),
                page.quality
            );
            println!(
                "  边缘宽度 (edge): {:.2} px, 用时 {millis} ms",
                page.edge_px
            );
        }
    }
}

fn fail(format: Format, code: &str, reason: &str) -> ExitCode {
    match format {
        Format::Json => println!("{}", json!({ "ok": false, "code": code, "reason": reason })),
        Format::Text => eprintln!("未能拍到材料 ({code}): {reason}"),
    }
    ExitCode::from(1)
}
