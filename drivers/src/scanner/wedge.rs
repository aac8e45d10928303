//! USB HID keyboard ("wedge") scanners: 8-byte boot keyboard reports
//! (modifiers, reserved, six usage IDs), US layout. Only newly pressed keys
//! count, so a key held over several reports types once. Enter ends a code.
//!
//! Keyboard mode cannot carry Chinese text and depends on the layout: it is
//! tolerated for ASCII codes only.

use super::{Scan, ScanError, TextEncoding};

/// Length of one boot keyboard report.
pub const WEDGE_REPORT_LEN: usize = 8;

const SHIFT: u8 = 0x02 | 0x20;
const CTRL_ALT_GUI: u8 = 0x01 | 0x04 | 0x08 | 0x10 | 0x40 | 0x80;
/// "ErrorRollOver": too many keys down, the report's keys are meaningless.
const ROLLOVER: u8 = 0x01;
const ENTER: u8 = 0x28;
const KEYPAD_ENTER: u8 = 0x58;

/// (usage, unshifted, shifted) for the US layout.
const KEYS: &[(u8, char, char)] = &[
    (0x1E, '1', '!'),
    (0x1F, '2', '@'),
    (0x20, '3', '#'),
    (0x21, '4', '$'),
    (0x22, '5', '%'),
    (0x23, '6', '^'),
    (0x24, '7', '&'),
    (0x25, '8', '*'),
    (0x26, '9', '('),
    (0x27, '0', ')'),
    (0x2B, '\t', '\t'),
    (0x2C, ' ', ' '),
    (0x2D, '-', '_'),
    (0x2E, '=', '+'),
    (0x2F, '[', '{'),
    (0x30, ']', '}'),
    (0x31, '\\', '|'),
    (0x33, ';', ':'),
    (0x34, '\'', '"'),
    (0x35, '`', '~'),
    (0x36, ',', '<'),
    (0x37, '.', '>'),
    (0x38, '/', '?'),
    (0x54, '/', '/'),
    (0x55, '*', '*'),
    (0x56, '-', '-'),
    (0x57, '+', '+'),
    (0x59, '1', '1'),
    (0x5A, '2', '2'),
    (0x5B, '3', '3'),
    (0x5C, '4', '4'),
    (0x5D, '5', '5'),
    (0x5E, '6', '6'),
    (0x5F, '7', '7'),
    (0x60, '8', '8'),
    (0x61, '9', '9'),
    (0x62, '0', '0'),
    (0x63, '.', '.'),
];

fn usage_to_char(usage: u8, shift: bool) -> Option<char> {
    if (0x04..=0x1D).contains(&usage) {
        let c = (b'a' + usage - 0x04) as char;
        return Some(if shift { c.to_ascii_uppercase() } else { c });
    }
    KEYS.iter()
        .find(|(u, _, _)| *u == usage)
        .map(|(_, plain, shifted)| if shift { *shifted } else { *plain })
}

/// The key press (modifier byte, usage ID) that types `c` on a US layout,
/// as a keyboard-mode scanner would send it; `None` for anything else.
pub fn char_to_usage(c: char) -> Option<(u8, u8)> {
    if c.is_ascii_lowercase() {
        return Some((0, c as u8 - b'a' + 0x04));
    }
    if c.is_ascii_uppercase() {
        return Some((0x02, c.to_ascii_lowercase() as u8 - b'a' + 0x04));
    }
    // Main-row keys only (keypad duplicates would decode the same).
    KEYS.iter()
        .filter(|(u, _, _)| *u < 0x54)
        .find_map(|(u, plain, shifted)| {
            if *plain == c {
                Some((0, *u))
            } else if *shifted == c {
                Some((0x02, *u))
            } else {
                None
            }
        })
}

/// Turns keyboard reports into scans.
#[derive(Debug)]
pub struct WedgeDecoder {
    max_len: usize,
    pressed: [u8; 6],
    text: String,
    /// Why the code being typed will be refused, if it will.
    broken: Option<ScanError>,
}

impl Default for WedgeDecoder {
    fn default() -> Self {
        Self::new(4096)
    }
}

impl WedgeDecoder {
    pub fn new(max_len: usize) -> Self {
        Self {
            max_len,
            pressed: [0; 6],
            text: String::new(),
            broken: None,
        }
    }

