//! Speech through ALSA (the `alsa` crate over Debian's libasound2): the
//! kiosk's speakers. A machine without a sound card (CI, a kiosk whose
//! speaker cable is out) gets [`SpeechError::NoAudioDevice`], a value the
//! caller shows or logs, never a panic.
//!
//! The device is opened for each sentence and closed after it, so a card
//! plugged in (or back) later is found at the next sentence, and nothing
//! holds the card while the kiosk is silent.

use super::{AudioOut, Cancel, Pcm, SpeechError};
use alsa::pcm::{Access, Format, HwParams, PCM, State};
use alsa::{Direction, ValueOr};
use std::time::Duration;

/// Names the ALSA device instead of "default" (e.g. `plughw:1,0`).
pub const DEVICE_ENV: &str = "ONEVISIT_AUDIO_DEVICE";
/// Samples written per call: ~50 ms at 22 050 Hz, so a cancel is heard
/// within about one buffer.
const CHUNK: usize = 1_024;
/// ALSA's buffer, in µs: long enough not to underrun on a busy kiosk,
/// short enough that stop is prompt.
const BUFFER_US: u32 = 200_000;

pub struct AlsaOut {
    device: String,
}

impl AlsaOut {
    /// `$ONEVISIT_AUDIO_DEVICE`, else ALSA's "default".
    pub fn open_default() -> Result<Self, SpeechError> {
        let device = std::env::var(DEVICE_ENV).unwrap_or_else(|_| "default".into());
        Self::open(&device)
    }

    /// Checks that `device` opens for playback (then closes it again).
    pub fn open(device: &str) -> Result<Self, SpeechError> {
        open_pcm(device)?;
        Ok(AlsaOut {
            device: device.to_string(),
        })
    }

    pub fn device(&self) -> &str {
        &self.device
    }
}

/// The error with alsa-lib's first line about it, the root cause (e.g.
/// "parse_card: cannot find card '0'"); the rest repeats it up the stack.
fn with_alsa_message(error: alsa::Error, messages: Option<String>) -> String {
    match messages
        .as_deref()
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
    {
        Some(first) => format!("{error}; {first}"),
        None => error.to_string(),
    }
}

fn open_pcm(device: &str) -> Result<PCM, SpeechError> {
    // Keeps alsa-lib's messages ("cannot find card '0'") off stderr and
    // puts them in the error instead.
    let output = alsa::Output::local_error_handler().ok();
    let messages = || output.as_ref().map(|o| o.borrow().to_string());
    // Non-blocking: a busy device is an error now, not a hang.
    PCM::new(device, Direction::Playback, true).map_err(|e| SpeechError::NoAudioDevice {
        reason: format!("ALSA “{device}”: {}", with_alsa_message(e, messages())),
    })
}

fn configure(pcm: &PCM, sample_rate: u32) -> alsa::Result<()> {
    let hw = HwParams::any(pcm)?;
    hw.set_access(Access::RWInterleaved)?;
    hw.set_format(Format::s16())?;
    hw.set_channels(1)?;
    hw.set_rate(sample_rate, ValueOr::Nearest)?;
    hw.set_buffer_time_near(BUFFER_US, ValueOr::Nearest)?;
    pcm.hw_params(&hw)?;
    pcm.prepare()
}

impl AudioOut for AlsaOut {
    fn play(&mut self, pcm: &Pcm, cancel: &Cancel) -> Result<(), SpeechError> {
        if cancel.is_cancelled() || pcm.samples.is_empty() {
            return Ok(());
        }
        let device = open_pcm(&self.device)?;
        let failed = |e: alsa::Error| SpeechError::Audio {
            reason: format!("ALSA “{}”: {e}", self.device),
        };
        configure(&device, pcm.sample_rate).map_err(failed)?;
        let io = device.io_i16().map_err(failed)?;
        let mut rest = &pcm.samples[..];
        while !rest.is_empty() {
            if cancel.is_cancelled() {
                // drop() discards what is buffered: silence at once.
                let _ = device.drop();
                return Ok(());
            }
            let chunk = &rest[..rest.len().min(CHUNK)];
            match io.writei(chunk) {
                Ok(frames) => rest = &rest[frames.min(rest.len())..],
                Err(e) if e.errno() == libc::EAGAIN => {
                    // The buffer is full: wait for room (or a cancel).
                    device.wait(Some(20)).map_err(failed)?;
                }
                // An underrun (EPIPE) or a suspend: recover and go on.
                Err(e) => device.try_recover(e, true).map_err(failed)?,
            }
        }
        // Let the buffer play out, still listening for a cancel (a
        // non-blocking drain() would return at once).
        if device.state() == State::Prepared {
            device.start().map_err(failed)?;
        }
        while device.state() == State::Running && device.delay().is_ok_and(|d| d > 0) {
            if cancel.is_cancelled() {
                let _ = device.drop();
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = device.drop();
        Ok(())
    }
}
