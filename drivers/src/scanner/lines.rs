//! Serial scanner records: bytes up to CR, LF or CRLF, possibly split over
//! many reads, with an optional AIM identifier and configured prefix and
//! suffix.

use super::text::decode_scan_bytes;
use super::{AimId, Scan, ScanError};

/// How the scanner is configured to frame its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineConfig {
    /// Bytes the scanner puts before every code (stripped when present).
    pub prefix: Vec<u8>,
    /// Bytes the scanner puts after every code, before the terminator.
    pub suffix: Vec<u8>,
    /// Longest record accepted, in bytes; longer ones are discarded whole.
    pub max_len: usize,
    /// Recognise a leading `]cm` AIM identifier.
    pub detect_aim: bool,
}

impl Default for LineConfig {
    fn default() -> Self {
        Self {
            prefix: Vec::new(),
            suffix: Vec::new(),
            // A full QR code holds at most 7089 digits / 2953 bytes; 4 KiB
            // leaves room for framing while bounding line noise.
            max_len: 4096,
            detect_aim: true,
        }
    }
}

/// Splits a byte stream into scans. Memory held is at most
/// `config.max_len` bytes whatever arrives.
#[derive(Debug)]
pub struct LineAssembler {
    config: LineConfig,
    buf: Vec<u8>,
    /// Bytes of the current over-long record seen so far (0 = not discarding).
    discarding: usize,
    /// The previous byte was CR: a following LF belongs to the same terminator.
    after_cr: bool,
}

impl LineAssembler {
    pub fn new(config: LineConfig) -> Self {
        Self {
            config,
            buf: Vec::new(),
            discarding: 0,
            after_cr: false,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &LineConfig {
        &self.config
    }

    /// Bytes of an unfinished record held right now.
    pub fn pending_len(&self) -> usize {
        self.buf.len()
    }

    /// Feeds bytes; returns every record they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Scan, ScanError>> {
        let mut out = Vec::new();
        for &b in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
            match b {
                b'\n' if after_cr => {}
                b'\r' | b'\n' => {
                    if let Some(result) = self.finish_record() {
                        out.push(result);
                    }
                }
                _ if self.discarding > 0 => self.discarding = self.discarding.saturating_add(1),
                _ if self.buf.len() >= self.config.max_len => {
                    // Drop what we hold now rather than at the terminator:
                    // garbage without line ends must not grow memory.
                    self.discarding = self.buf.len() + 1;
                    self.buf = Vec::new();
                }
                _ => self.buf.push(b),
            }
        }
        out
    }

    fn finish_record(&mut self) -> Option<Result<Scan, ScanError>> {
        if self.discarding > 0 {
            let length = std::mem::take(&mut self.discarding);
            return Some(Err(ScanError::TooLong {
                limit: self.config.max_len,
                length,
            }));
        }
        let record = std::mem::take(&mut self.buf);
        if record.is_empty() {
            return None;
        }
        Some(self.parse_record(&record))
    }

    fn parse_record(&self, record: &[u8]) -> Result<Scan, ScanError> {
        let mut body = record;
        if !self.config.prefix.is_empty() {
            body = body.strip_prefix(&self.config.prefix[..]).unwrap_or(body);
        }
        let aim = if self.config.detect_aim {
            AimId::parse_prefix(body)
        } else {
            None
        };
        if aim.is_some() {
            body = &body[3..];
        }
        if !self.config.suffix.is_empty() {
            body = body.strip_suffix(&self.config.suffix[..]).unwrap_or(body);
        }
        let (text, encoding) = decode_scan_bytes(body)?;
        Ok(Scan {
            aim,
            text,
            encoding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::TextEncoding;

    fn texts(results: Vec<Result<Scan, ScanError>>) -> Vec<String> {
        results
            .into_iter()
            .map(|r| match r {
                Ok(s) => s.text,
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    #[test]
    fn all_terminators_and_split_reads() {
        let mut a = LineAssembler::new(LineConfig::default());
        assert!(a.push(b"123").is_empty());
        assert_eq!(texts(a.push(b"45\r")), ["12345"]);
        // The LF of a CRLF arriving in the next read is not an empty record.
        assert!(a.push(b"\n").is_empty());
        assert_eq!(texts(a.push(b"a\nb\r\nc\r")), ["a", "b", "c"]);
        assert!(a.push(b"\r\n\n").is_empty());
    }

    #[test]
    fn aim_prefix_suffix_and_gbk() {
        let mut a = LineAssembler::new(LineConfig {
            prefix: b"<".to_vec(),
            suffix: b">".to_vec(),
            ..LineConfig::default()
        });
        let mut bytes = b"<]Q1".to_vec();
        bytes.extend(encoding_rs::GBK.encode("营业执照").0.iter());
        bytes.extend(b">\r\n");
        let scan = a.push(&bytes).remove(0).unwrap();
        assert_eq!(scan.aim.unwrap().to_string(), "]Q1");
        assert_eq!(scan.text, "营业执照");
        assert_eq!(scan.encoding, TextEncoding::Gbk);
        // Prefix and suffix are optional on input: a record without them passes.
        assert_eq!(texts(a.push(b"plain\r")), ["plain"]);
    }

    #[test]
    fn over_long_line_is_reported_once_and_memory_stays_bounded() {
        let mut a = LineAssembler::new(LineConfig {
            max_len: 8,
            ..LineConfig::default()
        });
        assert!(a.push(&[b'x'; 1000]).is_empty());
        assert!(a.pending_len() <= 8);
        let out = texts(a.push(b"yy\rgood\r"));
        assert_eq!(out.len(), 2);
        assert!(
            out[0].contains("超过8字节") && out[0].contains("1002"),
            "{}",
            out[0]
        );
        assert_eq!(out[1], "good");
        // Exactly max_len is still fine.
        assert_eq!(texts(a.push(b"12345678\r")), ["12345678"]);
    }
}
