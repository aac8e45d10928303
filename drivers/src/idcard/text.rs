//! The 256-byte text block: UCS-2 little-endian fields padded with spaces,
//! laid out per card type (tables in the device reference, §1).

use super::ethnicity::ethnicity_name;
use super::record::{CardRecord, CardType, Gender};
use crate::ids::valid_yyyymmdd;

/// Size of the text block.
pub const TEXT_LEN: usize = 256;
/// Offset of the card-type flag character.
pub const FLAG_OFFSET: usize = 248;
/// What the card writes instead of an end date.
pub const PERMANENT: &str = "长期";

/// Why a text block could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardTextError {
    #[error("证件文字信息长度应为256字节，实际为{0}字节 (text block length)")]
    WrongLength(usize),
    /// The text itself is not kept: a birth date is personal data and
    /// errors end up in logs.
    #[error("证件的{field}不是有效日期 (bad date)")]
    BadDate { field: &'static str },
    #[error("证件的{field}“{text}”无法识别 (bad field)")]
    BadField { field: &'static str, text: String },
}

/// Decodes one UCS-2 LE field, dropping the space/NUL padding.
/// Unpaired surrogates become U+FFFD rather than an error: a field must
/// never make the whole card unreadable.
pub(crate) fn ucs2_field(block: &[u8], offset: usize, len: usize) -> String {
    let bytes = block.get(offset..offset + len).unwrap_or(&[]);
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    text.trim_matches(|c: char| c == ' ' || c == '\0' || c == '\u{3000}')
        .to_string()
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// `YYYYMMDD` → `YYYY-MM-DD`, checking it is a real date.
fn date(block: &[u8], offset: usize, field: &'static str) -> Result<String, CardTextError> {
    let text = ucs2_field(block, offset, 16);
    if !valid_yyyymmdd(&text) {
        return Err(CardTextError::BadDate { field });
    }
    Ok(format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..8]))
}

/// The end date, or `None` for 长期.
fn end_date(block: &[u8]) -> Result<Option<String>, CardTextError> {
    if ucs2_field(block, 204, 16) == PERMANENT {
        return Ok(None);
    }
    date(block, 204, "有效期截止日期").map(Some)
}

fn count(
    block: &[u8],
    offset: usize,
    len: usize,
    field: &'static str,
) -> Result<Option<u32>, CardTextError> {
    let text = ucs2_field(block, offset, len);
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| CardTextError::BadField { field, text })
}

fn gender(block: &[u8], offset: usize) -> Gender {
    Gender::from_code(ucs2_field(block, offset, 2).chars().next().unwrap_or('0'))
}

/// The card type from the flag at offset 248.
pub fn card_type(block: &[u8]) -> CardType {
    match ucs2_field(block, FLAG_OFFSET, 2).as_str() {
        "J" => CardType::HkMacauTaiwanResidence,
        "I" => CardType::ForeignPermanent2017,
        "Y" => CardType::ForeignPermanent2023,
        _ => CardType::Resident,
    }
}

