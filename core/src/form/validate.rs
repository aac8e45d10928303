//! Validators for every [`FieldKind`]: what an applicant typed becomes a
//! checked, normalised [`FieldValue`], or a [`FieldError`] whose Chinese
//! message says exactly what to fix.
//!
//! Every validator first runs the same clean-up:
//!
//! * full-width digits, Latin letters and the ideographic space (`０-９`,
//!   `Ａ-Ｚ`, `ａ-ｚ`, `　`) become ASCII, because Chinese IMEs produce them;
//! * leading and trailing white space (and stray zero-width characters or
//!   byte-order marks pasted with the text) is removed;
//! * an empty result is [`FieldError::Empty`]. Whether a field is required
//!   is the caller's decision: it may treat `Empty` as "no value".
//!
//! The per-kind rules are documented on the private `validate_*` functions
//! below and summarised on [`validate`]. Every error has a stable machine
//! [`FieldError::code`] (listed in [`ERROR_CODES`]) for tests and the UI.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde::ser::SerializeStruct;

use super::kind::{ChoiceOption, FieldKind, MoneyUnit};
use crate::ids::{IdError, ResidentId, SocialCreditCode};
pub use crate::ids::{is_han, is_name_dot, mask_name as mask_person_name};

/// Default maximum length of a [`FieldKind::Text`] field, in characters.
pub const DEFAULT_TEXT_MAX_CHARS: usize = 200;
/// The longest person name (2-40 characters).
pub const PERSON_NAME_MAX_CHARS: usize = 40;
/// The longest entity name (4-60 characters).
pub const ENTITY_NAME_MAX_CHARS: usize = 60;
/// The longest address (6-100 characters).
pub const ADDRESS_MAX_CHARS: usize = 100;
/// The longest e-mail address (RFC 5321).
pub const EMAIL_MAX_CHARS: usize = 254;

/// Earliest date any date field accepts.
pub const MIN_YEAR: i32 = 1900;
/// Latest year any date field accepts.
pub const MAX_YEAR: i32 = 2199;

/// A checked, normalised field value.
///
/// It serialises as plain JSON (untagged): text, choices and identifiers as
/// strings, dates as `"YYYY-MM-DD"`, a date range as
/// `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD" | null}` (`null` = 长期),
/// decimals as normalised strings (`"120.5"`, never floats), integers as
/// numbers, multiple choices as an array of ids, yes/no as a boolean. The
/// field's [`FieldKind`] says how to read it.
///
/// `Display` writes the canonical input text: validating it again with the
/// same kind gives the same value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// Text, names, addresses, identifiers, phone numbers, e-mail addresses.
    Text(String),
    Date(#[serde(serialize_with = "serialize_date")] NaiveDate),
    /// `to` is `None` for an open-ended (长期) range.
    DateRange {
        #[serde(serialize_with = "serialize_date")]
        from: NaiveDate,
        #[serde(serialize_with = "serialize_open_date")]
        to: Option<NaiveDate>,
    },
    /// A normalised decimal: no leading zeros, no trailing fractional
    /// zeros, no unit (`"0.5"`, `"1200"`, `"3.25"`).
    Decimal(String),
    Integer(i64),
    /// The option id.
    Choice(String),
    /// Option ids, in the order of the options (not the order typed).
    Choices(Vec<String>),
    Bool(bool),
}

/// Writes a date as `YYYY-MM-DD`.
struct Ymd(NaiveDate);

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

fn serialize_date<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Ymd(*date))
}

fn serialize_open_date<S: serde::Serializer>(
    date: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => s.collect_str(&Ymd(*date)),
        None => s.serialize_none(),
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Text(s) | FieldValue::Decimal(s) | FieldValue::Choice(s) => f.write_str(s),
            FieldValue::Date(d) => Ymd(*d).fmt(f),
            FieldValue::DateRange { from, to: Some(to) } => {
                write!(f, "{}至{}", Ymd(*from), Ymd(*to))
            }
            FieldValue::DateRange { from, to: None } => write!(f, "{}至长期", Ymd(*from)),
            FieldValue::Integer(i) => write!(f, "{i}"),
            FieldValue::Choices(ids) => f.write_str(&ids.join(",")),
            FieldValue::Bool(b) => f.write_str(if *b { "是" } else { "否" }),
        }
    }
}

/// What is wrong with one written date (a date field, or either end of a
/// date range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Not in any accepted format.
    Format,
    /// Well-formed, but no such day (month 13, 30 February...).
    Invalid { year: u32, month: u32, day: u32 },
    /// Year outside 1900-2199.
    OutOfRange { year: u32 },
}

/// Why an input was refused. `Display` is the Chinese message for the
/// applicant; [`FieldError::code`] is the stable machine code. Serialises
/// as `{"code": ..., "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldError {
    /// Nothing was typed (after trimming).
    Empty,
    /// An invisible control or formatting character at this 1-based position.
    ControlChar {
        position: usize,
    },
    TextTooLong {
        max: usize,
        actual: usize,
    },

    NameLength {
        actual: usize,
    },
    NameDigit,
    NameMixedScript,
    NameBadChar {
        found: char,
    },
    NameDot,
    NamePunctuation,

    EntityLength {
        actual: usize,
    },
    EntityNoChinese,
    EntityBadChar {
        found: char,
    },
    EntityBrackets,

    AddressTooShort {
        actual: usize,
    },
    AddressTooLong {
        actual: usize,
    },
    AddressNoChinese,

    ResidentId(IdError),
    /// A legacy 15-digit number.
    ResidentIdLegacy,
    /// Starts like a 2017 foreigner's permanent residence number (letters)
    /// but is not 3 letters + 12 digits.
    ForeignPermanentFormat,
    SocialCreditCode(IdError),

    MobileBadChar {
        found: char,
    },
    MobileLength {
        actual: usize,
    },
    MobileFormat,
    /// A `+` country code other than +86. `mobile` says which kind refused it.
    NotMainland {
        mobile: bool,
    },

    PhoneBadChar {
        found: char,
    },
    PhoneFormat,
    PhoneAreaCodeMissing,
    PhoneAreaCode {
        area: String,
    },
    PhoneLocal {
        actual: usize,
    },
    PhoneExtension,

    EmailTooLong {
        actual: usize,
    },
    EmailNoAt,
    EmailFormat,
    EmailLocal,
    EmailDomain,

    PostalCodeBadChar {
        found: char,
    },
    PostalCodeLength {
        actual: usize,
    },

    Date(DateProblem),
    RangeFormat,
    RangeStart(DateProblem),
    RangeEnd(DateProblem),
    RangeOrder {
        from: NaiveDate,
        to: NaiveDate,
    },

    AreaFormat,
    AreaNotPositive,
    AreaDecimals,
    AreaTooLarge,

    MoneyFormat {
        unit: MoneyUnit,
    },
    MoneyNegative,
    MoneyDecimals {
        unit: MoneyUnit,
    },
    /// The amount was written in the other unit; `converted` is the same
    /// amount in the field's unit, to show the applicant.
    MoneyUnit {
        expected: MoneyUnit,
        written: String,
        converted: String,
    },
    MoneyTooLarge,

    IntegerFormat,
    IntegerDecimal,
    IntegerTooSmall {
        min: i64,
        max: Option<i64>,
    },
    IntegerTooLarge {
        min: Option<i64>,
        max: i64,
    },

    ChoiceUnknown {
        labels: Vec<String>,
    },
    /// The catalog gave a choice field no options (a catalog bug).
    ChoiceNoOptions,
    MultiChoiceUnknown {
        item: String,
        labels: Vec<String>,
    },
    MultiChoiceDuplicate {
        label: String,
    },
    MultiChoiceNone {
        labels: Vec<String>,
    },

    YesNo,
}

