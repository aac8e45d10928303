//! Personal data at rest: ChaCha20-Poly1305 with a random nonce per
//! record, the record's receipt and kind as associated data so a blob
//! cannot be moved to another row unnoticed.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

const VERSION: u8 = 1;

#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer {
            cipher: ChaCha20Poly1305::new(Key::from_slice(key)),
        }
    }

    pub fn seal(&self, aad: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(13 + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// `None` when the blob was altered, moved, or sealed with another key.
    pub fn open(&self, aad: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 13 || sealed[0] != VERSION {
            return None;
        }
        self.cipher
            .decrypt(
                Nonce::from_slice(&sealed[1..13]),
                Payload {
                    msg: &sealed[13..],
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_place() {
        let s = Sealer::new(&[7; 32]);
        let blob = s.seal("R1/case", "张晓梅 410902198503120026".as_bytes());
        assert!(!String::from_utf8_lossy(&blob).contains("4109021985"));
        assert_eq!(
            s.open("R1/case", &blob).unwrap(),
            "张晓梅 410902198503120026".as_bytes()
        );
        assert!(s.open("R2/case", &blob).is_none());
        assert!(Sealer::new(&[8; 32]).open("R1/case", &blob).is_none());
        let mut bad = blob.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(s.open("R1/case", &bad).is_none());
    }
}