/// Decodes a text block into a record. It does not judge the record (check
/// digit, expiry): that is [`super::check_card`]'s job.
pub fn decode_text(block: &[u8]) -> Result<CardRecord, CardTextError> {
    if block.len() != TEXT_LEN {
        return Err(CardTextError::WrongLength(block.len()));
    }
    let kind = card_type(block);
    let mut record = CardRecord {
        card_type: kind,
        name: String::new(),
        english_name: None,
        gender: Gender::Unknown,
        ethnicity_code: None,
        ethnicity: None,
        birth_date: String::new(),
        address: None,
        additional_address: None,
        id_number: String::new(),
        issuing_authority: None,
        valid_from: date(block, 188, "有效期起始日期")?,
        valid_to: end_date(block)?,
        nationality: None,
        pass_number: None,
        issue_count: None,
        card_version: None,
        previous_number_link: None,
    };
    match kind {
        CardType::Resident | CardType::HkMacauTaiwanResidence => {
            record.name = ucs2_field(block, 0, 30);
            record.gender = gender(block, 30);
            record.birth_date = date(block, 36, "出生日期")?;
            record.address = non_empty(ucs2_field(block, 52, 70));
            record.id_number = ucs2_field(block, 122, 36);
            record.issuing_authority = non_empty(ucs2_field(block, 158, 30));
            if kind == CardType::Resident {
                let code_text = ucs2_field(block, 32, 4);
                let code = code_text
                    .parse::<u8>()
                    .map_err(|_| CardTextError::BadField {
                        field: "民族代码",
                        text: code_text.clone(),
                    })?;
                record.ethnicity_code = Some(code);
                record.ethnicity = ethnicity_name(code).map(str::to_string);
            } else {
                record.pass_number = non_empty(ucs2_field(block, 220, 18));
                record.issue_count = count(block, 238, 4, "签发次数")?;
            }
        }
        CardType::ForeignPermanent2017 => {
            record.english_name = non_empty(ucs2_field(block, 0, 120));
            record.gender = gender(block, 120);
            record.id_number = ucs2_field(block, 122, 30);
            record.nationality = non_empty(ucs2_field(block, 152, 6));
            record.name = ucs2_field(block, 158, 30);
            record.birth_date = date(block, 220, "出生日期")?;
            record.card_version = non_empty(ucs2_field(block, 236, 4));
            record.issuing_authority = non_empty(ucs2_field(block, 240, 8));
        }
        CardType::ForeignPermanent2023 => {
            record.name = ucs2_field(block, 0, 30);
            record.gender = gender(block, 30);
            record.issue_count = count(block, 32, 4, "换证次数")?;
            record.birth_date = date(block, 36, "出生日期")?;
            // The English name is split over two fields; the first is full
            // (35 characters) whenever the second is used, so joining the
            // raw halves before trimming keeps a space at the seam.
            let first = raw_ucs2(block, 52, 70);
            let second = raw_ucs2(block, 220, 22);
            record.english_name = non_empty(format!("{first}{second}").trim().to_string());
            record.id_number = ucs2_field(block, 122, 36);
            record.nationality = non_empty(ucs2_field(block, 242, 6));
            record.previous_number_link = non_empty(ucs2_field(block, 250, 6));
        }
    }
    Ok(record)
}

/// Like [`ucs2_field`] but without trimming.
fn raw_ucs2(block: &[u8], offset: usize, len: usize) -> String {
    let bytes = block.get(offset..offset + len).unwrap_or(&[]);
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .map(|c| if c == '\0' { ' ' } else { c })
        .collect()
}