/// Every code [`FieldError::code`] can return.
pub const ERROR_CODES: &[&str] = &[
    "empty",
    "control_char",
    "text.too_long",
    "person_name.length",
    "person_name.digit",
    "person_name.mixed_script",
    "person_name.bad_char",
    "person_name.dot",
    "person_name.punctuation",
    "entity_name.length",
    "entity_name.no_chinese",
    "entity_name.bad_char",
    "entity_name.brackets",
    "address.too_short",
    "address.too_long",
    "address.no_chinese",
    "resident_id.length",
    "resident_id.bad_char",
    "resident_id.birth_date",
    "resident_id.check_digit",
    "resident_id.legacy",
    "identity_number.foreign_format",
    "uscc.length",
    "uscc.bad_char",
    "uscc.invalid",
    "uscc.check_digit",
    "mobile.bad_char",
    "mobile.length",
    "mobile.format",
    "mobile.country",
    "phone.country",
    "phone.bad_char",
    "phone.format",
    "phone.area_code_missing",
    "phone.area_code",
    "phone.local",
    "phone.extension",
    "email.too_long",
    "email.no_at",
    "email.format",
    "email.local",
    "email.domain",
    "postal_code.bad_char",
    "postal_code.length",
    "date.format",
    "date.invalid",
    "date.out_of_range",
    "date_range.format",
    "date_range.start_format",
    "date_range.start_invalid",
    "date_range.start_out_of_range",
    "date_range.end_format",
    "date_range.end_invalid",
    "date_range.end_out_of_range",
    "date_range.order",
    "area.format",
    "area.not_positive",
    "area.decimals",
    "area.too_large",
    "money.format",
    "money.negative",
    "money.decimals",
    "money.unit",
    "money.too_large",
    "integer.format",
    "integer.decimal",
    "integer.too_small",
    "integer.too_large",
    "choice.unknown",
    "choice.no_options",
    "multi_choice.unknown",
    "multi_choice.duplicate",
    "multi_choice.none",
    "yes_no.format",
];

impl FieldError {
    /// A stable machine code such as `"mobile.format"`; see [`ERROR_CODES`].
    pub fn code(&self) -> &'static str {
        use FieldError as E;
        let date = |p: &DateProblem, codes: [&'static str; 3]| match p {
            DateProblem::Format => codes[0],
            DateProblem::Invalid { .. } => codes[1],
            DateProblem::OutOfRange { .. } => codes[2],
        };
        match self {
            E::Empty => "empty",
            E::ControlChar { .. } => "control_char",
            E::TextTooLong { .. } => "text.too_long",
            E::NameLength { .. } => "person_name.length",
            E::NameDigit => "person_name.digit",
            E::NameMixedScript => "person_name.mixed_script",
            E::NameBadChar { .. } => "person_name.bad_char",
            E::NameDot => "person_name.dot",
            E::NamePunctuation => "person_name.punctuation",
            E::EntityLength { .. } => "entity_name.length",
            E::EntityNoChinese => "entity_name.no_chinese",
            E::EntityBadChar { .. } => "entity_name.bad_char",
            E::EntityBrackets => "entity_name.brackets",
            E::AddressTooShort { .. } => "address.too_short",
            E::AddressTooLong { .. } => "address.too_long",
            E::AddressNoChinese => "address.no_chinese",
            E::ResidentId(e) => match e {
                IdError::Length { .. } => "resident_id.length",
                IdError::BadCharacter { .. } => "resident_id.bad_char",
                IdError::BadBirthDate(_) => "resident_id.birth_date",
                IdError::CheckDigit { .. } => "resident_id.check_digit",
            },
            E::ResidentIdLegacy => "resident_id.legacy",
            E::ForeignPermanentFormat => "identity_number.foreign_format",
            E::SocialCreditCode(e) => match e {
                IdError::Length { .. } => "uscc.length",
                IdError::BadCharacter { .. } => "uscc.bad_char",
                IdError::BadBirthDate(_) => "uscc.invalid",
                IdError::CheckDigit { .. } => "uscc.check_digit",
            },
            E::MobileBadChar { .. } => "mobile.bad_char",
            E::MobileLength { .. } => "mobile.length",
            E::MobileFormat => "mobile.format",
            E::NotMainland { mobile: true } => "mobile.country",
            E::NotMainland { mobile: false } => "phone.country",
            E::PhoneBadChar { .. } => "phone.bad_char",
            E::PhoneFormat => "phone.format",
            E::PhoneAreaCodeMissing => "phone.area_code_missing",
            E::PhoneAreaCode { .. } => "phone.area_code",
            E::PhoneLocal { .. } => "phone.local",
            E::PhoneExtension => "phone.extension",
            E::EmailTooLong { .. } => "email.too_long",
            E::EmailNoAt => "email.no_at",
            E::EmailFormat => "email.format",
            E::EmailLocal => "email.local",
            E::EmailDomain => "email.domain",
            E::PostalCodeBadChar { .. } => "postal_code.bad_char",
            E::PostalCodeLength { .. } => "postal_code.length",
            E::Date(p) => date(p, ["date.format", "date.invalid", "date.out_of_range"]),
            E::RangeFormat => "date_range.format",
            E::RangeStart(p) => date(
                p,
                [
                    "date_range.start_format",
                    "date_range.start_invalid",
                    "date_range.start_out_of_range",
                ],
            ),
            E::RangeEnd(p) => date(
                p,
                [
                    "date_range.end_format",
                    "date_range.end_invalid",
                    "date_range.end_out_of_range",
                ],
            ),
            E::RangeOrder { .. } => "date_range.order",
            E::AreaFormat => "area.format",
            E::AreaNotPositive => "area.not_positive",
            E::AreaDecimals => "area.decimals",
            E::AreaTooLarge => "area.too_large",
            E::MoneyFormat { .. } => "money.format",
            E::MoneyNegative => "money.negative",
            E::MoneyDecimals { .. } => "money.decimals",
            E::MoneyUnit { .. } => "money.unit",
            E::MoneyTooLarge => "money.too_large",
            E::IntegerFormat => "integer.format",
            E::IntegerDecimal => "integer.decimal",
            E::IntegerTooSmall { .. } => "integer.too_small",
            E::IntegerTooLarge { .. } => "integer.too_large",
            E::ChoiceUnknown { .. } => "choice.unknown",
            E::ChoiceNoOptions => "choice.no_options",
            E::MultiChoiceUnknown { .. } => "multi_choice.unknown",
            E::MultiChoiceDuplicate { .. } => "multi_choice.duplicate",
            E::MultiChoiceNone { .. } => "multi_choice.none",
            E::YesNo => "yes_no.format",
        }
    }
}

impl std::error::Error for FieldError {}

impl Serialize for FieldError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("FieldError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

impl MoneyUnit {
    /// The unit as written on forms: `元` or `万元`.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::TenThousandYuan => "万元",
        }
    }

    /// How many decimals an amount in this unit may have (to the fen).
    pub fn max_decimals(self) -> usize {
        match self {
            MoneyUnit::Yuan => 2,
            MoneyUnit::TenThousandYuan => 6,
        }
    }
}

impl FieldKind {
    /// Shorthand for [`validate`]`(self, input)`.
    pub fn validate(&self, input: &str) -> Result<FieldValue, FieldError> {
        validate(self, input)
    }
}

