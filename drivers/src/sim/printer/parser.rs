//! An incremental ESC/POS parser: bytes in (in pieces of any size),
//! commands out. It knows every command the kiosk's encoder emits plus the
//! common rest of the ESC/POS set (so their parameters are not mistaken for
//! text), reports anything else as [`Event::Unknown`], and holds a bounded
//! number of bytes whatever arrives.

use std::fmt;

/// Largest raster image data kept (bigger ones are skipped, reported by size).
pub const MAX_RASTER_DATA: usize = 1 << 20;
/// Longest run of text held before it is emitted.
const MAX_TEXT: usize = 4096;

/// One parsed command or run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// ESC @.
    Init,
    /// FS & (true) / FS . (false).
    ChineseMode(bool),
    /// Printable bytes, decoded from GB18030.
    Text(String),
    /// LF.
    Lf,
    /// ESC E n.
    Bold(bool),
    /// ESC - n.
    Underline(u8),
    /// GS B n.
    Reverse(bool),
    /// ESC ! n.
    PrintMode(u8),
    /// GS ! n, as multipliers.
    CharSize { width: u8, height: u8 },
    /// ESC a n (0 left, 1 centre, 2 right; '0'..'2' accepted too).
    Align(u8),
    /// ESC d n.
    FeedLines(u8),
    /// ESC J n.
    FeedDots(u8),
    /// GS ( k print, with the settings and data stored before it.
    Qr {
        model: u8,
        module_size: u8,
        ec: u8,
        data: Vec<u8>,
    },
    /// GS v 0; `data` is `None` when it exceeded [`MAX_RASTER_DATA`].
    Raster {
        mode: u8,
        width_bytes: u16,
        height: u16,
        data: Option<Vec<u8>>,
    },
    /// GS V m [n].
    Cut { mode: u8, feed: Option<u8> },
    /// DLE EOT n.
    StatusRequest(u8),
    /// A command known by shape only (kept as its bytes, data elided).
    Other(Vec<u8>),
    /// Bytes the parser could not place.
    Unknown(Vec<u8>),
}

impl fmt::Display for Event {
    /// The transcript token, e.g. `[ALIGN CENTER]`; text as itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Init => f.write_str("[INIT]"),
            Event::ChineseMode(on) => write!(f, "[CN {}]", on_off(*on)),
            Event::Text(t) => f.write_str(t),
            Event::Lf => f.write_str("[LF]"),
            Event::Bold(on) => write!(f, "[BOLD {}]", on_off(*on)),
            Event::Underline(n) => write!(f, "[UNDERLINE {n}]"),
            Event::Reverse(on) => write!(f, "[REVERSE {}]", on_off(*on)),
            Event::PrintMode(n) => write!(f, "[MODE 0x{n:02X}]"),
            Event::CharSize { width, height } => write!(f, "[SIZE {width}x{height}]"),
            Event::Align(n) => write!(
                f,
                "[ALIGN {}]",
                match n {
                    0 | b'0' => "LEFT",
                    1 | b'1' => "CENTER",
                    2 | b'2' => "RIGHT",
                    _ => "?",
                }
            ),
            Event::FeedLines(n) => write!(f, "[FEED {n}]"),
            Event::FeedDots(n) => write!(f, "[FEED DOTS {n}]"),
            Event::Qr {
                model,
                module_size,
                ec,
                data,
            } => {
                let ec = match ec {
                    0x30 => "L",
                    0x31 => "M",
                    0x32 => "Q",
                    0x33 => "H",
                    _ => "?",
                };
                let model = model.wrapping_sub(0x30);
                write!(
                    f,
                    "[QR M={model} S={module_size} EC={ec} {:?}]",
                    String::from_utf8_lossy(data)
                )
            }
            Event::Raster {
                width_bytes,
                height,
                data,
                ..
            } => {
                let note = if data.is_none() { " SKIPPED" } else { "" };
                write!(f, "[RASTER {}x{height}{note}]", u32::from(*width_bytes) * 8)
            }
            Event::Cut { mode, feed } => match (mode, feed) {
                (0 | 0x30, _) => f.write_str("[CUT]"),
                (1 | 0x31, _) => f.write_str("[CUT PARTIAL]"),
                (65, Some(n)) => write!(f, "[CUT FEED {n}]"),
                (66, Some(n)) => write!(f, "[CUT PARTIAL FEED {n}]"),
                _ => write!(f, "[CUT ? {mode}]"),
            },
            Event::StatusRequest(n) => write!(f, "[STATUS {n}]"),
            Event::Other(bytes) => write!(f, "[CMD {}]", hex(bytes)),
            Event::Unknown(bytes) => write!(f, "[UNKNOWN {}]", hex(bytes)),
        }
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "ON" } else { "OFF" }
}

