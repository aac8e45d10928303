//! What a scanned text is to the kiosk: one of its own QR codes, a unified
//! social credit code (bare or inside a business-licence QR), a resident ID
//! number, or plain text. A code that looks like an identifier but fails
//! its check is reported as such, so the applicant hears "check the code"
//! rather than "unknown code".

use crate::ids::{IdError, ResidentId, SocialCreditCode, USCC_ALPHABET, mask_id_text};
use std::fmt;

/// A payload of one of the kiosk's own QR codes (`OV1:<kind>:<rest>`).
/// The rest is kept opaque: checking its signature belongs to the core.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum KioskCode {
    /// `OV1:R:<receipt number>`: a receipt handed out earlier.
    Receipt(String),
    /// `OV1:N:<opaque>`: a printed notice checklist.
    Notice(String),
    /// A kind letter this version does not know; kept for the core to judge.
    Other { letter: char, payload: String },
}

/// The classification of one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanKind {
    Kiosk(KioskCode),
    /// `OV1:` without a kind letter and `:`, or with nothing after it.
    MalformedKiosk(String),
    /// A checked unified social credit code; `in_text` when it was found
    /// inside a longer text (e.g. a business-licence QR URL).
    SocialCreditCode {
        code: SocialCreditCode,
        in_text: bool,
    },
    /// Looked like a social credit code but failed its check.
    InvalidSocialCreditCode {
        text: String,
        error: IdError,
    },
    /// A checked resident ID number (displayed masked).
    ResidentId(ResidentId),
    /// Looked like a resident ID number but failed its check.
    InvalidResidentId {
        text: String,
        error: IdError,
    },
    /// Anything else.
    Text(String),
}

impl ScanKind {
    /// A short machine-readable name of the kind.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ScanKind::Kiosk(KioskCode::Receipt(_)) => "receipt",
            ScanKind::Kiosk(KioskCode::Notice(_)) => "notice",
            ScanKind::Kiosk(KioskCode::Other { .. }) => "kiosk_other",
            ScanKind::MalformedKiosk(_) => "kiosk_malformed",
            ScanKind::SocialCreditCode { .. } => "social_credit_code",
            ScanKind::InvalidSocialCreditCode { .. } => "invalid_social_credit_code",
            ScanKind::ResidentId(_) => "resident_id",
            ScanKind::InvalidResidentId { .. } => "invalid_resident_id",
            ScanKind::Text(_) => "text",
        }
    }

    /// True for the kinds that mean "this code is wrong".
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            ScanKind::MalformedKiosk(_)
                | ScanKind::InvalidSocialCreditCode { .. }
                | ScanKind::InvalidResidentId { .. }
        )
    }
}

impl fmt::Display for ScanKind {
    /// Chinese, for screens and technicians. ID numbers are masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanKind::Kiosk(KioskCode::Receipt(n)) => write!(f, "受理回执 {n}"),
            ScanKind::Kiosk(KioskCode::Notice(p)) => write!(f, "告知单 {p}"),
            ScanKind::Kiosk(KioskCode::Other { letter, payload }) => {
                write!(f, "本机二维码（未知类型 {letter}）{payload}")
            }
            ScanKind::MalformedKiosk(t) => write!(f, "本机二维码格式不正确：{t}"),
            ScanKind::SocialCreditCode { code, in_text } => {
                let from = if *in_text {
                    "（来自营业执照二维码）"
                } else {
                    ""
                };
                write!(f, "统一社会信用代码 {code}{from}")
            }
            ScanKind::InvalidSocialCreditCode { text, error } => {
                write!(f, "统一社会信用代码 {text} 有误：{error}")
            }
            ScanKind::ResidentId(id) => write!(f, "居民身份证号码 {id}"),
            ScanKind::InvalidResidentId { text, error } => {
                write!(f, "居民身份证号码 {} 有误：{error}", mask_id_text(text))
            }
            ScanKind::Text(t) => write!(f, "文本 {t}"),
        }
    }
}

/// Classifies a scanned text (see the module documentation).
pub fn classify(text: &str) -> ScanKind {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("OV1:") {
        return classify_kiosk(rest, text);
    }
    if text.chars().count() == 18 && text.chars().all(|c| c.is_ascii_alphanumeric()) {
        return classify_18(text);
    }
    if let Some(kind) = find_uscc_in_text(text) {
        return kind;
    }
    ScanKind::Text(text.to_string())
}

fn classify_kiosk(rest: &str, whole: &str) -> ScanKind {
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some(letter), Some(':')) if letter.is_ascii_uppercase() => {
            let payload = chars.as_str();
            if payload.is_empty() {
                return ScanKind::MalformedKiosk(whole.to_string());
            }
            let payload = payload.to_string();
            ScanKind::Kiosk(match letter {
                'R' => KioskCode::Receipt(payload),
                'N' => KioskCode::Notice(payload),
                _ => KioskCode::Other { letter, payload },
            })
        }
        _ => ScanKind::MalformedKiosk(whole.to_string()),
    }
}