/// A character quoted for a message: `“x”`, or a name for invisible ones.
struct Quoted(char);

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ' ' => f.write_str("空格"),
            c if c.is_whitespace() || c.is_control() => write!(f, "不可见字符U+{:04X}", c as u32),
            c => write!(f, "“{c}”"),
        }
    }
}

/// `A、B 或 C` (the message lists labels, which applicants can read).
fn either_of(labels: &[String]) -> String {
    match labels {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} 或 {}", init.join("、"), last),
    }
}

fn write_date_problem(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    problem: &DateProblem,
) -> fmt::Result {
    match problem {
        DateProblem::Format => write!(
            f,
            "{what}应写成 2024-05-01 的格式（也可写 20240501、2024/05/01 或 2024年5月1日）"
        ),
        DateProblem::Invalid { year, month, .. } if !(1..=12).contains(month) => {
            write!(f, "{what}不对：{year}年没有{month}月，月份应为1到12")
        }
        DateProblem::Invalid { year, month, day } => {
            write!(f, "{what}不对：{year}年{month}月没有{day}日，请核对")
        }
        DateProblem::OutOfRange { year } => write!(
            f,
            "{what}的年份应在{MIN_YEAR}年到{MAX_YEAR}年之间，现在是{year}年，请核对"
        ),
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FieldError as E;
        match self {
            E::Empty => f.write_str("此项必填，请填写"),
            E::ControlChar { position } => write!(
                f,
                "第{position}个字符是看不见的控制字符（如换行、制表符），请删除后重新输入"
            ),
            E::TextTooLong { max, actual } => {
                write!(f, "内容不能超过{max}个字，现在有{actual}个字，请精简")
            }
            E::NameLength { actual } => write!(f, "姓名应为2到40个字，现在是{actual}个字"),
            E::NameDigit => f.write_str("姓名中不能有数字，请按身份证件填写"),
            E::NameMixedScript => {
                f.write_str("姓名不能同时有汉字和外文字母：中文姓名只写汉字，外国人只写外文姓名")
            }
            E::NameBadChar { found } => write!(
                f,
                "姓名中不能有{}：中文姓名只写汉字（少数民族姓名可用间隔号“·”），外文姓名按证件写拉丁字母",
                Quoted(*found)
            ),
            E::NameDot => {
                f.write_str("姓名中的间隔号“·”只能写在两个字中间，不能在开头或结尾，也不能连写两个")
            }
            E::NamePunctuation => {
                f.write_str("外文姓名应以字母开头、以字母结尾，空格、撇号'、连字符-和点.不能连用")
            }
            E::EntityLength { actual } => {
                write!(
                    f,
                    "单位名称应为4到60个字，现在是{actual}个字，请按营业执照填写"
                )
            }
            E::EntityNoChinese => f.write_str("单位名称应包含汉字，请填写营业执照上的中文名称"),
            E::EntityBadChar { found } => write!(
                f,
                "单位名称中不能有{}，只能有汉字、字母、数字、括号（）、间隔号·和连字符-",
                Quoted(*found)
            ),
            E::EntityBrackets => f.write_str("单位名称中的括号应成对出现，且括号里要有内容"),
            E::AddressTooShort { actual } => write!(
                f,
                "地址太短（现在{actual}个字，至少6个字），请写到门牌号，例如：人民路12号3单元"
            ),
            E::AddressTooLong { actual } => {
                write!(f, "地址不能超过100个字，现在有{actual}个字，请精简")
            }
            E::AddressNoChinese => f.write_str("地址应包含汉字，请用中文填写地址"),
            E::ResidentId(IdError::BadBirthDate(date)) => write!(
                f,
                "身份证号码中的出生日期{date}不是有效日期（第7到14位），请核对号码"
            ),
            E::ResidentId(e) => write!(f, "身份证号码{e}"),
            E::ResidentIdLegacy => {
                f.write_str("这是旧的15位身份证号码，请填写现在使用的18位身份证号码")
            }
            E::ForeignPermanentFormat => f.write_str(
                "外国人永久居留身份证号码应为3个英文字母加12位数字（2017版），或18位号码（2023版）",
            ),
            E::SocialCreditCode(e @ IdError::BadCharacter { found, .. })
                if "IOSVZ".contains(found.to_ascii_uppercase()) =>
            {
                write!(
                    f,
                    "统一社会信用代码{e}（代码中没有字母I、O、S、V、Z，I和O可能是数字1和0）"
                )
            }
            E::SocialCreditCode(e) => write!(f, "统一社会信用代码{e}"),
            E::MobileBadChar { found } => {
                write!(f, "手机号码只能填写数字，不能有{}", Quoted(*found))
            }
            E::MobileLength { actual } => {
                write!(f, "手机号码应为11位数字，以1开头，现在是{actual}位")
            }
            E::MobileFormat => f.write_str("手机号码应为11位数字，以1开头，第二位是3到9"),
            E::NotMainland { mobile: true } => {
                f.write_str("请填写中国大陆的11位手机号码（国家代码+86可以不写）")
            }
            E::NotMainland { mobile: false } => {
                f.write_str("请填写中国大陆的电话号码（国家代码+86可以不写）")
            }
            E::PhoneBadChar { found } => write!(
                f,
                "电话号码中不能有{}，手机请写11位数字，固定电话请写成 0393-1234567",
                Quoted(*found)
            ),
            E::PhoneFormat => f.write_str(
                "电话号码格式不对：手机请写11位数字，固定电话请写区号加号码，例如：0393-1234567",
            ),
            E::PhoneAreaCodeMissing => f.write_str("固定电话请加上区号，例如：0393-1234567"),
            E::PhoneAreaCode { area } => write!(
                f,
                "区号“{area}”不对：区号以0开头，北京010、广州020等为3位，其他为4位，例如：0393"
            ),
            E::PhoneLocal { actual } => write!(
                f,
                "区号后面的电话号码应为7位或8位数字，不以0开头，现在是{actual}位"
            ),
            E::PhoneExtension => {
                f.write_str("分机号应为1到6位数字，写在号码后面，例如：0393-1234567转123")
            }
            E::EmailTooLong { actual } => {
                write!(f, "电子邮箱不能超过254个字符，现在有{actual}个")
            }
            E::EmailNoAt => f.write_str("电子邮箱中应有“@”符号，例如：zhangsan@163.com"),
            E::EmailFormat => {
                f.write_str("电子邮箱格式不对，应只有一个“@”，不能有空格，例如：zhangsan@163.com")
            }
            E::EmailLocal => f.write_str(
                "电子邮箱“@”前面的部分只能有字母、数字和 . _ - + 符号，点不能在开头、结尾或连写",
            ),
            E::EmailDomain => {
                f.write_str("电子邮箱“@”后面的部分不对，应像 qq.com、163.com、example.com.cn 这样")
            }
            E::PostalCodeBadChar { found } => {
                write!(f, "邮政编码只能填写数字，不能有{}", Quoted(*found))
            }
            E::PostalCodeLength { actual } => {
                write!(f, "邮政编码应为6位数字，现在是{actual}位")
            }
            E::Date(p) => write_date_problem(f, "日期", p),
            E::RangeFormat => f.write_str(
                "起止日期应写成 2024-05-01至2025-04-30 的格式，没有结束日期的写“2024-05-01至长期”",
            ),
            E::RangeStart(p) => write_date_problem(f, "开始日期", p),
            E::RangeEnd(DateProblem::Format) => {
                write_date_problem(f, "结束日期", &DateProblem::Format)?;
                f.write_str("；没有结束日期请写“长期”")
            }
            E::RangeEnd(p) => write_date_problem(f, "结束日期", p),
            E::RangeOrder { from, to } => write!(
                f,
                "结束日期不能早于开始日期（开始{}，结束{}），请核对",
                Ymd(*from),
                Ymd(*to)
            ),
            E::AreaFormat => f.write_str("面积请只填写数字（单位为平方米），例如：85.5"),
            E::AreaNotPositive => f.write_str("面积应大于0，最多两位小数"),
            E::AreaDecimals => f.write_str("面积最多保留两位小数，例如：85.25"),
            E::AreaTooLarge => {
                f.write_str("面积应小于10000000平方米，请核对单位是否为平方米、是否多写了数字")
            }
            E::MoneyFormat { unit } => write!(
                f,
                "金额请只填写数字（单位为{}），例如：{}",
                unit.label(),
                match unit {
                    MoneyUnit::Yuan => "1500.50",
                    MoneyUnit::TenThousandYuan => "50",
                }
            ),
            E::MoneyNegative => f.write_str("金额不能是负数"),
            E::MoneyDecimals {
                unit: MoneyUnit::Yuan,
            } => f.write_str("以元为单位时最多两位小数（到分），例如：1500.50"),
            E::MoneyDecimals {
                unit: MoneyUnit::TenThousandYuan,
            } => f.write_str("以万元为单位时最多六位小数（到分），例如：12.345678"),
            E::MoneyUnit {
                expected,
                written,
                converted,
            } => write!(
                f,
                "此项的单位是“{}”，请换算后填写：{written}应填{converted}",
                expected.label()
            ),
            E::MoneyTooLarge => f.write_str("金额太大，请核对单位和位数"),
            E::IntegerFormat => f.write_str("请填写整数（只写阿拉伯数字），例如：12"),
            E::IntegerDecimal => f.write_str("请填写整数，不能有小数"),
            E::IntegerTooSmall {
                min,
                max: Some(max),
            }
            | E::IntegerTooLarge {
                min: Some(min),
                max,
            } => write!(f, "应填写{min}到{max}之间的整数"),
            E::IntegerTooSmall { min, max: None } => write!(f, "不能小于{min}"),
            E::IntegerTooLarge { min: None, max } => write!(f, "不能大于{max}"),
            E::ChoiceUnknown { labels } => write!(f, "请选择：{}", either_of(labels)),
            E::ChoiceNoOptions => f.write_str("此项暂时没有可选的选项，请联系工作人员"),
            E::MultiChoiceUnknown { item, labels } => write!(
                f,
                "没有“{item}”这一项，请从以下选项中选择：{}",
                labels.join("、")
            ),
            E::MultiChoiceDuplicate { label } => {
                write!(f, "“{label}”选了不止一次，每项只需选一次")
            }
            E::MultiChoiceNone { labels } => {
                write!(f, "请至少选择一项：{}", labels.join("、"))
            }
            E::YesNo => f.write_str("请回答“是”或“否”"),
        }
    }
}