fn hex(bytes: &[u8]) -> String {
    let mut parts: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
    if bytes.len() > 8 {
        parts.push("…".into());
    }
    parts.join(" ")
}

/// An event and how many input bytes it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub event: Event,
    pub len: usize,
}

/// What parsing the front of the buffer gave.
enum Step {
    Done(Event, usize),
    /// Need more bytes.
    Incomplete,
    /// A command whose data is too big to hold: emit now, skip the data as it comes.
    SkipData(Event, usize, usize),
}

#[derive(Debug, Clone)]
struct QrState {
    model: u8,
    module_size: u8,
    ec: u8,
    data: Vec<u8>,
}

/// The parser. Feed it with [`EscPosParser::push`].
#[derive(Debug, Clone)]
pub struct EscPosParser {
    buf: Vec<u8>,
    text: Vec<u8>,
    skip: usize,
    qr: QrState,
}

impl Default for EscPosParser {
    fn default() -> Self {
        Self::new()
    }
}

impl EscPosParser {
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            text: Vec::new(),
            skip: 0,
            qr: QrState {
                model: 0x32,
                module_size: 3,
                ec: 0x30,
                data: Vec::new(),
            },
        }
    }

    /// Bytes held for an unfinished command or text run.
    pub fn pending_len(&self) -> usize {
        self.buf.len() + self.text.len()
    }

    /// Feeds bytes; returns the events they complete. Text is held until a
    /// command follows it (or [`EscPosParser::flush_text`]).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Parsed> {
        let mut out = Vec::new();
        let mut input = bytes;
        if self.skip > 0 {
            let n = self.skip.min(input.len());
            self.skip -= n;
            input = &input[n..];
        }
        self.buf.extend_from_slice(input);
        let mut pos = 0;
        while pos < self.buf.len() {
            let rest = &self.buf[pos..];
            if rest[0] >= 0x20 {
                let run = rest.iter().take_while(|b| **b >= 0x20).count();
                self.text.extend_from_slice(&rest[..run]);
                pos += run;
                if self.text.len() >= MAX_TEXT {
                    out.extend(self.flush_text());
                }
                continue;
            }
            let rest_len = rest.len();
            match parse_command(rest) {
                Step::Incomplete => break,
                Step::Done(event, len) => {
                    out.extend(self.flush_text());
                    let event = self.qr_hook(event);
                    pos += len;
                    if let Some(event) = event {
                        out.push(Parsed { event, len });
                    }
                }
                Step::SkipData(event, header, data) => {
                    out.extend(self.flush_text());
                    let available = rest_len - header;
                    let taken = available.min(data);
                    self.skip = data - taken;
                    pos += header + taken;
                    out.push(Parsed {
                        event,
                        len: header + data,
                    });
                }
            }
        }
        self.buf.drain(..pos);
        out
    }

    /// Emits text held so far (at the end of a job).
    pub fn flush_text(&mut self) -> Option<Parsed> {
        if self.text.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut self.text);
        let text = encoding_rs::GB18030.decode_without_bom_handling(&bytes).0;
        Some(Parsed {
            event: Event::Text(text.into_owned()),
            len: bytes.len(),
        })
    }

    /// Keeps the QR settings; only the print command becomes an event.
    fn qr_hook(&mut self, event: Event) -> Option<Event> {
        let Event::Other(bytes) = &event else {
            return Some(event);
        };
        let [0x1D, 0x28, 0x6B, _, _, 0x31, func, params @ ..] = &bytes[..] else {
            return Some(event);
        };
        match (func, params) {
            (0x41, [model, ..]) => self.qr.model = *model,
            (0x43, [size]) => self.qr.module_size = *size,
            (0x45, [ec]) => self.qr.ec = *ec,
            (0x50, [0x30, data @ ..]) => self.qr.data = data.to_vec(),
            (0x51, [0x30]) => {
                return Some(Event::Qr {
                    model: self.qr.model,
                    module_size: self.qr.module_size,
                    ec: self.qr.ec,
                    data: self.qr.data.clone(),
                });
            }
            _ => return Some(event),
        }
        None
    }
}

