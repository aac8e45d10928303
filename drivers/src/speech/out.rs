//! Where speech goes: the [`AudioOut`] trait, and the outputs that need no
//! sound card (a WAV file, memory) for tests and tools.

use super::{Cancel, Pcm, SpeechError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Plays speech. `play` returns when the sound has been heard, or soon
/// after `cancel` is set (then with `Ok`: stopping is not a failure).
pub trait AudioOut: Send {
    fn play(&mut self, pcm: &Pcm, cancel: &Cancel) -> Result<(), SpeechError>;
}

/// Writes each `play` to one WAV file (the last one wins).
pub struct WavFileOut {
    pub path: PathBuf,
}

impl AudioOut for WavFileOut {
    fn play(&mut self, pcm: &Pcm, cancel: &Cancel) -> Result<(), SpeechError> {
        if cancel.is_cancelled() {
            return Ok(());
        }
        pcm.write_wav(&self.path)
    }
}

/// One `play` a [`MemoryOut`] received.
#[derive(Clone, Debug)]
pub struct Played {
    pub pcm: Pcm,
    /// Stopped by its cancel before the end.
    pub interrupted: bool,
}

/// Keeps what it is given to play. Clones share the record, so a test
/// keeps one clone and hands the other to a [`super::Speaker`].
#[derive(Clone, Default)]
pub struct MemoryOut {
    played: Arc<Mutex<Vec<Played>>>,
    started: Arc<AtomicUsize>,
    /// None: returns at once. Some(x): takes the sound's duration / x,
    /// like a speaker x times faster, and can be interrupted meanwhile.
    speed: Option<f64>,
}

impl MemoryOut {
    pub fn new() -> Self {
        Self::default()
    }

    /// Plays `speed` times faster than real time (1.0 = as long as a
    /// speaker would take).
    pub fn paced(speed: f64) -> Self {
        MemoryOut {
            speed: Some(speed.max(0.001)),
            ..Self::default()
        }
    }

    /// Plays begun (finished or not).
    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    /// Plays finished or interrupted, in order.
    pub fn played(&self) -> Vec<Played> {
        self.played
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl AudioOut for MemoryOut {
    fn play(&mut self, pcm: &Pcm, cancel: &Cancel) -> Result<(), SpeechError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let mut interrupted = cancel.is_cancelled();
        if let (Some(speed), false) = (self.speed, interrupted) {
            let end = Instant::now() + pcm.duration().div_f64(speed);
            while Instant::now() < end {
                if cancel.is_cancelled() {
                    interrupted = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        self.played
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Played {
                pcm: pcm.clone(),
                interrupted,
            });
        Ok(())
    }
}
