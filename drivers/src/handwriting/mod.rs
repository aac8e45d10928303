//! Handwriting recognition (手写输入) for applicants who cannot spell pinyin:
//! one character written with a finger on a pad, candidates best first.
//!
//! Recognition is Zinnia's (SVM over stroke features) with the Tegaki
//! simplified-Chinese model, both Debian packages installed by
//! `packaging/install-build-deps.sh`. The model is opened once and
//! memory-mapped by Zinnia, so its 27 MB are file-backed, not private.

pub mod samples;
mod zinnia;

use serde::{Deserialize, Serialize};
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

/// Where Debian's `tegaki-zinnia-simplified-chinese` puts the model.
pub const DEFAULT_MODEL: &str = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";
/// Points the kiosk (and its tests) at another model file.
pub const MODEL_ENV: &str = "ONEVISIT_HANDWRITING_MODEL";
/// Candidates offered per character: one row of the candidate bar.
pub const CANDIDATES: usize = 10;

/// The largest pad side accepted, in pixels (a 4K screen, with room).
const MAX_PAD_SIDE: u32 = 10_000;
/// One character has at most ~30 strokes (齉 has 36); more is not a character.
const MAX_STROKES: usize = 64;
/// A finger sampled at 120 Hz for a minute: more is not one character either.
const MAX_POINTS: usize = 20_000;

/// What the applicant wrote: strokes in writing order, each the points the
/// finger passed through, in pixels of a `width` × `height` pad whose origin
/// is its top-left corner. This is also the JSON of `onevisit handwriting`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ink {
    pub width: u32,
    pub height: u32,
    pub strokes: Vec<Vec<[f64; 2]>>,
}

#[derive(Debug, thiserror::Error)]
pub enum HandwritingError {
    #[error(
        "手写识别模型“{path}”打不开（{reason}）。请安装 tegaki-zinnia-simplified-chinese，或用 {MODEL_ENV} 指向模型文件 (handwriting model not loaded)"
    )]
    Model { path: PathBuf, reason: String },
    #[error("还没有写字：请用手指在手写板上写一个字 (no strokes)")]
    NoStrokes,
    #[error("手写板大小应在 1 到 {MAX_PAD_SIDE} 像素之间，实际是 {width}×{height} (bad pad size)")]
    BadPad { width: u32, height: u32 },
    #[error("笔画太多（{strokes} 笔，{points} 个点），一次只写一个字，请清除后重写 (too much ink)")]
    TooMuchInk { strokes: usize, points: usize },
    #[error("第 {stroke} 笔没有点或有不是数字的坐标，请清除后重写 (bad stroke)")]
    BadStroke { stroke: usize },
    #[error("手写识别没有给出结果，请清除后重写 (classify failed)")]
    Classify,
}

impl Ink {
    /// Checks the ink before it reaches C: a bad pad or a runaway stroke
    /// list is refused with a reason, never passed on.
    pub fn check(&self) -> Result<(), HandwritingError> {
        if !(1..=MAX_PAD_SIDE).contains(&self.width) || !(1..=MAX_PAD_SIDE).contains(&self.height) {
            return Err(HandwritingError::BadPad {
                width: self.width,
                height: self.height,
            });
        }
        if self.strokes.is_empty() {
            return Err(HandwritingError::NoStrokes);
        }
        let points: usize = self.strokes.iter().map(Vec::len).sum();
        if self.strokes.len() > MAX_STROKES || points > MAX_POINTS {
            return Err(HandwritingError::TooMuchInk {
                strokes: self.strokes.len(),
                points,
            });
        }
        for (i, stroke) in self.strokes.iter().enumerate() {
            if stroke.is_empty() || stroke.iter().flatten().any(|v| !v.is_finite()) {
                return Err(HandwritingError::BadStroke { stroke: i + 1 });
            }
        }
        Ok(())
    }
}

/// One candidate character and Zinnia's score for it (higher is likelier).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub text: String,
    pub score: f32,
}

/// An opened model. Zinnia's recognizer is not safe to share between
/// threads, so this is `Send` (moved to the thread that uses it) but not
/// `Sync`.
pub struct Recognizer {
    raw: *mut zinnia::Recognizer,
}

// SAFETY: the recognizer owns its C object outright, and Zinnia keeps no
// thread-local state, so moving it to another thread is sound; it is not
// Sync, so two threads never call into it at once.
unsafe impl Send for Recognizer {}

