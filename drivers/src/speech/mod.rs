//! Speech output (语音播报): the kiosk reads its screens aloud in Mandarin
//! for applicants who cannot read them (适老化, low vision).
//!
//! Synthesis is eSpeak NG's (`libespeak-ng`, Debian `libespeak-ng-dev`)
//! with its `cmn` voice from `espeak-ng-data`, both installed by
//! `packaging/install-build-deps.sh`; `espeak.rs` says why it is a hand
//! binding. Sound comes out through ALSA (`alsa_out.rs`) or any other
//! [`AudioOut`]; a machine without a sound card gets
//! [`SpeechError::NoAudioDevice`], never a panic, and the kiosk goes on
//! without speech.
//!
//! The layers, bottom up: [`Synthesizer`] turns text into a [`Pcm`];
//! an [`AudioOut`] plays a `Pcm`; [`Speaker`] owns a worker thread that
//! does both, so the UI only calls `say`, `stop`, `repeat` and
//! `set_volume` and never waits.

pub mod alsa_out;
mod espeak;
mod out;
mod speaker;

pub use alsa_out::AlsaOut;
pub use out::{AudioOut, MemoryOut, Played, WavFileOut};
pub use speaker::Speaker;

use std::cell::Cell;
use std::ffi::{CStr, CString, c_char, c_int, c_short, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The voice used unless `$ONEVISIT_SPEECH_VOICE` names another: Mandarin
/// with Latin read as pinyin. The plain `cmn` voice ("Latin as English")
/// of eSpeak NG 1.51 reads many dictionary entries as their pinyin spelt
/// in English: 请把身份证 came out "king three, ba three, shen one…"
/// (`espeak-ng -v cmn -x 请把身份证` shows it); this one says qing ba shen.
pub const DEFAULT_VOICE: &str = "cmn-latn-pinyin";
/// Names the eSpeak NG voice (`espeak-ng --voices` lists them).
pub const VOICE_ENV: &str = "ONEVISIT_SPEECH_VOICE";
/// Points at an `espeak-ng-data` directory other than the library's own.
pub const DATA_ENV: &str = "ONEVISIT_SPEECH_DATA";
/// The longest text spoken at once, in characters: a full notice screen is
/// a few hundred; more is a caller's mistake, refused rather than read for
/// half an hour.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// eSpeak NG's own speed limits (`espeakRATE_MINIMUM`/`MAXIMUM`), in
/// words per minute.
pub const MIN_RATE_WPM: u32 = 80;
pub const MAX_RATE_WPM: u32 = 450;
/// Slower than eSpeak's 175: the kiosk's listeners are often elderly.
pub const DEFAULT_RATE_WPM: u32 = 140;
/// 长者模式 slows down further.
pub const ELDERLY_RATE_WPM: u32 = 120;
/// Milliseconds of audio per callback from eSpeak NG: how soon a cancel
/// is seen and how soon the first sound is ready.
const BUFFER_MS: c_int = 50;
/// A safety net above [`MAX_TEXT_CHARS`] at the slowest rate (~16 min).
const MAX_SECONDS: u32 = 30 * 60;

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error(
        "朗读用的语音数据打不开（{reason}）。请安装 espeak-ng-data，或用 {DATA_ENV} 指向 espeak-ng-data 目录 (speech data missing)"
    )]
    Data { reason: String },
    #[error(
        "朗读用的语音“{voice}”没有装（{reason}）。请安装 espeak-ng-data（普通话是 cmn），或把 {VOICE_ENV} 设为 espeak-ng --voices 列出的语音 (voice not found)"
    )]
    Voice { voice: String, reason: String },
    #[error("没有要朗读的文字 (empty text)")]
    EmptyText,
    #[error(
        "要朗读的文字太长（{chars} 个字，最多 {MAX_TEXT_CHARS} 个），请分段朗读 (text too long)"
    )]
    TooLong { chars: usize },
    #[error(
        "朗读设置不对：语速 {rate_wpm}（应在 {MIN_RATE_WPM} 到 {MAX_RATE_WPM} 之间），音量 {volume_percent}%（应在 0 到 100 之间）(bad settings)"
    )]
    BadSettings { rate_wpm: u32, volume_percent: u8 },
    #[error("语音合成失败（{reason}），请联系工作人员 (synthesis failed)")]
    Synthesis { reason: String },
    #[error("朗读已停止 (cancelled)")]
    Cancelled,
    #[error("本机没有可用的扬声器，朗读已关闭，请联系工作人员（{reason}）(no audio device)")]
    NoAudioDevice { reason: String },
    #[error("扬声器播放出错（{reason}），请联系工作人员检查音箱 (audio output failed)")]
    Audio { reason: String },
    #[error("声音文件 {path} 读写不了（{reason}）(wav file)")]
    Wav { path: PathBuf, reason: String },
}

