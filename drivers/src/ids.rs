//! Checks for the identifiers a kiosk reads from cards and scanners.
//!
//! They live here, not in the kiosk core, because both the card decoder and
//! the scanner classifier need them and this crate must not depend on the
//! core; the core re-exports them for its form validators.

use std::fmt;

/// Why an identifier failed its check. The messages are shown to
/// applicants, so they are plain Chinese.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("长度应为{expected}位，实际为{actual}位")]
    Length { expected: usize, actual: usize },
    #[error("第{position}位“{found}”不是允许的字符")]
    BadCharacter { position: usize, found: char },
    /// The date is kept for the applicant's own screen (the form says which
    /// digits are wrong) but never printed by `Display` or `Debug`, which
    /// end up in logs.
    #[error("号码中的出生日期不是有效日期")]
    BadBirthDate(String),
    #[error("校验位应为“{expected}”，实际为“{found}”，请核对号码")]
    CheckDigit { expected: char, found: char },
}

impl fmt::Debug for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length { expected, actual } => f
                .debug_struct("Length")
                .field("expected", expected)
                .field("actual", actual)
                .finish(),
            IdError::BadCharacter { position, .. } => f
                .debug_struct("BadCharacter")
                .field("position", position)
                .finish_non_exhaustive(),
            IdError::BadBirthDate(_) => f.write_str("BadBirthDate(********)"),
            IdError::CheckDigit { .. } => f.write_str("CheckDigit"),
        }
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character (GB 11643-1999) for the first 17 digits of a
/// resident ID number. `None` when any of them is not an ASCII digit.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// A checked 18-digit resident ID number (also used by the HK/Macau/Taiwan
/// residence permit and the 2023 foreigner's permanent residence card).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

impl ResidentId {
    /// Parses and checks a number; a lower-case `x` is accepted and stored
    /// upper-case because people type it that way.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let text = text.trim();
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 18 {
            return Err(IdError::Length {
                expected: 18,
                actual: chars.len(),
            });
        }
        for (i, c) in chars.iter().enumerate().take(17) {
            if !c.is_ascii_digit() {
                return Err(IdError::BadCharacter {
                    position: i + 1,
                    found: *c,
                });
            }
        }
        let last = chars[17].to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(IdError::BadCharacter {
                position: 18,
                found: chars[17],
            });
        }
        let birth = &text[6..14];
        if !valid_yyyymmdd(birth) {
            return Err(IdError::BadBirthDate(birth.to_string()));
        }
        let expected = resident_id_check_char(&text[..17]).expect("17 ASCII digits");
        if expected != last {
            return Err(IdError::CheckDigit {
                expected,
                found: chars[17],
            });
        }
        Ok(Self(format!("{}{}", &text[..17], last)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Birth date as `YYYYMMDD`.
    pub fn birth_date(&self) -> &str {
        &self.0[6..14]
    }

    /// Odd sequence numbers are men, even are women (GB 11643).
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The form that may appear in logs and on receipts: area prefix kept
    /// for the region, the last four for the applicant to recognise.
    pub fn masked(&self) -> String {
        mask_id_text(&self.0)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ResidentId> for String {
    fn from(value: ResidentId) -> Self {
        value.0
    }
}

impl fmt::Display for ResidentId {
    /// Display is masked on purpose, so that `{}` in a log line can never
    /// leak a whole number; use [`ResidentId::as_str`] to get it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Masks any identifier-like text for logs and printouts: keeps the first
/// three and last four characters (`410***********1234`). Short texts are
/// masked whole.
pub fn mask_id_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..3]);
    out.extend(std::iter::repeat_n('*', chars.len() - 7));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// True when `text` is a real calendar date written as `YYYYMMDD`
/// (years 1800-2199, which covers every living card holder and validity).
pub fn valid_yyyymmdd(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(4..6), num(6..8));
    if !(1800..=2199).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    d <= days_in_month(y, m)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

/// Chinese (Han) characters: the URO, extensions A to I, the compatibility
/// blocks, and 〇.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2EE5F
        | 0x2F800..=0x2FA1F
        | 0x30000..=0x323AF)
        || c == '〇'
}

/// The dots people and IMEs use in names: · ・ • ･ ‧ ∙ ⋅.
pub fn is_name_dot(c: char) -> bool {
    matches!(
        c,
        '\u{00B7}' | '\u{30FB}' | '\u{2022}' | '\u{FF65}' | '\u{2027}' | '\u{2219}' | '\u{22C5}'
    )
}

