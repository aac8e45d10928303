//! The notice checklist's QR code: `OV1:N:` + base32 of a small signed
//! record, so any kiosk or counter can reopen exactly the printed notice.
//!
//! Record (bytes): format version 1; bundle code length and ASCII; one
//! byte per question of the bundle in catalog order (0 = not answered,
//! k = option k, 1-based); the first 4 bytes of the catalog content hash;
//! then an HMAC-SHA256 tag over `OV1:N:` and all of the above, cut to 10
//! bytes. Base32 (A-Z, 2-7) keeps the whole payload in the QR
//! alphanumeric mode: B07 with every question fits a version 3-4 code.

use crate::catalog::Catalog;
use crate::guide::{self, Answers, Notice, Outcome};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const NOTICE_PREFIX: &str = "OV1:N:";
pub const RECEIPT_PREFIX: &str = "OV1:R:";
const FORMAT: u8 = 1;
const HASH_BYTES: usize = 4;
const TAG_BYTES: usize = 10;

/// A key for development and tests only. Kiosks get their own key from
/// configuration; a notice signed with this one can be forged by anyone
/// who reads this source.
pub const DEVELOPMENT_NOTICE_KEY: &[u8] = b"onevisit development notice key - NOT FOR KIOSKS";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("这不是告知单二维码（应以 OV1:N: 开头） (not a notice QR)")]
    NotNotice,
    #[error("告知单二维码内容不完整或已损坏，请重新扫描 (malformed: {0})")]
    Malformed(&'static str),
    #[error(
        "告知单二维码校验失败：不是本大厅自助机打印的，或内容被改动过，不能使用 (signature mismatch)"
    )]
    BadSignature,
    #[error(
        "此告知单按旧版事项目录（{printed}）打印，目录已更新（{current}），请重新回答问题生成新的告知单 (catalog changed)"
    )]
    CatalogChanged { printed: String, current: String },
    #[error("告知单中的“一件事”{0}已不在目录中 (unknown bundle)")]
    UnknownBundle(String),
    #[error("告知单中的答案与目录不符 (answer out of range)")]
    BadAnswer,
    #[error("这些答案不能生成告知单（{0}） (answers do not end in a notice)")]
    NoNotice(&'static str),
    #[error("只能为告知单生成二维码 (not a notice)")]
    NotEncodable,
    #[error(transparent)]
    Guide(#[from] guide::GuideError),
}

fn tag(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(NOTICE_PREFIX.as_bytes());
    mac.update(body);
    mac
}

fn hash_prefix(catalog: &Catalog) -> [u8; HASH_BYTES] {
    let mut out = [0u8; HASH_BYTES];
    let hex = catalog.version.content_hash.as_bytes();
    for (i, slot) in out.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).unwrap_or(b"00");
        *slot = std::str::from_utf8(pair)
            .ok()
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .unwrap_or(0);
    }
    out
}

/// The signed QR payload for a notice built from `catalog`.
pub fn encode_notice(
    catalog: &Catalog,
    notice: &Notice,
    key: &[u8],
) -> Result<String, PayloadError> {
    let bundle = catalog
        .bundle(&notice.bundle.code)
        .ok_or_else(|| PayloadError::UnknownBundle(notice.bundle.code.clone()))?;
    let code = notice.bundle.code.as_bytes();
    if code.len() > 32 || bundle.questions.len() > 255 {
        return Err(PayloadError::NotEncodable);
    }
    let mut body = vec![FORMAT, code.len() as u8];
    body.extend_from_slice(code);
    body.push(bundle.questions.len() as u8);
    for q in &bundle.questions {
        let index = notice
            .answers
            .iter()
            .find(|a| a.question == q.id)
            .and_then(|a| q.options.iter().position(|o| o.id == a.option))
            .map_or(0, |i| i + 1);
        body.push(u8::try_from(index).map_err(|_| PayloadError::NotEncodable)?);
    }
    body.extend_from_slice(&hash_prefix(catalog));
    let tag = tag(key, &body).finalize().into_bytes();
    body.extend_from_slice(&tag[..TAG_BYTES]);
    Ok(format!("{NOTICE_PREFIX}{}", base32(&body)))
}