/// How to speak: speed and loudness. Loudness is applied to the samples,
/// so it is the same on every sound card (and in a WAV file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpeechSettings {
    /// Words per minute, [`MIN_RATE_WPM`]..=[`MAX_RATE_WPM`].
    pub rate_wpm: u32,
    /// 0 (silent) ..= 100 (eSpeak NG's full, undistorted level).
    pub volume_percent: u8,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        SpeechSettings {
            rate_wpm: DEFAULT_RATE_WPM,
            volume_percent: 100,
        }
    }
}

impl SpeechSettings {
    /// 长者模式: slower speech.
    pub fn elderly() -> Self {
        SpeechSettings {
            rate_wpm: ELDERLY_RATE_WPM,
            ..Self::default()
        }
    }

    pub fn check(&self) -> Result<(), SpeechError> {
        if (MIN_RATE_WPM..=MAX_RATE_WPM).contains(&self.rate_wpm) && self.volume_percent <= 100 {
            Ok(())
        } else {
            Err(SpeechError::BadSettings {
                rate_wpm: self.rate_wpm,
                volume_percent: self.volume_percent,
            })
        }
    }
}

/// Stops a synthesis or a playback from another thread (the next touch on
/// the screen). Clones share one flag; once cancelled it stays cancelled.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Mono 16-bit speech.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pcm {
    pub sample_rate: u32,
    pub samples: Vec<i16>,
}

impl Pcm {
    pub fn duration(&self) -> Duration {
        if self.sample_rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.sample_rate))
    }

    /// Root mean square amplitude, 0.0 (silence) ..= 1.0 (full scale), as
    /// `sox FILE -n stat` prints it ("RMS amplitude").
    pub fn rms(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .samples
            .iter()
            .map(|&s| (f64::from(s) / 32768.0).powi(2))
            .sum();
        (sum / self.samples.len() as f64).sqrt()
    }

    /// 16-bit mono WAV.
    pub fn write_wav(&self, path: &Path) -> Result<(), SpeechError> {
        let fail = |e: hound::Error| SpeechError::Wav {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: self.sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        // A WAV file holds at most 4 GB; hound refuses more with an error.
        let mut writer = hound::WavWriter::create(path, spec).map_err(fail)?;
        for &s in &self.samples {
            writer.write_sample(s).map_err(fail)?;
        }
        writer.finalize().map_err(fail)
    }

    /// A WAV file of 16-bit mono samples (what [`Pcm::write_wav`] writes).
    pub fn read_wav(path: &Path) -> Result<Pcm, SpeechError> {
        let fail = |reason: String| SpeechError::Wav {
            path: path.to_path_buf(),
            reason,
        };
        let reader = hound::WavReader::open(path).map_err(|e| fail(e.to_string()))?;
        let spec = reader.spec();
        if spec.channels != 1
            || spec.bits_per_sample != 16
            || spec.sample_format != hound::SampleFormat::Int
        {
            return Err(fail(format!(
                "不是 16 位单声道：{} 声道，{} 位",
                spec.channels, spec.bits_per_sample
            )));
        }
        let samples = reader
            .into_samples::<i16>()
            .collect::<Result<_, _>>()
            .map_err(|e| fail(e.to_string()))?;
        Ok(Pcm {
            sample_rate: spec.sample_rate,
            samples,
        })
    }
}

/// Scales samples to `percent` of their level (100 leaves them as they are).
fn scale(samples: &[i16], percent: u8, into: &mut Vec<i16>) {
    into.clear();
    let factor = i32::from(percent.min(100));
    into.extend(
        samples
            .iter()
            .map(|&s| (i32::from(s) * factor / 100) as i16),
    );
}

