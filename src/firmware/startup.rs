//! Start-up checks of an installed kiosk, each with a clear message: the
//! configuration (already valid when this runs), the data directory
//! writable, the catalog valid (an installed update that no longer loads
//! falls back to the packaged catalog), the CJK font present, the devices
//! there. A missing device degrades the kiosk; it never stops it.
//! `onevisit config check --startup` prints the same report.

use crate::config::{DeviceSetting, KioskConfig};
use crate::firmware::CatalogStore;
use onevisit_core::catalog::{Catalog, load_dir};
use onevisit_drivers::transport::DeviceAddress;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The kiosk runs, with less (no printer, the packaged catalog, …).
    Degraded,
    /// The kiosk cannot serve applicants: say so and do not start.
    Fatal,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct StartupReport {
    pub checks: Vec<Check>,
    /// The catalog to start with, when one loaded.
    pub catalog: Option<Catalog>,
    /// Where it came from.
    pub catalog_dir: Option<PathBuf>,
}

impl StartupReport {
    pub fn fatal(&self) -> bool {
        self.checks.iter().any(|c| c.outcome == Outcome::Fatal)
    }

    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    fn push(&mut self, name: &'static str, outcome: Outcome, message: impl Into<String>) {
        self.checks.push(Check {
            name,
            outcome,
            message: message.into(),
        });
    }
}

impl fmt::Display for StartupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.checks {
            let tag = match c.outcome {
                Outcome::Ok => "ok      ",
                Outcome::Degraded => "DEGRADED",
                Outcome::Fatal => "FATAL   ",
            };
            writeln!(f, "{tag} {:<18} {}", c.name, c.message)?;
        }
        Ok(())
    }
}

/// Runs every check. Device checks only look (path exists, USB id
/// present); opening them is the device manager's job.
pub fn run(cfg: &KioskConfig) -> StartupReport {
    let mut r = StartupReport::default();
    check_data_dir(cfg, &mut r);
    check_catalog(cfg, &mut r);
    match onevisit_core::fonts::locate() {
        Ok((path, _)) if path.exists() => r.push("font", Outcome::Ok, path.display().to_string()),
        Ok((path, _)) => r.push(
            "font",
            Outcome::Fatal,
            format!("{} does not exist (ONEVISIT_FONT)", path.display()),
        ),
        Err(e) => r.push(
            "font",
            Outcome::Fatal,
            format!("没有中文字体 (no CJK font): {e}; install fonts-wqy-zenhei"),
        ),
    }
    let usb = std::cell::OnceCell::new();
    for (name, d) in [
        ("devices.id_reader", &cfg.devices.id_reader),
        ("devices.scanner", &cfg.devices.scanner),
        ("devices.printer", &cfg.devices.printer),
    ] {
        check_device(name, d, &usb, &mut r);
    }
    r
}

fn check_data_dir(cfg: &KioskConfig, r: &mut StartupReport) {
    let dir = &cfg.data_dir;
    let probe = dir.join(".onevisit-write-probe");
    let result = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"probe"))
        .and_then(|()| std::fs::remove_file(&probe));
    match result {
        Ok(()) => r.push(
            "data_dir",
            Outcome::Ok,
            format!("{} writable", dir.display()),
        ),
        Err(e) => r.push(
            "data_dir",
            Outcome::Fatal,
            format!(
                "数据目录不可写 (data directory not writable): {}: {e}",
                dir.display()
            ),
        ),
    }
}

fn check_catalog(cfg: &KioskConfig, r: &mut StartupReport) {
    let store = CatalogStore::new(&cfg.catalog_root);
    let installed = match store.current_dir() {
        Ok(d) => d,
        Err(e) => {
            r.push(
                "catalog update",
                Outcome::Degraded,
                format!("{e}; using the packaged catalog"),
            );
            None
        }
    };
    if let Some(dir) = installed {
        match load_dir(&dir) {
            Ok(c) => {
                r.push(
                    "catalog",
                    Outcome::Ok,
                    format!("{} from {}", c.version, dir.display()),
                );
                r.catalog = Some(c);
                r.catalog_dir = Some(dir);
                return;
            }
            Err(e) => r.push(
                "catalog update",
                Outcome::Degraded,
                format!(
                    "installed update {} does not load ({} errors, first: {}); using the packaged catalog",
                    dir.display(),
                    e.0.len(),
                    e.0.first().map(|x| x.to_string()).unwrap_or_default()
                ),
            ),
        }
    }
    match load_dir(&cfg.catalog_dir) {
        Ok(c) => {
            r.push(
                "catalog",
                Outcome::Ok,
                format!("{} from {}", c.version, cfg.catalog_dir.display()),
            );
            r.catalog = Some(c);
            r.catalog_dir = Some(cfg.catalog_dir.clone());
        }
        Err(e) => r.push(
            "catalog",
            Outcome::Fatal,
            format!(
                "目录无效 (catalog invalid): {}: {} errors, first: {}",
                cfg.catalog_dir.display(),
                e.0.len(),
                e.0.first().map(|x| x.to_string()).unwrap_or_default()
            ),
        ),
    }
}

type UsbList = Result<Vec<(u16, u16)>, String>;

fn check_device(
    name: &'static str,
    d: &DeviceSetting,
    usb: &std::cell::OnceCell<UsbList>,
    r: &mut StartupReport,
) {
    if !d.enabled {
        r.push(name, Outcome::Ok, "disabled in kiosk.toml");
        return;
    }
    match &d.address {
        DeviceAddress::Path(p) if p.exists() => {
            r.push(name, Outcome::Ok, format!("{} present", p.display()))
        }
        DeviceAddress::Path(p) => r.push(
            name,
            Outcome::Degraded,
            format!(
                "设备未连接 (not found): {}; the kiosk runs without it (check the cable, `onevisit devices list`)",
                p.display()
            ),
        ),
        DeviceAddress::Usb { vid, pid } => {
            let list = usb.get_or_init(|| {
                onevisit_drivers::transport::usb::libusb::list_devices()
                    .map(|v| v.iter().map(|i| (i.vid, i.pid)).collect())
                    .map_err(|e| e.to_string())
            });
            match list {
                Ok(l) if l.contains(&(*vid, *pid)) => {
                    r.push(name, Outcome::Ok, format!("{} present", d.address))
                }
                Ok(_) => r.push(
                    name,
                    Outcome::Degraded,
                    format!(
                        "设备未连接 (not found): USB {}; the kiosk runs without it",
                        d.address
                    ),
                ),
                Err(e) => r.push(
                    name,
                    Outcome::Degraded,
                    format!("USB {}: cannot list USB devices: {e}", d.address),
                ),
            }
        }
    }
}