    /// Feeds one report; returns the code when Enter completes it. A code
    /// containing a key that cannot be decoded is refused as a whole when
    /// its Enter arrives, never passed on partly.
    pub fn push(&mut self, report: &[u8]) -> Result<Option<Scan>, ScanError> {
        let Ok(report) = <&[u8; WEDGE_REPORT_LEN]>::try_from(report) else {
            let err = ScanError::WedgeReportLength(report.len());
            if !self.text.is_empty() && self.broken.is_none() {
                // A key of the code being typed may be in the lost report:
                // the rest of the code must not come out as if whole.
                // Refused at its Enter, reported once.
                self.broken = Some(err);
                return Ok(None);
            }
            return Err(err);
        };
        let keys: [u8; 6] = report[2..8].try_into().unwrap_or([0; 6]);
        if keys.contains(&ROLLOVER) {
            // Phantom state: ignore it and keep the last real one.
            return Ok(None);
        }
        let modifiers = report[0];
        let shift = modifiers & SHIFT != 0;
        let previous = std::mem::replace(&mut self.pressed, keys);
        for &usage in keys.iter().filter(|&&k| k != 0 && !previous.contains(&k)) {
            if usage == ENTER || usage == KEYPAD_ENTER {
                return self.finish();
            }
            if self.broken.is_some() {
                continue;
            }
            if modifiers & CTRL_ALT_GUI != 0 {
                self.broken = Some(ScanError::ControlModifier);
                continue;
            }
            match usage_to_char(usage, shift) {
                Some(_) if self.text.len() >= self.max_len => {
                    self.broken = Some(ScanError::TooLong {
                        limit: self.max_len,
                        length: self.text.len() + 1,
                    });
                    self.text = String::new();
                }
                Some(c) => self.text.push(c),
                None => self.broken = Some(ScanError::UnsupportedKey(usage)),
            }
        }
        Ok(None)
    }

    fn finish(&mut self) -> Result<Option<Scan>, ScanError> {
        let text = std::mem::take(&mut self.text);
        if let Some(err) = self.broken.take() {
            return Err(err);
        }
        if text.is_empty() {
            return Ok(None);
        }
        Ok(Some(Scan {
            aim: None,
            text,
            encoding: TextEncoding::Utf8,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(modifiers: u8, keys: &[u8]) -> [u8; 8] {
        let mut r = [0u8; 8];
        r[0] = modifiers;
        r[2..2 + keys.len()].copy_from_slice(keys);
        r
    }

    #[test]
    fn shift_rollover_and_held_keys() {
        let mut d = WedgeDecoder::default();
        // "A" with shift, held for two reports: typed once.
        assert!(d.push(&report(0x02, &[0x04])).unwrap().is_none());
        assert!(d.push(&report(0x02, &[0x04])).unwrap().is_none());
        // Rollover: "b" pressed while "a" still down counts only "b".
        assert!(d.push(&report(0, &[0x04, 0x05])).unwrap().is_none());
        // Phantom report changes nothing.
        assert!(d.push(&report(0, &[1, 1, 1, 1, 1, 1])).unwrap().is_none());
        assert!(d.push(&report(0, &[])).unwrap().is_none());
        // Released then pressed again: typed again. Right shift too.
        assert!(d.push(&report(0x20, &[0x1E])).unwrap().is_none());
        assert!(d.push(&report(0, &[])).unwrap().is_none());
        assert!(d.push(&report(0, &[0x1E, 0x27])).unwrap().is_none());
        let scan = d.push(&report(0, &[ENTER])).unwrap().unwrap();
        assert_eq!(scan.text, "Ab!10");
    }

    #[test]
    fn unknown_keys_and_ctrl_refuse_the_whole_code() {
        let mut d = WedgeDecoder::default();
        d.push(&report(0, &[0x04])).unwrap();
        d.push(&report(0, &[0x3A])).unwrap(); // F1
        d.push(&report(0, &[0x05])).unwrap();
        let err = d.push(&report(0, &[ENTER])).unwrap_err();
        assert!(err.to_string().contains("0x3A"), "{err}");
        // The next code is fine again.
        d.push(&report(0, &[])).unwrap();
        d.push(&report(0, &[0x05])).unwrap();
        assert_eq!(d.push(&report(0, &[ENTER])).unwrap().unwrap().text, "b");
        d.push(&report(0x01, &[0x04])).unwrap();
        assert!(matches!(
            d.push(&report(0, &[KEYPAD_ENTER])),
            Err(ScanError::ControlModifier)
        ));
        assert!(matches!(
            d.push(&[0u8; 3]),
            Err(ScanError::WedgeReportLength(3))
        ));
    }

    #[test]
    fn a_short_report_mid_code_refuses_that_code_not_the_next() {
        let mut d = WedgeDecoder::default();
        d.push(&report(0, &[0x04])).unwrap();
        d.push(&report(0, &[])).unwrap();
        // Lost in the middle of "a?c": must not come out as "ac".
        assert!(d.push(&[0u8; 5]).unwrap().is_none());
        d.push(&report(0, &[0x06])).unwrap();
        assert!(matches!(
            d.push(&report(0, &[ENTER])),
            Err(ScanError::WedgeReportLength(5))
        ));
        d.push(&report(0, &[])).unwrap();
        d.push(&report(0, &[0x05])).unwrap();
        assert_eq!(d.push(&report(0, &[ENTER])).unwrap().unwrap().text, "b");
    }

    #[test]
    fn every_typeable_char_round_trips() {
        for c in (0x20u8..0x7F).map(char::from).chain(['\t']) {
            let (m, u) = char_to_usage(c).unwrap_or_else(|| panic!("{c:?}"));
            assert_eq!(usage_to_char(u, m & SHIFT != 0), Some(c));
        }
        assert_eq!(char_to_usage('中'), None);
        assert_eq!(char_to_usage('\r'), None);
    }
}
