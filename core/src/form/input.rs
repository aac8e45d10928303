//! How a field is typed on the kiosk: which keys it gets and how long its
//! text may be. The lengths are the validators' own limits
//! (`super::validate`), so the keyboard never takes text the form then
//! refuses, nor stops short of text it accepts.

use super::validate::{
    ADDRESS_MAX_CHARS, DEFAULT_TEXT_MAX_CHARS, EMAIL_MAX_CHARS, ENTITY_NAME_MAX_CHARS,
    PERSON_NAME_MAX_CHARS,
};
use crate::catalog::kind::FieldKind;

/// Which keys a field gets. Numeric and ID fields keep their layout; the
/// applicant can switch a text field between 中 (pinyin) and 英 (Latin).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputLayout {
    /// Digits, and a decimal point when `decimal` (amounts, areas).
    Numeric { decimal: bool },
    /// Digits and a final X: 18-character ID numbers.
    IdNumber,
    /// A–Z, digits and `- . @ / _`, with an upper-case toggle.
    Latin,
    /// Letters compose pinyin, chosen candidates give Chinese text.
    Pinyin,
    /// One character written with a finger on a pad, then chosen from the
    /// recognizer's candidates: the same fields as [`InputLayout::Pinyin`]
    /// (the applicant switches between the two), for those who cannot
    /// spell pinyin; the keyboard opens with it in 长者模式.
    Handwriting,
}

impl InputLayout {
    /// Whether the layout types Chinese (pinyin or handwriting).
    pub fn chinese(self) -> bool {
        matches!(self, InputLayout::Pinyin | InputLayout::Handwriting)
    }

    /// The name shown on the keyboard.
    pub fn label(self) -> &'static str {
        match self {
            InputLayout::Numeric { .. } => "数字",
            InputLayout::IdNumber => "证件号码",
            InputLayout::Latin => "英文",
            InputLayout::Pinyin => "拼音",
            InputLayout::Handwriting => "手写",
        }
    }
}

/// The keys for a typed kind and the longest text it may have; `None` for
/// kinds chosen with a picker (dates, choices, yes/no).
pub fn input_for(kind: &FieldKind) -> Option<(InputLayout, Option<usize>)> {
    use InputLayout::{IdNumber, Latin, Numeric, Pinyin};
    Some(match kind {
        FieldKind::Text { max_chars } => {
            (Pinyin, Some(max_chars.unwrap_or(DEFAULT_TEXT_MAX_CHARS)))
        }
        FieldKind::PersonName => (Pinyin, Some(PERSON_NAME_MAX_CHARS)),
        FieldKind::EntityName => (Pinyin, Some(ENTITY_NAME_MAX_CHARS)),
        FieldKind::Address => (Pinyin, Some(ADDRESS_MAX_CHARS)),
        FieldKind::ResidentId => (IdNumber, Some(18)),
        // 18-character numbers, or 3 letters + 12 digits on a 2017
        // foreigner's card: letters needed.
        FieldKind::IdentityNumber => (Latin, Some(18)),
        FieldKind::SocialCreditCode | FieldKind::PartyNumber => (Latin, Some(18)),
        FieldKind::Mobile => (Numeric { decimal: false }, Some(11)),
        FieldKind::PostalCode => (Numeric { decimal: false }, Some(6)),
        FieldKind::Integer { .. } => (Numeric { decimal: false }, Some(12)),
        FieldKind::Area | FieldKind::Money { .. } => (Numeric { decimal: true }, Some(16)),
        // Digits: a landline is typed with its area code and no hyphen
        // (03938881234 is 0393-8881234 to the validator), a mobile as is.
        // The Latin keyboard's letters only got in the way.
        FieldKind::Phone => (Numeric { decimal: false }, Some(20)),
        FieldKind::Email => (Latin, Some(EMAIL_MAX_CHARS)),
        FieldKind::Date
        | FieldKind::DateRange
        | FieldKind::Choice { .. }
        | FieldKind::MultiChoice { .. }
        | FieldKind::YesNo => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::validate::validate;

    #[test]
    fn phones_money_and_areas_get_digits_id_numbers_the_id_keys() {
        let numeric =
            |k: FieldKind| matches!(input_for(&k), Some((InputLayout::Numeric { .. }, _)));
        assert!(numeric(FieldKind::Phone));
        assert!(numeric(FieldKind::Mobile));
        assert!(numeric(FieldKind::Area));
        assert!(numeric(FieldKind::Money {
            unit: crate::catalog::kind::MoneyUnit::TenThousandYuan
        }));
        assert_eq!(
            input_for(&FieldKind::ResidentId).map(|i| i.0),
            Some(InputLayout::IdNumber)
        );
        assert_eq!(
            input_for(&FieldKind::PersonName).map(|i| i.0),
            Some(InputLayout::Pinyin)
        );
        // What the digits-only phone keyboard can type is a valid phone.
        for typed in ["03938881234", "13903930001", "01062345678"] {
            assert!(validate(&FieldKind::Phone, typed).is_ok(), "{typed}");
        }
    }
}
