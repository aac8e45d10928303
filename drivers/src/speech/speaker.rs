//! [`Speaker`]: what the UI calls to read a screen aloud. A worker thread
//! synthesizes and plays, so no call waits for speech; a new `say` cuts
//! the current one off, as a new screen replaces the old.

use super::{
    AlsaOut, AudioOut, Cancel, MAX_RATE_WPM, MIN_RATE_WPM, SpeechError, SpeechSettings, Synthesizer,
};
use std::collections::HashSet;
use std::mem::Discriminant;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// Told about a failure, on the speaker's worker thread (hand it to the UI
/// thread from there). Each kind of failure is told once per speaker.
type OnError = Box<dyn FnMut(SpeechError) + Send>;

struct Shared {
    /// The token of the newest `say`; cancelling it stops what is heard.
    current: Mutex<Cancel>,
    /// The last text said, for `repeat`.
    last: Mutex<Option<String>>,
    /// `say`s not finished yet (playing, or waiting to be skipped).
    pending: AtomicUsize,
    /// False once there is nothing to speak with (no voice, no speaker).
    available: AtomicBool,
    volume: AtomicU8,
    rate: AtomicU32,
}

enum Command {
    Say { text: String, cancel: Cancel },
    Quit,
}

/// Reads texts aloud, one at a time, on a thread of its own.
pub struct Speaker {
    shared: Arc<Shared>,
    commands: Sender<Command>,
    worker: Option<JoinHandle<()>>,
}

impl Speaker {
    /// Speaks with `synthesizer` through `out`. `on_error` hears of each
    /// kind of failure once; after [`SpeechError::NoAudioDevice`] the
    /// speaker stays silent ([`Speaker::is_available`] is false).
    pub fn new(
        synthesizer: Synthesizer,
        out: Box<dyn AudioOut>,
        settings: SpeechSettings,
        on_error: impl FnMut(SpeechError) + Send + 'static,
    ) -> Speaker {
        Self::start(Ok((synthesizer, out)), settings, Box::new(on_error))
    }

    /// The kiosk's speaker: the configured voice through ALSA's default
    /// device. Never fails: if either is missing, `on_error` is told why
    /// (once) and the speaker stays silent, so the kiosk runs on without
    /// speech.
    pub fn open_default(
        settings: SpeechSettings,
        on_error: impl FnMut(SpeechError) + Send + 'static,
    ) -> Speaker {
        let parts = Synthesizer::open().and_then(|synthesizer| {
            let out: Box<dyn AudioOut> = Box::new(AlsaOut::open_default()?);
            Ok((synthesizer, out))
        });
        Self::start(parts, settings, Box::new(on_error))
    }

    fn start(
        parts: Result<(Synthesizer, Box<dyn AudioOut>), SpeechError>,
        settings: SpeechSettings,
        mut on_error: OnError,
    ) -> Speaker {
        let shared = Arc::new(Shared {
            current: Mutex::new(Cancel::new()),
            last: Mutex::new(None),
            pending: AtomicUsize::new(0),
            available: AtomicBool::new(parts.is_ok()),
            volume: AtomicU8::new(settings.volume_percent.min(100)),
            rate: AtomicU32::new(settings.rate_wpm.clamp(MIN_RATE_WPM, MAX_RATE_WPM)),
        });
        let (commands, receiver) = channel();
        let worker = match parts {
            Ok((synthesizer, out)) => {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name("speaker".into())
                    .spawn(move || work(synthesizer, out, &shared, &receiver, on_error))
                    .map_err(|e| {
                        log::warn!("speech: no worker thread: {e}");
                    })
                    .ok()
            }
            Err(error) => {
                log::warn!("speech off: {error}");
                on_error(error);
                None
            }
        };
        if worker.is_none() {
            shared.available.store(false, Ordering::SeqCst);
        }
        Speaker {
            shared,
            commands,
            worker,
        }
    }

    /// Says `text`, cutting off whatever is being said.
    pub fn say(&self, text: impl Into<String>) {
        let text = text.into();
        *lock(&self.shared.last) = Some(text.clone());
        if !self.is_available() {
            return;
        }
        let cancel = Cancel::new();
        {
            let mut current = lock(&self.shared.current);
            current.cancel();
            *current = cancel.clone();
        }
        self.shared.pending.fetch_add(1, Ordering::SeqCst);
        if self.commands.send(Command::Say { text, cancel }).is_err() {
            // The worker is gone (it only ends when the speaker drops).
            self.shared.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Silence at once (within ~50 ms). The text stays for `repeat`.
    pub fn stop(&self) {
        lock(&self.shared.current).cancel();
    }

    /// Says the last text again (the 重听 button); nothing if none yet.
    pub fn repeat(&self) {
        let last = lock(&self.shared.last).clone();
        if let Some(text) = last {
            self.say(text);
        }
    }

    /// 0..=100 (more is taken as 100). Applies from the next `say` or
    /// `repeat`; call `repeat` to hear the new level at once.
    pub fn set_volume(&self, percent: u8) {
        self.shared.volume.store(percent.min(100), Ordering::SeqCst);
    }

    pub fn volume(&self) -> u8 {
        self.shared.volume.load(Ordering::SeqCst)
    }

    /// Words per minute, clamped to eSpeak NG's 80..=450 (长者模式 uses
    /// [`super::ELDERLY_RATE_WPM`]). Applies from the next `say`.
    pub fn set_rate(&self, rate_wpm: u32) {
        self.shared
            .rate
            .store(rate_wpm.clamp(MIN_RATE_WPM, MAX_RATE_WPM), Ordering::SeqCst);
    }

    pub fn rate(&self) -> u32 {
        self.shared.rate.load(Ordering::SeqCst)
    }

    /// Something is being said (or is about to be).
    pub fn is_speaking(&self) -> bool {
        self.shared.pending.load(Ordering::SeqCst) > 0
    }

    /// False when the kiosk has no voice or no speaker: `say` does nothing
    /// (the UI may hide its speech buttons).
    pub fn is_available(&self) -> bool {
        self.shared.available.load(Ordering::SeqCst)
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.stop();
        let _ = self.commands.send(Command::Quit);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn work(
    synthesizer: Synthesizer,
    mut out: Box<dyn AudioOut>,
    shared: &Shared,
    commands: &Receiver<Command>,
    mut on_error: OnError,
) {
    let mut told: HashSet<Discriminant<SpeechError>> = HashSet::new();
    while let Ok(Command::Say { text, cancel }) = commands.recv() {
        // A `say` already replaced by a newer one is skipped unheard.
        if !cancel.is_cancelled() && shared.available.load(Ordering::SeqCst) {
            let settings = SpeechSettings {
                rate_wpm: shared.rate.load(Ordering::SeqCst),
                volume_percent: shared.volume.load(Ordering::SeqCst),
            };
            let result = synthesizer
                .synthesize_cancellable(&text, &settings, &cancel)
                .and_then(|pcm| out.play(&pcm, &cancel));
            match result {
                Ok(()) | Err(SpeechError::Cancelled) => {}
                Err(error) => {
                    log::warn!("speech: {error}");
                    if matches!(error, SpeechError::NoAudioDevice { .. }) {
                        shared.available.store(false, Ordering::SeqCst);
                    }
                    if told.insert(std::mem::discriminant(&error)) {
                        on_error(error);
                    }
                }
            }
        }
        shared.pending.fetch_sub(1, Ordering::SeqCst);
    }
}
