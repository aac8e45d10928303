//! The minimal kiosk-side configuration the outbox and uplink need: which
//! kiosk this is, where its data lives, where the platform is, and the two
//! secrets (the request-signing key and the at-rest data key).
//!
//! A later issue builds the full `kiosk.toml`; this reads the same file and
//! only these keys (see docs/operations.md):
//!
//! ```toml
//! kiosk_id = "K0101"                 # [A-Z0-9]{1,16}, printed in receipts
//! data_dir = "/var/lib/onevisit"
//! platform_url = "https://platform.example/"
//! kiosk_key_hex = "…64 hex digits…"  # HMAC-SHA256 key shared with the platform
//! data_key_hex = "…64 hex digits…"   # ChaCha20-Poly1305 key for personal data at rest
//! retention_days = 30                # after the platform accepted a case
//! production = true                  # refuse built-in development keys
//! platform_ca_file = "/etc/onevisit/platform-ca.pem"  # optional extra trusted CA
//! ```

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The signing key used when no configuration gives one. Public by design:
/// it exists so that a developer can run both sides without setup, and the
/// reference platform accepts it only when it also runs without keys.
pub const DEV_KIOSK_KEY: &[u8] = b"onevisit-development-kiosk-key-NOT-FOR-PRODUCTION";

/// The development data key, derived so that it is not all zeroes.
pub fn dev_data_key() -> [u8; 32] {
    Sha256::digest(b"onevisit-development-data-key-NOT-FOR-PRODUCTION").into()
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    kiosk_id: Option<String>,
    data_dir: Option<PathBuf>,
    platform_url: Option<String>,
    kiosk_key_hex: Option<String>,
    data_key_hex: Option<String>,
    retention_days: Option<u32>,
    #[serde(default)]
    production: bool,
    platform_ca_file: Option<PathBuf>,
}

/// Everything the outbox and uplink need. `Debug` never shows the keys.
#[derive(Clone)]
pub struct KioskConfig {
    pub kiosk_id: String,
    pub data_dir: PathBuf,
    pub platform_url: String,
    pub kiosk_key: Vec<u8>,
    pub data_key: [u8; 32],
    pub retention_days: u32,
    pub production: bool,
    /// True when a built-in development key is in use (said loudly).
    pub dev_keys: bool,
    /// PEM file of an extra CA to trust for an `https://` platform.
    pub platform_ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for KioskConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskConfig")
            .field("kiosk_id", &self.kiosk_id)
            .field("data_dir", &self.data_dir)
            .field("platform_url", &self.platform_url)
            .field("retention_days", &self.retention_days)
            .field("production", &self.production)
            .field("dev_keys", &self.dev_keys)
            .finish_non_exhaustive()
    }
}

pub const DEFAULT_PLATFORM_URL: &str = "http://127.0.0.1:8480/";
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// Whether a kiosk id can appear in a receipt number.
pub fn valid_kiosk_id(id: &str) -> bool {
    (1..=16).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn key32(hex_text: &str, what: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(hex_text.trim()).map_err(|e| format!("{what}: not hex: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| format!("{what}: must be 32 bytes (64 hex digits)"))
}

impl KioskConfig {
    /// Reads the file when given (or `ONEVISIT_CONFIG`), else development
    /// defaults. `ONEVISIT_PRODUCTION=1` forces production mode, which
    /// refuses to run on the built-in keys.
    pub fn load(path: Option<&Path>) -> Result<KioskConfig, String> {
        let env_path = std::env::var_os("ONEVISIT_CONFIG").map(PathBuf::from);
        let file = match path.map(Path::to_path_buf).or(env_path) {
            Some(p) => {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| format!("cannot read config {}: {e}", p.display()))?;
                toml::from_str::<ConfigFile>(&text)
                    .map_err(|e| format!("config {}: {}", p.display(), e.message()))?
            }
            None => ConfigFile::default(),
        };
        let production =
            file.production || std::env::var("ONEVISIT_PRODUCTION").is_ok_and(|v| v == "1");
        let kiosk_id = file.kiosk_id.unwrap_or_else(|| "DEV01".into());
        if !valid_kiosk_id(&kiosk_id) {
            return Err(format!(
                "kiosk_id {kiosk_id:?} must be 1-16 upper-case letters or digits"
            ));
        }
        let mut dev_keys = false;
        let kiosk_key = match &file.kiosk_key_hex {
            Some(h) => key32(h, "kiosk_key_hex")?.to_vec(),
            None => {
                dev_keys = true;
                DEV_KIOSK_KEY.to_vec()
            }
        };
        let data_key = match &file.data_key_hex {
            Some(h) => key32(h, "data_key_hex")?,
            None => {
                dev_keys = true;
                dev_data_key()
            }
        };
        if production && dev_keys {
            return Err(
                "production mode refuses to start without its own kiosk_key_hex and \
                 data_key_hex in the configuration"
                    .into(),
            );
        }
        Ok(KioskConfig {
            kiosk_id,
            data_dir: file
                .data_dir
                .unwrap_or_else(|| PathBuf::from("onevisit-data")),
            platform_url: file
                .platform_url
                .unwrap_or_else(|| DEFAULT_PLATFORM_URL.into()),
            kiosk_key,
            data_key,
            retention_days: file.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS),
            production,
            dev_keys,
            platform_ca_file: file.platform_ca_file,
        })
    }

    /// Prints the loud warning when development keys are in use.
    pub fn warn_if_dev(&self) {
        if self.dev_keys {
            eprintln!(
                "WARNING: using the built-in DEVELOPMENT keys (no kiosk_key_hex/data_key_hex \
                 configured). Requests are signed and personal data encrypted with public keys. \
                 Never run a real kiosk like this."
            );
        }
    }

    /// The platform client this configuration describes.
    pub fn platform_client(
        &self,
        timeout: std::time::Duration,
    ) -> Result<crate::platform::PlatformClient, String> {
        let ca = match &self.platform_ca_file {
            Some(p) => Some(std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?),
            None => None,
        };
        crate::platform::PlatformClient::with_root_ca(
            &self.platform_url,
            &self.kiosk_id,
            &self.kiosk_key,
            timeout,
            ca.as_deref(),
        )
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.data_dir.join("outbox.sqlite3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_dev_keys_and_accepts_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.toml");
        std::fs::write(&p, "production = true\nkiosk_id = \"K01\"\n").unwrap();
        let err = KioskConfig::load(Some(&p)).unwrap_err();
        assert!(err.contains("production"), "{err}");
        let key = "ab".repeat(32);
        std::fs::write(
            &p,
            format!("production = true\nkiosk_id = \"K01\"\nkiosk_key_hex = \"{key}\"\ndata_key_hex = \"{key}\"\n"),
        )
        .unwrap();
        let c = KioskConfig::load(Some(&p)).unwrap();
        assert!(!c.dev_keys);
        assert_eq!(c.kiosk_key, vec![0xab; 32]);
        assert!(!format!("{c:?}").contains("abab"));
    }

    #[test]
    fn kiosk_ids_must_fit_a_receipt() {
        assert!(valid_kiosk_id("K0101"));
        assert!(!valid_kiosk_id("k0101"));
        assert!(!valid_kiosk_id("K-01"));
        assert!(!valid_kiosk_id(""));
    }
}
