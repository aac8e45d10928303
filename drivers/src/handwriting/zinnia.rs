//! The few functions of Zinnia's C API (`/usr/include/zinnia.h`, Debian
//! `libzinnia-dev`, LGPL-2.1+) the recognizer needs. No maintained Rust
//! crate binds Zinnia, and the C API is small and stable (0.06 since 2009).

use std::ffi::{c_char, c_float, c_int};

#[repr(C)]
pub struct Recognizer {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct Character {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct Result {
    _opaque: [u8; 0],
}

#[link(name = "zinnia")]
unsafe extern "C" {
    pub fn zinnia_recognizer_new() -> *mut Recognizer;
    pub fn zinnia_recognizer_destroy(recognizer: *mut Recognizer);
    pub fn zinnia_recognizer_open(recognizer: *mut Recognizer, filename: *const c_char) -> c_int;
    pub fn zinnia_recognizer_strerror(recognizer: *mut Recognizer) -> *const c_char;
    pub fn zinnia_recognizer_classify(
        recognizer: *mut Recognizer,
        character: *const Character,
        nbest: usize,
    ) -> *mut Result;

    pub fn zinnia_character_new() -> *mut Character;
    pub fn zinnia_character_destroy(character: *mut Character);
    pub fn zinnia_character_set_width(character: *mut Character, width: usize);
    pub fn zinnia_character_set_height(character: *mut Character, height: usize);
    pub fn zinnia_character_add(character: *mut Character, id: usize, x: c_int, y: c_int) -> c_int;

    pub fn zinnia_result_value(result: *mut Result, i: usize) -> *const c_char;
    pub fn zinnia_result_score(result: *mut Result, i: usize) -> c_float;
    pub fn zinnia_result_size(result: *mut Result) -> usize;
    pub fn zinnia_result_destroy(result: *mut Result);
}
