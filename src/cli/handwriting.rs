//! `onevisit handwriting`: the kiosk's handwriting recognizer without a
//! screen, for tests and for checking a kiosk's model.

use super::Format;
use onevisit_drivers::handwriting::{CANDIDATES, Ink, Recognizer};
use serde_json::json;
use std::process::ExitCode;

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
    let bytes = std::fs::read(&args.strokes)
        .map_err(|e| format!("笔画文件 {} 读不了：{e}", args.strokes.display()))?;
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
