//! The kiosk's configuration: one TOML file, `kiosk.toml` (the packaged
//! default with every option and its comment: `packaging/kiosk.toml`;
//! reference: docs/operations.md).
//!
//! Every option has a default, so an empty file (or none) is a working
//! development kiosk; `production = true` refuses the built-in development
//! keys. Unknown keys are errors (a typo must not silently fall back to a
//! default), reported with line and column. `onevisit config check` prints
//! the effective configuration with the secrets hidden.
//!
//! The first keys (kiosk_id, data_dir, platform_url, kiosk_key_hex,
//! data_key_hex, retention_days, production, platform_ca_file) keep the
//! meaning they had for the outbox and uplink.

use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::transport::DeviceAddress;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use onevisit_core::platform::sign::DEV_KIOSK_KEY;

/// The development data key, derived so that it is not all zeroes.
pub fn dev_data_key() -> [u8; 32] {
    Sha256::digest(b"onevisit-development-data-key-NOT-FOR-PRODUCTION").into()
}

pub const DEFAULT_PLATFORM_URL: &str = "http://127.0.0.1:8480/";
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
// The controller's own defaults, in kiosk.toml's seconds (one home).
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = onevisit_core::visit::session::DEFAULT_IDLE.as_secs();
pub const DEFAULT_IDLE_COUNTDOWN_SECS: u64 =
    onevisit_core::visit::session::DEFAULT_COUNTDOWN.as_secs();
pub const DEFAULT_ID_READER: &str = "/dev/onevisit-idreader";
pub const DEFAULT_SCANNER: &str = "/dev/onevisit-scanner";
pub const DEFAULT_PRINTER: &str = "/dev/onevisit-printer";
/// Where 导出诊断 writes when kiosk.toml names no place: the hall's USB
/// stick, as the package's automount rule mounts it.
pub const DEFAULT_DIAGNOSTICS_DIR: &str = "/media/usb";
pub const DEFAULT_CATALOG_PUBKEY: &str = "/etc/onevisit/catalog-signing.pub";

/// `kiosk.toml` as written: every key, each with its default. Validation
/// and the secrets' resolution happen in [`KioskConfig::from_file`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub kiosk_id: String,
    pub hall_name: String,
    pub staff_window: Option<String>,
    pub production: bool,
    pub data_dir: PathBuf,
    pub retention_days: u32,
    pub platform_url: String,
    pub platform_ca_file: Option<PathBuf>,
    pub kiosk_key_hex: Option<String>,
    pub kiosk_key_file: Option<PathBuf>,
    pub data_key_hex: Option<String>,
    pub data_key_file: Option<PathBuf>,
    pub notice_key_hex: Option<String>,
    pub notice_key_file: Option<PathBuf>,
    pub staff_pin_hash: Option<String>,
    pub diagnostics_dir: PathBuf,
    pub catalog_dir: Option<PathBuf>,
    pub catalog_root: Option<PathBuf>,
    pub catalog_pubkey_file: PathBuf,
    pub screen: ScreenFile,
    pub idle: IdleFile,
    pub speech: SpeechFile,
    pub camera: CameraFile,
    pub devices: DevicesFile,
    /// 咨询电话 per department id (`[consult.market]`): this hall's phone
    /// and hours, shown on every notice; a department left out keeps the
    /// catalog's, shown with （待核实） until set here.
    pub consult: BTreeMap<String, ConsultFile>,
    /// This hall's windows per department id (`[window.market]`: `name`,
    /// optional `number`); a department left out is told as its name with
    /// 审核窗口（待核实）, never a number the hall did not set.
    pub window: BTreeMap<String, WindowFile>,
    /// Working days to supply a 容缺 material (1 … 60); not set: the
    /// catalog's `rongque_days` (an item's own still wins).
    pub rongque_days: Option<u32>,
}

/// Where one department's materials are checked in this hall.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowFile {
    pub name: String,
    pub number: Option<String>,
}

/// One department's consultation phone and hours in this hall.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsultFile {
    pub phone: Option<String>,
    pub hours: Option<String>,
}

impl Default for ConfigFile {
    fn default() -> Self {
        ConfigFile {
            kiosk_id: "DEV01".into(),
            hall_name: "华龙区政务服务中心".into(),
            staff_window: None,
            production: false,
            data_dir: PathBuf::from("onevisit-data"),
            retention_days: DEFAULT_RETENTION_DAYS,
            platform_url: DEFAULT_PLATFORM_URL.into(),
            platform_ca_file: None,
            kiosk_key_hex: None,
            kiosk_key_file: None,
            data_key_hex: None,
            data_key_file: None,
            notice_key_hex: None,
            notice_key_file: None,
            staff_pin_hash: None,
            diagnostics_dir: PathBuf::from(DEFAULT_DIAGNOSTICS_DIR),
            catalog_dir: None,
            catalog_root: None,
            catalog_pubkey_file: PathBuf::from(DEFAULT_CATALOG_PUBKEY),
            screen: ScreenFile::default(),
            idle: IdleFile::default(),
            speech: SpeechFile::default(),
            camera: CameraFile::default(),
            devices: DevicesFile::default(),
            consult: BTreeMap::new(),
            window: BTreeMap::new(),
            rongque_days: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    /// 1920×1080 by default.
    #[default]
    Landscape,
    /// 1080×1920 by default.
    Portrait,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreenFile {
    pub orientation: Orientation,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdleFile {
    pub timeout_secs: u64,
    pub countdown_secs: u64,
}

impl Default for IdleFile {
    fn default() -> Self {
        IdleFile {
            timeout_secs: DEFAULT_IDLE_TIMEOUT_SECS,
            countdown_secs: DEFAULT_IDLE_COUNTDOWN_SECS,
        }
    }
}

/// The document camera (高拍仪, issue 16): `device` is a V4L2 node
/// (`/dev/video0`, better a udev stable name under `/dev/v4l/by-id/`),
/// `sim` for the simulated camera, or `none` when the kiosk has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CameraFile {
    pub device: String,
    /// The frame size asked for; the nearest the camera offers is used.
    pub width: u32,
    pub height: u32,
}

impl Default for CameraFile {
    fn default() -> Self {
        let (width, height) = onevisit_drivers::camera::v4l2::DEFAULT_SIZE;
        CameraFile {
            device: "/dev/video0".into(),
            width,
            height,
        }
    }
}

/// Where the camera's frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSource {
    None,
    Sim,
    Device(PathBuf),
}

/// The validated `[camera]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraSetting {
    pub source: CameraSource,
    pub size: (u32, u32),
}

impl CameraSetting {
    /// The simulated camera at its own size.
    pub fn sim() -> CameraSetting {
        CameraSetting {
            source: CameraSource::Sim,
            size: onevisit_drivers::camera::sim::SIM_SIZE,
        }
    }
}

fn camera_setting(file: &CameraFile, errors: &mut Vec<String>) -> CameraSetting {
    let source = match file.device.trim() {
        "none" | "" => CameraSource::None,
        "sim" => CameraSource::Sim,
        path => CameraSource::Device(PathBuf::from(path)),
    };
    if let CameraSource::Device(path) = &source
        && !path.is_absolute()
    {
        errors.push(format!(
            "camera.device = {:?}: a device path such as /dev/video0, or sim, or none",
            file.device
        ));
    }
    for (key, value) in [("width", file.width), ("height", file.height)] {
        if !(160..=8192).contains(&value) {
            errors.push(format!("camera.{key} = {value}: must be 160 … 8192 pixels"));
        }
    }
    CameraSetting {
        source,
        size: (file.width, file.height),
    }
}

/// 读屏: the kiosk reading its screens aloud (issue 14.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechFile {
    /// `false`: this kiosk has no speakers; no speech buttons are shown.
    pub enabled: bool,
    /// Where each visit's loudness starts, in percent of the voice's full
    /// level (音量 − / + move it by 10).
    pub volume_percent: u8,
    /// Words per minute in the standard mode (长者模式 speaks at most 120).
    pub rate_wpm: u32,
}

