//! Turning scanned bytes into text: UTF-8 first, GBK as the fallback
//! because many Chinese scanners and code generators still emit GBK.

use super::ScanError;

/// Which decoding produced a scan's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    Utf8,
    Gbk,
}

/// Decodes scanned bytes, UTF-8 first, then GBK (strictly: a byte
/// sequence that is neither is refused rather than shown garbled).
pub fn decode_scan_bytes(bytes: &[u8]) -> Result<(String, TextEncoding), ScanError> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), TextEncoding::Utf8));
    }
    match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), TextEncoding::Gbk)),
        None => Err(ScanError::Undecodable {
            preview: hex_preview(bytes, 16),
        }),
    }
}

/// The first `max` bytes as hex, for error messages.
pub(crate) fn hex_preview(bytes: &[u8], max: usize) -> String {
    let mut out: Vec<String> = bytes.iter().take(max).map(|b| format!("{b:02X}")).collect();
    if bytes.len() > max {
        out.push("…".into());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_then_gbk_then_refusal() {
        assert_eq!(
            decode_scan_bytes("受理回执".as_bytes()).unwrap(),
            ("受理回执".to_string(), TextEncoding::Utf8)
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("营业执照");
        assert_eq!(
            decode_scan_bytes(&gbk).unwrap(),
            ("营业执照".to_string(), TextEncoding::Gbk)
        );
        // 0x80 alone and a lead byte without a trail byte are neither.
        let err = decode_scan_bytes(&[0x41, 0xFF, 0xFF]).unwrap_err();
        assert!(err.to_string().contains("41 FF FF"), "{err}");
    }
}