/// Checks and normalises `input` for a field of kind `kind`.
///
/// Common clean-up (full-width → ASCII, trim, [`FieldError::Empty`]) is
/// described in the module documentation. Summary of the rules:
///
/// | kind | accepted | value |
/// |---|---|---|
/// | Text | ≤ `max_chars` (200) characters, no control characters | `Text` |
/// | PersonName | 2-40 Chinese characters with `·`, or Latin letters | `Text` |
/// | EntityName | 4-60 characters, with Chinese, brackets → （） | `Text` |
/// | Address | 6-100 characters, with Chinese | `Text` |
/// | ResidentId | GB 11643 via [`ResidentId`] | `Text` (upper-case X) |
/// | IdentityNumber | a ResidentId, or 3 letters + 12 digits (2017 foreigner's card) | `Text` |
/// | SocialCreditCode | GB 32100 via [`SocialCreditCode`] | `Text` (upper case) |
/// | PartyNumber | an IdentityNumber or a SocialCreditCode | `Text` (upper case) |
/// | Mobile | 11 digits `1[3-9]…`, +86/86 and separators allowed | `Text` `13800138000` |
/// | Phone | a mobile, or a landline `0393-1234567[转123]` | `Text` |
/// | Email | `local@domain.tld`, ≤ 254 | `Text` (domain lower-cased) |
/// | PostalCode | 6 digits | `Text` |
/// | Date | several formats, 1900-2199 | `Date` |
/// | DateRange | `start/end`, `start至end`, `start~end`, end may be 长期 | `DateRange` |
/// | Area | > 0, ≤ 2 decimals, < 10 000 000, optional ㎡ | `Decimal` |
/// | Money | ≥ 0, decimals by unit, optional matching unit | `Decimal` |
/// | Integer | whole number within bounds | `Integer` |
/// | Choice | option id or exact label | `Choice` (id) |
/// | MultiChoice | ids/labels separated by , ， 、 ; ； | `Choices` (ids) |
/// | YesNo | yes/no/是/否/y/n/true/false | `Bool` |
pub fn validate(kind: &FieldKind, input: &str) -> Result<FieldValue, FieldError> {
    let text = normalize_width(input);
    if text.is_empty() {
        return Err(FieldError::Empty);
    }
    let text = text.as_str();
    match kind {
        FieldKind::Text { max_chars } => {
            validate_text(text, max_chars.unwrap_or(DEFAULT_TEXT_MAX_CHARS))
        }
        FieldKind::PersonName => validate_person_name(text),
        FieldKind::EntityName => validate_entity_name(text),
        FieldKind::Address => validate_address(text),
        FieldKind::ResidentId => validate_resident_id(text),
        FieldKind::IdentityNumber => validate_identity_number(text),
        FieldKind::SocialCreditCode => validate_uscc(text),
        FieldKind::PartyNumber => validate_party_number(text),
        FieldKind::Mobile => validate_mobile(text).map(FieldValue::Text),
        FieldKind::Phone => validate_phone(text),
        FieldKind::Email => validate_email(text),
        FieldKind::PostalCode => validate_postal_code(text),
        FieldKind::Date => parse_date(text)
            .map(FieldValue::Date)
            .map_err(FieldError::Date),
        FieldKind::DateRange => validate_date_range(text),
        FieldKind::Area => validate_area(text),
        FieldKind::Money { unit } => validate_money(text, *unit),
        FieldKind::Integer { min, max } => validate_integer(text, *min, *max),
        FieldKind::Choice { options } => validate_choice(text, options),
        FieldKind::MultiChoice { options } => validate_multi_choice(text, options),
        FieldKind::YesNo => validate_yes_no(text),
    }
}

/// Full-width digits, letters and spaces to ASCII, then trimmed (also of
/// zero-width spaces and byte-order marks).
fn normalize_width(input: &str) -> String {
    let mapped: String = input
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' | '\u{00A0}' => ' ',
            _ => c,
        })
        .collect();
    mapped
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
        .to_string()
}

/// Full-width punctuation used in structured values (numbers, dates,
/// phone numbers, e-mail) to ASCII. Not applied to free text, where
/// Chinese punctuation is correct.
fn ascii_punct(c: char) -> char {
    match c {
        '＋' => '+',
        '－' | '‐' | '‑' | '–' | '−' => '-',
        '．' => '.',
        '／' => '/',
        '（' => '(',
        '）' => ')',
        '＠' => '@',
        '，' => ',',
        '～' | '〜' => '~',
        '：' => ':',
        _ => c,
    }
}

/// Characters that cannot be seen on screen: C0/C1 controls, zero-width
/// characters and bidirectional overrides.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

fn check_visible(text: &str) -> Result<(), FieldError> {
    match text.chars().position(is_invisible) {
        Some(i) => Err(FieldError::ControlChar { position: i + 1 }),
        None => Ok(()),
    }
}