/// Parses one command at the start of `b` (b[0] < 0x20).
fn parse_command(b: &[u8]) -> Step {
    let need = |n: usize| b.len() < n;
    let fixed = |n: usize, event: Event| {
        if need(n) {
            Step::Incomplete
        } else {
            Step::Done(event, n)
        }
    };
    let other = |n: usize| {
        if need(n) {
            Step::Incomplete
        } else {
            Step::Done(Event::Other(b[..n].to_vec()), n)
        }
    };
    match b[0] {
        0x0A => Step::Done(Event::Lf, 1),
        0x1B => {
            if need(2) {
                return Step::Incomplete;
            }
            let arg = || b.get(2).copied().unwrap_or(0);
            match b[1] {
                0x40 => Step::Done(Event::Init, 2),
                0x45 => fixed(3, Event::Bold(arg() & 1 == 1)),
                0x2D => fixed(3, Event::Underline(arg())),
                0x21 => fixed(3, Event::PrintMode(arg())),
                0x61 => fixed(3, Event::Align(arg())),
                0x64 => fixed(3, Event::FeedLines(arg())),
                0x4A => fixed(3, Event::FeedDots(arg())),
                // ESC 2, ESC <, ESC i, ESC m: no parameter.
                0x32 | 0x3C | 0x69 | 0x6D => other(2),
                // One-parameter ESC commands.
                0x20 | 0x25 | 0x33 | 0x3D | 0x3F | 0x47 | 0x4D | 0x52 | 0x54 | 0x55 | 0x56
                | 0x63 | 0x74 | 0x7B => {
                    if b[1] == 0x63 {
                        other(4)
                    } else {
                        other(3)
                    }
                }
                0x24 | 0x5C => other(4),
                0x70 => other(5),
                // ESC D n1 .. NUL: tab stops, at most 32.
                0x44 => match b[2..].iter().take(33).position(|x| *x == 0) {
                    Some(i) => other(3 + i),
                    None if b.len() >= 35 => Step::Done(Event::Unknown(b[..2].to_vec()), 2),
                    None => Step::Incomplete,
                },
                // ESC * m nL nH d: bit image, 1 or 3 bytes per column.
                0x2A => {
                    if need(5) {
                        return Step::Incomplete;
                    }
                    let cols = usize::from(b[3]) | usize::from(b[4]) << 8;
                    let per = if b[2] >= 32 { 3 } else { 1 };
                    data_command(b, 5, cols * per)
                }
                _ => Step::Done(Event::Unknown(b[..2].to_vec()), 2),
            }
        }
        0x1D => {
            if need(2) {
                return Step::Incomplete;
            }
            match b[1] {
                0x21 => {
                    if need(3) {
                        return Step::Incomplete;
                    }
                    Step::Done(
                        Event::CharSize {
                            width: (b[2] >> 4) + 1,
                            height: (b[2] & 0x0F) + 1,
                        },
                        3,
                    )
                }
                0x42 => fixed(3, Event::Reverse(b.get(2).is_some_and(|x| x & 1 == 1))),
                0x56 => {
                    if need(3) {
                        return Step::Incomplete;
                    }
                    match b[2] {
                        65 | 66 | 97 | 98 | 103 | 104 => fixed(
                            4,
                            Event::Cut {
                                mode: b[2],
                                feed: b.get(3).copied(),
                            },
                        ),
                        m => Step::Done(
                            Event::Cut {
                                mode: m,
                                feed: None,
                            },
                            3,
                        ),
                    }
                }
                // GS ( x pL pH data: every GS ( function has this shape.
                0x28 => {
                    if need(5) {
                        return Step::Incomplete;
                    }
                    let len = usize::from(b[3]) | usize::from(b[4]) << 8;
                    other(5 + len)
                }
                0x76 => {
                    if need(8) {
                        return Step::Incomplete;
                    }
                    if b[2] != 0x30 {
                        return Step::Done(Event::Unknown(b[..3].to_vec()), 3);
                    }
                    let wb = u16::from(b[4]) | u16::from(b[5]) << 8;
                    let h = u16::from(b[6]) | u16::from(b[7]) << 8;
                    let len = usize::from(wb) * usize::from(h);
                    let event = |data| Event::Raster {
                        mode: b[3],
                        width_bytes: wb,
                        height: h,
                        data,
                    };
                    if len > MAX_RASTER_DATA {
                        Step::SkipData(event(None), 8, len)
                    } else if need(8 + len) {
                        Step::Incomplete
                    } else {
                        Step::Done(event(Some(b[8..8 + len].to_vec())), 8 + len)
                    }
                }
                // GS k m ...: barcodes, NUL-terminated (m <= 6) or counted.
                0x6B => {
                    if need(3) {
                        return Step::Incomplete;
                    }
                    if b[2] <= 6 {
                        match b[3..].iter().take(256).position(|x| *x == 0) {
                            Some(i) => other(4 + i),
                            None if b.len() >= 3 + 256 => {
                                Step::Done(Event::Unknown(b[..3].to_vec()), 3)
                            }
                            None => Step::Incomplete,
                        }
                    } else {
                        if need(4) {
                            return Step::Incomplete;
                        }
                        data_command(b, 4, usize::from(b[3]))
                    }
                }
                0x48 | 0x66 | 0x68 | 0x77 | 0x61 | 0x72 | 0x49 | 0x45 | 0x2F | 0x62 | 0x3A => {
                    if b[1] == 0x3A { other(2) } else { other(3) }
                }
                0x4C | 0x57 | 0x50 => other(4),
                // GS * x y d: downloaded bit image, x*y*8 bytes.
                0x2A => {
                    if need(4) {
                        return Step::Incomplete;
                    }
                    data_command(b, 4, usize::from(b[2]) * usize::from(b[3]) * 8)
                }
                _ => Step::Done(Event::Unknown(b[..2].to_vec()), 2),
            }
        }
        0x1C => {
            if need(2) {
                return Step::Incomplete;
            }
            match b[1] {
                0x26 => Step::Done(Event::ChineseMode(true), 2),
                0x2E => Step::Done(Event::ChineseMode(false), 2),
                0x21 | 0x2D | 0x43 | 0x57 => other(3),
                0x53 | 0x70 => other(4),
                _ => Step::Done(Event::Unknown(b[..2].to_vec()), 2),
            }
        }
        0x10 => {
            if need(2) {
                return Step::Incomplete;
            }
            match b[1] {
                0x04 => fixed(3, Event::StatusRequest(b.get(2).copied().unwrap_or(0))),
                0x05 => other(3),
                0x14 => other(5),
                _ => Step::Done(Event::Unknown(b[..1].to_vec()), 1),
            }
        }
        // HT, FF, CR, CAN and friends: single bytes with no text to show.
        _ => Step::Done(Event::Other(vec![b[0]]), 1),
    }
}