impl Default for SpeechFile {
    fn default() -> Self {
        SpeechFile {
            enabled: true,
            volume_percent: onevisit_core::visit::speech::DEFAULT_VOLUME,
            rate_wpm: onevisit_drivers::speech::DEFAULT_RATE_WPM,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevicesFile {
    pub id_reader: DeviceFile,
    pub scanner: DeviceFile,
    pub printer: PrinterFile,
}

/// A serial or USB device. `address` defaults to the udev rules' stable name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceFile {
    pub enabled: bool,
    pub address: Option<String>,
    pub baud: u32,
}

impl Default for DeviceFile {
    fn default() -> Self {
        DeviceFile {
            enabled: true,
            address: None,
            baud: onevisit_drivers::transport::serial::DEFAULT_BAUD,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterFile {
    pub enabled: bool,
    pub address: Option<String>,
    pub baud: u32,
    pub paper_width_mm: u32,
    /// A full roll's length, for the paper forecast.
    pub roll_length_m: f64,
    /// Paper left when the near-end sensor first fires (per printer model).
    pub near_end_remaining_m: f64,
    /// Warn staff when the roll serves fewer visits than this.
    pub low_visits: u32,
}

impl Default for PrinterFile {
    fn default() -> Self {
        PrinterFile {
            enabled: true,
            address: None,
            baud: onevisit_drivers::transport::serial::DEFAULT_BAUD,
            paper_width_mm: 80,
            roll_length_m: 50.0,
            near_end_remaining_m: 1.5,
            low_visits: 30,
        }
    }
}

/// Why kiosk.toml cannot be used. Each variant says which file and what
/// to fix; [`ConfigError::code`] is stable for logs.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `onevisit run` without a file: production never runs on defaults.
    #[error(
        "没有指定配置文件 (no configuration): onevisit run --config \
         /etc/onevisit/kiosk.toml, or set ONEVISIT_CONFIG"
    )]
    Missing,
    #[error("cannot read config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not TOML, or an unknown key (line, column and key in the message).
    #[error("config {}: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    /// Every problem found, each naming its key.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::Missing => "config_missing",
            ConfigError::Read { .. } => "config_unreadable",
            ConfigError::Syntax { .. } => "config_syntax",
            ConfigError::Invalid(_) => "config_invalid",
        }
    }
}

/// A kiosk.toml text that is not valid TOML for [`ConfigFile`]: the
/// message carries line, column and the offending key (`unknown field
/// `idle_timeout`` for a typo).
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.to_string().trim_end())]
pub struct SyntaxError(#[from] toml::de::Error);

impl ConfigFile {
    /// Parses `kiosk.toml`.
    pub fn parse(text: &str) -> Result<ConfigFile, SyntaxError> {
        Ok(toml::from_str(text)?)
    }
}

/// The screen the kiosk draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub orientation: Orientation,
    pub width: u32,
    pub height: u32,
}

/// One configured device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSetting {
    /// `false`: this kiosk has no such device; do not look for it.
    pub enabled: bool,
    /// A device path (ideally a udev stable name) or USB `VID:PID`.
    pub address: DeviceAddress,
    /// For serial devices (ignored for raw USB).
    pub baud: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Devices {
    pub id_reader: DeviceSetting,
    pub scanner: DeviceSetting,
    pub printer: DeviceSetting,
    /// The paper loaded in the receipt printer.
    pub paper_width: PaperWidth,
    /// The roll, for the paper forecast on the staff screen.
    pub paper: onevisit_core::staff::PaperSettings,
}

/// Where a secret came from (for `config check`; never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The built-in development key.
    Development,
    /// The `*_hex` key in the file.
    Inline,
    /// The `*_file` key: a file holding 64 hex digits.
    File(PathBuf),
}