/// What the process-wide eSpeak NG holds: it has one set of globals (voice,
/// parameters, the callback, its buffers), so every call goes through
/// [`ENGINE`]'s lock, taken for a whole synthesis. Two kiosk screens never
/// speak at once, so nothing is lost by serializing.
struct Engine {
    sample_rate: u32,
    /// The voice eSpeak NG has loaded now (None after a failed switch).
    voice: Option<CString>,
}

static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

fn engine() -> MutexGuard<'static, Option<Engine>> {
    // A panic while holding the lock happened in Rust code around eSpeak
    // (the callback catches its own), which leaves eSpeak's state sound.
    ENGINE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Text of an eSpeak NG status code.
fn status_message(status: espeak::Status) -> String {
    let mut buffer = [0 as c_char; 256];
    // SAFETY: the buffer is writable for its length; eSpeak NG writes a
    // NUL-terminated message of at most that length.
    unsafe { espeak::espeak_ng_GetStatusCodeMessage(status, buffer.as_mut_ptr(), buffer.len()) };
    buffer[buffer.len() - 1] = 0;
    // SAFETY: NUL-terminated within the buffer (forced just above).
    let text = unsafe { CStr::from_ptr(buffer.as_ptr()) }.to_string_lossy();
    format!("{text}, 0x{status:X}")
}

/// An eSpeak NG data directory is one holding `phontab` (or holding an
/// `espeak-ng-data` that does), as the library looks for it.
fn check_data_dir(path: &Path) -> Result<(), SpeechError> {
    if path.join("phontab").is_file() || path.join("espeak-ng-data/phontab").is_file() {
        Ok(())
    } else {
        Err(SpeechError::Data {
            reason: format!("{} 里没有 phontab", path.display()),
        })
    }
}

fn initialize() -> Result<Engine, SpeechError> {
    let data = std::env::var_os(DATA_ENV).map(PathBuf::from);
    let data = match data {
        Some(path) => {
            check_data_dir(&path)?;
            Some(
                CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| {
                    SpeechError::Data {
                        reason: "路径里有 NUL 字符".into(),
                    }
                })?,
            )
        }
        None => None,
    };
    // SAFETY: a NUL-terminated path or null (the library's default); the
    // library copies it. Called under ENGINE's lock, like every call.
    unsafe {
        espeak::espeak_ng_InitializePath(data.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()))
    };
    let mut context: *mut espeak::ErrorContext = std::ptr::null_mut();
    // SAFETY: context is an out-pointer eSpeak NG may fill with an
    // allocation, released by ClearErrorContext (which accepts null).
    let status = unsafe { espeak::espeak_ng_Initialize(&mut context) };
    // SAFETY: context is null or the allocation Initialize made; freed once.
    unsafe { espeak::espeak_ng_ClearErrorContext(&mut context) };
    if status != espeak::ENS_OK {
        return Err(SpeechError::Data {
            reason: status_message(status),
        });
    }
    // SAFETY: synchronous mode opens no audio device; null = no device name.
    let status = unsafe {
        espeak::espeak_ng_InitializeOutput(
            espeak::ENOUTPUT_MODE_SYNCHRONOUS,
            BUFFER_MS,
            std::ptr::null(),
        )
    };
    if status != espeak::ENS_OK {
        return Err(SpeechError::Synthesis {
            reason: status_message(status),
        });
    }
    // SAFETY: on_samples has the callback's signature and lives forever.
    unsafe { espeak::espeak_SetSynthCallback(Some(on_samples)) };
    // SAFETY: no arguments; valid after Initialize.
    let rate = unsafe { espeak::espeak_ng_GetSampleRate() };
    let sample_rate =
        u32::try_from(rate)
            .ok()
            .filter(|&r| r > 0)
            .ok_or_else(|| SpeechError::Synthesis {
                reason: format!("sample rate {rate}"),
            })?;
    Ok(Engine {
        sample_rate,
        voice: None,
    })
}

