//! The kiosk's start-up checks: what stops it, what only degrades it.

use onevisit::config::{ConfigFile, KioskConfig};
use onevisit::firmware::startup::{Outcome, run};
use std::path::Path;
use std::process::Command;

fn config(data_dir: &Path, extra: &str) -> KioskConfig {
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let text = format!(
        "data_dir = {data_dir:?}\ncatalog_dir = {catalog:?}\n{extra}\n\
         [devices.id_reader]\naddress = {:?}\n[devices.scanner]\nenabled = false\n\
         [devices.printer]\naddress = \"/dev/onevisit-no-such-printer\"\n",
        data_dir.join("reader")
    );
    KioskConfig::from_file(ConfigFile::parse(&text).unwrap()).unwrap()
}

#[test]
fn missing_devices_degrade_and_a_broken_update_falls_back_to_the_packaged_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("reader"), b"").unwrap(); // stands in for the tty
    // An installed update whose directory has gone.
    let root = data.join("catalog");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("state.toml"),
        "generation = 1\n[current]\ndir = \"g000001\"\ncatalog_version = \"x\"\n\
         content_hash = \"0\"\ninstalled_at = \"2026-11-29T08:00:00Z\"\n",
    )
    .unwrap();
    let cfg = config(&data, "");
    let r = run(&cfg);
    assert!(!r.fatal(), "{r}");
    assert_eq!(r.check("data_dir").unwrap().outcome, Outcome::Ok);
    assert_eq!(r.check("devices.id_reader").unwrap().outcome, Outcome::Ok);
    assert_eq!(r.check("devices.scanner").unwrap().outcome, Outcome::Ok);
    let printer = r.check("devices.printer").unwrap();
    assert_eq!(printer.outcome, Outcome::Degraded);
    assert!(
        printer.message.contains("/dev/onevisit-no-such-printer"),
        "{r}"
    );
    let update = r.check("catalog update").unwrap();
    assert_eq!(update.outcome, Outcome::Degraded, "{r}");
    assert!(update.message.contains("using the packaged catalog"), "{r}");
    assert_eq!(r.catalog_dir.as_deref(), Some(cfg.catalog_dir.as_path()));
    assert_eq!(r.catalog.as_ref().unwrap().bundles.len(), 13);
    assert!(!data.join(".onevisit-write-probe").exists());
}

#[test]
fn an_unwritable_data_dir_or_invalid_catalog_stops_the_kiosk() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the data directory should be: not writable as a dir,
    // even for root.
    let data = tmp.path().join("data");
    std::fs::write(&data, b"").unwrap();
    let bad_catalog = tmp.path().join("empty-catalog");
    std::fs::create_dir(&bad_catalog).unwrap();
    let mut cfg = config(&data, "");
    cfg.catalog_dir = bad_catalog;
    cfg.catalog_root = tmp.path().join("none");
    let r = run(&cfg);
    assert!(r.fatal());
    assert_eq!(r.check("data_dir").unwrap().outcome, Outcome::Fatal);
    assert!(
        r.check("data_dir")
            .unwrap()
            .message
            .contains("not writable")
    );
    assert_eq!(r.check("catalog").unwrap().outcome, Outcome::Fatal);
    assert!(r.catalog.is_none());
}

#[test]
fn config_check_startup_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("kiosk.toml");
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let run = |text: String| {
        std::fs::write(&cfg, text).unwrap();
        Command::new(env!("CARGO_BIN_EXE_onevisit"))
            .args(["config", "check", "--startup", "--config"])
            .arg(&cfg)
            .env_remove("ONEVISIT_CONFIG")
            .output()
            .unwrap()
    };
    let out = run(format!(
        "data_dir = {:?}\ncatalog_dir = {catalog:?}\n[devices.printer]\nenabled = false\n",
        tmp.path().join("d")
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("start-up checks:"), "{stdout}");
    assert!(stdout.contains("DEGRADED devices.id_reader"), "{stdout}");
    assert!(stdout.contains("disabled in kiosk.toml"), "{stdout}");

    let out = run(format!(
        "data_dir = {:?}\ncatalog_dir = {:?}\n",
        tmp.path().join("d"),
        tmp.path()
    ));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FATAL    catalog"));
}