/// The validated configuration. `Debug` never shows the keys.
#[derive(Clone)]
pub struct KioskConfig {
    pub kiosk_id: String,
    /// Printed on receipts and shown on the welcome page.
    pub hall_name: String,
    /// Where the kiosk sends applicants for a person (暂停服务, 办件查询,
    /// notice, receipt): a window number ("3" → "请到3号窗口办理") or a
    /// window's name. None: the catalog's combined window. Resolve it with
    /// [`KioskConfig::staff_window`].
    pub staff_window: Option<String>,
    pub data_dir: PathBuf,
    pub platform_url: String,
    pub kiosk_key: Vec<u8>,
    pub kiosk_key_source: SecretSource,
    pub data_key: [u8; 32],
    pub data_key_source: SecretSource,
    /// Signs the printed notice's QR code (一次告知单), so a window can
    /// reopen a notice and trust it was not edited: hall-wide, the same
    /// on every kiosk and at the windows that check notices.
    pub notice_key: Vec<u8>,
    pub notice_key_source: SecretSource,
    pub retention_days: u32,
    pub production: bool,
    /// True when a built-in development key is in use (said loudly).
    pub dev_keys: bool,
    /// PEM file of an extra CA to trust for an `https://` platform.
    pub platform_ca_file: Option<PathBuf>,
    /// The staff PIN as an argon2 PHC string (`$argon2id$v=19$m=…`); the
    /// format is checked here, the PIN by staff mode. None: no staff mode.
    pub staff_pin_hash: Option<String>,
    /// Where 导出诊断 writes its bundle (a USB stick's mount point).
    pub diagnostics_dir: PathBuf,
    /// The catalog shipped with the package (used while no signed update
    /// is installed under `catalog_root`).
    pub catalog_dir: PathBuf,
    /// Where signed catalog updates are installed (`firmware::CatalogStore`).
    pub catalog_root: PathBuf,
    /// The ed25519 public key catalog packages must be signed with.
    pub catalog_pubkey_file: PathBuf,
    pub screen: Screen,
    /// No tap for this long → “您还在吗？”.
    pub idle_timeout: Duration,
    /// Then this long more → everything personal is wiped.
    pub idle_countdown: Duration,
    /// 读屏 (`[speech]`): validated.
    pub speech: SpeechFile,
    /// The document camera (`[camera]`).
    pub camera: CameraSetting,
    pub devices: Devices,
    /// `[consult.<department id>]`, checked; applied to the catalog by
    /// `SessionController::with_consult` (see `Catalog::with_consult`).
    pub consult: BTreeMap<String, onevisit_core::catalog::Consult>,
    /// `[window.<department id>]`, checked; applied by
    /// `SessionController::with_windows`.
    pub windows: BTreeMap<String, onevisit_core::catalog::HallWindow>,
    /// `rongque_days`: applied by `SessionController::with_rongque_days`.
    pub rongque_days: Option<u32>,
    /// Things worth a technician's attention that do not stop the kiosk
    /// (a key file others can read, …).
    pub warnings: Vec<String>,
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
            .field("screen", &self.screen)
            .field("idle_timeout", &self.idle_timeout)
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

pub use onevisit_core::outbox::receipt::valid_kiosk_id;

/// Why a configured key cannot be used. The key's text is a secret: no
/// variant quotes it.
#[derive(Debug, thiserror::Error)]
enum KeyError {
    #[error("{what}: not hex: {reason}")]
    NotHex {
        what: String,
        reason: hex::FromHexError,
    },
    #[error("{what}: must be 32 bytes (64 hex digits)")]
    Length { what: String },
    #[error("{what}: cannot read: {source}")]
    Read {
        what: String,
        source: std::io::Error,
    },
}

fn key32(hex_text: &str, what: &str) -> Result<[u8; 32], KeyError> {
    let bytes = hex::decode(hex_text.trim()).map_err(|reason| KeyError::NotHex {
        what: what.to_string(),
        reason,
    })?;
    bytes.try_into().map_err(|_| KeyError::Length {
        what: what.to_string(),
    })
}

/// Reads a key file: 64 hex digits (surrounding whitespace ignored).
/// A file that others may read is accepted with a warning.
fn key_file(path: &Path, what: &str, warnings: &mut Vec<String>) -> Result<[u8; 32], KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
        what: format!("{what} = {:?}", path.display().to_string()),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            warnings.push(format!(
                "{what} = {:?}: readable by others (mode {:o}); chmod 0600 it",
                path.display().to_string(),
                meta.permissions().mode() & 0o777
            ));
        }
    }
    key32(&text, &format!("{what} = {:?}", path.display().to_string()))
}

/// Resolves one secret: inline hex, a file, or the development key.
fn secret(
    hex_text: &Option<String>,
    file: &Option<PathBuf>,
    name: &str,
    errors: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Option<([u8; 32], SecretSource)> {
    match (hex_text, file) {
        (Some(_), Some(_)) => {
            errors.push(format!(
                "{name}_hex and {name}_file are both set: keep one of them"
            ));
            None
        }
        (Some(h), None) => match key32(h, &format!("{name}_hex")) {
            Ok(k) => Some((k, SecretSource::Inline)),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        },
        (None, Some(p)) => match key_file(p, &format!("{name}_file"), warnings) {
            Ok(k) => Some((k, SecretSource::File(p.clone()))),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        },
        (None, None) => None,
    }
}

/// `staff_pin_hash` is not an argon2 PHC string; says which part is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PhcShapeError(String);

/// Checks the shape of an argon2 PHC string:
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (salt and hash in
/// unpadded standard base64). The PIN itself is checked by staff mode.
pub fn validate_argon2_phc(phc: &str) -> Result<(), PhcShapeError> {
    let parts: Vec<&str> = phc.split('$').collect();
    let shape = "expected $argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>";
    if parts.first() != Some(&"") || parts.len() < 5 {
        return Err(PhcShapeError(format!("not an argon2 PHC string ({shape})")));
    }
    if !matches!(parts[1], "argon2id" | "argon2i" | "argon2d") {
        return Err(PhcShapeError(format!(
            "algorithm {:?} is not argon2id/argon2i/argon2d ({shape})",
            parts[1]
        )));
    }
    let mut rest = &parts[2..];
    if let Some(v) = rest[0].strip_prefix("v=") {
        if !matches!(v, "16" | "19") {
            return Err(PhcShapeError(format!("version v={v} is not 16 or 19")));
        }
        rest = &rest[1..];
    }
    let [params, salt, hash] = rest else {
        return Err(PhcShapeError(format!(
            "wrong number of $-separated parts ({shape})"
        )));
    };
    let mut seen = Vec::new();
    for p in params.split(',') {
        let Some((k, v)) = p.split_once('=') else {
            return Err(PhcShapeError(format!("parameter {p:?} is not name=value")));
        };
        if !matches!(k, "m" | "t" | "p") || seen.contains(&k) {
            return Err(PhcShapeError(format!(
                "parameter {k:?} unknown or repeated (m, t, p)"
            )));
        }
        if v.parse::<u32>().map_or(true, |n| n == 0) {
            return Err(PhcShapeError(format!(
                "parameter {k}={v} is not a positive number"
            )));
        }
        seen.push(k);
    }
    if seen.len() != 3 {
        return Err(PhcShapeError(
            "parameters m, t and p are all required".into(),
        ));
    }
    let b64 = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    };
    if salt.len() < 11 || !b64(salt) {
        return Err(PhcShapeError(
            "salt must be at least 8 bytes of unpadded base64".into(),
        ));
    }
    if hash.len() < 22 || !b64(hash) {
        return Err(PhcShapeError(
            "hash must be at least 16 bytes of unpadded base64".into(),
        ));
    }
    Ok(())
}

fn device(file: &DeviceFile, key: &str, default: &str, errors: &mut Vec<String>) -> DeviceSetting {
    let text = file.address.as_deref().unwrap_or(default);
    let address = text.parse::<DeviceAddress>().unwrap_or_else(|e| {
        errors.push(format!("devices.{key}.address = {text:?}: {e}"));
        DeviceAddress::Path(PathBuf::from(default))
    });
    if !(1200..=4_000_000).contains(&file.baud) {
        errors.push(format!(
            "devices.{key}.baud = {}: not a serial speed (1200 … 4000000; usually 9600 or 115200)",
            file.baud
        ));
    }
    DeviceSetting {
        enabled: file.enabled,
        address,
        baud: file.baud,
    }
}

/// The paper forecast's settings from `[devices.printer]`.
fn paper_settings(
    p: &PrinterFile,
    errors: &mut Vec<String>,
) -> onevisit_core::staff::PaperSettings {
    if !(p.roll_length_m.is_finite() && (5.0..=500.0).contains(&p.roll_length_m)) {
        errors.push(format!(
            "devices.printer.roll_length_m = {}: must be 5 … 500 metres (a kiosk roll is usually 50 or 80)",
            p.roll_length_m
        ));
    }
    if !(p.near_end_remaining_m.is_finite()
        && p.near_end_remaining_m >= 0.0
        && p.near_end_remaining_m < p.roll_length_m)
    {
        errors.push(format!(
            "devices.printer.near_end_remaining_m = {}: must be at least 0 and less than roll_length_m",
            p.near_end_remaining_m
        ));
    }
    if !(1..=10_000).contains(&p.low_visits) {
        errors.push(format!(
            "devices.printer.low_visits = {}: must be 1 … 10000",
            p.low_visits
        ));
    }
    onevisit_core::staff::PaperSettings {
        roll_length_mm: p.roll_length_m * 1000.0,
        near_end_remaining_mm: p.near_end_remaining_m * 1000.0,
        low_visits: p.low_visits,
    }
}

/// Why the kiosk cannot reach for the platform at all (as opposed to the
/// platform being down, which the uplink handles by retrying).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("platform_ca_file {}: {source}; check the path in kiosk.toml", path.display())]
    CaFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Client(#[from] onevisit_uplink::ClientError),
    #[error("the uplink's runtime could not start ({0})")]
    Runtime(std::io::Error),
}

impl LinkError {
    /// A stable code for logs and diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            LinkError::CaFile { .. } => "platform_ca_unreadable",
            LinkError::Client(e) => e.code(),
            LinkError::Runtime(_) => "uplink_runtime_failed",
        }
    }
}