/// A command with a header and `data` bytes after it, kept whole when
/// small, else skipped.
fn data_command(b: &[u8], header: usize, data: usize) -> Step {
    if data > MAX_RASTER_DATA {
        return Step::SkipData(Event::Other(b[..header].to_vec()), header, data);
    }
    if b.len() < header + data {
        Step::Incomplete
    } else {
        Step::Done(Event::Other(b[..header].to_vec()), header + data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(bytes: &[u8]) -> Vec<Event> {
        let mut p = EscPosParser::new();
        let mut out: Vec<Event> = p.push(bytes).into_iter().map(|x| x.event).collect();
        out.extend(p.flush_text().map(|x| x.event));
        out
    }

    #[test]
    fn byte_by_byte_equals_all_at_once() {
        let mut job = vec![0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 1];
        job.extend(encoding_rs::GB18030.encode("受理回执").0.iter());
        job.extend([0x0A, 0x1D, 0x76, 0x30, 0, 1, 0, 2, 0, 0xFF, 0x80]);
        job.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 5]);
        job.extend([0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, b'h', b'i']);
        job.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        job.extend([0x10, 0x04, 0x02, 0x1B, 0x99, 0x1D, 0x56, 0x42, 3]);
        let whole = events(&job);
        let mut p = EscPosParser::new();
        let mut split = Vec::new();
        for b in &job {
            split.extend(p.push(&[*b]).into_iter().map(|x| x.event));
        }
        split.extend(p.flush_text().map(|x| x.event));
        assert_eq!(whole, split);
        let transcript: Vec<String> = whole.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            transcript.join(" "),
            "[INIT] [CN ON] [ALIGN CENTER] 受理回执 [LF] [RASTER 8x2] \
             [QR M=2 S=5 EC=L \"hi\"] [STATUS 2] [UNKNOWN 1B 99] [CUT PARTIAL FEED 3]"
        );
    }

    #[test]
    fn huge_raster_is_skipped_without_holding_it() {
        let mut p = EscPosParser::new();
        let out = p.push(&[0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
        assert_eq!(out.len(), 1);
        assert!(matches!(out[0].event, Event::Raster { data: None, .. }));
        for _ in 0..100 {
            assert!(p.push(&[0x41; 10_000]).is_empty());
            assert_eq!(p.pending_len(), 0);
        }
    }
}
