//! The kinds of value a form field can hold, as written in the catalog.
//!
//! A catalog field says `kind = "mobile"` or `kind = { choice = [...] }`;
//! the validators in [`super::validate`] turn what an applicant typed into a
//! checked value or a Chinese message saying what to fix.

use serde::{Deserialize, Serialize};

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub id: String,
    pub label: String,
}

/// The kind of a scalar field. Lists of records (shareholders, staff) are
/// built from these by the form engine, not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// Free text, `max_chars` characters at most (default 200).
    Text {
        #[serde(default)]
        max_chars: Option<usize>,
    },
    /// A person's name: Chinese characters (with the middle dot · used in
    /// minority and transliterated names), or Latin letters and spaces for
    /// foreigners' names; 2-40 characters.
    PersonName,
    /// An organisation's name: must contain Chinese characters, 4-60
    /// characters, digits, brackets （）() and Latin letters allowed.
    EntityName,
    /// An address: at least 6 characters and must contain Chinese.
    Address,
    /// An 18-character resident ID number (GB 11643 check and birth date).
    ResidentId,
    /// The number of any identity card the reader takes: an 18-character
    /// resident ID (also on HK/Macau/Taiwan residence permits and 2023
    /// permanent residence cards), or the 15-character number of a 2017
    /// foreigner's permanent residence card (3 letters + 12 digits).
    IdentityNumber,
    /// A unified social credit code (GB 32100 check).
    SocialCreditCode,
    /// The number of a party that may be a person or an organisation (a
    /// shareholder, a partner): an [`FieldKind::IdentityNumber`] or a
    /// [`FieldKind::SocialCreditCode`].
    PartyNumber,
    /// A mainland mobile number: 11 digits starting with 1[3-9].
    Mobile,
    /// A mobile number or a landline (area code 0xx(x)-7/8 digits,
    /// optional extension).
    Phone,
    Email,
    /// Six digits.
    PostalCode,
    /// A calendar date, `YYYY-MM-DD` (also accepts `YYYYMMDD` and
    /// `YYYY年M月D日`), between 1900-01-01 and 2199-12-31.
    Date,
    /// Two dates `YYYY-MM-DD/YYYY-MM-DD`, start not after end; the end may
    /// be `长期` (no end).
    DateRange,
    /// An area in square metres: positive, at most 2 decimals, below
    /// 10 000 000.
    Area,
    /// An amount of money in the given unit (元 or 万元): non-negative, at
    /// most 2 decimals for 元 and 6 for 万元.
    Money {
        unit: MoneyUnit,
    },
    /// A whole number within the bounds.
    Integer {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// Exactly one of the options, given by id.
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// One or more of the options, ids separated by commas.
    MultiChoice {
        options: Vec<ChoiceOption>,
    },
    /// `yes` or `no` (是/否 accepted too).
    YesNo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoneyUnit {
    #[serde(rename = "元")]
    Yuan,
    #[serde(rename = "万元")]
    TenThousandYuan,
}