/// Latin letters, including accented ones (Latin-1, Extended-A/B, and the
/// Vietnamese block).
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF) && c != '×' && c != '÷'
}

/// Text: at most `max` characters, no control characters. Kept as typed
/// (after the common clean-up).
fn validate_text(text: &str, max: usize) -> Result<FieldValue, FieldError> {
    check_visible(text)?;
    let actual = text.chars().count();
    if actual > max {
        return Err(FieldError::TextTooLong { max, actual });
    }
    Ok(FieldValue::Text(text.to_string()))
}

/// PersonName: 2-40 characters, no digits, one script.
///
/// * Chinese: Han characters (including the extension blocks) and the
///   middle dot `·` of minority and transliterated names. The dots ・ • ･ ‧
///   and, in a Chinese name, `.` and `．` become `·`; spaces are removed. The
///   dot may not start or end the name nor be doubled.
/// * Foreign: Latin letters (accented too), single spaces, apostrophes
///   (’ becomes '), hyphens and dots; starts with a letter, ends with a
///   letter or a dot, punctuation not doubled (". " as in "John F. Kennedy"
///   is fine).
fn validate_person_name(text: &str) -> Result<FieldValue, FieldError> {
    check_visible(text)?;
    if text
        .chars()
        .any(|c| c.is_ascii_digit() || (c.is_numeric() && !is_han(c)))
    {
        return Err(FieldError::NameDigit);
    }
    let has_han = text.chars().any(is_han);
    let has_latin = text.chars().any(is_latin_letter);
    if has_han && has_latin {
        return Err(FieldError::NameMixedScript);
    }
    let name: String = if has_han {
        let name: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| {
                if is_name_dot(c) || c == '.' || c == '．' {
                    '·'
                } else {
                    c
                }
            })
            .collect();
        if let Some(bad) = name.chars().find(|c| !is_han(*c) && *c != '·') {
            return Err(FieldError::NameBadChar { found: bad });
        }
        if name.starts_with('·') || name.ends_with('·') || name.contains("··") {
            return Err(FieldError::NameDot);
        }
        name
    } else if has_latin {
        let name = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('’', "'");
        if let Some(bad) = name
            .chars()
            .find(|c| !is_latin_letter(*c) && !matches!(c, ' ' | '\'' | '-' | '.'))
        {
            return Err(FieldError::NameBadChar { found: bad });
        }
        let chars: Vec<char> = name.chars().collect();
        let first_ok = chars.first().is_some_and(|c| is_latin_letter(*c));
        let last_ok = chars
            .last()
            .is_some_and(|c| is_latin_letter(*c) || *c == '.');
        let doubled = chars.windows(2).any(|w| {
            !(is_latin_letter(w[0]) || is_latin_letter(w[1]) || (w[0] == '.' && w[1] == ' '))
        });
        if !first_ok || !last_ok || doubled {
            return Err(FieldError::NamePunctuation);
        }
        name
    } else {
        let dotless = text
            .chars()
            .find(|c| !is_name_dot(*c) && !c.is_whitespace());
        return Err(match dotless {
            Some(found) => FieldError::NameBadChar { found },
            None => FieldError::NameDot,
        });
    };
    let actual = name.chars().count();
    if !(2..=PERSON_NAME_MAX_CHARS).contains(&actual) {
        return Err(FieldError::NameLength { actual });
    }
    Ok(FieldValue::Text(name))
}

/// EntityName: 4-60 characters and at least one Han character; digits,
/// Latin letters, brackets, the middle dot and `-` allowed, nothing else.
/// `()` become full-width `（）`, name dots become `·`, `－` becomes `-`.
/// Spaces are kept only (single) between two Latin letters or digits and
/// removed elsewhere. Brackets must pair up and not be empty.
fn validate_entity_name(text: &str) -> Result<FieldValue, FieldError> {
    check_visible(text)?;
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '－' | '‐' | '‑' | '–' | '−' => '-',
            c if is_name_dot(c) => '·',
            c => c,
        })
        .collect();
    let mut name = String::new();
    for word in mapped.split_whitespace() {
        let prev = name.chars().next_back();
        let next = word.chars().next();
        if prev.is_some_and(|c| c.is_ascii_alphanumeric())
            && next.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            name.push(' ');
        }
        name.push_str(word);
    }
    if let Some(bad) = name.chars().find(|c| {
        !(is_han(*c)
            || c.is_ascii_alphanumeric()
            || is_latin_letter(*c)
            || matches!(c, '（' | '）' | '·' | '-' | ' '))
    }) {
        return Err(FieldError::EntityBadChar { found: bad });
    }
    if !name.chars().any(is_han) {
        return Err(FieldError::EntityNoChinese);
    }
    let mut depth = 0i32;
    let mut prev = ' ';
    for c in name.chars() {
        match c {
            '（' => depth += 1,
            '）' if prev == '（' => return Err(FieldError::EntityBrackets),
            '）' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Err(FieldError::EntityBrackets);
        }
        prev = c;
    }
    if depth != 0 {
        return Err(FieldError::EntityBrackets);
    }
    let actual = name.chars().count();
    if !(4..=ENTITY_NAME_MAX_CHARS).contains(&actual) {
        return Err(FieldError::EntityLength { actual });
    }
    Ok(FieldValue::Text(name))
}

/// Address: 6-100 characters, must contain Han characters, no control
/// characters; runs of spaces become one space.
fn validate_address(text: &str) -> Result<FieldValue, FieldError> {
    check_visible(text)?;
    let address = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !address.chars().any(is_han) {
        return Err(FieldError::AddressNoChinese);
    }
    let actual = address.chars().count();
    if actual < 6 {
        return Err(FieldError::AddressTooShort { actual });
    }
    if actual > ADDRESS_MAX_CHARS {
        return Err(FieldError::AddressTooLong { actual });
    }
    Ok(FieldValue::Text(address))
}

/// ResidentId: [`ResidentId::parse`] after removing spaces and hyphens
/// (numbers copied as `410105 19900101 123X`); `x` becomes `X`. A legacy
/// 15-digit number gets its own message.
fn validate_resident_id(text: &str) -> Result<FieldValue, FieldError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && ascii_punct(*c) != '-')
        .collect();
    if compact.len() == 15 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::ResidentIdLegacy);
    }
    ResidentId::parse(&compact)
        .map(|id| FieldValue::Text(id.as_str().to_string()))
        .map_err(FieldError::ResidentId)
}

/// IdentityNumber: a 2017 foreigner's permanent residence number (3 letters
/// + 12 digits, upper-cased), or else a resident ID number as above.
fn validate_identity_number(text: &str) -> Result<FieldValue, FieldError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && ascii_punct(*c) != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let b = compact.as_bytes();
        let ok = b.len() == 15
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3..].iter().all(u8::is_ascii_digit);
        return if ok {
            Ok(FieldValue::Text(compact))
        } else {
            Err(FieldError::ForeignPermanentFormat)
        };
    }
    validate_resident_id(&compact)
}

/// SocialCreditCode: [`SocialCreditCode::parse`] after removing spaces and
/// hyphens; lower case becomes upper case.
fn validate_uscc(text: &str) -> Result<FieldValue, FieldError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && ascii_punct(*c) != '-')
        .collect();
    SocialCreditCode::parse(&compact)
        .map(|code| FieldValue::Text(code.as_str().to_string()))
        .map_err(FieldError::SocialCreditCode)
}