/// Loads `voice` unless it is the one loaded.
fn select_voice(engine: &mut Engine, voice: &CString) -> Result<(), SpeechError> {
    if engine.voice.as_ref() == Some(voice) {
        return Ok(());
    }
    engine.voice = None;
    // SAFETY: a NUL-terminated name; the lock is held.
    let status = unsafe { espeak::espeak_ng_SetVoiceByName(voice.as_ptr()) };
    if status != espeak::ENS_OK {
        let reason = if status == espeak::ENS_VOICE_NOT_FOUND {
            "espeak-ng-data 里没有这个语音".to_string()
        } else {
            status_message(status)
        };
        return Err(SpeechError::Voice {
            voice: voice.to_string_lossy().into_owned(),
            reason,
        });
    }
    engine.voice = Some(voice.clone());
    Ok(())
}

/// One synthesis in progress, reached by the callback through [`JOB`].
struct Job<'a> {
    cancel: &'a Cancel,
    sink: &'a mut dyn FnMut(&[i16]),
    volume_percent: u8,
    scaled: Vec<i16>,
    samples: u64,
    max_samples: u64,
    too_long: bool,
    panic: Option<Box<dyn std::any::Any + Send>>,
}

thread_local! {
    /// The job of the synthesis running on this thread, or null. In
    /// synchronous mode eSpeak NG calls back on the thread that called
    /// espeak_ng_Synthesize, before that call returns.
    static JOB: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
}

/// Clears [`JOB`] even if the synthesis unwinds.
struct JobGuard;
impl Drop for JobGuard {
    fn drop(&mut self) {
        JOB.with(|job| job.set(std::ptr::null_mut()));
    }
}

/// eSpeak NG's synth callback: hands each buffer to the job's sink; 1
/// aborts the synthesis (cancelled, too long, or the sink panicked).
unsafe extern "C" fn on_samples(
    wav: *mut c_short,
    count: c_int,
    _events: *mut espeak::Event,
) -> c_int {
    let job = JOB.with(Cell::get).cast::<Job<'_>>();
    if job.is_null() {
        return 1;
    }
    // SAFETY: JOB points at the Job that synthesize_streaming keeps alive
    // on this thread's stack for the whole espeak_ng_Synthesize call, the
    // only time eSpeak NG calls back; nothing else touches it meanwhile.
    let job = unsafe { &mut *job };
    if job.cancel.is_cancelled() {
        return 1;
    }
    let count = match usize::try_from(count) {
        Ok(n) if n > 0 && !wav.is_null() => n,
        _ => return 0,
    };
    job.samples += count as u64;
    if job.samples > job.max_samples {
        job.too_long = true;
        return 1;
    }
    // SAFETY: eSpeak NG passes `count` samples at `wav`, valid until return.
    let samples = unsafe { std::slice::from_raw_parts(wav, count) };
    let chunk = if job.volume_percent == 100 {
        samples
    } else {
        scale(samples, job.volume_percent, &mut job.scaled);
        &job.scaled
    };
    // A panic must not unwind into C: caught here, re-raised after.
    let sink = &mut job.sink;
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| sink(chunk))) {
        job.panic = Some(panic);
        return 1;
    }
    0
}

/// Refuses what cannot be spoken; control characters (NUL included,
/// which C would take for the end) become spaces.
fn clean_text(text: &str) -> Result<CString, SpeechError> {
    if text.trim().is_empty() {
        return Err(SpeechError::EmptyText);
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(SpeechError::TooLong { chars });
    }
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // No NUL is left, so this cannot fail; an error would still be a value.
    CString::new(cleaned).map_err(|_| SpeechError::EmptyText)
}

/// The text-to-speech engine with its voice chosen. Cheap to hold: the
/// engine itself is process-wide, and each call locks it (see [`Engine`]).
#[derive(Clone, Debug)]
pub struct Synthesizer {
    voice: CString,
    sample_rate: u32,
}

impl Synthesizer {
    /// The voice named by `$ONEVISIT_SPEECH_VOICE`, else Mandarin (`cmn`).
    pub fn open() -> Result<Self, SpeechError> {
        let voice = std::env::var(VOICE_ENV).unwrap_or_else(|_| DEFAULT_VOICE.to_string());
        Self::open_voice(&voice)
    }

