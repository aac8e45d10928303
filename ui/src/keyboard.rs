//! The on-screen keyboard's engine, in plain Rust so it is unit-testable
//! without Slint: what a key press does to the field's text, the pinyin
//! compose buffer and its Chinese candidates. `keyboard_glue` mirrors it
//! into the `KeyboardState` global.
//!
//! Editing happens at the end of the text only (no caret): many of the
//! kiosk's users are elderly, and a movable caret on a touch screen is more
//! often a trap than a help; 删除 and 清空 cover corrections.
//!
//! Pinyin candidates come from the `inputx-pinyin` engine (an FST
//! dictionary compiled into the binary), which gives the readings (pinyin
//! → words) and the multi-syllable compositions. Their order comes from
//! the kiosk's own data in `ui/data/pinyin/` (see its README.md): the
//! engine's weights are colloquial-first and log-compressed, which put 晓
//! on page 2 and 伟 on page 3 for an applicant typing a name. So:
//! - words whose pinyin is the whole buffer are ordered by a frequency
//!   list derived from jieba's dictionary (MIT), characters by how often
//!   they occur in its words;
//! - characters common in given names are kept at least at
//!   [`NAME_FLOOR`], below every one of the 500 commonest characters, so
//!   they reach a syllable's first page without reordering those;
//! - the hall's place words (濮阳市, 华龙区, 胜利路) come first for their
//!   whole pinyin, whether or not the engine knows them.
//!
//! Decisions an IME has to make, taken here:
//! - A digit or symbol pressed while pinyin is being composed first commits
//!   the composition (its first candidate, as common IMEs do with space),
//!   then types the digit. Space commits the first candidate and is itself
//!   swallowed; with nothing composed it types a space.
//! - A composition that has no candidate at all (e.g. `lgh`) is committed
//!   as the letters typed, so nothing the applicant typed disappears.
//! - 完成 ([`Keyboard::finish`]) and switching to 英 commit the letters as
//!   typed, like Enter in common IMEs: the applicant sees them and nothing
//!   they did not choose is inserted.
//! - No learning: the engine can promote words a user picks often, but a
//!   kiosk serves strangers one after another, and one applicant's name
//!   must not become the next applicant's first candidate. The shared
//!   engine is therefore only ever read.
//! - A word that would make the text longer than the field allows is
//!   refused whole (the press returns `false`), never cut.

use crate::ink_pad::InkPad;
use inputx_pinyin::{PinyinDict, PinyinEngine, is_valid_syllable};
use onevisit_drivers::handwriting::Ink;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Candidates shown per page: six big buttons fit one row at 长者模式 size.
pub const PAGE_SIZE: usize = 6;
/// Candidates of a handwritten character shown at once, in two rows of
/// [`WRITTEN_PER_ROW`] beside the pad: the right one is often not the first.
pub const WRITTEN_PAGE_SIZE: usize = 2 * WRITTEN_PER_ROW;
pub const WRITTEN_PER_ROW: usize = 5;
/// A resident ID number (and the other 18-character card numbers).
pub const ID_NUMBER_LEN: usize = 18;
/// Longest pinyin the compose buffer takes: the engine's sentence
/// composition stops at 30 letters, and no name or address part needs more
/// before a candidate is chosen.
pub const MAX_COMPOSE: usize = 24;
/// Candidates kept per composition: enough for rare name characters deep in
/// a syllable's list, bounded so a press never copies thousands of words.
const MAX_CANDIDATES: usize = 200;
/// Whole-buffer compositions asked of the engine (张三 for zhangsan is the
/// second one).
const COMPOSITIONS: usize = 5;
/// Prefix completions kept when the buffer ends in an unfinished syllable.
const COMPLETIONS: usize = 10;

/// Letters in keyboard order, one string per row.
const QWERTY: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
const DIGITS: &str = "1234567890";
/// The symbols of the 英 layout: what e-mail addresses, passport numbers
/// and plate numbers need (a slash, once here, left no room for 88 px
/// keys on a portrait screen; no field of the catalog needs one).
const LATIN_SYMBOLS: [char; 4] = ['-', '.', '@', '_'];
/// The symbols of the 中 layout: `·` separates the parts of transliterated
/// and minority names (阿依古丽·买买提), `-` is common in addresses.
const PINYIN_SYMBOLS: [char; 2] = ['·', '-'];

/// The one pinyin engine of the process. Its dictionary is embedded in the
/// binary, so building it only validates headers; it is still built lazily
/// and once, so no field pays for it twice and kiosks that never show the
/// 中 layout never touch it. See `benches/keyboard.rs` for the numbers.
pub fn pinyin_engine() -> &'static PinyinEngine {
    static ENGINE: OnceLock<PinyinEngine> = OnceLock::new();
    ENGINE.get_or_init(PinyinEngine::new)
}

/// The ranking data, compiled in (≈340 KB; ui/data/pinyin/README.md).
const FREQ_TSV: &str = include_str!("../data/pinyin/freq.tsv");
const PLACES_TSV: &str = include_str!("../data/pinyin/places.tsv");
const NAMES_TXT: &str = include_str!("../data/pinyin/names.txt");

/// The least score of a character common in given names: high enough
/// that 伟 and 晓 make the first page of wei and xiao (above 维, 38,541,
/// and 效, 34,367); below the 500th character of the list (≈45,700), so
/// the commonest characters keep their order. A test checks both.
pub const NAME_FLOOR: u32 = 40_000;

/// Frequencies, name characters and place words, parsed once: about 32,000
/// borrowed `&str` keys, a couple of MB at most.
struct Ranking {
    freq: HashMap<&'static str, u32>,
    names: HashSet<char>,
    places: Vec<(&'static str, &'static str)>,
}

/// The data lines of a bundled file: `#` starts a comment line.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn ranking() -> &'static Ranking {
    static RANKING: OnceLock<Ranking> = OnceLock::new();
    RANKING.get_or_init(|| {
        let freq = data_lines(FREQ_TSV)
            .filter_map(|l| {
                let (word, n) = l.split_once('\t')?;
                Some((word, n.parse().ok()?))
            })
            .collect();
        let names = data_lines(NAMES_TXT).flat_map(str::chars).collect();
        let places = data_lines(PLACES_TSV)
            .filter_map(|l| l.split_once('\t'))
            .collect();
        Ranking {
            freq,
            names,
            places,
        }
    })
}