/// PartyNumber: a person's identity number or an organisation's credit
/// code. When neither fits, the problem is told for the one it looks like:
/// 18 characters with any letter but a final X mean a credit code (an ID
/// number has at most a final X, or three leading letters on a 2017
/// foreigner's card).
fn validate_party_number(text: &str) -> Result<FieldValue, FieldError> {
    let person = validate_identity_number(text);
    if person.is_ok() {
        return person;
    }
    let organisation = validate_uscc(text);
    if organisation.is_ok() {
        return organisation;
    }
    let compact: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && ascii_punct(*c) != '-')
        .collect();
    let foreign_card = compact.len() >= 3 && compact[..3].iter().all(char::is_ascii_alphabetic);
    let letter_not_x = compact.iter().enumerate().any(|(at, c)| {
        c.is_ascii_alphabetic() && !(at + 1 == compact.len() && c.eq_ignore_ascii_case(&'x'))
    });
    if compact.len() == 18 && letter_not_x && !foreign_card {
        organisation
    } else {
        person
    }
}

/// Mobile: 11 digits starting `1[3-9]`. Spaces and hyphens are ignored; a
/// `+86`, `0086` or (for 13 digits) `86` prefix is removed. Normalised to
/// the bare 11 digits.
fn validate_mobile(text: &str) -> Result<String, FieldError> {
    let compact: String = text
        .chars()
        .map(ascii_punct)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = if let Some(rest) = compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("0086"))
    {
        rest.to_string()
    } else if compact.starts_with('+') {
        return Err(FieldError::NotMainland { mobile: true });
    } else if compact.len() == 13 && compact.starts_with("86") {
        compact[2..].to_string()
    } else {
        compact
    };
    if let Some(found) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(FieldError::MobileBadChar { found });
    }
    if digits.len() != 11 {
        return Err(FieldError::MobileLength {
            actual: digits.len(),
        });
    }
    if !digits.starts_with('1') || !matches!(digits.as_bytes()[1], b'3'..=b'9') {
        return Err(FieldError::MobileFormat);
    }
    Ok(digits)
}

/// Phone: a mobile number (rules of Mobile, normalised the same way), or a
/// landline: area code `0` + 2-3 digits (010 and 020-029 have three
/// digits, the others four), then a 7-8 digit local number not starting
/// with 0, separated by `-`, spaces or parentheses (`(0393)1234567`)
/// or not at all (the local number may be split in two groups, `021 6234
/// 5678`); an optional extension of 1-6 digits after `转`, `分机`,
/// `ext` or a further `-`. `+86`/`0086` may precede the area code (its 0
/// may then be left out). Normalised to `0393-1234567` or
/// `0393-1234567转123`.
fn validate_phone(text: &str) -> Result<FieldValue, FieldError> {
    let text: String = text.chars().map(ascii_punct).collect();
    let lower = text.to_ascii_lowercase();
    let (main, mut ext) = match ["转", "分机", "ext.", "ext"]
        .iter()
        .find_map(|m| lower.find(m).map(|i| (i, m.len())))
    {
        Some((i, len)) => {
            let ext = text[i + len..].trim_matches(|c: char| c.is_whitespace() || c == ':');
            (text[..i].to_string(), Some(ext.to_string()))
        }
        None => (text.clone(), None),
    };
    let mut tokens: Vec<String> = main
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '(' | ')'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if tokens.is_empty() {
        return Err(FieldError::PhoneFormat);
    }
    let mut international = false;
    for prefix in ["+86", "0086"] {
        if let Some(rest) = tokens[0].strip_prefix(prefix) {
            international = true;
            if rest.is_empty() {
                tokens.remove(0);
            } else {
                tokens[0] = rest.to_string();
            }
            break;
        }
    }
    if tokens.is_empty() {
        return Err(FieldError::PhoneFormat);
    }
    if tokens[0].starts_with('+') {
        return Err(FieldError::NotMainland { mobile: false });
    }
    if let Some(found) = tokens.concat().chars().find(|c| !c.is_ascii_digit()) {
        return Err(FieldError::PhoneBadChar { found });
    }
    let joined = tokens.concat();
    // After +86 a landline drops its 0 (+86 10 6234 5678), so only an
    // 11-digit number is a mobile; without it, a short number starting
    // with 1 is a local number missing its area code.
    let mobile_like = if international {
        joined.starts_with('1') && joined.len() == 11
    } else {
        joined.starts_with('1') && joined.len() > 8
            || joined.len() == 13 && joined.starts_with("861")
    };
    if mobile_like {
        if ext.is_some() {
            return Err(FieldError::PhoneFormat);
        }
        return validate_mobile(&joined).map(FieldValue::Text);
    }
    if international && !tokens[0].starts_with('0') {
        tokens[0].insert(0, '0');
    }
    fn take_ext(e: &str, ext: &mut Option<String>) -> Result<(), FieldError> {
        if ext.is_some() {
            return Err(FieldError::PhoneFormat);
        }
        *ext = Some(e.to_string());
        Ok(())
    }
    let (area, local) = match tokens.as_slice() {
        [whole] => split_landline(whole)?,
        [a, b] if a.starts_with('0') && a.len() <= 4 => (a.clone(), b.clone()),
        [a, b] if a.starts_with('0') && a.len() >= 10 => {
            take_ext(b, &mut ext)?;
            split_landline(a)?
        }
        [a, b] if !a.starts_with('0') && (a.len() + b.len() <= 8 || (7..=8).contains(&a.len())) => {
            return Err(FieldError::PhoneAreaCodeMissing);
        }
        // 021 6234 5678: the local number written in two groups.
        [a, b, c] if a.starts_with('0') && a.len() <= 4 && b.len() < 7 => {
            (a.clone(), format!("{b}{c}"))
        }
        [a, b, c] if a.starts_with('0') && a.len() <= 4 => {
            take_ext(c, &mut ext)?;
            (a.clone(), b.clone())
        }
        _ => return Err(FieldError::PhoneFormat),
    };
    check_area_code(&area)?;
    if !(7..=8).contains(&local.len()) || local.starts_with('0') {
        return Err(FieldError::PhoneLocal {
            actual: local.len(),
        });
    }
    let mut normalised = format!("{area}-{local}");
    if let Some(ext) = ext {
        if ext.is_empty() || ext.len() > 6 || !ext.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::PhoneExtension);
        }
        normalised.push('转');
        normalised.push_str(&ext);
    }
    Ok(FieldValue::Text(normalised))
}

/// Splits an unseparated landline (`03931234567`) by the numbering plan.
fn split_landline(whole: &str) -> Result<(String, String), FieldError> {
    if !whole.starts_with('0') {
        return Err(if (7..=8).contains(&whole.len()) {
            FieldError::PhoneAreaCodeMissing
        } else {
            FieldError::PhoneFormat
        });
    }
    if whole.len() < 4 {
        return Err(FieldError::PhoneFormat);
    }
    let area_len = if matches!(whole.as_bytes()[1], b'1' | b'2') {
        3
    } else {
        4
    };
    Ok((whole[..area_len].to_string(), whole[area_len..].to_string()))
}

/// Area codes: `010`, `020`-`029`, or `0` + `[3-9]` + two digits.
fn check_area_code(area: &str) -> Result<(), FieldError> {
    let b = area.as_bytes();
    let ok = match b.len() {
        3 => b[0] == b'0' && (&area[..2] == "01" && b[2] == b'0' || b[1] == b'2'),
        4 => b[0] == b'0' && matches!(b[1], b'3'..=b'9'),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(FieldError::PhoneAreaCode {
            area: area.to_string(),
        })
    }
}

