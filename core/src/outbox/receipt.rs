//! Receipt numbers: `K0101-20261129-00042-7` = kiosk id, date (China
//! Standard Time), the kiosk's sequence for that day, and an ISO 7064
//! MOD 37,36 check character, which catches every single mistyped
//! character and every swap of two neighbours when staff type it in.

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character over the receipt's letters and digits.
pub fn check_char(body: &str) -> Option<char> {
    let mut p: u32 = 36;
    for c in body.bytes().filter(|&c| c != b'-') {
        let mut s = (p + value(c)?) % 36;
        if s == 0 {
            s = 36;
        }
        p = (s * 2) % 37;
    }
    Some(ALPHABET[((37 - p) % 36) as usize] as char)
}

/// Formats a receipt number.
pub fn format(kiosk_id: &str, day: &str, seq: u32) -> String {
    let body = format!("{kiosk_id}-{day}-{seq:05}");
    let c = check_char(&body).expect("kiosk id and day are alphanumeric");
    format!("{body}-{c}")
}

/// Whether a typed receipt number is well formed with a correct check
/// character (case-insensitive, surrounding spaces ignored).
pub fn normalise(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_uppercase();
    let (body, c) = t.rsplit_once('-')?;
    let parts: Vec<&str> = body.split('-').collect();
    let ok = parts.len() == 3
        && valid_kiosk_id(parts[0])
        && parts[1].len() == 8
        && parts[1].bytes().all(|b| b.is_ascii_digit())
        && parts[2].len() >= 5
        && parts[2].bytes().all(|b| b.is_ascii_digit());
    (ok && c.len() == 1 && check_char(body)? == c.chars().next()?).then_some(t)
}

/// Whether a kiosk id can appear in a receipt number.
pub fn valid_kiosk_id(id: &str) -> bool {
    (1..=16).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_round_trip_and_catch_typos() {
        let r = format("K0101", "20261129", 42);
        assert!(r.starts_with("K0101-20261129-00042-"));
        assert_eq!(normalise(&r.to_lowercase()).as_deref(), Some(r.as_str()));
        let bytes = r.as_bytes();
        // Every single substitution is caught.
        for i in 0..bytes.len() {
            if bytes[i] == b'-' {
                continue;
            }
            for &a in ALPHABET {
                if a != bytes[i] {
                    let mut t = bytes.to_vec();
                    t[i] = a;
                    let t = String::from_utf8(t).unwrap();
                    assert_eq!(normalise(&t), None, "{t}");
                }
            }
        }
        // Every swap of neighbouring different characters is caught.
        let plain: Vec<u8> = r.bytes().filter(|&b| b != b'-').collect();
        for i in 0..plain.len() - 1 {
            if plain[i] != plain[i + 1] {
                let mut t = plain.clone();
                t.swap(i, i + 1);
                let body = String::from_utf8(t[..t.len() - 1].to_vec()).unwrap();
                assert_ne!(
                    check_char(&body),
                    Some(t[t.len() - 1] as char),
                    "swap at {i}"
                );
            }
        }
    }
}
