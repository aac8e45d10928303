//! `onevisit handwriting`: the kiosk's handwriting recognizer without a
//! screen, for tests and for checking a kiosk's model.

use super::Format;
use onevisit_drivers::handwriting::{CANDIDATES, Ink, Recognizer};
use serde_json::json;
use std::process::ExitCode;

/// 20 000 points (the recognizer's limit) at ~50 bytes of JSON each.
const MAX_STROKES_FILE: u64 = 1_000_000;

#[derive(clap::Args)]
pub struct HandwritingArgs {
    /// JSON `{"width": W, "height": H, "strokes": [[[x, y], ...], ...]}`:
    /// pixels of the pad, origin top-left, strokes in writing order.
    #[arg(long)]
    strokes: std::path::PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: HandwritingArgs) -> ExitCode {
    match recognize(&args) {
        Ok(candidates) => {
            match args.format {
                Format::Json => println!("{}", json!({ "candidates": candidates })),
                Format::Text => println!("{}", candidates.join(" ")),
            }
            ExitCode::SUCCESS
        }
        Err(reason) => {
            match args.format {
                Format::Json => println!("{}", json!({ "error": reason })),
                Format::Text => eprintln!("{reason}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn recognize(args: &HandwritingArgs) -> Result<Vec<String>, String> {
    let unreadable = |e: std::io::Error| format!("笔画文件 {} 读不了：{e}", args.strokes.display());
    // One character's ink is a few kB; a runaway file is refused before it
    // is read into memory (the recognizer's own point limit comes after).
    let size = std::fs::metadata(&args.strokes).map_err(unreadable)?.len();
    if size > MAX_STROKES_FILE {
        return Err(format!(
            "笔画文件 {} 有 {size} 字节，一个字的笔画不会超过 {MAX_STROKES_FILE} 字节",
            args.strokes.display()
        ));
    }
    let bytes = std::fs::read(&args.strokes).map_err(unreadable)?;
    let ink: Ink = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "笔画文件 {} 不是 {{\"width\", \"height\", \"strokes\": [[[x, y], …], …]}} 的 JSON：{e}",
            args.strokes.display()
        )
    })?;
    let recognizer = Recognizer::open_default().map_err(|e| e.to_string())?;
    let candidates = recognizer
        .classify(&ink, CANDIDATES)
        .map_err(|e| e.to_string())?;
    Ok(candidates.into_iter().map(|c| c.text).collect())
}
