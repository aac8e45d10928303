//! The few functions of eSpeak NG's C API (`/usr/include/espeak-ng/`,
//! Debian `libespeak-ng-dev`, GPL-3.0-or-later like onevisit) that the
//! synthesizer needs.
//!
//! Why a hand binding and not a crate: `espeakng-sys` (and `espeakng`,
//! which wraps its 0.1) generates its bindings with bindgen at build time,
//! so every build would need libclang; `espeak-rs` builds its own copy of
//! eSpeak NG from source instead of Debian's. The dozen declarations below
//! are all we call, and the API has been stable since 1.49 (2016).
//!
//! Only `espeak_ng_*` calls are used where both exist: they return a
//! status code, while the old `espeak_Initialize` calls `exit()` when the
//! data is missing, which would take the kiosk down with it.

use std::ffi::{c_char, c_int, c_short, c_uint, c_void};

/// `espeak_ng_STATUS`: 0 is ENS_OK, 1–255 are errno values, others are
/// eSpeak NG's own codes (`ENS_*`).
pub type Status = c_uint;
pub const ENS_OK: Status = 0;
pub const ENS_VOICE_NOT_FOUND: Status = 0x1000_06FF;

/// `espeak_ng_OUTPUT_MODE`: synthesize on the calling thread, hand every
/// buffer to the callback, play nothing.
pub const ENOUTPUT_MODE_SYNCHRONOUS: c_int = 0x0001;

/// `espeak_PARAMETER` values.
pub const ESPEAK_RATE: c_int = 1;
pub const ESPEAK_VOLUME: c_int = 2;

/// `espeak_POSITION_TYPE::POS_CHARACTER`.
pub const POS_CHARACTER: c_int = 1;
/// Text flags: UTF-8, and no SSML (a `<` in a screen's text is read, not
/// parsed as markup).
pub const ESPEAK_CHARS_UTF8: c_uint = 1;

/// `espeak_EVENT`; only its presence matters here (the callback does not
/// read events), but the layout is kept exact for the pointer's sake.
#[repr(C)]
pub struct Event {
    pub kind: c_int,
    pub unique_identifier: c_uint,
    pub text_position: c_int,
    pub length: c_int,
    pub audio_position: c_int,
    pub sample: c_int,
    pub user_data: *mut c_void,
    pub id: [u8; 8],
}

#[repr(C)]
pub struct ErrorContext {
    _opaque: [u8; 0],
}

/// `t_espeak_callback`: samples (may be null at the end), their count, the
/// event list. Returns 0 to go on, 1 to abort the synthesis.
pub type SynthCallback = unsafe extern "C" fn(*mut c_short, c_int, *mut Event) -> c_int;

#[link(name = "espeak-ng")]
unsafe extern "C" {
    pub fn espeak_ng_InitializePath(path: *const c_char);
    pub fn espeak_ng_Initialize(context: *mut *mut ErrorContext) -> Status;
    pub fn espeak_ng_ClearErrorContext(context: *mut *mut ErrorContext);
    pub fn espeak_ng_InitializeOutput(
        output_mode: c_int,
        buffer_length: c_int,
        device: *const c_char,
    ) -> Status;
    pub fn espeak_ng_GetSampleRate() -> c_int;
    pub fn espeak_ng_GetStatusCodeMessage(status: Status, buffer: *mut c_char, length: usize);
    pub fn espeak_ng_SetVoiceByName(name: *const c_char) -> Status;
    pub fn espeak_ng_SetParameter(parameter: c_int, value: c_int, relative: c_int) -> Status;
    pub fn espeak_ng_Synthesize(
        text: *const c_void,
        size: usize,
        position: c_uint,
        position_type: c_int,
        end_position: c_uint,
        flags: c_uint,
        unique_identifier: *mut c_uint,
        user_data: *mut c_void,
    ) -> Status;
    pub fn espeak_SetSynthCallback(callback: Option<SynthCallback>);
}
