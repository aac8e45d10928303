//! Staff keys: the one home of ed25519 in onevisit. A hall signs what it
//! sends to its kiosks with a secret key kept off the kiosks; the kiosks
//! hold only the public key. Two things are signed this way: catalog
//! packages (`onevisit catalog pack`, checked by the binary's firmware
//! store) and fleet commands (`crate::fleet`, sent by the hall page).
//!
//! Key files are text: the secret as the 64 hex digits of its seed, the
//! public key as 64 hex digits, each on one line. [`generate_key_files`]
//! writes a pair (the secret with mode 0600), [`read_secret`] and
//! [`read_public`] read them back; signatures travel as 128 hex digits
//! ([`sign_hex`], [`verify_hex`]).

pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use ed25519_dalek::{Signer, Verifier};
use std::path::Path;

/// Why a key file cannot be used. Never holds the key's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    File(String),
    #[error("{what} {path}: must be 64 hex digits (made by `onevisit catalog keygen`)")]
    Format { what: &'static str, path: String },
    #[error("{path}: not an ed25519 public key")]
    NotAPublicKey { path: String },
}

/// The signature does not verify (not made with the trusted key, or the
/// message was altered), or is not 128 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("bad signature")]
pub struct BadSignature;

/// Writes a new key pair. Refuses to overwrite either file; the secret is
/// created with mode 0600.
pub fn generate_key_files(secret: &Path, public: &Path) -> Result<VerifyingKey, KeyError> {
    for p in [secret, public] {
        if p.exists() {
            return Err(KeyError::File(format!(
                "{} exists; not overwriting a key",
                p.display()
            )));
        }
    }
    let key = generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(secret)
        .map_err(|e| KeyError::File(format!("{}: {e}", secret.display())))?;
    std::io::Write::write_all(&mut f, format!("{}\n", secret_hex(&key)).as_bytes())
        .map_err(|e| KeyError::File(format!("{}: {e}", secret.display())))?;
    let public_key = key.verifying_key();
    std::fs::write(public, format!("{}\n", public_hex(&public_key)))
        .map_err(|e| KeyError::File(format!("{}: {e}", public.display())))?;
    Ok(public_key)
}

/// A fresh random key (tests, demos, `generate_key_files`).
pub fn generate() -> SigningKey {
    SigningKey::from_bytes(&rand::random::<[u8; 32]>())
}

/// The secret key's file text (64 hex digits of the seed).
pub fn secret_hex(key: &SigningKey) -> String {
    hex::encode(key.to_bytes())
}

/// The public key as 64 hex digits.
pub fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// Reads a secret key file.
pub fn read_secret(path: &Path) -> Result<SigningKey, KeyError> {
    Ok(SigningKey::from_bytes(&read_hex32(path, "secret key")?))
}

/// Reads a public key file.
pub fn read_public(path: &Path) -> Result<VerifyingKey, KeyError> {
    parse_public(
        &std::fs::read_to_string(path)
            .map_err(|e| KeyError::File(format!("public key {}: {e}", path.display())))?,
    )
    .map_err(|e| match e {
        KeyError::Format { what, .. } => KeyError::Format {
            what,
            path: path.display().to_string(),
        },
        KeyError::NotAPublicKey { .. } => KeyError::NotAPublicKey {
            path: path.display().to_string(),
        },
        other => other,
    })
}

/// A public key from its 64 hex digits.
pub fn parse_public(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = hex32(text).ok_or(KeyError::Format {
        what: "public key",
        path: String::new(),
    })?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::NotAPublicKey {
        path: String::new(),
    })
}

/// Signs `message`: 128 hex digits.
pub fn sign_hex(key: &SigningKey, message: &[u8]) -> String {
    hex::encode(key.sign(message).to_bytes())
}

/// Checks a signature of 128 hex digits over `message`.
pub fn verify_hex(key: &VerifyingKey, message: &[u8], signature: &str) -> Result<(), BadSignature> {
    let signature = hex::decode(signature.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or(BadSignature)?;
    verify(key, message, &signature)
}

/// Checks a signature over `message`.
pub fn verify(
    key: &VerifyingKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), BadSignature> {
    key.verify(message, signature).map_err(|_| BadSignature)
}

/// Parses 128 hex digits as a signature (the syntax only).
pub fn parse_signature_hex(text: &str) -> Option<Signature> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
}

fn read_hex32(path: &Path, what: &'static str) -> Result<[u8; 32], KeyError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| KeyError::File(format!("{what} {}: {e}", path.display())))?;
    hex32(&text).ok_or_else(|| KeyError::Format {
        what,
        path: path.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_and_sign() {
        let dir = tempfile::tempdir().unwrap();
        let (s, p) = (dir.path().join("k.secret"), dir.path().join("k.pub"));
        let public = generate_key_files(&s, &p).unwrap();
        assert!(generate_key_files(&s, &p).is_err(), "never overwrites");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&s).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let secret = read_secret(&s).unwrap();
        assert_eq!(read_public(&p).unwrap(), public);
        let sig = sign_hex(&secret, b"hello");
        assert_eq!(sig.len(), 128);
        assert_eq!(verify_hex(&public, b"hello", &sig), Ok(()));
        assert_eq!(verify_hex(&public, b"hellp", &sig), Err(BadSignature));
        assert_eq!(verify_hex(&public, b"hello", "zz"), Err(BadSignature));
        let other = generate().verifying_key();
        assert_eq!(verify_hex(&other, b"hello", &sig), Err(BadSignature));
    }

    #[test]
    fn bad_key_files_are_named_not_shown() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.pub");
        std::fs::write(&p, "secret-looking-text").unwrap();
        let e = read_public(&p).unwrap_err();
        assert!(matches!(e, KeyError::Format { .. }), "{e:?}");
        assert!(!e.to_string().contains("secret-looking-text"));
        assert!(e.to_string().contains("bad.pub"));
        assert!(matches!(
            read_secret(&dir.path().join("none")),
            Err(KeyError::File(_))
        ));
    }
}