/// Email: at most 254 characters, exactly one `@`, no spaces. Local part:
/// 1-64 of letters, digits and ``!#$%&'*+/=?^_`{|}~.-``, dots not first,
/// last or doubled. Domain: at least two dot-separated labels of letters,
/// digits and inner hyphens, the last one letters only (2+). Full-width
/// `＠`, `．` and the ideographic full stop `。` are read as `@` and `.`; the
/// domain is lower-cased.
fn validate_email(text: &str) -> Result<FieldValue, FieldError> {
    let email: String = text
        .chars()
        .map(|c| if c == '。' { '.' } else { ascii_punct(c) })
        .collect();
    let actual = email.chars().count();
    if actual > EMAIL_MAX_CHARS {
        return Err(FieldError::EmailTooLong { actual });
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(FieldError::EmailNoAt);
    };
    if domain.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(FieldError::EmailFormat);
    }
    let local_ok = (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return Err(FieldError::EmailLocal);
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(FieldError::EmailDomain);
    }
    Ok(FieldValue::Text(format!("{local}@{domain}")))
}

/// PostalCode: exactly six digits.
fn validate_postal_code(text: &str) -> Result<FieldValue, FieldError> {
    if let Some(found) = text.chars().find(|c| !c.is_ascii_digit()) {
        return Err(FieldError::PostalCodeBadChar { found });
    }
    if text.len() != 6 {
        return Err(FieldError::PostalCodeLength { actual: text.len() });
    }
    Ok(FieldValue::Text(text.to_string()))
}

/// Date: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD` (month and day may have
/// one digit), `YYYYMMDD`, or `YYYY年M月D日` (`号` for `日`, `日` optional);
/// spaces ignored; a real calendar day between 1900-01-01 and 2199-12-31.
fn parse_date(text: &str) -> Result<NaiveDate, DateProblem> {
    let s: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(ascii_punct)
        .collect();
    let parts: Vec<&str> = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else if let Some((y, rest)) = s.split_once('年') {
        let (m, d) = rest.split_once('月').ok_or(DateProblem::Format)?;
        let d = d
            .strip_suffix('日')
            .or_else(|| d.strip_suffix('号'))
            .unwrap_or(d);
        vec![y, m, d]
    } else {
        let sep = ['-', '/', '.']
            .into_iter()
            .find(|c| s.contains(*c))
            .ok_or(DateProblem::Format)?;
        s.split(sep).collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(DateProblem::Format);
    };
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return Err(DateProblem::Format);
    }
    let (year, month, day): (u32, u32, u32) = (
        y.parse().map_err(|_| DateProblem::Format)?,
        m.parse().map_err(|_| DateProblem::Format)?,
        d.parse().map_err(|_| DateProblem::Format)?,
    );
    if !(MIN_YEAR as u32..=MAX_YEAR as u32).contains(&year) {
        return Err(DateProblem::OutOfRange { year });
    }
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(DateProblem::Invalid {
        year,
        month,
        day,
    })
}

/// The end of a range: a date, or 长期 / 长期有效 / 永久 / 永久有效 (no end).
fn parse_range_end(text: &str) -> Result<Option<NaiveDate>, DateProblem> {
    match text.trim() {
        "长期" | "长期有效" | "永久" | "永久有效" => Ok(None),
        t => parse_date(t).map(Some),
    }
}

/// DateRange: `start至end`, `start到end`, `start~end`, `start—end`,
/// `start - end`, `start end`, `start/end` or `start-end` (where `/` and
/// `-` may also separate the parts of the dates: the split that gives two
/// dates wins, as in `2024.05.01-2025.04.30`); each date as for Date; the
/// end may be 长期 (also 长期有效, 永久); start ≤ end. A single date is
/// refused with the range format message.
fn validate_date_range(text: &str) -> Result<FieldValue, FieldError> {
    let text: String = text.chars().map(ascii_punct).collect();
    // The longest real range (2024年12月31日 至 2025年12月31日) is far
    // shorter; the cap keeps the split search below cheap.
    if parse_date(&text).is_ok() || text.chars().count() > 64 {
        return Err(FieldError::RangeFormat);
    }
    let mut candidates: Vec<(String, String)> = Vec::new();
    let split_at_first = |sep: &str| {
        text.find(sep).map(|i| {
            let rest = text[i + sep.len()..].trim_start_matches(['—', '-']);
            (text[..i].to_string(), rest.to_string())
        })
    };
    if let Some(pair) = ["至", "到", "~", "—", " - "]
        .iter()
        .find_map(|sep| split_at_first(sep))
    {
        candidates.push(pair);
    } else if let Some(pair) = text.split_once(char::is_whitespace) {
        candidates.push((pair.0.to_string(), pair.1.to_string()));
    } else {
        for (i, _) in text.match_indices(['/', '-']) {
            candidates.push((text[..i].to_string(), text[i + 1..].to_string()));
        }
    }
    if candidates.is_empty() {
        return Err(FieldError::RangeFormat);
    }
    let mut first_error = None;
    for (start, end) in &candidates {
        let (start, end) = (start.trim(), end.trim());
        if start.is_empty() || end.is_empty() {
            first_error.get_or_insert(FieldError::RangeFormat);
            continue;
        }
        match (parse_date(start), parse_range_end(end)) {
            (Ok(from), Ok(to)) => {
                if let Some(to) = to.filter(|to| *to < from) {
                    return Err(FieldError::RangeOrder { from, to });
                }
                return Ok(FieldValue::DateRange { from, to });
            }
            (Ok(_), Err(p)) => {
                // A split whose start parses explains the problem best.
                if !matches!(first_error, Some(FieldError::RangeEnd(_))) {
                    first_error = Some(FieldError::RangeEnd(p));
                }
            }
            (Err(p), _) => {
                first_error.get_or_insert(FieldError::RangeStart(p));
            }
        }
    }
    Err(first_error.unwrap_or(FieldError::RangeFormat))
}