impl Ranking {
    /// How common `word` is; 0 for words the list does not have (rare
    /// characters, traditional forms), which then keep the engine's order
    /// after the listed ones.
    fn score(&self, word: &str) -> u32 {
        let listed = self.freq.get(word).copied().unwrap_or(0);
        let mut chars = word.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if self.names.contains(&c) => listed.max(NAME_FLOOR),
            _ => listed,
        }
    }

    /// Most common first; a stable sort, so ties keep the engine's order.
    fn sort(&self, words: &mut [String]) {
        words.sort_by_key(|w| Reverse(self.score(w)));
    }

    /// The place words whose whole pinyin is `pinyin`.
    fn places(&self, pinyin: &str) -> impl Iterator<Item = &'static str> {
        self.places
            .iter()
            .filter(move |(p, _)| *p == pinyin)
            .map(|(_, w)| *w)
    }
}

pub use onevisit_core::form::input::InputLayout as Layout;

/// Whether the layout has the 拼音 / 手写 / 英文 tabs (the text layouts do).
fn switchable(layout: Layout) -> bool {
    matches!(layout, Layout::Latin | Layout::Pinyin | Layout::Handwriting)
}

/// The tabs of a text field, in the order shown.
pub const TEXT_LAYOUTS: [Layout; 3] = [Layout::Pinyin, Layout::Handwriting, Layout::Latin];

/// One key press.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A letter, digit or symbol, as labelled on the key.
    Char(char),
    Space,
    Backspace,
    /// Toggles upper case in the Latin layout (a lock, not one-shot: a
    /// shift that silently turns itself off confuses first-time users).
    Shift,
}

/// A Chinese candidate for (the start of) the compose buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The word shown and committed.
    pub text: String,
    /// How many letters of the compose buffer it stands for. Less than the
    /// whole buffer for single syllables offered when the whole has no good
    /// word (a name like 李桂花 is typed 李 + 桂花); the rest stays composed.
    pub consumed: usize,
}

/// The state of one field being typed on the on-screen keyboard.
#[derive(Clone, Debug)]
pub struct Keyboard {
    layout: Layout,
    text: String,
    max_len: Option<usize>,
    compose: String,
    candidates: Vec<Candidate>,
    page: usize,
    shift: bool,
    pad: InkPad,
}

impl Keyboard {
    /// A keyboard for a field holding `initial` (characters the layout does
    /// not allow are dropped, the rest cut to the limit). `max_len` counts
    /// characters; an ID number field is never longer than 18.
    pub fn new(layout: Layout, initial: &str, max_len: Option<usize>) -> Keyboard {
        let mut kb = Keyboard {
            layout,
            text: String::new(),
            max_len,
            compose: String::new(),
            candidates: Vec::new(),
            page: 0,
            shift: false,
            pad: InkPad::default(),
        };
        for c in initial.chars() {
            let c = if layout == Layout::IdNumber {
                c.to_ascii_uppercase()
            } else {
                c
            };
            // Free text fields keep whatever they held (Chinese included);
            // restricted ones only what could have been typed.
            let keep = match layout {
                Layout::Latin | Layout::Pinyin | Layout::Handwriting => !c.is_control(),
                Layout::Numeric { .. } | Layout::IdNumber => kb.accepts(c),
            };
            if keep && kb.fits(1) {
                kb.text.push(c);
            }
        }
        kb
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The field's text (without what is still being composed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The pinyin typed but not yet turned into Chinese.
    pub fn compose(&self) -> &str {
        &self.compose
    }

    /// The field's limit in characters (18 at most for an ID number).
    pub fn max_len(&self) -> Option<usize> {
        match self.layout {
            Layout::IdNumber => Some(self.max_len.map_or(ID_NUMBER_LEN, |m| m.min(ID_NUMBER_LEN))),
            _ => self.max_len,
        }
    }

    pub fn shift(&self) -> bool {
        self.shift
    }

    /// Every candidate for the compose buffer, best first.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// How many candidates a page holds in this layout.
    pub fn page_size(&self) -> usize {
        if self.layout == Layout::Handwriting {
            WRITTEN_PAGE_SIZE
        } else {
            PAGE_SIZE
        }
    }

    /// The candidates on the current page.
    pub fn page_candidates(&self) -> &[Candidate] {
        let size = self.page_size();
        let start = (self.page * size).min(self.candidates.len());
        let end = (start + size).min(self.candidates.len());
        &self.candidates[start..end]
    }

    /// The current candidate page, from 0.
    pub fn page(&self) -> usize {
        self.page
    }

    pub fn page_count(&self) -> usize {
        self.candidates.len().div_ceil(self.page_size())
    }

    pub fn has_prev_page(&self) -> bool {
        self.page > 0
    }

    pub fn has_next_page(&self) -> bool {
        self.page + 1 < self.page_count()
    }

    /// Whether the field has the 拼音 / 手写 / 英文 tabs.
    pub fn can_switch_layout(&self) -> bool {
        switchable(self.layout)
    }

    /// The labels of the character keys, row by row, as they should read
    /// now (upper case when shifted). Pressing a key sends its label back
    /// through [`Keyboard::press_label`].
    pub fn rows(&self) -> Vec<Vec<String>> {
        let chars = |s: &str| s.chars().map(String::from).collect::<Vec<_>>();
        match self.layout {
            Layout::Numeric { decimal } => {
                let mut rows = vec![chars("123"), chars("456"), chars("789")];
                rows.push(if decimal { chars(".0") } else { chars("0") });
                rows
            }
            Layout::IdNumber => vec![chars("123"), chars("456"), chars("789"), chars("X0")],
            // The pad stands in for the letters; digits stay one tap away
            // (胜利路 88 号), the symbols beside the pad (`pad_keys`).
            Layout::Handwriting => vec![chars(DIGITS)],
            Layout::Latin | Layout::Pinyin => {
                let upper = self.layout == Layout::Latin && self.shift;
                let mut rows = vec![chars(DIGITS)];
                for row in QWERTY {
                    rows.push(chars(&if upper {
                        row.to_ascii_uppercase()
                    } else {
                        row.to_string()
                    }));
                }
                // At most ten keys a row: ten 88 px keys are all a portrait
                // screen's width holds. The 英 layout's underscore goes
                // after l, the rest after m.
                if self.layout == Layout::Latin {
                    rows[2].push("_".into());
                    rows[3].extend(
                        LATIN_SYMBOLS
                            .iter()
                            .filter(|c| **c != '_')
                            .map(|c| c.to_string()),
                    );
                } else {
                    rows[3].extend(PINYIN_SYMBOLS.iter().map(|c| c.to_string()));
                }
                rows
            }
        }
    }

    /// The keys beside the handwriting pad (the name and address symbols
    /// · and -), sent like the others through [`Keyboard::press_label`].
    pub fn pad_keys(&self) -> Vec<String> {
        if self.layout == Layout::Handwriting {
            PINYIN_SYMBOLS.iter().map(|c| c.to_string()).collect()
        } else {
            Vec::new()
        }
    }

    /// A key sent by its label (one character, or " " for 空格). Returns
    /// whether anything changed.
    pub fn press_label(&mut self, label: &str) -> bool {
        let mut chars = label.chars();
        match (chars.next(), chars.next()) {
            (Some(' '), None) => self.press(Key::Space),
            (Some(c), None) => self.press(Key::Char(c)),
            _ => false,
        }
    }

    /// Whether the key labelled `label` can do anything now, so the
    /// keyboard greys out keys that would be refused: the ID layout's X
    /// before the 17th digit, a second decimal point, every character key
    /// of a full field. A greyed key is always refused; an enabled one may
    /// still be, when a pending pinyin word leaves no room for it.
    pub fn key_enabled(&self, label: &str) -> bool {
        let mut chars = label.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return false;
        };
        if self.layout == Layout::Pinyin && c.is_ascii_alphabetic() {
            return self.compose.len() < MAX_COMPOSE && self.fits(1);
        }
        self.accepts(self.normalise(c)) && self.fits(1)
    }

