//! AIM symbology identifiers (`]cm`: `]`, a code character, a modifier).

use std::fmt;

/// An AIM symbology identifier such as `]Q1` (QR code, model 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AimId {
    /// The code character: `C` Code 128, `E` EAN/UPC, `Q` QR, ...
    pub code: u8,
    /// The modifier character (options of the symbology).
    pub modifier: u8,
}

impl AimId {
    /// Reads an identifier from the start of `bytes`. Both characters must
    /// be ASCII alphanumeric, which keeps ordinary data starting with `]`
    /// from being eaten.
    pub fn parse_prefix(bytes: &[u8]) -> Option<AimId> {
        match bytes {
            [b']', code, modifier, ..]
                if code.is_ascii_alphanumeric() && modifier.is_ascii_alphanumeric() =>
            {
                Some(AimId {
                    code: *code,
                    modifier: *modifier,
                })
            }
            _ => None,
        }
    }

    /// The symbology's name, for technicians and logs.
    pub fn symbology(&self) -> &'static str {
        match self.code {
            b'A' => "Code 39",
            b'C' => "Code 128",
            b'E' => "EAN/UPC",
            b'F' => "Codabar",
            b'G' => "Code 93",
            b'I' => "Interleaved 2 of 5",
            b'L' => "PDF417",
            b'Q' => "QR Code",
            b'd' => "Data Matrix",
            b'e' => "GS1 DataBar",
            b'h' => "Han Xin",
            b'z' => "Aztec",
            _ => "other",
        }
    }

    /// True for two-dimensional symbologies (QR, Data Matrix, PDF417, Han Xin, Aztec).
    pub fn is_2d(&self) -> bool {
        matches!(self.code, b'Q' | b'd' | b'L' | b'h' | b'z')
    }

    /// The three bytes as sent by a scanner.
    pub fn to_bytes(self) -> [u8; 3] {
        [b']', self.code, self.modifier]
    }
}

impl fmt::Display for AimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "]{}{}", self.code as char, self.modifier as char)
    }
}

impl serde::Serialize for AimId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_identifiers_and_refuses_lookalikes() {
        let qr = AimId::parse_prefix(b"]Q1OV1:R:1").unwrap();
        assert_eq!(qr.symbology(), "QR Code");
        assert!(qr.is_2d());
        assert_eq!(qr.to_string(), "]Q1");
        assert_eq!(AimId::parse_prefix(b"]h0x").unwrap().symbology(), "Han Xin");
        assert_eq!(AimId::parse_prefix(b"]E0").unwrap().symbology(), "EAN/UPC");
        assert!(!AimId::parse_prefix(b"]C0").unwrap().is_2d());
        assert_eq!(AimId::parse_prefix(b"]Q"), None);
        assert_eq!(AimId::parse_prefix(b"] 1abc"), None);
        assert_eq!(AimId::parse_prefix(b"abc"), None);
    }
}
