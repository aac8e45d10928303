//! `onevisit config check` as a technician runs it.

use std::process::{Command, Output};

fn config_check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .arg("config")
        .arg("check")
        .args(args)
        .env_remove("ONEVISIT_CONFIG")
        .env_remove("ONEVISIT_PRODUCTION")
        .env_remove("ONEVISIT_CATALOG")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn a_valid_file_prints_the_effective_configuration_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("kiosk.key");
    let secret = "9f".repeat(32);
    std::fs::write(&key, format!("{secret}\n")).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let pubkey = dir.path().join("catalog.pub");
    std::fs::write(&pubkey, "00").unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(
        &cfg,
        format!(
            "catalog_pubkey_file = {pubkey:?}\nkiosk_id = \"K0102\"\nproduction = true\nplatform_url = \"https://platform.example/\"\nkiosk_key_file = {key:?}\n\
             data_key_hex = \"{secret}\"\n\
             notice_key_hex = \"{secret}\"\n\
             staff_pin_hash = \"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG\"\n\
             [screen]\norientation = \"portrait\"\n[idle]\ntimeout_secs = 90\n\
             [devices.printer]\npaper_width_mm = 58\naddress = \"0416:5011\"\n"
        ),
    )
    .unwrap();
    let out = config_check(&["--config", cfg.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("configuration OK"), "{stdout}");
    assert!(stdout.contains("kiosk_id = \"K0102\""), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "kiosk_key = <set, 32 bytes, from {}>",
            key.display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("data_key = <set, 32 bytes>"), "{stdout}");
    assert!(stdout.contains("notice_key = <set, 32 bytes>"), "{stdout}");
    assert!(
        stdout.contains("staff_pin_hash = <set, argon2id>"),
        "{stdout}"
    );
    assert!(stdout.contains("screen = portrait 1080×1920"), "{stdout}");
    assert!(
        stdout.contains("prompt after 90 s, wipe 20 s later"),
        "{stdout}"
    );
    assert!(
        stdout.contains("devices.printer = 0416:5011 (baud 115200), paper 58 mm"),
        "{stdout}"
    );
    // No secret, not even half a hash, anywhere.
    for leak in ["9f9f", "RdescudvJ", "c29tZXNhbHQ"] {
        assert!(!stdout.contains(leak) && !stderr.contains(leak), "{leak}");
    }
    assert!(!stdout.contains("WARNING"), "{stdout}");
}

#[test]
fn an_invalid_file_exits_2_naming_each_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, "kiosk_id = \"K1\"\n\n[idle]\ntimeout = 60\n").unwrap();
    let out = config_check(&["--config", cfg.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("unknown field `timeout`"), "{stderr}");
    assert!(stderr.contains("line 4, column 1"), "{stderr}");

    std::fs::write(
        &cfg,
        "production = true\nkiosk_key_file = \"/nonexistent/kiosk.key\"\n[devices.printer]\npaper_width_mm = 57\n",
    )
    .unwrap();
    let out = config_check(&["--config", cfg.to_str().unwrap()]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("kiosk_key_file = \"/nonexistent/kiosk.key\": cannot read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("devices.printer.paper_width_mm = 57: must be 58 or 80"),
        "{stderr}"
    );
}

#[test]
fn production_without_keys_is_refused_and_development_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, "production = true\n").unwrap();
    let out = config_check(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("production mode refuses"));
    // A kiosk key and a data key are not enough: notices need theirs.
    std::fs::write(
        &cfg,
        format!(
            "production = true\nkiosk_key_hex = \"{k}\"\ndata_key_hex = \"{k}\"\n",
            k = "ab".repeat(32)
        ),
    )
    .unwrap();
    let out = config_check(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("notice_key_file"), "{}", text(&out).1);

    let out = config_check(&[]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("kiosk_key = <built-in DEVELOPMENT key>"),
        "{stdout}"
    );
    assert!(
        stdout.contains("WARNING: built-in DEVELOPMENT keys"),
        "{stdout}"
    );
}
