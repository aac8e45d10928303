//! The SAM module's identity, as printed on the module and in vendor tools.

/// Formats the 16 data bytes of a `12 FF` response as
/// `AA.BB-CCCCCCCC-DDDDDDDDDD-EEEEEEEEEE`: two little-endian u16 (at least
/// two digits) then three little-endian u32, the first shown with at least
/// eight digits and the others with ten (the reference gives ten for every
/// u32, its own pattern shows eight for the first: vendor tools print the
/// first as a date-like eight-digit number, so that is what is used).
/// `None` when the response does not carry 16 bytes.
pub fn format_sam_id(data: &[u8]) -> Option<String> {
    let bytes: &[u8; 16] = data.get(..16)?.try_into().ok()?;
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some(format!(
        "{:02}.{:02}-{:08}-{:010}-{:010}",
        u16_at(0),
        u16_at(2),
        u32_at(4),
        u32_at(8),
        u32_at(12)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sam_id_is_formatted_with_padding() {
        let mut data = Vec::new();
        data.extend(5u16.to_le_bytes());
        data.extend(1u16.to_le_bytes());
        data.extend(20_101_215u32.to_le_bytes());
        data.extend(123_456u32.to_le_bytes());
        data.extend(4_294_967_295u32.to_le_bytes());
        assert_eq!(
            format_sam_id(&data).unwrap(),
            "05.01-20101215-0000123456-4294967295"
        );
        assert_eq!(format_sam_id(&data[..15]), None);
    }
}
