//! `onevisit speak`: the kiosk's speech without a screen, to a WAV file
//! (tests, machines without a sound card) or to the speakers (`--play`, a
//! technician checking a kiosk).

use super::Format;
use onevisit_drivers::speech::{
    AlsaOut, AudioOut, Cancel, DEFAULT_RATE_WPM, SpeechSettings, Synthesizer,
};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct SpeakArgs {
    /// What to say (Chinese; at most 2 000 characters).
    #[arg(long)]
    text: String,
    /// Write the speech to this WAV file (16-bit mono).
    #[arg(long, required_unless_present = "play")]
    out: Option<PathBuf>,
    /// Also play it on the kiosk's speakers (ALSA default device, or
    /// $ONEVISIT_AUDIO_DEVICE).
    #[arg(long)]
    play: bool,
    /// Words per minute, 80–450 (长者模式 uses 120).
    #[arg(long, default_value_t = DEFAULT_RATE_WPM)]
    rate: u32,
    /// 0–100.
    #[arg(long, default_value_t = 100)]
    volume: u32,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

struct Spoken {
    seconds: f64,
    sample_rate: u32,
}

pub fn run(args: SpeakArgs) -> ExitCode {
    match speak(&args) {
        Ok(spoken) => {
            let out = args.out.as_ref().map(|p| p.display().to_string());
            match args.format {
                Format::Json => println!(
                    "{}",
                    json!({
                        "out": out,
                        "played": args.play,
                        "seconds": (spoken.seconds * 1000.0).round() / 1000.0,
                        "sample_rate": spoken.sample_rate,
                    })
                ),
                Format::Text => println!(
                    "{}{:.2} 秒，{} Hz",
                    out.map(|o| format!("{o}：")).unwrap_or_default(),
                    spoken.seconds,
                    spoken.sample_rate
                ),
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

fn speak(args: &SpeakArgs) -> Result<Spoken, String> {
    let volume_percent = u8::try_from(args.volume)
        .ok()
        .filter(|&v| v <= 100)
        .ok_or_else(|| format!("音量应在 0 到 100 之间，实际是 {}", args.volume))?;
    let settings = SpeechSettings {
        rate_wpm: args.rate,
        volume_percent,
    };
    settings.check().map_err(|e| e.to_string())?;
    let synthesizer = Synthesizer::open().map_err(|e| e.to_string())?;
    let pcm = synthesizer
        .synthesize(&args.text, &settings)
        .map_err(|e| e.to_string())?;
    if let Some(out) = &args.out {
        pcm.write_wav(out).map_err(|e| e.to_string())?;
    }
    if args.play {
        AlsaOut::open_default()
            .and_then(|mut speakers| speakers.play(&pcm, &Cancel::new()))
            .map_err(|e| e.to_string())?;
    }
    Ok(Spoken {
        seconds: pcm.duration().as_secs_f64(),
        sample_rate: pcm.sample_rate,
    })
}
