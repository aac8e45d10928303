//! Ethnic groups (GB 3304) as printed on resident cards.

const NAMES: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// The name for a GB 3304 code (1-56, 97, 98), without the "族" suffix.
pub fn ethnicity_name(code: u8) -> Option<&'static str> {
    match code {
        1..=56 => Some(NAMES[usize::from(code) - 1]),
        97 => Some("其他"),
        98 => Some("外国血统中国籍人士"),
        _ => None,
    }
}

/// The code for a name, the inverse of [`ethnicity_name`].
pub fn ethnicity_code(name: &str) -> Option<u8> {
    (1..=98).find(|&code| ethnicity_name(code) == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_all_58_entries_and_inverts() {
        let known: Vec<u8> = (0..=255).filter(|&c| ethnicity_name(c).is_some()).collect();
        assert_eq!(known.len(), 58);
        for code in known {
            assert_eq!(ethnicity_code(ethnicity_name(code).unwrap()), Some(code));
        }
        assert_eq!(ethnicity_name(1), Some("汉"));
        assert_eq!(ethnicity_name(29), Some("柯尔克孜"));
        assert_eq!(ethnicity_name(56), Some("基诺"));
        assert_eq!(ethnicity_name(57), None);
        assert_eq!(ethnicity_name(98), Some("外国血统中国籍人士"));
    }
}