/// A decimal number as typed: optional sign, digits with optional `,`
/// thousands separators (groups of three), optional `.` and fraction.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros; "0" for none.
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let text: String = text.trim().chars().map(ascii_punct).collect();
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
        if int_part.contains(',') {
            let mut groups = int_part.split(',');
            let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
            if !first_ok || !groups.all(|g| g.len() == 3) {
                return None;
            }
        }
        let int_digits: String = int_part.chars().filter(|c| *c != ',').collect();
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(&int_digits)
            || !all_digits(frac_part)
            || int_digits.is_empty() && frac_part.is_empty()
        {
            return None;
        }
        let int = int_digits.trim_start_matches('0');
        let frac = frac_part.trim_end_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        Some(Decimal {
            negative: negative && (int != "0" || !frac.is_empty()),
            int: int.to_string(),
            frac: frac.to_string(),
        })
    }

    fn is_zero(&self) -> bool {
        self.int == "0" && self.frac.is_empty()
    }

    /// Multiplies by 10^`places` (negative divides), exactly.
    fn shifted(&self, places: i32) -> Decimal {
        let digits = format!("{}{}", self.int, self.frac);
        let point = self.int.len() as i64 + i64::from(places);
        let (int, frac) = if point <= 0 {
            (
                String::new(),
                format!("{}{}", "0".repeat((-point) as usize), digits),
            )
        } else if point as usize >= digits.len() {
            (
                format!("{}{}", digits, "0".repeat(point as usize - digits.len())),
                String::new(),
            )
        } else {
            (
                digits[..point as usize].to_string(),
                digits[point as usize..].to_string(),
            )
        };
        let int = int.trim_start_matches('0');
        Decimal {
            negative: self.negative,
            int: if int.is_empty() { "0" } else { int }.to_string(),
            frac: frac.trim_end_matches('0').to_string(),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(&self.int)?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

/// Area: square metres, optionally followed by 平方米, 平米, 平方, ㎡, m²
/// or m2; positive, at most 2 decimals, below 10 000 000. Thousands
/// separators `1,200.5` are accepted. Normalised like `120.5`.
fn validate_area(text: &str) -> Result<FieldValue, FieldError> {
    let number = ["平方米", "平米", "平方", "㎡", "m²", "m2", "M2"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit))
        .unwrap_or(text);
    let value = Decimal::parse(number).ok_or(FieldError::AreaFormat)?;
    if value.negative || value.is_zero() {
        return Err(FieldError::AreaNotPositive);
    }
    if value.frac.len() > 2 {
        return Err(FieldError::AreaDecimals);
    }
    if value.int.len() > 7 {
        return Err(FieldError::AreaTooLarge);
    }
    Ok(FieldValue::Decimal(value.to_string()))
}

/// Money in the field's unit: non-negative, at most 2 decimals for 元 and
/// 6 for 万元, at most 12 integer digits. May start with `¥`/`￥` and end
/// with the field's unit (`元`; `万元` or `万`); an amount written in the
/// other unit is refused with the converted amount in the message.
fn validate_money(text: &str, unit: MoneyUnit) -> Result<FieldValue, FieldError> {
    let body = text.strip_prefix(['¥', '￥']).unwrap_or(text).trim_start();
    let (number, written) = if let Some(n) = body
        .strip_suffix("万元")
        .or_else(|| body.strip_suffix('万'))
    {
        (n, Some(MoneyUnit::TenThousandYuan))
    } else if let Some(n) = body.strip_suffix('元') {
        (n, Some(MoneyUnit::Yuan))
    } else {
        (body, None)
    };
    let value = Decimal::parse(number).ok_or(FieldError::MoneyFormat { unit })?;
    if let Some(written) = written.filter(|w| *w != unit) {
        let converted = match unit {
            MoneyUnit::Yuan => value.shifted(4),
            MoneyUnit::TenThousandYuan => value.shifted(-4),
        };
        return Err(FieldError::MoneyUnit {
            expected: unit,
            written: format!("{value}{}", written.label()),
            converted: format!("{converted}{}", unit.label()),
        });
    }
    if value.negative {
        return Err(FieldError::MoneyNegative);
    }
    if value.frac.len() > unit.max_decimals() {
        return Err(FieldError::MoneyDecimals { unit });
    }
    if value.int.len() > 12 {
        return Err(FieldError::MoneyTooLarge);
    }
    Ok(FieldValue::Decimal(value.to_string()))
}

/// Integer: optional sign, digits (thousands separators allowed; `12.0`
/// is 12, `12.5` is refused), within `min..=max` when given.
fn validate_integer(
    text: &str,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<FieldValue, FieldError> {
    let value = Decimal::parse(text).ok_or(FieldError::IntegerFormat)?;
    if !value.frac.is_empty() {
        return Err(FieldError::IntegerDecimal);
    }
    let magnitude: Option<i128> = value.int.parse().ok().filter(|_| value.int.len() <= 20);
    let number = magnitude
        .map(|m| if value.negative { -m } else { m })
        .and_then(|n| i64::try_from(n).ok());
    let too_small = |min: i64| FieldError::IntegerTooSmall { min, max };
    let too_large = |max: i64| FieldError::IntegerTooLarge { min, max };
    let Some(number) = number else {
        return Err(if value.negative {
            too_small(min.unwrap_or(i64::MIN))
        } else {
            too_large(max.unwrap_or(i64::MAX))
        });
    };
    if let Some(min) = min.filter(|min| number < *min) {
        return Err(too_small(min));
    }
    if let Some(max) = max.filter(|max| number > *max) {
        return Err(too_large(max));
    }
    Ok(FieldValue::Integer(number))
}

fn labels(options: &[ChoiceOption]) -> Vec<String> {
    options.iter().map(|o| o.label.clone()).collect()
}

/// Finds an option by id (ASCII case ignored) or by exact label.
fn find_option<'a>(options: &'a [ChoiceOption], text: &str) -> Option<&'a ChoiceOption> {
    options
        .iter()
        .find(|o| o.id.eq_ignore_ascii_case(text))
        .or_else(|| options.iter().find(|o| o.label == text))
}

/// Choice: one option, by id (case ignored) or exact label; the value is
/// the id.
fn validate_choice(text: &str, options: &[ChoiceOption]) -> Result<FieldValue, FieldError> {
    if options.is_empty() {
        return Err(FieldError::ChoiceNoOptions);
    }
    find_option(options, text)
        .map(|o| FieldValue::Choice(o.id.clone()))
        .ok_or_else(|| FieldError::ChoiceUnknown {
            labels: labels(options),
        })
}

/// MultiChoice: options by id or label separated by `,` `，` `、` `;` `；`
/// (empty items ignored); each must exist, none twice, at least one. The
/// value lists ids in the catalog's option order.
fn validate_multi_choice(text: &str, options: &[ChoiceOption]) -> Result<FieldValue, FieldError> {
    if options.is_empty() {
        return Err(FieldError::ChoiceNoOptions);
    }
    let mut chosen = vec![false; options.len()];
    let mut any = false;
    for item in text
        .split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let Some(index) = find_option(options, item)
            .and_then(|o| options.iter().position(|p| std::ptr::eq(p, o)))
        else {
            return Err(FieldError::MultiChoiceUnknown {
                item: item.to_string(),
                labels: labels(options),
            });
        };
        if chosen[index] {
            return Err(FieldError::MultiChoiceDuplicate {
                label: options[index].label.clone(),
            });
        }
        chosen[index] = true;
        any = true;
    }
    if !any {
        return Err(FieldError::MultiChoiceNone {
            labels: labels(options),
        });
    }
    Ok(FieldValue::Choices(
        options
            .iter()
            .zip(chosen)
            .filter(|(_, c)| *c)
            .map(|(o, _)| o.id.clone())
            .collect(),
    ))
}

/// YesNo: yes/y/true/是 and no/n/false/否, ASCII case ignored.
fn validate_yes_no(text: &str) -> Result<FieldValue, FieldError> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "是" => Ok(FieldValue::Bool(true)),
        "no" | "n" | "false" | "否" => Ok(FieldValue::Bool(false)),
        _ => Err(FieldError::YesNo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_and_shift_exactly() {
        let d = Decimal::parse("0012.500").unwrap();
        assert_eq!(d.to_string(), "12.5");
        assert_eq!(d.shifted(4).to_string(), "125000");
        assert_eq!(d.shifted(-4).to_string(), "0.00125");
        assert_eq!(
            Decimal::parse("1,234,567.8").unwrap().to_string(),
            "1234567.8"
        );
        assert_eq!(Decimal::parse(".5").unwrap().to_string(), "0.5");
        assert_eq!(Decimal::parse("-0").unwrap().to_string(), "0");
        for bad in ["", ".", "1,23", "12,3456", "1.2.3", "--1", "1e5", "+"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut codes = ERROR_CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ERROR_CODES.len());
    }

    #[test]
    fn landline_splitting_follows_the_numbering_plan() {
        assert_eq!(
            split_landline("01012345678").unwrap(),
            ("010".into(), "12345678".into())
        );
        assert_eq!(
            split_landline("03931234567").unwrap(),
            ("0393".into(), "1234567".into())
        );
        assert!(check_area_code("011").is_err());
        assert!(check_area_code("0293").is_err());
        assert!(check_area_code("021").is_ok());
    }
}