impl KioskConfig {
    /// Reads the file when given (or `ONEVISIT_CONFIG`), else development
    /// defaults. `ONEVISIT_PRODUCTION=1` forces production mode, which
    /// refuses to run on the built-in keys.
    pub fn load(path: Option<&Path>) -> Result<KioskConfig, ConfigError> {
        let file = match Self::config_path(path) {
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                ConfigFile::parse(&text).map_err(|e| ConfigError::Syntax {
                    path: p.clone(),
                    message: e.to_string(),
                })?
            }
            None => ConfigFile::default(),
        };
        Self::from_file(file).map_err(ConfigError::Invalid)
    }

    /// The file `load` reads: the given path, else `$ONEVISIT_CONFIG`.
    pub fn config_path(path: Option<&Path>) -> Option<PathBuf> {
        path.map(Path::to_path_buf)
            .or_else(|| std::env::var_os("ONEVISIT_CONFIG").map(PathBuf::from))
    }

    /// Validates a parsed file and resolves its key files. Returns every
    /// problem, each naming its key.
    pub fn from_file(file: ConfigFile) -> Result<KioskConfig, Vec<String>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let production =
            file.production || std::env::var("ONEVISIT_PRODUCTION").is_ok_and(|v| v == "1");
        if !valid_kiosk_id(&file.kiosk_id) {
            errors.push(format!(
                "kiosk_id = {:?}: must be 1-16 upper-case letters or digits",
                file.kiosk_id
            ));
        }
        for (key, value) in [
            ("hall_name", Some(&file.hall_name)),
            ("staff_window", file.staff_window.as_ref()),
        ] {
            if value.is_some_and(|v| v.trim().is_empty()) {
                errors.push(format!("{key} is empty: the kiosk shows it to applicants"));
            }
        }
        if let Some(w) = &file.staff_window
            && w.trim().chars().count() > onevisit_core::staff::window::MAX_CHARS
        {
            errors.push(format!(
                "staff_window = {w:?}: at most {} characters (a window number such as \"3\", \
                 or a short name such as \"综合受理窗口\")",
                onevisit_core::staff::window::MAX_CHARS
            ));
        }
        let mut consult = BTreeMap::new();
        for (id, c) in &file.consult {
            let entry = onevisit_core::catalog::Consult {
                phone: c.phone.clone(),
                hours: c.hours.clone(),
                verified: onevisit_core::catalog::Verified::Source(
                    onevisit_core::catalog::HALL_SETTING.into(),
                ),
            };
            if c.phone.is_none() && c.hours.is_none() {
                errors.push(format!("consult.{id}: set phone, hours or both"));
            } else if let Err(why) = onevisit_core::catalog::consult_problem(&entry) {
                errors.push(format!("consult.{id}: {why}"));
            }
            consult.insert(id.clone(), entry);
        }
        let mut windows = BTreeMap::new();
        for (id, w) in &file.window {
            let name = w.name.trim();
            let number = w.number.as_deref().map(str::trim);
            if name.is_empty() || name.chars().count() > 16 {
                errors.push(format!(
                    "window.{id}: name = {:?}: 1 to 16 characters (e.g. \"市场监管窗口\")",
                    w.name
                ));
            }
            if let Some(n) = number
                && (n.is_empty()
                    || n.chars().count() > 4
                    || !n.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                errors.push(format!(
                    "window.{id}: number = {n:?}: up to 4 letters or digits (\"3\", \"A2\")"
                ));
            }
            windows.insert(
                id.clone(),
                onevisit_core::catalog::HallWindow {
                    name: name.to_string(),
                    number: number.map(str::to_string),
                },
            );
        }
        if let Some(d) = file.rongque_days
            && !(1..=60).contains(&d)
        {
            errors.push(format!("rongque_days = {d}: 1 … 60 working days"));
        }
        if file.diagnostics_dir.as_os_str().is_empty() {
            errors.push("diagnostics_dir is empty: name the USB stick's mount point".into());
        }
        if file.retention_days == 0 {
            errors.push("retention_days = 0: keep accepted submissions at least 1 day".into());
        }
        if !(file.platform_url.starts_with("http://") || file.platform_url.starts_with("https://"))
        {
            errors.push(format!(
                "platform_url = {:?}: must start with http:// or https://",
                file.platform_url
            ));
        } else if production && file.platform_url.starts_with("http://") {
            warnings.push(format!(
                "platform_url = {:?}: plain http in production (use https://)",
                file.platform_url
            ));
        }
        // Each key from the file, else its development stand-in.
        let mut key = |hex: &Option<String>, file: &Option<PathBuf>, name: &str| {
            secret(hex, file, name, &mut errors, &mut warnings)
        };
        let dev = SecretSource::Development;
        let (kiosk_key, kiosk_key_source) =
            key(&file.kiosk_key_hex, &file.kiosk_key_file, "kiosk_key")
                .map(|(k, src)| (k.to_vec(), src))
                .unwrap_or_else(|| (DEV_KIOSK_KEY.to_vec(), dev.clone()));
        let (data_key, data_key_source) = key(&file.data_key_hex, &file.data_key_file, "data_key")
            .unwrap_or_else(|| (dev_data_key(), dev.clone()));
        let (notice_key, notice_key_source) =
            key(&file.notice_key_hex, &file.notice_key_file, "notice_key")
                .map(|(k, src)| (k.to_vec(), src))
                .unwrap_or_else(|| {
                    let k = onevisit_core::print::qr_payload::DEVELOPMENT_NOTICE_KEY;
                    (k.to_vec(), dev.clone())
                });
        let dev_keys = [&kiosk_key_source, &data_key_source, &notice_key_source].contains(&&dev);
        if production && dev_keys && errors.is_empty() {
            errors.push(
                "production mode refuses to start without its own kiosk key, data key and \
                 notice key (kiosk_key_hex or kiosk_key_file, data_key_hex or data_key_file, \
                 notice_key_hex or notice_key_file)"
                    .into(),
            );
        }
        if let Some(phc) = &file.staff_pin_hash
            && let Err(e) = validate_argon2_phc(phc)
        {
            // The hash is not quoted: it is half a secret.
            errors.push(format!("staff_pin_hash: {e}"));
        }
        let screen = {
            let (dw, dh) = match file.screen.orientation {
                Orientation::Landscape => (1920, 1080),
                Orientation::Portrait => (1080, 1920),
            };
            let s = Screen {
                orientation: file.screen.orientation,
                width: file.screen.width.unwrap_or(dw),
                height: file.screen.height.unwrap_or(dh),
            };
            for (key, v) in [("screen.width", s.width), ("screen.height", s.height)] {
                if !(480..=7680).contains(&v) {
                    errors.push(format!("{key} = {v}: must be 480 … 7680 pixels"));
                }
            }
            let landscape = s.width >= s.height;
            if landscape != (s.orientation == Orientation::Landscape) {
                errors.push(format!(
                    "screen.orientation = {:?} does not match {}×{} (landscape is wider than high)",
                    format!("{:?}", s.orientation).to_lowercase(),
                    s.width,
                    s.height
                ));
            }
            s
        };
        if !(10..=3600).contains(&file.idle.timeout_secs) {
            errors.push(format!(
                "idle.timeout_secs = {}: must be 10 … 3600 seconds",
                file.idle.timeout_secs
            ));
        }
        if !(20..=300).contains(&file.idle.countdown_secs) {
            errors.push(format!(
                "idle.countdown_secs = {}: must be 20 … 300 seconds (an older applicant needs the time)",
                file.idle.countdown_secs
            ));
        }
        let speech = &file.speech;
        let min_volume = onevisit_core::visit::speech::MIN_VOLUME;
        if !(min_volume..=100).contains(&speech.volume_percent) {
            errors.push(format!(
                "speech.volume_percent = {}: must be {min_volume} … 100",
                speech.volume_percent
            ));
        }
        use onevisit_drivers::speech::{MAX_RATE_WPM, MIN_RATE_WPM};
        if !(MIN_RATE_WPM..=MAX_RATE_WPM).contains(&speech.rate_wpm) {
            errors.push(format!(
                "speech.rate_wpm = {}: must be {MIN_RATE_WPM} … {MAX_RATE_WPM} words a minute",
                speech.rate_wpm
            ));
        }
        let camera = camera_setting(&file.camera, &mut errors);
        let printer_file = DeviceFile {
            enabled: file.devices.printer.enabled,
            address: file.devices.printer.address.clone(),
            baud: file.devices.printer.baud,
        };
        let devices = Devices {
            id_reader: device(
                &file.devices.id_reader,
                "id_reader",
                DEFAULT_ID_READER,
                &mut errors,
            ),
            scanner: device(
                &file.devices.scanner,
                "scanner",
                DEFAULT_SCANNER,
                &mut errors,
            ),
            printer: device(&printer_file, "printer", DEFAULT_PRINTER, &mut errors),
            paper_width: PaperWidth::from_mm(file.devices.printer.paper_width_mm).unwrap_or_else(
                || {
                    errors.push(format!(
                        "devices.printer.paper_width_mm = {}: must be 58 or 80",
                        file.devices.printer.paper_width_mm
                    ));
                    PaperWidth::Mm80
                },
            ),
            paper: paper_settings(&file.devices.printer, &mut errors),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        if !file.catalog_pubkey_file.exists() {
            warnings.push(format!(
                "catalog_pubkey_file = {:?}: missing; signed catalog updates cannot be installed \
                 until the hall's public key is put there",
                file.catalog_pubkey_file.display().to_string()
            ));
        }
        let catalog_root = file
            .catalog_root
            .unwrap_or_else(|| file.data_dir.join("catalog"));
        Ok(KioskConfig {
            kiosk_id: file.kiosk_id,
            hall_name: file.hall_name,
            staff_window: file.staff_window,
            data_dir: file.data_dir,
            platform_url: file.platform_url,
            kiosk_key,
            kiosk_key_source,
            data_key,
            data_key_source,
            notice_key,
            notice_key_source,
            retention_days: file.retention_days,
            production,
            dev_keys,
            platform_ca_file: file.platform_ca_file,
            staff_pin_hash: file.staff_pin_hash,
            diagnostics_dir: file.diagnostics_dir,
            catalog_dir: file
                .catalog_dir
                .unwrap_or_else(onevisit_core::catalog::Catalog::default_dir),
            catalog_root,
            catalog_pubkey_file: file.catalog_pubkey_file,
            screen,
            idle_timeout: Duration::from_secs(file.idle.timeout_secs),
            idle_countdown: Duration::from_secs(file.idle.countdown_secs),
            speech: file.speech,
            consult,
            windows,
            rongque_days: file.rongque_days,
            camera,
            devices,
            warnings,
        })
    }

    /// Log directories a diagnostics bundle takes by default:
    /// `<data_dir>/logs` when it exists (journald otherwise).
    pub fn log_dirs(&self) -> Vec<PathBuf> {
        let d = self.data_dir.join("logs");
        if d.is_dir() { vec![d] } else { Vec::new() }
    }

    /// kiosk.toml's `staff_window`, for the controller
    /// (`SessionController::with_staff_window`), which applies it to its
    /// catalog; everything else reads it back from there
    /// (`Catalog::staff_window`), so every sentence agrees. None: the
    /// catalog's combined window.
    pub fn staff_window(&self) -> Option<onevisit_core::staff::StaffWindow> {
        self.staff_window
            .as_deref()
            .map(onevisit_core::staff::StaffWindow::new)
    }

    /// The window in effect for tools that run without the controller (the
    /// CLI): kiosk.toml's, else the active catalog's combined window.
    pub fn effective_staff_window(&self) -> onevisit_core::staff::StaffWindow {
        self.staff_window().unwrap_or_else(|| {
            onevisit_core::catalog::load_dir(&self.active_catalog_dir())
                .map(|c| c.staff_window())
                .unwrap_or_default()
        })
    }

    /// The catalog the kiosk should run on now: the current signed update
    /// if one is installed, else the packaged `catalog_dir`.
    pub fn active_catalog_dir(&self) -> PathBuf {
        crate::firmware::CatalogStore::new(&self.catalog_root)
            .current_dir()
            .ok()
            .flatten()
            .unwrap_or_else(|| self.catalog_dir.clone())
    }

    /// The effective configuration as `key = value` lines, secrets hidden
    /// (`kiosk_key = <set, 32 bytes, from /etc/onevisit/kiosk.key>`).
    pub fn describe(&self) -> String {
        fn secret(len: usize, src: &SecretSource) -> String {
            match src {
                SecretSource::Development => "<built-in DEVELOPMENT key>".into(),
                SecretSource::Inline => format!("<set, {len} bytes>"),
                SecretSource::File(p) => format!("<set, {len} bytes, from {}>", p.display()),
            }
        }
        fn dev(d: &DeviceSetting) -> String {
            if d.enabled {
                format!("{} (baud {})", d.address, d.baud)
            } else {
                format!("disabled ({})", d.address)
            }
        }
        let path = |p: &Path| format!("{:?}", p.display().to_string());
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k} = {v}\n"));
        line("kiosk_id", format!("{:?}", self.kiosk_id));
        line("hall_name", format!("{:?}", self.hall_name));
        line(
            "staff_window",
            match &self.staff_window {
                Some(w) => format!("{w:?}"),
                None => "(the catalog's combined window)".into(),
            },
        );
        line("production", self.production.to_string());
        line("data_dir", path(&self.data_dir));
        line("retention_days", self.retention_days.to_string());
        line("platform_url", format!("{:?}", self.platform_url));
        line(
            "platform_ca_file",
            self.platform_ca_file
                .as_deref()
                .map_or("<none: web PKI roots>".into(), path),
        );
        line(
            "kiosk_key",
            secret(self.kiosk_key.len(), &self.kiosk_key_source),
        );
        line(
            "data_key",
            secret(self.data_key.len(), &self.data_key_source),
        );
        line(
            "notice_key",
            secret(self.notice_key.len(), &self.notice_key_source),
        );
        line(
            "staff_pin_hash",
            match &self.staff_pin_hash {
                Some(h) => format!("<set, {}>", h.split('$').nth(1).unwrap_or("argon2")),
                None => "<not set: staff mode cannot be entered>".into(),
            },
        );
        line("diagnostics_dir", path(&self.diagnostics_dir));
        line("catalog_dir", path(&self.catalog_dir));
        line("catalog_root", path(&self.catalog_root));
        line("catalog_pubkey_file", path(&self.catalog_pubkey_file));
        line("active catalog", path(&self.active_catalog_dir()));
        line(
            "screen",
            format!(
                "{} {}×{}",
                format!("{:?}", self.screen.orientation).to_lowercase(),
                self.screen.width,
                self.screen.height
            ),
        );
        line(
            "idle",
            format!(
                "prompt after {} s, wipe {} s later",
                self.idle_timeout.as_secs(),
                self.idle_countdown.as_secs()
            ),
        );
        line(
            "speech",
            if self.speech.enabled {
                format!(
                    "on: volume {} %, {} words a minute",
                    self.speech.volume_percent, self.speech.rate_wpm
                )
            } else {
                "off (no speakers)".into()
            },
        );
        if self.consult.is_empty() {
            line(
                "consult",
                "(none: the catalog's phones, shown （待核实） until set)".into(),
            );
        }
        if self.windows.is_empty() {
            line(
                "window",
                "(none: every department's window shown 审核窗口（待核实）)".into(),
            );
        }
        for (id, w) in &self.windows {
            line(&format!("window.{id}"), w.told());
        }
        line(
            "rongque_days",
            match self.rongque_days {
                Some(d) => format!("{d} working days"),
                None => "(the catalog's)".into(),
            },
        );
        for (id, c) in &self.consult {
            line(
                &format!("consult.{id}"),
                format!(
                    "{} {}",
                    c.phone.as_deref().unwrap_or("(catalog's phone)"),
                    c.hours.as_deref().unwrap_or("(catalog's hours)")
                ),
            );
        }
        line(
            "camera",
            match &self.camera.source {
                CameraSource::None => "none".into(),
                CameraSource::Sim => {
                    format!("simulated, {}×{}", self.camera.size.0, self.camera.size.1)
                }
                CameraSource::Device(p) => {
                    format!(
                        "{}, {}×{}",
                        p.display(),
                        self.camera.size.0,
                        self.camera.size.1
                    )
                }
            },
        );
        line("devices.id_reader", dev(&self.devices.id_reader));
        line("devices.scanner", dev(&self.devices.scanner));
        line(
            "devices.printer",
            format!(
                "{}, paper {} mm, roll {} m (near end leaves {} m), warn below {} visits",
                dev(&self.devices.printer),
                match self.devices.paper_width {
                    PaperWidth::Mm58 => 58,
                    PaperWidth::Mm80 => 80,
                },
                self.devices.paper.roll_length_mm / 1000.0,
                self.devices.paper.near_end_remaining_mm / 1000.0,
                self.devices.paper.low_visits
            ),
        );
        out
    }

    /// Prints the loud warning when development keys are in use.
    pub fn warn_if_dev(&self) {
        if self.dev_keys {
            eprintln!(
                "WARNING: using built-in DEVELOPMENT keys (a kiosk, data or notice key is not \
                 configured). Requests are signed, personal data encrypted and notices signed \
                 with public keys. Never run a real kiosk like this."
            );
        }
    }

    /// The platform client this configuration describes.
    pub fn platform_client(
        &self,
        timeout: std::time::Duration,
    ) -> Result<onevisit_uplink::PlatformClient, LinkError> {
        let ca = match &self.platform_ca_file {
            Some(p) => Some(std::fs::read(p).map_err(|source| LinkError::CaFile {
                path: p.clone(),
                source,
            })?),
            None => None,
        };
        Ok(onevisit_uplink::PlatformClient::with_root_ca(
            &self.platform_url,
            &self.kiosk_id,
            &self.kiosk_key,
            timeout,
            ca.as_deref(),
        )?)
    }

    /// The kiosk's one link to the platform (one runtime, one client),
    /// each request cut off after `timeout`.
    pub fn link(&self, timeout: std::time::Duration) -> Result<onevisit_uplink::Link, LinkError> {
        onevisit_uplink::Link::new(self.platform_client(timeout)?).map_err(LinkError::Runtime)
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
        let err = KioskConfig::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("production"), "{err}");
        let key = "ab".repeat(32);
        std::fs::write(
            &p,
            format!("production = true\nkiosk_id = \"K01\"\nkiosk_key_hex = \"{key}\"\ndata_key_hex = \"{key}\"\n"),
        )
        .unwrap();
        let err = KioskConfig::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("notice_key"), "notices need a key too: {err}");
        std::fs::write(
            &p,
            format!(
                "production = true\nkiosk_id = \"K01\"\nkiosk_key_hex = \"{key}\"\n\
                 data_key_hex = \"{key}\"\nnotice_key_hex = \"{}\"\n",
                "cd".repeat(32)
            ),
        )
        .unwrap();
        let c = KioskConfig::load(Some(&p)).unwrap();
        assert_eq!(c.notice_key, vec![0xcd; 32]);
        assert!(!c.dev_keys);
        assert_eq!(c.kiosk_key, vec![0xab; 32]);
        assert!(!format!("{c:?}").contains("abab"));
    }

    const PACKAGED: &str = include_str!("../packaging/kiosk.toml");

    /// The packaged kiosk.toml with its commented examples switched on.
    fn packaged_with_examples() -> String {
        PACKAGED
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.split_once(" = ").is_some_and(|(k, _)| {
                        k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    }) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn paths(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
        if let serde_json::Value::Object(map) = v {
            for (k, v) in map {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if v.is_object() {
                    paths(&p, v, out);
                } else {
                    out.push(p);
                }
            }
        }
    }

    #[test]
    fn the_packaged_file_documents_every_option() {
        // Every field of the struct (Options included: JSON shows them as
        // null) must appear in packaging/kiosk.toml, set or as an example.
        let mut fields = Vec::new();
        paths(
            "",
            &serde_json::to_value(ConfigFile::default()).unwrap(),
            &mut fields,
        );
        assert!(fields.len() > 25, "{fields:?}");
        let text = packaged_with_examples();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let table = serde_json::to_value(&table).unwrap();
        let mut documented = Vec::new();
        paths("", &table, &mut documented);
        let missing: Vec<_> = fields.iter().filter(|f| !documented.contains(f)).collect();
        assert!(
            missing.is_empty(),
            "not in packaging/kiosk.toml: {missing:?}"
        );
        // The examples are valid values too (deny_unknown_fields: no stray keys).
        let with_examples = ConfigFile::parse(&text).unwrap();
        validate_argon2_phc(with_examples.staff_pin_hash.as_deref().unwrap()).unwrap();
    }

    #[test]
    fn the_packaged_file_is_a_valid_production_configuration() {
        let file = ConfigFile::parse(PACKAGED).unwrap();
        assert!(file.production);
        assert_eq!(file.data_dir, PathBuf::from("/var/lib/onevisit"));
        // Its key files are written by the package's postinst; stand in.
        let dir = tempfile::tempdir().unwrap();
        let mut file = file;
        for (name, slot) in [
            ("kiosk.key", &mut file.kiosk_key_file),
            ("data.key", &mut file.data_key_file),
            ("notice.key", &mut file.notice_key_file),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, format!("{}\n", "5a".repeat(32))).unwrap();
            *slot = Some(p);
        }
        let c = KioskConfig::from_file(file).unwrap();
        assert!(!c.dev_keys);
        assert_eq!(c.idle_timeout, Duration::from_secs(60));
        assert_eq!(c.idle_countdown, Duration::from_secs(20));
        assert_eq!(
            c.screen,
            Screen {
                orientation: Orientation::Landscape,
                width: 1920,
                height: 1080
            }
        );
        assert_eq!(c.devices.paper_width, PaperWidth::Mm80);
        assert_eq!(
            c.devices.id_reader.address,
            DeviceAddress::Path(DEFAULT_ID_READER.into())
        );
        assert_eq!(c.catalog_dir, PathBuf::from("/usr/share/onevisit/catalog"));
    }

    #[test]
    fn defaults_match_the_controller_and_the_old_keys_keep_working() {
        let c = KioskConfig::from_file(ConfigFile::default()).unwrap();
        assert_eq!(c.idle_timeout, onevisit_core::visit::session::DEFAULT_IDLE);
        assert_eq!(
            c.idle_countdown,
            onevisit_core::visit::session::DEFAULT_COUNTDOWN
        );
        assert_eq!(c.catalog_root, PathBuf::from("onevisit-data/catalog"));
        // A file of the outbox's era, unchanged.
        let old = "kiosk_id = \"K0101\"\ndata_dir = \"/srv/k\"\nplatform_url = \"https://p.example/\"\n\
                   retention_days = 7\nproduction = false\nplatform_ca_file = \"/etc/ca.pem\"\n";
        let c = KioskConfig::from_file(ConfigFile::parse(old).unwrap()).unwrap();
        assert_eq!(c.kiosk_id, "K0101");
        assert_eq!(c.retention_days, 7);
        assert_eq!(c.catalog_root, PathBuf::from("/srv/k/catalog"));
        assert_eq!(c.platform_ca_file, Some(PathBuf::from("/etc/ca.pem")));
    }

    #[test]
    fn windows_and_the_rongque_period_are_the_halls_and_bad_ones_refused_by_key() {
        let parsed = |text: &str| KioskConfig::from_file(ConfigFile::parse(text).unwrap());
        let c = parsed(
            "rongque_days = 5\n[window.market]\nname = \"市场监管窗口\"\nnumber = \"3\"\n\
             [window.health]\nname = \"卫生健康窗口\"\n",
        )
        .unwrap();
        assert_eq!(c.windows["market"].told(), "市场监管窗口（3号窗口）");
        assert_eq!(c.windows["health"].told(), "卫生健康窗口");
        assert_eq!(c.rongque_days, Some(5));
        assert!(
            c.describe()
                .contains("window.market = 市场监管窗口（3号窗口）")
        );
        let errors = parsed(
            "rongque_days = 0\n[window.market]\nname = \"\"\n[window.police]\nname = \"公安\"\nnumber = \"第七\"\n",
        )
        .err()
        .unwrap();
        assert!(
            errors.iter().any(|e| e.starts_with("window.market:")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with("window.police:")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with("rongque_days = 0")),
            "{errors:?}"
        );
        assert!(ConfigFile::parse("[window.market]\nfloor = \"2\"\n").is_err());
    }

    #[test]
    fn consult_phones_are_set_per_department_and_bad_ones_refused_by_key() {
        let f = ConfigFile::parse(
            "[consult.market]\nphone = \"0393-8888888\"\nhours = \"工作日 9:00—17:00\"\n\
             [consult.health]\nhours = \"工作日上午\"\n",
        )
        .unwrap();
        let c = KioskConfig::from_file(f).unwrap();
        let market = &c.consult["market"];
        assert_eq!(market.phone.as_deref(), Some("0393-8888888"));
        assert!(market.is_verified(), "the hall's own phone is its fact");
        assert!(!c.consult["health"].is_verified(), "hours alone: no phone");
        assert!(c.describe().contains("consult.market = 0393-8888888"));
        let f = ConfigFile::parse(
            "[consult.market]\nphone = \"请拨打\"\n[consult.police]\n[consult.health]\nphone = \"12345\"\nhours = \"\"\n",
        )
        .unwrap();
        let errors = KioskConfig::from_file(f).err().unwrap();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("consult.market:") && e.contains("请拨打"))
        );
        assert!(errors.iter().any(|e| e.starts_with("consult.police:")));
        assert!(errors.iter().any(|e| e.starts_with("consult.health:")));
        let err = ConfigFile::parse("[consult.market]\ntel = \"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("tel") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn portrait_gets_its_own_default_size() {
        let f = ConfigFile::parse("[screen]\norientation = \"portrait\"\n").unwrap();
        let c = KioskConfig::from_file(f).unwrap();
        assert_eq!((c.screen.width, c.screen.height), (1080, 1920));
        let f = ConfigFile::parse("[screen]\norientation = \"sideways\"\n")
            .unwrap_err()
            .to_string();
        assert!(f.contains("line 2") && f.contains("sideways"), "{f}");
    }

    #[test]
    fn a_typo_is_refused_with_its_key_and_line() {
        let err = ConfigFile::parse("kiosk_id = \"K1\"\n[idle]\ntimeout_sec = 30\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("timeout_sec"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        let err = ConfigFile::parse("[devices.printer]\npaper_width = 58\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("paper_width") && err.contains("line 2"),
            "{err}"
        );
    }

    #[test]
    fn every_invalid_value_is_reported_by_key() {
        let f = ConfigFile::parse(
            "retention_days = 0\nplatform_url = \"ftp://x\"\n[idle]\ncountdown_secs = 1\n\
             [speech]\nvolume_percent = 0\nrate_wpm = 20\n\
             [devices.scanner]\nbaud = 12\n[devices.id_reader]\naddress = \"12:zz\"\n",
        )
        .unwrap();
        let errors = KioskConfig::from_file(f).unwrap_err();
        for key in [
            "retention_days",
            "platform_url",
            "idle.countdown_secs",
            "speech.volume_percent",
            "speech.rate_wpm",
            "devices.scanner.baud",
            "devices.id_reader.address",
        ] {
            assert!(
                errors.iter().any(|e| e.starts_with(key)),
                "{key}: {errors:?}"
            );
        }
        assert_eq!(errors.len(), 7, "{errors:?}");
    }

    #[test]
    fn key_files_are_read_and_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("kiosk.key");
        std::fs::write(&key, format!("  {}\n", "c3".repeat(32))).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
        let mut f = ConfigFile {
            kiosk_key_file: Some(key.clone()),
            ..ConfigFile::default()
        };
        let c = KioskConfig::from_file(f.clone()).unwrap();
        assert_eq!(c.kiosk_key, vec![0xc3; 32]);
        assert_eq!(c.kiosk_key_source, SecretSource::File(key.clone()));
        assert!(c.dev_keys, "the data key is still the development one");
        assert!(
            c.warnings.iter().any(|w| w.contains("chmod 0600")),
            "{:?}",
            c.warnings
        );
        let shown = c.describe();
        assert!(
            shown.contains("kiosk_key = <set, 32 bytes, from"),
            "{shown}"
        );
        assert!(!shown.contains("c3c3"), "{shown}");
        // Both forms at once, a short key: refused, without the secret.
        f.kiosk_key_hex = Some("c3".repeat(32));
        let e = KioskConfig::from_file(f.clone()).unwrap_err();
        assert!(e[0].contains("both set"), "{e:?}");
        f.kiosk_key_hex = None;
        std::fs::write(&key, "c3c3c3").unwrap();
        let e = KioskConfig::from_file(f).unwrap_err();
        assert!(e[0].contains("32 bytes") && !e[0].contains("c3c3"), "{e:?}");
    }

    #[test]
    fn staff_pin_hashes_must_be_argon2_phc_strings() {
        let good = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";
        validate_argon2_phc(good).unwrap();
        validate_argon2_phc("$argon2i$m=4096,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")
            .unwrap();
        for bad in [
            "1234",
            "$2b$12$abcdefghijklmnopqrstuv",
            "$argon2id$v=19$m=19456,t=2$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$short",
            "$argon2id$v=19$m=0,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG=",
        ] {
            assert!(validate_argon2_phc(bad).is_err(), "{bad}");
        }
        let f = ConfigFile {
            staff_pin_hash: Some("plain-1234".into()),
            ..ConfigFile::default()
        };
        let e = KioskConfig::from_file(f).unwrap_err();
        assert!(
            e[0].starts_with("staff_pin_hash") && !e[0].contains("plain-1234"),
            "{e:?}"
        );
    }

    #[test]
    fn kiosk_ids_must_fit_a_receipt() {
        assert!(valid_kiosk_id("K0101"));
        assert!(!valid_kiosk_id("k0101"));
        assert!(!valid_kiosk_id("K-01"));
        assert!(!valid_kiosk_id(""));
    }
}