    /// Initializes eSpeak NG (once per process) and loads `voice`, so a
    /// missing data package or voice is found now, not at the first word.
    pub fn open_voice(voice: &str) -> Result<Self, SpeechError> {
        let voice_c = CString::new(voice).map_err(|_| SpeechError::Voice {
            voice: voice.replace('\0', "�"),
            reason: "名字里有 NUL 字符".into(),
        })?;
        let mut guard = engine();
        if guard.is_none() {
            *guard = Some(initialize()?);
        }
        let Some(engine) = guard.as_mut() else {
            return Err(SpeechError::Synthesis {
                reason: "not initialized".into(),
            });
        };
        select_voice(engine, &voice_c)?;
        Ok(Synthesizer {
            voice: voice_c,
            sample_rate: engine.sample_rate,
        })
    }

    pub fn voice(&self) -> &str {
        self.voice.to_str().unwrap_or(DEFAULT_VOICE)
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The whole text as speech.
    pub fn synthesize(&self, text: &str, settings: &SpeechSettings) -> Result<Pcm, SpeechError> {
        self.synthesize_cancellable(text, settings, &Cancel::new())
    }

    /// As [`Synthesizer::synthesize`], but `cancel` stops it within one
    /// buffer ([`SpeechError::Cancelled`]).
    pub fn synthesize_cancellable(
        &self,
        text: &str,
        settings: &SpeechSettings,
        cancel: &Cancel,
    ) -> Result<Pcm, SpeechError> {
        let mut samples = Vec::new();
        self.synthesize_streaming(text, settings, cancel, &mut |chunk| {
            samples.extend_from_slice(chunk)
        })?;
        Ok(Pcm {
            sample_rate: self.sample_rate,
            samples,
        })
    }

    /// Speech in buffers of ~50 ms as eSpeak NG makes them, each handed to
    /// `sink` (at the settings' volume) before the next is made: the first
    /// sound is ready long before the last.
    pub fn synthesize_streaming(
        &self,
        text: &str,
        settings: &SpeechSettings,
        cancel: &Cancel,
        sink: &mut dyn FnMut(&[i16]),
    ) -> Result<(), SpeechError> {
        let text = clean_text(text)?;
        settings.check()?;
        if cancel.is_cancelled() {
            return Err(SpeechError::Cancelled);
        }
        let mut guard = engine();
        let Some(engine) = guard.as_mut() else {
            return Err(SpeechError::Synthesis {
                reason: "not initialized".into(),
            });
        };
        select_voice(engine, &self.voice)?;
        let rate = c_int::try_from(settings.rate_wpm).unwrap_or(DEFAULT_RATE_WPM as c_int);
        // Volume stays at 100 (eSpeak's undistorted full level): it is
        // applied to the samples instead.
        for (parameter, value) in [(espeak::ESPEAK_RATE, rate), (espeak::ESPEAK_VOLUME, 100)] {
            // SAFETY: plain integers; the lock is held.
            let status = unsafe { espeak::espeak_ng_SetParameter(parameter, value, 0) };
            if status != espeak::ENS_OK {
                return Err(SpeechError::Synthesis {
                    reason: status_message(status),
                });
            }
        }
        let mut job = Job {
            cancel,
            sink,
            volume_percent: settings.volume_percent,
            scaled: Vec::new(),
            samples: 0,
            max_samples: u64::from(MAX_SECONDS) * u64::from(engine.sample_rate),
            too_long: false,
            panic: None,
        };
        let _guard = JobGuard;
        JOB.with(|j| j.set((&raw mut job).cast()));
        let bytes = text.as_bytes_with_nul();
        // SAFETY: text is NUL-terminated UTF-8 of `bytes.len()` bytes and
        // outlives the call; synchronous mode returns only when the text
        // is spoken or aborted; JOB points at `job` throughout.
        let status = unsafe {
            espeak::espeak_ng_Synthesize(
                bytes.as_ptr().cast(),
                bytes.len(),
                0,
                espeak::POS_CHARACTER,
                0,
                espeak::ESPEAK_CHARS_UTF8,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        drop(_guard);
        drop(guard);
        if let Some(panic) = job.panic {
            std::panic::resume_unwind(panic);
        }
        if cancel.is_cancelled() {
            return Err(SpeechError::Cancelled);
        }
        if job.too_long {
            return Err(SpeechError::Synthesis {
                reason: format!("speech longer than {MAX_SECONDS} s"),
            });
        }
        if status != espeak::ENS_OK {
            return Err(SpeechError::Synthesis {
                reason: status_message(status),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