/// 18 ASCII alphanumerics: an ID number or a social credit code, valid or not.
fn classify_18(text: &str) -> ScanKind {
    let upper = text.to_ascii_uppercase();
    let id_like = upper[..17].bytes().all(|b| b.is_ascii_digit())
        && (upper.as_bytes()[17].is_ascii_digit() || upper.ends_with('X'));
    if id_like {
        let id_error = match ResidentId::parse(&upper) {
            Ok(id) => return ScanKind::ResidentId(id),
            Err(e) => e,
        };
        // All digits is also a legal social credit code spelling.
        if let Ok(code) = SocialCreditCode::parse(&upper) {
            return ScanKind::SocialCreditCode {
                code,
                in_text: false,
            };
        }
        // A real birth date says "ID number"; otherwise more likely a code.
        if crate::ids::valid_yyyymmdd(&upper[6..14]) {
            return ScanKind::InvalidResidentId {
                text: upper,
                error: id_error,
            };
        }
    }
    match SocialCreditCode::parse(&upper) {
        Ok(code) => ScanKind::SocialCreditCode {
            code,
            in_text: false,
        },
        Err(error) => ScanKind::InvalidSocialCreditCode { text: upper, error },
    }
}

/// Looks for a social credit code inside a longer text: the `uniscid=`
/// parameter of a national enterprise credit system URL, or after the
/// words 统一社会信用代码, or any 18-character run that passes the check.
fn find_uscc_in_text(text: &str) -> Option<ScanKind> {
    let lower = text.to_ascii_lowercase();
    let labelled = ["uniscid=", "creditcode=", "统一社会信用代码"]
        .iter()
        .find_map(|key| lower.find(key).map(|i| i + key.len()));
    if let Some(start) = labelled {
        // Skip a colon or spaces after a Chinese label.
        let value: String = text[start..]
            .trim_start_matches([':', '：', ' '])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .take(19)
            .collect();
        return Some(match SocialCreditCode::parse(&value) {
            Ok(code) => ScanKind::SocialCreditCode {
                code,
                in_text: true,
            },
            Err(error) => ScanKind::InvalidSocialCreditCode { text: value, error },
        });
    }
    runs_of_18(text).find_map(|run| {
        SocialCreditCode::parse(run)
            .ok()
            .map(|code| ScanKind::SocialCreditCode {
                code,
                in_text: true,
            })
    })
}

/// Maximal runs of upper-case USCC alphabet characters that are exactly 18 long.
fn runs_of_18(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !USCC_ALPHABET.contains(c))
        .filter(|run| run.len() == 18)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kiosk_codes() {
        assert_eq!(
            classify("OV1:R:2026-000123"),
            ScanKind::Kiosk(KioskCode::Receipt("2026-000123".into()))
        );
        assert_eq!(
            classify("OV1:N:abc:def"),
            ScanKind::Kiosk(KioskCode::Notice("abc:def".into()))
        );
        assert!(matches!(
            classify("OV1:Z:x"),
            ScanKind::Kiosk(KioskCode::Other { letter: 'Z', .. })
        ));
        assert!(matches!(classify("OV1:R:"), ScanKind::MalformedKiosk(_)));
        assert!(matches!(classify("OV1:RX"), ScanKind::MalformedKiosk(_)));
    }

    #[test]
    fn identifiers_valid_and_invalid() {
        let id = classify("11010519491231002x");
        assert!(matches!(id, ScanKind::ResidentId(_)));
        assert_eq!(id.to_string(), "居民身份证号码 110***********002X");
        let bad = classify("110105194912310021");
        assert!(matches!(bad, ScanKind::InvalidResidentId { .. }), "{bad:?}");
        assert!(bad.is_error());
        assert!(bad.to_string().contains("校验位"), "{bad}");
        assert!(!bad.to_string().contains("194912310"), "masked: {bad}");
        assert!(matches!(
            classify("91350200776049653A"),
            ScanKind::SocialCreditCode { in_text: false, .. }
        ));
        let bad = classify("91350200776049653B");
        assert!(
            matches!(
                &bad,
                ScanKind::InvalidSocialCreditCode {
                    error: IdError::CheckDigit { expected: 'A', .. },
                    ..
                }
            ),
            "{bad:?}"
        );
        // An O is not in the alphabet: named, not ignored.
        assert!(
            classify("9135020077604965OA")
                .to_string()
                .contains("第17位")
        );
    }

    #[test]
    fn licence_qr_texts() {
        let url = "http://www.gsxt.gov.cn/index.html?uniscid=91350200776049653A&entname=x";
        assert!(matches!(
            classify(url),
            ScanKind::SocialCreditCode { in_text: true, .. }
        ));
        assert!(matches!(
            classify("https://x.example/?UNISCID=91350200776049653B"),
            ScanKind::InvalidSocialCreditCode { .. }
        ));
        assert!(matches!(
            classify("名称：某某餐饮店 统一社会信用代码：91350200776049653A 类型：个体"),
            ScanKind::SocialCreditCode { in_text: true, .. }
        ));
        assert!(matches!(
            classify("企业 91350200776049653A 公示"),
            ScanKind::SocialCreditCode { in_text: true, .. }
        ));
        assert_eq!(classify(" hello "), ScanKind::Text("hello".into()));
        assert_eq!(classify("6901234567892").kind_name(), "text");
    }
}
