//! Masking personal data in free text (log lines, platform reasons,
//! audit texts) before it leaves the kiosk or is kept: ID numbers, mobile
//! numbers and the values of name fields. Built on the same functions as
//! the printouts (`ids::mask_id_text`, `ids::mask_name`).
//!
//! What it catches: any run of 15 or more ASCII digits (an 18-character ID
//! number ending in X too, 15-digit old IDs, bank cards), 11-digit mobile
//! numbers, and the value after a name key (`"name": "张晓梅"`,
//! `name=…`, `姓名：…`, `legal_representative`, `申请人`). A Chinese name
//! in running prose without a key cannot be told from other words; the
//! kiosk's own log lines never write one (`CardData`'s `Debug` is masked).

use crate::ids::{mask_id_text, mask_name};

/// Keys whose values are people's names.
const NAME_KEYS: &[&str] = &[
    "legal_representative",
    "applicant_name",
    "english_name",
    "name",
    "姓名",
    "申请人",
    "法定代表人",
];

/// `text` with ID numbers, mobile numbers and named people masked.
pub fn mask_personal(text: &str) -> String {
    mask_names(&mask_numbers(text))
}

fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        out.push_str(&mask_token(&token));
    }
    out
}

/// Masks identifier-like parts of one alphanumeric token.
fn mask_token(token: &str) -> String {
    // Digit runs inside the token (an ID glued to letters still counts).
    let b = token.as_bytes();
    let mut out = String::with_capacity(token.len());
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            out.push(b[i] as char);
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        // An ID number's check character may be X.
        let mut end = i;
        if end - start == 17 && end < b.len() && b[end].eq_ignore_ascii_case(&b'X') {
            end += 1;
            i += 1;
        }
        let run = &token[start..end];
        let digits = i - start;
        let mobile = run.len() == 11 && run.starts_with('1');
        if run.len() >= 15 || mobile || digits >= 15 {
            out.push_str(&mask_id_text(run));
        } else {
            out.push_str(run);
        }
    }
    out
}

fn mask_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for key in NAME_KEYS {
            if let Some(after_key) = rest.strip_prefix(key) {
                // Only a whole key: `surname` is not `name`.
                let prev_ok = out
                    .chars()
                    .last()
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
                if !prev_ok {
                    break;
                }
                let sep_len = after_key.len()
                    - after_key
                        .trim_start_matches(['"', '\'', ' ', ':', '=', '：'])
                        .len();
                let sep = &after_key[..sep_len];
                if sep.is_empty() || !sep.contains([':', '=', '：']) {
                    break;
                }
                let value_part = &after_key[sep_len..];
                let end = value_part
                    .find(['"', '\'', ',', '，', ';', '；', '\n', '}', ')', '）', '、'])
                    .unwrap_or(value_part.len());
                let value = &value_part[..end];
                // A value with a space is cut at the space for Chinese
                // names only (Latin names have spaces).
                let value = if value.chars().any(crate::ids::is_han) {
                    value.split_whitespace().next().unwrap_or("")
                } else {
                    value.trim_end()
                };
                out.push_str(key);
                out.push_str(sep);
                out.push_str(&mask_name(value));
                rest = &value_part[value.len()..];
                continue 'scan;
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_mobiles_and_names_do_not_survive() {
        let line = r#"INFO card read id=410902198503120026 mobile 13903930001 {"name":"张晓梅","id_number":"41090219900101123X"} 姓名：王立新，ok"#;
        let m = mask_personal(line);
        for secret in [
            "410902198503120026",
            "13903930001",
            "张晓梅",
            "41090219900101123X",
            "王立新",
        ] {
            assert!(!m.contains(secret), "{secret} survived in {m}");
        }
        assert!(m.contains("410***********0026"), "{m}");
        assert!(m.contains("\"name\":\"张*梅\""), "{m}");
        assert!(m.contains("姓名：王*新"), "{m}");
        // Receipt numbers, dates, times and short numbers stay readable.
        let ok = "receipt K0101-20261129-00012-7 at 2026-11-29 10:00:01, 3 job(s), surname: x";
        assert_eq!(mask_personal(ok), ok);
        assert_eq!(mask_personal("name = John Smith;"), "name = J*** S****;");
    }
}