    /// Applies one key press. Returns whether anything changed (a refused
    /// key, e.g. a letter on the ID layout or a full field, returns false).
    pub fn press(&mut self, key: Key) -> bool {
        match key {
            Key::Backspace => self.backspace(),
            Key::Shift => {
                if self.layout == Layout::Latin {
                    self.shift = !self.shift;
                    true
                } else {
                    false
                }
            }
            Key::Space => {
                if self.layout == Layout::Pinyin && !self.compose.is_empty() {
                    self.commit_compose(true)
                } else {
                    self.type_char(' ')
                }
            }
            Key::Char(c) => {
                if self.layout == Layout::Pinyin && c.is_ascii_alphabetic() {
                    self.compose_letter(c.to_ascii_lowercase())
                } else {
                    self.type_char(c)
                }
            }
        }
    }

    /// Commits the `i`-th candidate of the current page. Returns false (and
    /// changes nothing) for a missing index or a word that does not fit.
    pub fn choose_candidate(&mut self, i: usize) -> bool {
        let Some(candidate) = self.page_candidates().get(i).cloned() else {
            return false;
        };
        self.commit_candidate(&candidate)
    }

    pub fn next_page(&mut self) -> bool {
        if self.has_next_page() {
            self.page += 1;
            true
        } else {
            false
        }
    }

    pub fn prev_page(&mut self) -> bool {
        if self.has_prev_page() {
            self.page -= 1;
            true
        } else {
            false
        }
    }

    /// 删除: the last pinyin letter while composing, else the last
    /// character of the text.
    pub fn backspace(&mut self) -> bool {
        if self.compose.pop().is_some() {
            self.refresh_candidates();
            true
        } else {
            self.text.pop().is_some()
        }
    }

    /// 清空: text, composition and the handwriting pad.
    pub fn clear(&mut self) {
        self.text.clear();
        self.compose.clear();
        self.pad.clear();
        self.refresh_candidates();
    }

    /// The handwriting pad's strokes.
    pub fn pad(&self) -> &InkPad {
        &self.pad
    }

    /// A finger touched the pad (`width`×`height` px) at (`x`, `y`).
    /// Returns whether a stroke started (only in the 手写 layout).
    pub fn pen_down(&mut self, x: f64, y: f64, width: u32, height: u32) -> bool {
        self.layout == Layout::Handwriting && self.pad.pen_down(x, y, width, height)
    }

    /// The finger moved on the pad. Returns whether the ink changed.
    pub fn pen_move(&mut self, x: f64, y: f64) -> bool {
        self.layout == Layout::Handwriting && self.pad.pen_move(x, y)
    }

    /// The finger lifted: the ink to read now, if a stroke was finished.
    pub fn pen_up(&mut self) -> Option<Ink> {
        (self.layout == Layout::Handwriting && self.pad.pen_up()).then(|| self.pad.ink())
    }

    /// 撤销一笔: the ink left to read again, or `None` when the pad is
    /// now empty (its candidates are gone with it) or had no stroke.
    pub fn undo_stroke(&mut self) -> Option<Ink> {
        if !self.pad.undo() {
            return None;
        }
        if self.pad.is_empty() {
            self.refresh_candidates();
            None
        } else {
            Some(self.pad.ink())
        }
    }

    /// 重写: an empty pad and no candidates; the text stays.
    pub fn clear_pad(&mut self) {
        self.pad.clear();
        self.refresh_candidates();
    }

    /// The recognizer's reading of the pad, best first. Ignored outside
    /// the 手写 layout or when the pad was emptied meanwhile (a late answer
    /// for ink that is gone).
    pub fn set_written(&mut self, words: Vec<String>) {
        if self.layout != Layout::Handwriting || self.pad.is_empty() {
            return;
        }
        self.candidates = words
            .into_iter()
            .filter(|w| !w.is_empty())
            .map(|text| Candidate { text, consumed: 0 })
            .collect();
        self.page = 0;
    }

    /// Switches between 中 and 英; the other layouts are fixed by their
    /// field. Pending pinyin is committed as typed. Returns whether the
    /// layout changed.
    pub fn switch_layout(&mut self, to: Layout) -> bool {
        if to == self.layout || !switchable(self.layout) || !switchable(to) {
            return false;
        }
        self.pad.clear();
        if !self.compose.is_empty() && !self.commit_compose(false) {
            // The letters do not fit: drop them rather than keep a compose
            // buffer the Latin layout cannot show or edit.
            self.compose.clear();
            self.refresh_candidates();
        }
        self.layout = to;
        self.shift = false;
        self.refresh_candidates();
        true
    }

    /// 完成: commits pending pinyin as typed (dropped if it does not fit)
    /// and returns the final text.
    pub fn finish(&mut self) -> &str {
        if !self.compose.is_empty() && !self.commit_compose(false) {
            self.compose.clear();
            self.refresh_candidates();
        }
        &self.text
    }

