//! Text helpers for receipt layout: GB18030 encoding, display widths
//! (a CJK character is two columns), wrapping, and the GB2312 check.

use unicode_width::UnicodeWidthChar;

/// The bytes printers expect in Chinese mode. GB18030 can encode every
/// character, but printer fonts only hold a subset: see [`can_encode_gb2312`].
pub fn encode_gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

/// Columns `text` takes in the printer's font: CJK (wide) characters two,
/// others one, control characters none.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// True when every character is ASCII or one of the 7445 characters of
/// GB2312 (the set every Chinese printer font holds). A false answer (e.g.
/// 䶮, 镕, 𠮷, €) means the line should be printed as a raster image.
pub fn can_encode_gb2312(text: &str) -> bool {
    text.chars().all(|c| {
        if c.is_ascii() {
            return true;
        }
        let mut buf = [0u8; 4];
        let encoded = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf)).0;
        match *encoded {
            [lead, trail] => in_gb2312(lead, trail),
            _ => false,
        }
    })
}

/// The assigned cells of GB2312 (rows 1-9 symbols, 16-87 hanzi), in
/// EUC-CN bytes. GBK fills some of the gaps with characters GB2312 lacks.
fn in_gb2312(lead: u8, trail: u8) -> bool {
    let ranges: &[(u8, u8)] = match lead {
        0xA1 | 0xA3 => &[(0xA1, 0xFE)],
        0xA2 => &[(0xB1, 0xE2), (0xE5, 0xEE), (0xF1, 0xFC)],
        0xA4 => &[(0xA1, 0xF3)],
        0xA5 => &[(0xA1, 0xF6)],
        0xA6 => &[(0xA1, 0xB8), (0xC1, 0xD8)],
        0xA7 => &[(0xA1, 0xC1), (0xD1, 0xF1)],
        0xA8 => &[(0xA1, 0xBA), (0xC5, 0xE9)],
        0xA9 => &[(0xA4, 0xEF)],
        0xB0..=0xD6 | 0xD8..=0xF7 => &[(0xA1, 0xFE)],
        0xD7 => &[(0xA1, 0xF9)],
        _ => &[],
    };
    ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&trail))
}

/// Splits `text` into lines of at most `columns` display columns, breaking
/// anywhere (Chinese has no spaces) but never inside a character; an
/// explicit `\n` also breaks.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut lines = Vec::new();
    for part in text.split('\n') {
        let mut line = String::new();
        let mut width = 0;
        for c in part.chars() {
            let w = char_width(c);
            if width + w > columns {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += w;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_wrapping() {
        assert_eq!(display_width("受理回执 A1"), 11);
        assert_eq!(display_width("，"), 2);
        let lines = wrap("一二三四五六七八九十ab", 8);
        assert_eq!(lines, ["一二三四", "五六七八", "九十ab"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        // A wide char never straddles the edge.
        assert_eq!(wrap("abc中", 4), ["abc", "中"]);
    }

    #[test]
    fn gb2312_check() {
        assert!(can_encode_gb2312("受理回执：张三，编号 A-1。"));
        assert!(can_encode_gb2312("①№"));
        assert!(!can_encode_gb2312("刘䶮"));
        assert!(!can_encode_gb2312("朱镕基"));
        assert!(!can_encode_gb2312("𠮷"));
        assert!(!can_encode_gb2312("€"));
        assert!(!can_encode_gb2312("ⅰ")); // GBK A2A1, not GB2312
        assert!(can_encode_gb2312("ⅰ".to_uppercase().as_str())); // Ⅰ A2F1
    }
}