impl Recognizer {
    /// The model named by `$ONEVISIT_HANDWRITING_MODEL`, else Debian's.
    pub fn open_default() -> Result<Self, HandwritingError> {
        let path = std::env::var_os(MODEL_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_MODEL));
        Self::open(&path)
    }

    pub fn open(path: &Path) -> Result<Self, HandwritingError> {
        let fail = |reason: String| HandwritingError::Model {
            path: path.to_path_buf(),
            reason,
        };
        // Zinnia opens whatever it is given and reports a missing file in its
        // own English; checking first gives the technician the OS's reason.
        std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| fail("路径里有 NUL 字符".into()))?;
        // SAFETY: new() returns an owned object or null; open() reads the path.
        let raw = unsafe { zinnia::zinnia_recognizer_new() };
        if raw.is_null() {
            return Err(fail("out of memory".into()));
        }
        let recognizer = Recognizer { raw };
        if unsafe { zinnia::zinnia_recognizer_open(raw, c_path.as_ptr()) } == 0 {
            // SAFETY: strerror returns a string owned by the recognizer.
            let reason = unsafe { c_string(zinnia::zinnia_recognizer_strerror(raw)) };
            return Err(fail(reason.unwrap_or_else(|| "not a Zinnia model".into())));
        }
        Ok(recognizer)
    }

    /// Up to `n` candidates for the character in `ink`, best first.
    pub fn classify(&self, ink: &Ink, n: usize) -> Result<Vec<Candidate>, HandwritingError> {
        ink.check()?;
        let character = CharacterBuf::new(ink)?;
        // SAFETY: both objects are alive; classify returns an owned result or null.
        let result = unsafe { zinnia::zinnia_recognizer_classify(self.raw, character.raw, n) };
        if result.is_null() {
            return Err(HandwritingError::Classify);
        }
        let size = unsafe { zinnia::zinnia_result_size(result) };
        let candidates = (0..size)
            .filter_map(|i| {
                // SAFETY: i < size; the value is owned by the result, copied out.
                let text = unsafe { c_string(zinnia::zinnia_result_value(result, i)) }?;
                let score = unsafe { zinnia::zinnia_result_score(result, i) };
                Some(Candidate { text, score })
            })
            .collect();
        unsafe { zinnia::zinnia_result_destroy(result) };
        Ok(candidates)
    }
}

impl Drop for Recognizer {
    fn drop(&mut self) {
        // SAFETY: raw came from zinnia_recognizer_new and is destroyed once.
        unsafe { zinnia::zinnia_recognizer_destroy(self.raw) }
    }
}

/// A Zinnia character built from checked ink, destroyed on drop.
struct CharacterBuf {
    raw: *mut zinnia::Character,
}

impl CharacterBuf {
    fn new(ink: &Ink) -> Result<Self, HandwritingError> {
        // SAFETY: an owned object or null.
        let raw = unsafe { zinnia::zinnia_character_new() };
        if raw.is_null() {
            return Err(HandwritingError::Classify);
        }
        let character = CharacterBuf { raw };
        unsafe {
            zinnia::zinnia_character_set_width(raw, ink.width as usize);
            zinnia::zinnia_character_set_height(raw, ink.height as usize);
        }
        let (w, h) = (f64::from(ink.width - 1), f64::from(ink.height - 1));
        for (id, stroke) in ink.strokes.iter().enumerate() {
            for &[x, y] in stroke {
                // A finger that slides off the pad keeps writing at its edge.
                let (x, y) = (
                    x.clamp(0.0, w).round() as i32,
                    y.clamp(0.0, h).round() as i32,
                );
                // SAFETY: raw is alive; ids are 0.. in writing order.
                unsafe { zinnia::zinnia_character_add(raw, id, x, y) };
            }
        }
        Ok(character)
    }
}

impl Drop for CharacterBuf {
    fn drop(&mut self) {
        // SAFETY: raw came from zinnia_character_new and is destroyed once.
        unsafe { zinnia::zinnia_character_destroy(self.raw) }
    }
}

/// Copies a C string Zinnia owns, or None for null / non-UTF-8.
unsafe fn c_string(ptr: *const std::ffi::c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller passes a NUL-terminated string that outlives this call.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .ok()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests;
