//! Per-kiosk request authentication: HMAC-SHA256 over the method, path,
//! timestamp, nonce and body hash, with the kiosk's key. The server
//! rejects stale timestamps and nonces it has already seen, so a captured
//! request cannot be replayed.

/// The signing key used when no configuration gives one. Public by design:
/// it exists so that a developer can run both sides without setup, and the
/// reference platform accepts it only when it also runs without keys.
pub const DEV_KIOSK_KEY: &[u8] = b"onevisit-development-kiosk-key-NOT-FOR-PRODUCTION";

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const H_KIOSK: &str = "x-onevisit-kiosk";
pub const H_TIMESTAMP: &str = "x-onevisit-timestamp";
pub const H_NONCE: &str = "x-onevisit-nonce";
pub const H_SIGNATURE: &str = "x-onevisit-signature";

/// How far a request's clock may be from the server's.
pub const MAX_SKEW_SECS: i64 = 300;

/// The signed text: one line per part, the body by its SHA-256.
pub fn canonical(method: &str, path: &str, timestamp: i64, nonce: &str, body: &[u8]) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path,
        timestamp,
        nonce,
        hex::encode(Sha256::digest(body))
    )
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

pub fn sign(
    key: &[u8],
    method: &str,
    path: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut m = mac(key);
    m.update(canonical(method, path, timestamp, nonce, body).as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Constant-time check of a signature.
pub fn verify(
    key: &[u8],
    method: &str,
    path: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
    signature_hex: &str,
) -> bool {
    let Ok(sig) = hex::decode(signature_hex) else {
        return false;
    };
    let mut m = mac(key);
    m.update(canonical(method, path, timestamp, nonce, body).as_bytes());
    m.verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_breaks_the_signature() {
        let s = sign(b"k", "POST", "/v1/cases", 100, "n1", b"{}");
        assert!(verify(b"k", "POST", "/v1/cases", 100, "n1", b"{}", &s));
        assert!(!verify(b"k2", "POST", "/v1/cases", 100, "n1", b"{}", &s));
        assert!(!verify(b"k", "PUT", "/v1/cases", 100, "n1", b"{}", &s));
        assert!(!verify(b"k", "POST", "/v1/case", 100, "n1", b"{}", &s));
        assert!(!verify(b"k", "POST", "/v1/cases", 101, "n1", b"{}", &s));
        assert!(!verify(b"k", "POST", "/v1/cases", 100, "n2", b"{}", &s));
        assert!(!verify(b"k", "POST", "/v1/cases", 100, "n1", b"{ }", &s));
        assert!(!verify(b"k", "POST", "/v1/cases", 100, "n1", b"{}", "zz"));
    }
}