    /// The character a key types: the ID layout's X is always upper case,
    /// Latin letters follow 大写.
    fn normalise(&self, c: char) -> char {
        match self.layout {
            Layout::IdNumber => c.to_ascii_uppercase(),
            Layout::Latin if c.is_ascii_alphabetic() => {
                if self.shift {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            }
            _ => c,
        }
    }

    /// Whether the layout lets `c` into the text (ignoring length).
    fn accepts(&self, c: char) -> bool {
        match self.layout {
            Layout::Numeric { decimal } => {
                c.is_ascii_digit() || (decimal && c == '.' && !self.text.contains('.'))
            }
            // The X is a check digit: only ever the last character (the
            // 18th; the 4th of the last four asked by 办件查询).
            Layout::IdNumber => {
                let last = self.max_len().unwrap_or(ID_NUMBER_LEN).checked_sub(1);
                c.is_ascii_digit() || (c == 'X' && Some(self.text.chars().count()) == last)
            }
            Layout::Latin => c.is_ascii_alphanumeric() || c == ' ' || LATIN_SYMBOLS.contains(&c),
            Layout::Pinyin | Layout::Handwriting => {
                c.is_ascii_digit() || c == ' ' || PINYIN_SYMBOLS.contains(&c)
            }
        }
    }

    /// Whether `extra` more characters fit the limit.
    fn fits(&self, extra: usize) -> bool {
        self.max_len()
            .is_none_or(|max| self.text.chars().count() + extra <= max)
    }

    /// A character for the text itself (not the compose buffer).
    fn type_char(&mut self, c: char) -> bool {
        let c = self.normalise(c);
        if !self.accepts(c) {
            return false;
        }
        if !self.compose.is_empty() {
            // The composition goes in first, and must leave room for `c`.
            let before = (self.text.clone(), self.compose.clone());
            if !self.commit_compose(true) || !self.fits(1) {
                (self.text, self.compose) = before;
                self.refresh_candidates();
                return false;
            }
        }
        if !self.fits(1) {
            return false;
        }
        self.text.push(c);
        true
    }

    fn compose_letter(&mut self, c: char) -> bool {
        // A field already full cannot take a word either.
        if self.compose.len() >= MAX_COMPOSE || !self.fits(1) {
            return false;
        }
        self.compose.push(c);
        self.refresh_candidates();
        true
    }

    /// Empties the compose buffer into the text: with `best`, first
    /// candidates one after another (each may cover only part of it);
    /// otherwise, and for any rest without candidates, the letters as
    /// typed. All or nothing: on false the text and buffer are unchanged.
    fn commit_compose(&mut self, best: bool) -> bool {
        let mut text = self.text.clone();
        let mut compose = self.compose.clone();
        while !compose.is_empty() {
            let first = if best {
                candidates_for(&compose).into_iter().next()
            } else {
                None
            };
            let (word, consumed) = match first {
                Some(c) => (c.text, c.consumed),
                None => (compose.clone(), compose.len()),
            };
            text.push_str(&word);
            compose.drain(..consumed);
        }
        if self.max_len().is_some_and(|max| text.chars().count() > max) {
            return false;
        }
        self.text = text;
        self.compose.clear();
        self.refresh_candidates();
        true
    }

    fn commit_candidate(&mut self, candidate: &Candidate) -> bool {
        if !self.fits(candidate.text.chars().count()) {
            return false;
        }
        self.text.push_str(&candidate.text);
        self.compose
            .drain(..candidate.consumed.min(self.compose.len()));
        // A written character is done once chosen: the pad is ready for
        // the next one.
        self.pad.clear();
        self.refresh_candidates();
        true
    }

    fn refresh_candidates(&mut self) {
        self.candidates = if self.compose.is_empty() {
            Vec::new()
        } else {
            candidates_for(&self.compose)
        };
        self.page = 0;
    }
}

/// Candidates for a lower-case pinyin buffer, best first, no duplicates:
/// 1. the hall's place words for the whole buffer (puyangshi → 濮阳市);
/// 2. words whose pinyin is exactly the buffer (zhang → 张, 长, …), most
///    common first by the bundled list;
/// 3. the engine's best whole-buffer compositions (zhangsan → 张三);
/// 4. if none of these exists, completions of an unfinished last syllable
///    (zhangs → 张三, …), most frequent first;
/// 5. words for the leading whole syllables (liguihua → 李, which leaves
///    guihua composed), longest first, each most common first.
fn candidates_for(buffer: &str) -> Vec<Candidate> {
    let dict = pinyin_engine().dict();
    let ranking = ranking();
    let whole = buffer.len();
    let mut out: Vec<Candidate> = Vec::new();
    let push = |out: &mut Vec<Candidate>, text: String, consumed: usize| {
        if out.len() < MAX_CANDIDATES && !out.iter().any(|c| c.text == text) {
            out.push(Candidate { text, consumed });
        }
    };
    for word in ranking.places(buffer) {
        push(&mut out, word.to_string(), whole);
    }
    let mut exact = dict.lookup(buffer);
    ranking.sort(&mut exact);
    for word in exact {
        push(&mut out, word, whole);
    }
    for (_, word) in dict.top_k_compositions(buffer, COMPOSITIONS) {
        push(&mut out, word, whole);
    }
    // A one-letter buffer would scan tens of thousands of entries for
    // completions nobody reads; from two letters on it stays in budget.
    if out.is_empty() && whole >= 2 {
        for word in completions(dict, buffer) {
            push(&mut out, word, whole);
        }
    }
    let bounds = syllable_bounds(buffer);
    for &end in bounds.iter().rev().filter(|&&end| end < whole) {
        let mut leading = dict.lookup(&buffer[..end]);
        ranking.sort(&mut leading);
        for word in leading {
            push(&mut out, word, end);
        }
    }
    out
}

/// The most frequent words whose pinyin starts with `prefix`.
fn completions(dict: &PinyinDict, prefix: &str) -> Vec<String> {
    let mut found: Vec<(u64, String)> = Vec::new();
    dict.prefix_for_each(prefix, |_, word, freq| {
        // Keep a small sorted top list instead of collecting everything.
        if found.len() < COMPLETIONS || freq > found[found.len() - 1].0 {
            let at = found.partition_point(|(f, _)| *f >= freq);
            found.insert(at, (freq, word.to_string()));
            found.truncate(COMPLETIONS);
        }
    });
    found.into_iter().map(|(_, w)| w).collect()
}

/// Ends of the leading complete syllables of `buffer` (byte offsets),
/// taking the longest valid syllable each time: zhangsan → [5, 8],
/// zhangs → [5]. Greedy is enough here: the whole-buffer candidates come
/// from the engine's own segmentation, these only offer a first word.
fn syllable_bounds(buffer: &str) -> Vec<usize> {
    let mut bounds = Vec::new();
    let mut start = 0;
    while start < buffer.len() {
        // The longest pinyin syllables (zhuang, chuang, shuang) are 6 long.
        let Some(end) = (start + 1..=(start + 6).min(buffer.len()))
            .rev()
            .find(|&end| is_valid_syllable(&buffer[start..end]))
        else {
            break;
        };
        bounds.push(end);
        start = end;
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn type_all(kb: &mut Keyboard, keys: &str) {
        for c in keys.chars() {
            kb.press(Key::Char(c));
        }
    }

    fn texts(kb: &Keyboard) -> Vec<&str> {
        kb.candidates().iter().map(|c| c.text.as_str()).collect()
    }

    /// Finds `word` among the candidates, paging forward as a user would,
    /// and chooses it.
    fn choose(kb: &mut Keyboard, word: &str) {
        loop {
            if let Some(i) = kb.page_candidates().iter().position(|c| c.text == word) {
                assert!(kb.choose_candidate(i), "{word} fits");
                return;
            }
            assert!(kb.next_page(), "{word} not among {:?}", texts(kb));
        }
    }

    #[test]
    fn zhangsan_offers_and_commits_the_name() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", Some(20));
        type_all(&mut kb, "zhangsan");
        assert_eq!(kb.compose(), "zhangsan");
        assert_eq!(kb.text(), "");
        // On the first page: no paging for the commonest example name.
        let i = kb
            .page_candidates()
            .iter()
            .position(|c| c.text == "张三")
            .unwrap_or_else(|| panic!("张三 not on page 1: {:?}", texts(&kb)));
        assert!(kb.choose_candidate(i));
        assert_eq!(kb.text(), "张三");
        assert_eq!(kb.compose(), "");
        assert!(kb.candidates().is_empty());
    }

    #[test]
    fn a_name_character_by_character() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "wang");
        assert!(texts(&kb).contains(&"王"), "{:?}", texts(&kb));
        choose(&mut kb, "王");
        type_all(&mut kb, "xiao");
        choose(&mut kb, "晓");
        type_all(&mut kb, "hong");
        choose(&mut kb, "红");
        assert_eq!(kb.text(), "王晓红");
    }

    #[test]
    fn a_leading_syllable_leaves_the_rest_composed() {
        // 李桂花 is not a dictionary word: take 李, then 桂花 from the rest.
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "liguihua");
        let li = kb
            .candidates()
            .iter()
            .find(|c| c.text == "李")
            .expect("李 offered for the first syllable");
        assert_eq!(li.consumed, 2);
        choose(&mut kb, "李");
        assert_eq!((kb.text(), kb.compose()), ("李", "guihua"));
        choose(&mut kb, "桂花");
        assert_eq!((kb.text(), kb.compose()), ("李桂花", ""));
    }

    #[test]
    fn an_unfinished_syllable_is_completed() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "zhangs");
        assert!(!kb.candidates().is_empty());
        assert!(
            kb.candidates()
                .iter()
                .any(|c| c.consumed == 6 && c.text.chars().count() >= 2),
            "{:?}",
            texts(&kb)
        );
        // And 张 for the finished syllable, keeping the s.
        assert!(
            kb.candidates()
                .iter()
                .any(|c| c.text == "张" && c.consumed == 5)
        );
    }

    #[test]
    fn backspace_eats_the_composition_first() {
        let mut kb = Keyboard::new(Layout::Pinyin, "北京", None);
        type_all(&mut kb, "shi");
        assert!(kb.backspace());
        assert_eq!((kb.text(), kb.compose()), ("北京", "sh"));
        assert!(kb.backspace() && kb.backspace());
        assert_eq!((kb.text(), kb.compose()), ("北京", ""));
        assert!(kb.candidates().is_empty());
        assert!(kb.press(Key::Backspace));
        assert_eq!(kb.text(), "北");
        assert!(kb.backspace());
        assert!(!kb.backspace(), "nothing left");
    }

    #[test]
    fn space_and_digits_commit_the_first_candidate() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "zhongguo");
        let first = kb.candidates()[0].text.clone();
        assert_eq!(first, "中国");
        assert!(kb.press(Key::Space));
        assert_eq!(kb.text(), "中国", "the space itself is swallowed");
        assert!(kb.press(Key::Space));
        assert_eq!(kb.text(), "中国 ");
        type_all(&mut kb, "lu8");
        assert_eq!(kb.text(), format!("中国 {}8", kb_first("lu")));
        assert_eq!(kb.compose(), "");
    }

    fn kb_first(pinyin: &str) -> String {
        candidates_for(pinyin)[0].text.clone()
    }

    #[test]
    fn letters_without_candidates_and_finish_commit_as_typed() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "lgh");
        assert!(kb.candidates().is_empty());
        assert!(kb.press(Key::Char('1')));
        assert_eq!(kb.text(), "lgh1");
        type_all(&mut kb, "wang");
        assert_eq!(kb.finish(), "lgh1wang");
        assert_eq!(kb.compose(), "");
    }

    #[test]
    fn id_layout_takes_digits_and_a_final_x_only() {
        let mut kb = Keyboard::new(Layout::IdNumber, "", None);
        assert!(!kb.press(Key::Char('a')));
        assert!(!kb.press(Key::Char('X')), "X only as the 18th character");
        assert!(!kb.press(Key::Space));
        assert!(!kb.press(Key::Char('中')));
        type_all(&mut kb, "11010519491231002");
        assert!(kb.press(Key::Char('x')), "lower-case x accepted");
        assert_eq!(kb.text(), "11010519491231002X");
        assert!(!kb.press(Key::Char('1')), "18 at most");
        assert_eq!(kb.max_len(), Some(18));
        // A larger field limit does not lift the 18.
        let kb = Keyboard::new(Layout::IdNumber, "110105194912310021999", Some(30));
        assert_eq!(kb.text(), "110105194912310021");
        // The last four (办件查询): the X is their 4th character.
        let mut kb = Keyboard::new(Layout::IdNumber, "", Some(4));
        assert!(!kb.press(Key::Char('X')));
        type_all(&mut kb, "002");
        assert!(kb.press(Key::Char('X')));
        assert_eq!(kb.text(), "002X");
    }

    #[test]
    fn keys_that_would_be_refused_are_greyed() {
        let mut kb = Keyboard::new(Layout::IdNumber, "", None);
        assert!(kb.key_enabled("1") && !kb.key_enabled("X"));
        type_all(&mut kb, "11010519491231002");
        assert!(kb.key_enabled("X") && kb.key_enabled("0"));
        type_all(&mut kb, "X");
        assert!(!kb.key_enabled("X") && !kb.key_enabled("0"), "full");
        let mut kb = Keyboard::new(Layout::Numeric { decimal: true }, "", None);
        assert!(kb.key_enabled("."));
        type_all(&mut kb, "1.");
        assert!(!kb.key_enabled(".") && kb.key_enabled("5"));
        let kb = Keyboard::new(Layout::Pinyin, "张三", Some(2));
        assert!(!kb.key_enabled("a") && !kb.key_enabled("1"));
        assert!(!kb.key_enabled("删除"), "not a character key");
    }

    #[test]
    fn numeric_layout() {
        let mut kb = Keyboard::new(Layout::Numeric { decimal: true }, "", None);
        type_all(&mut kb, "12.5.0a");
        assert_eq!(kb.text(), "12.50", "one point, no letters");
        let mut kb = Keyboard::new(Layout::Numeric { decimal: false }, "", Some(3));
        type_all(&mut kb, "1.2345");
        assert_eq!(kb.text(), "123");
        assert!(!kb.switch_layout(Layout::Pinyin), "fixed by the field");
        assert_eq!(kb.rows().concat().concat(), "1234567890");
    }

    #[test]
    fn latin_layout_shift_and_symbols() {
        let mut kb = Keyboard::new(Layout::Latin, "", None);
        type_all(&mut kb, "ab");
        assert!(kb.press(Key::Shift));
        assert!(kb.rows()[1].contains(&"Q".to_string()));
        type_all(&mut kb, "cd");
        assert!(kb.press(Key::Shift));
        type_all(&mut kb, "E@x.cn");
        assert!(!kb.press(Key::Char('#')));
        assert!(!kb.press(Key::Char('张')));
        assert!(kb.press(Key::Space));
        assert_eq!(kb.text(), "abCDe@x.cn ");
    }

    #[test]
    fn max_length_refuses_words_that_do_not_fit() {
        let mut kb = Keyboard::new(Layout::Pinyin, "欧阳", Some(3));
        type_all(&mut kb, "zhangsan");
        let i = kb
            .page_candidates()
            .iter()
            .position(|c| c.text == "张三")
            .unwrap();
        assert!(!kb.choose_candidate(i), "two characters do not fit in one");
        assert_eq!((kb.text(), kb.compose()), ("欧阳", "zhangsan"));
        assert!(!kb.press(Key::Space), "nor does the first candidate");
        for _ in 0.."zhangsan".len() {
            kb.backspace();
        }
        type_all(&mut kb, "na");
        choose(&mut kb, "娜");
        assert_eq!(kb.text(), "欧阳娜");
        assert!(!kb.press(Key::Char('a')), "full: no more composing");
        let mut kb = Keyboard::new(Layout::Latin, "abcdef", Some(4));
        assert_eq!(kb.text(), "abcd");
        assert!(!kb.press(Key::Char('e')));
    }

    #[test]
    fn paging_walks_the_candidates() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "li");
        assert!(kb.page_count() > 2, "{}", kb.candidates().len());
        assert!(!kb.has_prev_page() && !kb.prev_page());
        let first_page: Vec<_> = kb.page_candidates().to_vec();
        assert_eq!(first_page.len(), PAGE_SIZE);
        assert!(kb.next_page());
        assert_eq!(kb.page(), 1);
        assert_ne!(kb.page_candidates(), &first_page[..]);
        // Choosing on page 2 picks from page 2.
        let second = kb.page_candidates()[0].text.clone();
        assert_eq!(second, kb.candidates()[PAGE_SIZE].text);
        assert!(kb.prev_page());
        assert_eq!(kb.page_candidates(), &first_page[..]);
        while kb.next_page() {}
        assert_eq!(kb.page() + 1, kb.page_count());
        assert!(!kb.page_candidates().is_empty());
        assert!(!kb.choose_candidate(PAGE_SIZE), "outside the page");
        assert!(kb.choose_candidate(0));
        assert_eq!(kb.page(), 0, "a new composition starts on page 1");
        assert!(kb.candidates().len() <= MAX_CANDIDATES);
    }

    #[test]
    fn switching_between_chinese_and_latin() {
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "abc");
        assert!(kb.switch_layout(Layout::Latin));
        assert_eq!(kb.layout(), Layout::Latin);
        assert_eq!((kb.text(), kb.compose()), ("abc", ""));
        type_all(&mut kb, "D");
        assert_eq!(kb.text(), "abcd");
        assert!(kb.switch_layout(Layout::Pinyin));
        assert_eq!(kb.layout(), Layout::Pinyin);
        assert!(!kb.switch_layout(Layout::Pinyin), "already there");
        assert!(kb.switch_layout(Layout::Handwriting));
        assert!(!Keyboard::new(Layout::IdNumber, "", None).switch_layout(Layout::Latin));
        assert!(!Keyboard::new(Layout::Pinyin, "", None).switch_layout(Layout::IdNumber));
    }

    /// Draws a horizontal stroke across the pad.
    fn write_stroke(kb: &mut Keyboard, y: f64) -> Option<Ink> {
        kb.pen_down(20.0, y, 300, 300);
        for x in (30..=280).step_by(10) {
            kb.pen_move(f64::from(x), y);
        }
        kb.pen_up()
    }

    #[test]
    fn no_row_has_more_than_ten_keys() {
        // Ten 88 px keys and their gaps are what a 1080 px portrait screen
        // holds.
        for layout in [
            Layout::Pinyin,
            Layout::Handwriting,
            Layout::Latin,
            Layout::IdNumber,
            Layout::Numeric { decimal: true },
        ] {
            let kb = Keyboard::new(layout, "", None);
            for row in kb.rows() {
                assert!(row.len() <= 10, "{layout:?}: {row:?}");
            }
        }
        let latin = Keyboard::new(Layout::Latin, "", None).rows().concat();
        for symbol in ["-", ".", "@", "_"] {
            assert!(latin.contains(&symbol.to_string()), "英 has {symbol}");
        }
        let written = Keyboard::new(Layout::Handwriting, "", None);
        assert_eq!(written.pad_keys(), ["·", "-"]);
    }

    #[test]
    fn a_written_character_is_chosen_from_its_candidates() {
        let mut kb = Keyboard::new(Layout::Handwriting, "胜利路", Some(5));
        let ink = write_stroke(&mut kb, 150.0).expect("a finished stroke is read");
        assert_eq!(ink.strokes.len(), 1);
        assert_eq!((ink.width, ink.height), (300, 300));
        let words: Vec<String> = "一 二 十 三 丁 七 干 工 王 土 上 下"
            .split(' ')
            .map(String::from)
            .collect();
        kb.set_written(words);
        assert_eq!(kb.page_candidates().len(), WRITTEN_PAGE_SIZE, "ten at once");
        assert_eq!(kb.page_count(), 2);
        assert!(kb.choose_candidate(0));
        assert_eq!(kb.text(), "胜利路一");
        assert!(
            kb.pad().is_empty(),
            "the pad is ready for the next character"
        );
        assert!(kb.candidates().is_empty());
        // Digits still type; the field's limit holds for written words.
        assert!(kb.press_label("8"));
        write_stroke(&mut kb, 100.0);
        kb.set_written(vec!["二".into()]);
        assert!(!kb.choose_candidate(0), "the field is full");
        assert_eq!(kb.text(), "胜利路一8");
    }

    #[test]
    fn undo_clear_and_late_answers_on_the_pad() {
        let mut kb = Keyboard::new(Layout::Handwriting, "", None);
        write_stroke(&mut kb, 100.0);
        let two = write_stroke(&mut kb, 200.0).unwrap();
        assert_eq!(two.strokes.len(), 2);
        kb.set_written(vec!["二".into()]);
        let one = kb.undo_stroke().expect("one stroke left to read");
        assert_eq!(one.strokes.len(), 1);
        assert!(kb.undo_stroke().is_none(), "empty now");
        assert!(kb.candidates().is_empty(), "no candidates for an empty pad");
        kb.set_written(vec!["一".into()]);
        assert!(
            kb.candidates().is_empty(),
            "a late answer for ink that is gone"
        );
        write_stroke(&mut kb, 100.0);
        kb.set_written(vec!["一".into()]);
        kb.clear_pad();
        assert!(kb.pad().is_empty() && kb.candidates().is_empty());
        // Switching away drops the ink; pinyin has no pad.
        write_stroke(&mut kb, 100.0);
        assert!(kb.switch_layout(Layout::Pinyin));
        assert!(kb.pad().is_empty());
        assert!(write_stroke(&mut kb, 100.0).is_none());
        assert_eq!(kb.rows().len(), 4, "the letters are back");
    }

    #[test]
    fn initial_text_is_filtered_by_the_layout() {
        assert_eq!(Keyboard::new(Layout::IdNumber, "1x2", None).text(), "12");
        assert_eq!(
            Keyboard::new(Layout::Pinyin, "北京市", None).text(),
            "北京市"
        );
        assert_eq!(
            Keyboard::new(Layout::Numeric { decimal: true }, "1.2.3", None).text(),
            "1.23"
        );
    }

    #[test]
    fn labels_round_trip_through_press_label() {
        for layout in [
            Layout::Pinyin,
            Layout::Latin,
            Layout::IdNumber,
            Layout::Numeric { decimal: true },
        ] {
            let kb = Keyboard::new(layout, "", None);
            for label in kb.rows().concat() {
                // 17 digits: room for one more, and the ID layout's X is due.
                let mut kb = Keyboard::new(layout, "12345678901234567", None);
                let before = (kb.text().to_string(), kb.compose().to_string());
                assert!(
                    kb.press_label(&label),
                    "{layout:?}: key {label} does nothing"
                );
                assert_ne!(before, (kb.text().to_string(), kb.compose().to_string()));
            }
        }
        assert!(!Keyboard::new(Layout::Latin, "", None).press_label("ab"));
    }

    #[test]
    fn syllable_bounds_are_greedy() {
        assert_eq!(syllable_bounds("zhangsan"), vec![5, 8]);
        assert_eq!(syllable_bounds("zhangs"), vec![5]);
        assert_eq!(syllable_bounds("liguihua"), vec![2, 5, 8]);
        assert!(syllable_bounds("x").is_empty());
    }

    /// The `n` commonest characters of the bundled list (it lists the
    /// single characters first, most frequent first).
    fn commonest_chars(n: usize) -> Vec<(char, u32)> {
        data_lines(FREQ_TSV)
            .filter_map(|l| {
                let (word, freq) = l.split_once('\t')?;
                let mut chars = word.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some((c, freq.parse().ok()?)),
                    _ => None,
                }
            })
            .take(n)
            .collect()
    }

    /// The single characters offered for the whole of `syllable`, in the
    /// engine's order.
    fn syllable_chars(syllable: &str) -> Vec<char> {
        candidates_for(syllable)
            .into_iter()
            .filter(|c| c.consumed == syllable.len())
            .filter_map(|c| {
                let mut chars = c.text.chars();
                match (chars.next(), chars.next()) {
                    (Some(ch), None) => Some(ch),
                    _ => None,
                }
            })
            .collect()
    }

    fn first_page(pinyin: &str) -> Vec<String> {
        candidates_for(pinyin)
            .into_iter()
            .take(PAGE_SIZE)
            .map(|c| c.text)
            .collect()
    }

    #[test]
    fn common_characters_come_in_descending_frequency() {
        let common: HashMap<char, u32> = commonest_chars(500).into_iter().collect();
        assert_eq!(common.len(), 500);
        let mut checked = 0;
        for syllable in inputx_pinyin::VALID_SYLLABLES {
            let freqs: Vec<(char, u32)> = syllable_chars(syllable)
                .into_iter()
                .filter_map(|c| common.get(&c).map(|&f| (c, f)))
                .collect();
            for pair in freqs.windows(2) {
                assert!(
                    pair[0].1 >= pair[1].1,
                    "{syllable}: {:?} before {:?} in {freqs:?}",
                    pair[0],
                    pair[1]
                );
            }
            checked += freqs.len();
        }
        // Every one of them has a reading, so each was seen at least once.
        assert!(checked >= 500, "{checked}");
    }

    #[test]
    fn the_hundred_commonest_characters_are_on_the_first_page() {
        // A polyphonic character (长 chang/zhang, 行 xing/hang) needs to
        // be on the first page of one of its readings only: its rarer
        // reading competes with that syllable's own common characters.
        let firsts: Vec<(&str, Vec<String>)> = inputx_pinyin::VALID_SYLLABLES
            .iter()
            .map(|s| (*s, first_page(s)))
            .collect();
        for (c, freq) in commonest_chars(100) {
            let c = c.to_string();
            assert!(
                firsts.iter().any(|(_, page)| page.contains(&c)),
                "{c} ({freq}) on no first page; its syllables: {:?}",
                firsts
                    .iter()
                    .filter(|(s, _)| syllable_chars(s).iter().any(|ch| ch.to_string() == c))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn name_characters_reach_the_first_page_without_reordering_the_commonest() {
        for (pinyin, c) in [("xiao", "晓"), ("wei", "伟")] {
            assert!(
                first_page(pinyin).iter().any(|w| w == c),
                "{c} not on page 1 of {pinyin}: {:?}",
                first_page(pinyin)
            );
        }
        let (_, five_hundredth) = commonest_chars(500)[499];
        assert!(NAME_FLOOR < five_hundredth, "{five_hundredth}");
    }

    #[test]
    fn whole_words_are_on_the_first_page() {
        for (pinyin, word) in [
            ("canyin", "餐饮"),
            ("youxiangongsi", "有限公司"),
            ("puyangshi", "濮阳市"),
            ("hualongqu", "华龙区"),
            ("shenglilu", "胜利路"),
        ] {
            let page = first_page(pinyin);
            assert!(page.iter().any(|w| w == word), "{pinyin}: {page:?}");
        }
        // With a space after shengli: the space commits 胜利, then 路.
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "shengli");
        assert!(kb.press(Key::Space));
        type_all(&mut kb, "lu");
        assert!(kb.press(Key::Space));
        assert_eq!(kb.text(), "胜利路");
        // And the place words are typed, not just listed.
        let mut kb = Keyboard::new(Layout::Pinyin, "", None);
        type_all(&mut kb, "puyangshihualongqu");
        choose(&mut kb, "濮阳市");
        choose(&mut kb, "华龙区");
        assert_eq!(kb.text(), "濮阳市华龙区");
    }

    #[derive(Clone, Debug)]
    enum Op {
        Press(Key),
        Choose(usize),
        Next,
        Prev,
        Switch(Layout),
        Stroke(f64),
        Written(usize),
        Undo,
        Clear,
        Finish,
    }

    fn op() -> impl Strategy<Value = Op> {
        let key = prop_oneof![
            prop::char::range('a', 'z').prop_map(Key::Char),
            prop::sample::select(vec![
                'X', 'x', '0', '7', '.', '-', '@', '·', '/', '张', '\n', 'Q'
            ])
            .prop_map(Key::Char),
            Just(Key::Space),
            Just(Key::Backspace),
            Just(Key::Shift),
        ];
        prop_oneof![
            6 => key.prop_map(Op::Press),
            2 => (0usize..8).prop_map(Op::Choose),
            1 => Just(Op::Next),
            1 => Just(Op::Prev),
            1 => prop::sample::select(TEXT_LAYOUTS.to_vec()).prop_map(Op::Switch),
            1 => (0.0f64..300.0).prop_map(Op::Stroke),
            1 => (0usize..15).prop_map(Op::Written),
            1 => Just(Op::Undo),
            1 => Just(Op::Clear),
            1 => Just(Op::Finish),
        ]
    }

    fn layout() -> impl Strategy<Value = Layout> {
        prop_oneof![
            Just(Layout::Pinyin),
            Just(Layout::Handwriting),
            Just(Layout::Latin),
            Just(Layout::IdNumber),
            any::<bool>().prop_map(|decimal| Layout::Numeric { decimal }),
        ]
    }

    proptest! {
        // Candidate look-ups run on every letter: keep the case count modest.
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn any_key_sequence_keeps_the_invariants(
            layout in layout(),
            max_len in prop::option::of(0usize..12),
            ops in prop::collection::vec(op(), 0..60),
        ) {
            let mut kb = Keyboard::new(layout, "", max_len);
            for op in ops {
                match op {
                    Op::Press(k) => { kb.press(k); }
                    Op::Choose(i) => { kb.choose_candidate(i); }
                    Op::Next => { kb.next_page(); }
                    Op::Prev => { kb.prev_page(); }
                    Op::Switch(to) => { kb.switch_layout(to); }
                    Op::Stroke(y) => { write_stroke(&mut kb, y); }
                    Op::Written(n) => kb.set_written((0..n).map(|i| "王二十一三".chars().nth(i % 5).unwrap().to_string()).collect()),
                    Op::Undo => { kb.undo_stroke(); }
                    Op::Clear => kb.clear(),
                    Op::Finish => { kb.finish(); }
                }
                for label in kb.rows().concat() {
                    if !kb.key_enabled(&label) {
                        let mut probe = kb.clone();
                        prop_assert!(!probe.press_label(&label), "greyed {label} typed");
                    }
                }
                let len = kb.text().chars().count();
                if let Some(max) = kb.max_len() {
                    prop_assert!(len <= max, "{len} > {max}: {:?}", kb.text());
                }
                prop_assert!(kb.compose().len() <= MAX_COMPOSE);
                prop_assert!(kb.compose().bytes().all(|b| b.is_ascii_lowercase()));
                prop_assert!(kb.page() < kb.page_count().max(1));
                prop_assert!(kb.layout() == Layout::Handwriting || kb.pad().is_empty(), "ink only on the pad");
                prop_assert!(kb.pad().ink().check().is_ok() || kb.pad().is_empty());
                match kb.layout() {
                    Layout::IdNumber => {
                        let t = kb.text();
                        prop_assert!(t.len() <= ID_NUMBER_LEN);
                        let last = kb.max_len().unwrap_or(ID_NUMBER_LEN).saturating_sub(1);
                        prop_assert!(t.chars().enumerate().all(|(i, c)| c.is_ascii_digit()
                            || (c == 'X' && i == last)), "{t}");
                    }
                    Layout::Numeric { decimal } => {
                        let t = kb.text();
                        prop_assert!(t.chars().all(|c| c.is_ascii_digit() || (decimal && c == '.')));
                        prop_assert!(t.matches('.').count() <= 1);
                    }
                    Layout::Latin | Layout::Pinyin | Layout::Handwriting => {
                        prop_assert!(!kb.text().contains('\n'));
                    }
                }
            }
        }
    }
}