/// What a notice QR says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRef {
    pub bundle: String,
    pub answers: Answers,
}

/// Checks a scanned notice payload (signature, then catalog version) and
/// returns the bundle and answers it carries.
pub fn decode_notice_ref(
    catalog: &Catalog,
    payload: &str,
    key: &[u8],
) -> Result<NoticeRef, PayloadError> {
    let rest = payload
        .trim()
        .strip_prefix(NOTICE_PREFIX)
        .ok_or(PayloadError::NotNotice)?;
    let bytes = unbase32(rest).ok_or(PayloadError::Malformed("base32"))?;
    if bytes.len() < 3 + HASH_BYTES + TAG_BYTES {
        return Err(PayloadError::Malformed("too short"));
    }
    let (body, given) = bytes.split_at(bytes.len() - TAG_BYTES);
    // Verified before anything in the body is believed.
    tag(key, body)
        .verify_truncated_left(given)
        .map_err(|_| PayloadError::BadSignature)?;
    if body[0] != FORMAT {
        return Err(PayloadError::Malformed("format version"));
    }
    let code_len = usize::from(body[1]);
    let code = body
        .get(2..2 + code_len)
        .and_then(|c| std::str::from_utf8(c).ok())
        .ok_or(PayloadError::Malformed("bundle"))?;
    let q_count = usize::from(
        *body
            .get(2 + code_len)
            .ok_or(PayloadError::Malformed("length"))?,
    );
    let start = 3 + code_len;
    if body.len() != start + q_count + HASH_BYTES {
        return Err(PayloadError::Malformed("length"));
    }
    let printed_hash = &body[start + q_count..];
    if printed_hash != hash_prefix(catalog) {
        return Err(PayloadError::CatalogChanged {
            printed: printed_hash.iter().map(|b| format!("{b:02x}")).collect(),
            current: catalog.version.to_string(),
        });
    }
    let bundle = catalog
        .bundle(code)
        .ok_or_else(|| PayloadError::UnknownBundle(code.to_string()))?;
    if bundle.questions.len() != q_count {
        return Err(PayloadError::BadAnswer);
    }
    let mut answers = Answers::new();
    for (q, &index) in bundle.questions.iter().zip(&body[start..start + q_count]) {
        if index == 0 {
            continue;
        }
        let opt = q
            .options
            .get(usize::from(index) - 1)
            .ok_or(PayloadError::BadAnswer)?;
        answers.insert(q.id.clone(), opt.id.clone());
    }
    Ok(NoticeRef {
        bundle: code.to_string(),
        answers,
    })
}

/// Reopens the notice a QR was printed for: the same notice, rebuilt by
/// the guide from the signed bundle and answers.
pub fn decode_notice(catalog: &Catalog, payload: &str, key: &[u8]) -> Result<Notice, PayloadError> {
    let r = decode_notice_ref(catalog, payload, key)?;
    match guide::step(catalog, &r.bundle, &r.answers)? {
        Outcome::Notice { notice } => Ok(*notice),
        Outcome::Question { .. } => Err(PayloadError::NoNotice("问卷未答完")),
        Outcome::Referral { .. } => Err(PayloadError::NoNotice("转办")),
    }
}

/// [`decode_notice`] for what the scanner layer hands over: the opaque
/// part of `KioskCode::Notice` (after `OV1:N:`).
pub fn decode_notice_scan(
    catalog: &Catalog,
    opaque: &str,
    key: &[u8],
) -> Result<Notice, PayloadError> {
    decode_notice(catalog, &format!("{NOTICE_PREFIX}{opaque}"), key)
}

/// The QR payload of a receipt (progress query) and of a commitment
/// (reopens the case): the receipt number is what counters look up.
pub fn receipt_payload(receipt_no: &str) -> String {
    format!("{RECEIPT_PREFIX}{receipt_no}")
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase())? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // Leftover bits must be padding zeros, and fewer than a character.
    (bits < 5 && acc & ((1 << bits) - 1) == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips() {
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ n).collect();
            assert_eq!(unbase32(&base32(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert!(unbase32("MZXW6YTBO1").is_none());
    }
}