/// Masks a person's name for greetings and logs: Chinese names keep the
/// first and (from three characters) the last character, `·` stays
/// visible (张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明); Latin names keep
/// the first letter of each word (John Smith → J*** S****).
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    if name.chars().any(is_han) {
        let letters = name.chars().filter(|c| !is_name_dot(*c)).count();
        let mut seen = 0;
        name.chars()
            .map(|c| {
                if is_name_dot(c) {
                    return '·';
                }
                seen += 1;
                let keep = letters >= 2 && (seen == 1 || (letters >= 3 && seen == letters));
                if keep { c } else { '*' }
            })
            .collect()
    } else {
        name.split_whitespace()
            .map(|word| {
                let mut first = true;
                word.chars()
                    .map(|c| {
                        if c.is_alphabetic() || c.is_numeric() {
                            let keep = first;
                            first = false;
                            if keep { c } else { '*' }
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The 31 symbols of a unified social credit code (no I, O, S, V, Z).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character (GB 32100-2015) for the first 17 characters of a
/// unified social credit code; `None` when one is outside the alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.iter().zip(USCC_WEIGHTS) {
        sum += USCC_ALPHABET.find(*c)? as u32 * w;
    }
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize)
}

/// A checked unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SocialCreditCode(String);

impl SocialCreditCode {
    /// Parses and checks a code; lower case is accepted and upper-cased.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let upper = text.trim().to_ascii_uppercase();
        let chars: Vec<char> = upper.chars().collect();
        if chars.len() != 18 {
            return Err(IdError::Length {
                expected: 18,
                actual: chars.len(),
            });
        }
        for (i, c) in chars.iter().enumerate() {
            if !USCC_ALPHABET.contains(*c) {
                return Err(IdError::BadCharacter {
                    position: i + 1,
                    found: *c,
                });
            }
        }
        let expected = uscc_check_char(&upper[..17]).expect("alphabet checked");
        if expected != chars[17] {
            return Err(IdError::CheckDigit {
                expected,
                found: chars[17],
            });
        }
        Ok(Self(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SocialCreditCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SocialCreditCode> for String {
    fn from(value: SocialCreditCode) -> Self {
        value.0
    }
}

impl fmt::Display for SocialCreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_examples_pass() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), "19491231");
        assert!(!id.is_male());
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(format!("{id}"), "110***********002X");
        assert!(ResidentId::parse("11010519491231002x").is_ok());
        assert_eq!(
            SocialCreditCode::parse("91350200776049653A")
                .unwrap()
                .as_str(),
            "91350200776049653A"
        );
    }

    #[test]
    fn wrong_check_characters_are_named() {
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(IdError::CheckDigit {
                expected: 'X',
                found: '1'
            })
        );
        assert_eq!(
            SocialCreditCode::parse("91350200776049653B"),
            Err(IdError::CheckDigit {
                expected: 'A',
                found: 'B'
            })
        );
        let bad_date = ResidentId::parse("110105194902300028").unwrap_err();
        assert_eq!(bad_date, IdError::BadBirthDate("19490230".into()));
        // Log-bound renderings never carry the birth date.
        assert!(!bad_date.to_string().contains("19490230"));
        assert!(!format!("{bad_date:?}").contains("19490230"));
    }

    proptest! {
        #[test]
        fn any_17_digits_with_their_check_char_parse(digits in "[0-9]{6}", y in 1900u32..2100, m in 1u32..=12, d in 1u32..=28, seq in "[0-9]{3}") {
            let first17 = format!("{digits}{y:04}{m:02}{d:02}{seq}");
            let check = resident_id_check_char(&first17).unwrap();
            let id = ResidentId::parse(&format!("{first17}{check}")).unwrap();
            // Every other check character must be refused.
            for other in "0123456789X".chars().filter(|c| *c != check) {
                let candidate = format!("{first17}{other}");
                prop_assert!(ResidentId::parse(&candidate).is_err());
            }
            prop_assert_eq!(id.as_str().len(), 18);
        }

        #[test]
        fn uscc_round_trip_and_single_substitution_caught(body in "[0-9A-HJ-NPQRTUWXY]{17}", pos in 0usize..17, sub in 0usize..31) {
            let check = uscc_check_char(&body).unwrap();
            let code = format!("{body}{check}");
            prop_assert!(SocialCreditCode::parse(&code).is_ok());
            let mut chars: Vec<char> = code.chars().collect();
            let replacement = USCC_ALPHABET.chars().nth(sub).unwrap();
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let altered: String = chars.into_iter().collect();
            prop_assert!(SocialCreditCode::parse(&altered).is_err());
        }

        #[test]
        fn parsers_never_panic(text in "\\PC{0,40}") {
            let _ = ResidentId::parse(&text);
            let _ = SocialCreditCode::parse(&text);
            let _ = mask_id_text(&text);
        }
    }
}
