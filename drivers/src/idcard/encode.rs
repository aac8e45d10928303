//! Builds a text block from a record: the inverse of
//! [`super::decode_text`], used by the simulator and by tests.

use super::record::{CardRecord, CardType};
use super::text::{FLAG_OFFSET, PERMANENT, TEXT_LEN};

/// Why a record does not fit a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("{field}太长: 最多{max}个字符 (field too long)")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}“{text}”不是 YYYY-MM-DD 日期 (bad date)")]
    BadDate { field: &'static str, text: String },
}

struct Block([u8; TEXT_LEN]);

impl Block {
    fn put(
        &mut self,
        offset: usize,
        len: usize,
        field: &'static str,
        text: &str,
    ) -> Result<(), EncodeError> {
        let units: Vec<u16> = text.encode_utf16().collect();
        if units.len() * 2 > len {
            return Err(EncodeError::TooLong {
                field,
                max: len / 2,
            });
        }
        for (i, unit) in units.iter().enumerate() {
            self.0[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&unit.to_le_bytes());
        }
        Ok(())
    }

    fn put_opt(
        &mut self,
        offset: usize,
        len: usize,
        field: &'static str,
        text: &Option<String>,
    ) -> Result<(), EncodeError> {
        self.put(offset, len, field, text.as_deref().unwrap_or(""))
    }

    fn put_date(
        &mut self,
        offset: usize,
        field: &'static str,
        iso: &str,
    ) -> Result<(), EncodeError> {
        let compact = iso.replace('-', "");
        if compact.len() != 8 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EncodeError::BadDate {
                field,
                text: iso.to_string(),
            });
        }
        self.put(offset, 16, field, &compact)
    }

    fn put_count(
        &mut self,
        offset: usize,
        len: usize,
        field: &'static str,
        count: Option<u32>,
    ) -> Result<(), EncodeError> {
        match count {
            Some(n) => self.put(offset, len, field, &format!("{n:0width$}", width = len / 2)),
            None => Ok(()),
        }
    }
}

/// The 256-byte block a card of `record.card_type` would carry.
pub fn encode_text(record: &CardRecord) -> Result<[u8; TEXT_LEN], EncodeError> {
    // Every unused byte is UCS-2 space padding, as on real cards.
    let mut block = Block([0; TEXT_LEN]);
    for pair in block.0.chunks_exact_mut(2) {
        pair.copy_from_slice(&[0x20, 0x00]);
    }
    let gender = record.gender.code().to_string();
    block.put_date(188, "有效期起始日期", &record.valid_from)?;
    match &record.valid_to {
        Some(to) => block.put_date(204, "有效期截止日期", to)?,
        None => block.put(204, 16, "有效期截止日期", PERMANENT)?,
    }
    match record.card_type {
        CardType::Resident | CardType::HkMacauTaiwanResidence => {
            block.put(0, 30, "姓名", &record.name)?;
            block.put(30, 2, "性别", &gender)?;
            if record.card_type == CardType::Resident {
                let code = record
                    .ethnicity_code
                    .map(|c| format!("{c:02}"))
                    .unwrap_or_default();
                block.put(32, 4, "民族", &code)?;
            }
            block.put_date(36, "出生日期", &record.birth_date)?;
            block.put_opt(52, 70, "住址", &record.address)?;
            block.put(122, 36, "公民身份号码", &record.id_number)?;
            block.put_opt(158, 30, "签发机关", &record.issuing_authority)?;
            if record.card_type == CardType::HkMacauTaiwanResidence {
                block.put_opt(220, 18, "通行证号码", &record.pass_number)?;
                block.put_count(238, 4, "签发次数", record.issue_count)?;
            }
        }
        CardType::ForeignPermanent2017 => {
            block.put_opt(0, 120, "英文姓名", &record.english_name)?;
            block.put(120, 2, "性别", &gender)?;
            block.put(122, 30, "永久居留证号码", &record.id_number)?;
            block.put_opt(152, 6, "国籍", &record.nationality)?;
            block.put(158, 30, "中文姓名", &record.name)?;
            block.put_date(220, "出生日期", &record.birth_date)?;
            block.put_opt(236, 4, "证件版本", &record.card_version)?;
            block.put_opt(240, 8, "签发机关代码", &record.issuing_authority)?;
        }
        CardType::ForeignPermanent2023 => {
            block.put(0, 30, "中文姓名", &record.name)?;
            block.put(30, 2, "性别", &gender)?;
            block.put_count(32, 4, "换证次数", record.issue_count)?;
            block.put_date(36, "出生日期", &record.birth_date)?;
            let english: Vec<u16> = record
                .english_name
                .as_deref()
                .unwrap_or("")
                .encode_utf16()
                .collect();
            let (first, second) = english.split_at(english.len().min(35));
            let first = String::from_utf16(first).map_err(|_| EncodeError::TooLong {
                field: "英文姓名",
                max: 46,
            })?;
            let second = String::from_utf16(second).map_err(|_| EncodeError::TooLong {
                field: "英文姓名",
                max: 46,
            })?;
            block.put(52, 70, "英文姓名", &first)?;
            block
                .put(220, 22, "英文姓名", &second)
                .map_err(|_| EncodeError::TooLong {
                    field: "英文姓名",
                    max: 46,
                })?;
            block.put(122, 36, "证件号码", &record.id_number)?;
            block.put_opt(242, 6, "国籍", &record.nationality)?;
            block.put_opt(250, 6, "既往证件关联项", &record.previous_number_link)?;
        }
    }
    if let Some(flag) = record.card_type.flag() {
        block.put(FLAG_OFFSET, 2, "证件类型", &flag.to_string())?;
    }
    Ok(block.0)
}