/// The 70-byte additional address of a `30 03` response; `None` when blank.
pub fn decode_additional_address(data: &[u8]) -> Option<String> {
    non_empty(ucs2_field(data, 0, data.len().min(70) & !1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds blocks straight from the reference's offset tables, not
    /// through the encoder, so a layout mistake cannot hide in both.
    fn block(fields: &[(usize, &str)]) -> Vec<u8> {
        let mut block: Vec<u8> = [0x20, 0x00].repeat(TEXT_LEN / 2);
        for (offset, text) in fields {
            for (i, unit) in text.encode_utf16().enumerate() {
                block[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&unit.to_le_bytes());
            }
        }
        block
    }

    #[test]
    fn resident_layout_matches_the_reference_table() {
        let b = block(&[
            (0, "测试甲"),
            (30, "2"),
            (32, "05"),
            (36, "19900307"),
            (52, "河南省濮阳市华龙区测试路1号"),
            (122, "410902199003071234"),
            (158, "濮阳市公安局华龙分局"),
            (188, "20200101"),
            (204, "长期"),
        ]);
        let r = decode_text(&b).unwrap();
        assert_eq!(r.card_type, CardType::Resident);
        assert_eq!(r.name, "测试甲");
        assert_eq!(r.gender, Gender::Female);
        assert_eq!(
            (r.ethnicity_code, r.ethnicity.as_deref()),
            (Some(5), Some("维吾尔"))
        );
        assert_eq!(r.birth_date, "1990-03-07");
        assert_eq!(r.address.as_deref(), Some("河南省濮阳市华龙区测试路1号"));
        assert_eq!(r.id_number, "410902199003071234");
        assert_eq!(r.issuing_authority.as_deref(), Some("濮阳市公安局华龙分局"));
        assert_eq!((r.valid_from.as_str(), r.valid_to), ("2020-01-01", None));
    }

    #[test]
    fn j_i_and_y_layouts_match_the_reference_tables() {
        let j = block(&[
            (0, "测试丙"),
            (30, "1"),
            (36, "19920615"),
            (122, "810000199206150031"),
            (188, "20240601"),
            (204, "20290601"),
            (220, "H12345678"),
            (238, "03"),
            (248, "J"),
        ]);
        let r = decode_text(&j).unwrap();
        assert_eq!(r.card_type, CardType::HkMacauTaiwanResidence);
        assert_eq!(
            (r.pass_number.as_deref(), r.issue_count),
            (Some("H12345678"), Some(3))
        );
        assert_eq!(r.ethnicity_code, None);
        assert_eq!(r.valid_to.as_deref(), Some("2029-06-01"));

        let i = block(&[
            (0, "TEST, ALPHA"),
            (120, "2"),
            (122, "USA310088080801"),
            (152, "USA"),
            (158, "测试丁"),
            (188, "20190101"),
            (204, "20390101"),
            (220, "19880808"),
            (236, "20"),
            (240, "1500"),
            (248, "I"),
        ]);
        let r = decode_text(&i).unwrap();
        assert_eq!(r.card_type, CardType::ForeignPermanent2017);
        assert_eq!(r.english_name.as_deref(), Some("TEST, ALPHA"));
        assert_eq!(
            (r.name.as_str(), r.id_number.as_str()),
            ("测试丁", "USA310088080801")
        );
        assert_eq!(
            (r.nationality.as_deref(), r.birth_date.as_str()),
            (Some("USA"), "1988-08-08")
        );
        assert_eq!(
            (r.card_version.as_deref(), r.issuing_authority.as_deref()),
            (Some("20"), Some("1500"))
        );

        let long = "ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGH IJKLMNOPQR";
        assert_eq!(long.len(), 46);
        let y = block(&[
            (0, "测试戊"),
            (30, "1"),
            (32, "02"),
            (36, "19880808"),
            (52, &long[..35]),
            (122, "933100198808081118"),
            (188, "20231201"),
            (204, "20331201"),
            (220, &long[35..]),
            (242, "CAN"),
            (248, "Y"),
            (250, "123"),
        ]);
        let r = decode_text(&y).unwrap();
        assert_eq!(r.card_type, CardType::ForeignPermanent2023);
        // Character 36 is a space: the seam between the halves keeps it.
        assert_eq!(r.english_name.as_deref(), Some(long));
        assert_eq!(
            (r.issue_count, r.nationality.as_deref()),
            (Some(2), Some("CAN"))
        );
        assert_eq!(r.previous_number_link.as_deref(), Some("123"));
    }

    #[test]
    fn bad_dates_and_sizes_are_named_without_the_value() {
        let b = block(&[
            (36, "19900230"),
            (188, "20200101"),
            (204, "20300101"),
            (32, "01"),
        ]);
        let error = decode_text(&b).unwrap_err();
        assert_eq!(
            error,
            CardTextError::BadDate {
                field: "出生日期"
            }
        );
        assert!(!error.to_string().contains("1990"));
        assert_eq!(decode_text(&b[..10]), Err(CardTextError::WrongLength(10)));
        // Unpaired surrogates do not make a card unreadable.
        let mut odd = block(&[
            (36, "19900307"),
            (188, "20200101"),
            (204, "20300101"),
            (32, "01"),
        ]);
        odd[0..2].copy_from_slice(&0xD800u16.to_le_bytes());
        assert_eq!(decode_text(&odd).unwrap().name, "\u{FFFD}");
    }
}
