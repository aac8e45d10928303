//! The typed record of one ID card, whatever its type.

use crate::ids::mask_id_text;
use std::fmt;

/// Which card the text block came from (flag at offset 248).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardType {
    /// 居民身份证 (no flag).
    Resident,
    /// 'J': 港澳台居民居住证.
    HkMacauTaiwanResidence,
    /// 'I': 外国人永久居留身份证 (2017).
    ForeignPermanent2017,
    /// 'Y': 外国人永久居留身份证 (2023).
    ForeignPermanent2023,
}

impl CardType {
    /// The flag character, `None` for the resident card.
    pub fn flag(self) -> Option<char> {
        match self {
            CardType::Resident => None,
            CardType::HkMacauTaiwanResidence => Some('J'),
            CardType::ForeignPermanent2017 => Some('I'),
            CardType::ForeignPermanent2023 => Some('Y'),
        }
    }

    /// The card's name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            CardType::Resident => "居民身份证",
            CardType::HkMacauTaiwanResidence => "港澳台居民居住证",
            CardType::ForeignPermanent2017 => "外国人永久居留身份证(2017版)",
            CardType::ForeignPermanent2023 => "外国人永久居留身份证(2023版)",
        }
    }

    /// Whether the number carries a GB 11643 check character.
    pub fn has_checked_number(self) -> bool {
        !matches!(self, CardType::ForeignPermanent2017)
    }
}

/// Gender code (GB/T 2261.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// 0, and any code the table does not know.
    Unknown,
    /// 1
    Male,
    /// 2
    Female,
    /// 9
    NotStated,
}

impl Gender {
    /// Reads the code character; unknown codes are `Unknown`, not an error,
    /// because the card's data is signed and a new code is not corruption.
    pub fn from_code(code: char) -> Self {
        match code {
            '1' => Gender::Male,
            '2' => Gender::Female,
            '9' => Gender::NotStated,
            _ => Gender::Unknown,
        }
    }

    /// The code character.
    pub fn code(self) -> char {
        match self {
            Gender::Unknown => '0',
            Gender::Male => '1',
            Gender::Female => '2',
            Gender::NotStated => '9',
        }
    }

    /// 男 / 女 / 未知 / 未说明.
    pub fn name_zh(self) -> &'static str {
        match self {
            Gender::Unknown => "未知",
            Gender::Male => "男",
            Gender::Female => "女",
            Gender::NotStated => "未说明",
        }
    }
}

/// Everything the text block of a card says, typed. Dates are
/// `YYYY-MM-DD`. Fields a card type does not carry are `None` or empty.
///
/// `Debug` masks personal data so that a record can never leak into a log
/// by accident; serialise it only towards the applicant's own form.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardRecord {
    pub card_type: CardType,
    /// Chinese name (may be empty on the 2017 foreigner's card).
    pub name: String,
    /// English name (foreigner's cards).
    pub english_name: Option<String>,
    pub gender: Gender,
    /// GB 3304 code (resident cards).
    pub ethnicity_code: Option<u8>,
    /// Ethnic group name, e.g. 汉 (resident cards).
    pub ethnicity: Option<String>,
    pub birth_date: String,
    /// Registered address (resident and J cards).
    pub address: Option<String>,
    /// Newer address from the `30 03` command, when the holder moved.
    pub additional_address: Option<String>,
    /// 18-character ID number; the 15-character residence number on the
    /// 2017 foreigner's card.
    pub id_number: String,
    /// Issuing authority (its code on the 2017 foreigner's card).
    pub issuing_authority: Option<String>,
    pub valid_from: String,
    /// `None` means 长期 (valid without end).
    pub valid_to: Option<String>,
    /// ISO 3166 alpha-3 nationality (foreigner's cards).
    pub nationality: Option<String>,
    /// Pass number (J card).
    pub pass_number: Option<String>,
    /// Times issued (J card) or renewed (Y card).
    pub issue_count: Option<u32>,
    /// Card version (2017 foreigner's card).
    pub card_version: Option<String>,
    /// Link to the previous number (Y card).
    pub previous_number_link: Option<String>,
}

impl fmt::Debug for CardRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |o: &Option<String>| o.as_ref().map(|_| "<hidden>");
        f.debug_struct("CardRecord")
            .field("card_type", &self.card_type)
            .field("name", &mask_name(&self.name))
            .field("english_name", &self.english_name.as_deref().map(mask_name))
            .field("gender", &self.gender)
            .field("ethnicity_code", &self.ethnicity_code)
            .field("birth_date", &"<hidden>")
            .field("address", &hidden(&self.address))
            .field("additional_address", &hidden(&self.additional_address))
            .field("id_number", &mask_id_text(&self.id_number))
            .field("issuing_authority", &self.issuing_authority)
            .field("valid_from", &self.valid_from)
            .field("valid_to", &self.valid_to)
            .field("nationality", &self.nationality)
            .field(
                "pass_number",
                &self.pass_number.as_deref().map(mask_id_text),
            )
            .field("issue_count", &self.issue_count)
            .finish_non_exhaustive()
    }
}

impl CardRecord {
    /// One line for logs: type, masked name and masked number.
    pub fn masked_summary(&self) -> String {
        let name = if self.name.is_empty() {
            self.english_name.as_deref().unwrap_or("")
        } else {
            &self.name
        };
        format!(
            "{} {} {}",
            self.card_type.name_zh(),
            mask_name(name),
            mask_id_text(&self.id_number)
        )
    }
}

impl CardRecord {
    /// A copy safe to show to others (technician screens, support logs):
    /// names and numbers masked, addresses cut to their first six
    /// characters (province and city), birth date to its year.
    pub fn masked(&self) -> CardRecord {
        let address = |a: &Option<String>| {
            a.as_ref()
                .map(|a| format!("{}***", a.chars().take(6).collect::<String>()))
        };
        CardRecord {
            name: mask_name(&self.name),
            english_name: self.english_name.as_deref().map(mask_name),
            birth_date: format!(
                "{}-**-**",
                self.birth_date.chars().take(4).collect::<String>()
            ),
            address: address(&self.address),
            additional_address: address(&self.additional_address),
            id_number: mask_id_text(&self.id_number),
            pass_number: self.pass_number.as_deref().map(mask_id_text),
            previous_number_link: self.previous_number_link.as_ref().map(|_| "***".into()),
            ..self.clone()
        }
    }
}

pub use crate::ids::mask_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张小三"), "张*三");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn masked_copy_and_debug_hide_personal_data() {
        let record = crate::sim::sam::TestCard::Permanent.record();
        let masked = record.masked();
        assert_eq!(masked.name, "测*乙");
        assert_eq!(masked.id_number, "410***********3010");
        assert_eq!(masked.birth_date, "1960-**-**");
        assert_eq!(masked.address.as_deref(), Some("河南省濮阳市***"));
        let debug = format!("{record:?}");
        for secret in [
            "测试乙",
            "410902196001013010",
            "测试街",
            "新址路",
            "1960-01-01",
        ] {
            assert!(!debug.contains(secret), "{secret} leaked into {debug}");
        }
    }
}
