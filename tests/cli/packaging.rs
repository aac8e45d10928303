//! The firmware packaging: the systemd unit passes `systemd-analyze
//! verify`, and the .deb built from this test's binary holds what a kiosk
//! needs (docs/operations.md, "Packaging"). Where a tool is missing the
//! test says so and checks what it can without it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn unit() -> String {
    std::fs::read_to_string(repo().join("packaging/onevisit.service")).unwrap()
}

/// `key=value` settings of the unit (last one wins, as in systemd).
fn setting(unit: &str, key: &str) -> Option<String> {
    unit.lines()
        .rev()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
}

#[test]
fn the_unit_restarts_a_hung_or_crashed_kiosk_and_keeps_device_access() {
    let u = unit();
    for (key, value) in [
        ("Type", "notify"),
        ("Restart", "always"),
        ("WatchdogSec", "30"),
        ("User", "onevisit"),
        ("StateDirectory", "onevisit"),
        (
            "ExecStart",
            "/usr/bin/onevisit run --config /etc/onevisit/kiosk.toml",
        ),
        ("Environment", "SLINT_BACKEND=linuxkms-software"),
        ("StandardOutput", "journal"),
        ("StartLimitIntervalSec", "0"),
    ] {
        assert_eq!(setting(&u, key).as_deref(), Some(value), "{key}");
    }
    assert!(u.contains("Environment=ONEVISIT_CONFIG=/etc/onevisit/kiosk.toml"));
    let groups = setting(&u, "SupplementaryGroups").unwrap();
    for g in ["dialout", "plugdev", "video", "input", "render", "audio"] {
        assert!(groups.split_whitespace().any(|x| x == g), "{g}");
    }
    // Options that would hide /dev/dri, /dev/input, ttys and USB.
    for key in [
        "PrivateDevices",
        "DevicePolicy",
        "DeviceAllow",
        "PrivateUsers",
    ] {
        assert_eq!(
            setting(&u, key),
            None,
            "{key} would cut the kiosk off its devices"
        );
    }
    // udev events (hot-plug, libinput) need netlink.
    assert!(
        setting(&u, "RestrictAddressFamilies")
            .unwrap()
            .contains("AF_NETLINK")
    );
}

#[test]
fn systemd_analyze_verify_accepts_the_unit() {
    if !have("systemd-analyze") {
        eprintln!(
            "SKIPPED: systemd-analyze not installed (packaging/install-build-deps.sh installs it)"
        );
        return;
    }
    // verify checks that ExecStart exists: point it at this build's binary.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("onevisit.service");
    let text = unit().replace(
        "ExecStart=/usr/bin/onevisit",
        &format!("ExecStart={}", env!("CARGO_BIN_EXE_onevisit")),
    );
    std::fs::write(&path, &text).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    // Unknown keys and bad values are only warnings: none is allowed.
    let complaints: Vec<_> = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| l.contains("onevisit.service"))
        .collect();
    assert!(complaints.is_empty(), "{complaints:#?}");

    // The check does catch mistakes (so a pass above means something).
    std::fs::write(&path, text.replace("Restart=always", "Restrat=always")).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unknown key 'Restrat'"));
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn the_deb_holds_binary_unit_user_udev_config_catalog_and_data_dir() {
    if !have("dpkg-deb") {
        eprintln!("SKIPPED: dpkg-deb not installed (not a Debian machine)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(repo().join("packaging/build-deb.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_onevisit")])
        .arg("--out")
        .arg(dir.path())
        .args(["--version", "0.1.0~test", "--compression", "gzip"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let deb = PathBuf::from(String::from_utf8_lossy(&out.stdout).lines().last().unwrap());
    assert!(deb.ends_with(format!(
            "onevisit_0.1.0~test_{}.deb",
            String::from_utf8_lossy(
                &Command::new("dpkg")
                    .arg("--print-architecture")
                    .output()
                    .unwrap()
                    .stdout
            )
            .trim()
        )));

    let listing = dpkg_deb(&["-c"], &deb);
    let entries: Vec<(&str, &str)> = listing
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0], cols[5].trim_start_matches('.'))
        })
        .collect();
    let mode_of = |path: &str| {
        entries
            .iter()
            .find(|(_, p)| p.trim_end_matches('/') == path)
            .map(|(m, _)| *m)
            .unwrap_or_else(|| panic!("{path} not in the package:\n{listing}"))
    };
    assert_eq!(mode_of("/usr/bin/onevisit"), "-rwxr-xr-x");
    for path in [
        "/lib/systemd/system/onevisit.service",
        "/usr/lib/sysusers.d/onevisit.conf",
        "/lib/udev/rules.d/70-onevisit-devices.rules",
        "/etc/onevisit/kiosk.toml",
        "/usr/share/onevisit/catalog/catalog.toml",
        "/usr/share/onevisit/catalog/bundles/B13.toml",
        "/usr/share/doc/onevisit/operations.md",
        "/usr/share/doc/onevisit/copyright",
    ] {
        assert_eq!(mode_of(path), "-rw-r--r--", "{path}");
    }
    assert!(mode_of("/var/lib/onevisit").starts_with('d'));
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("drwxr-xr-x") && l.ends_with(" ./")),
        "the root must be 0755: {listing}"
    );
    assert!(
        listing.lines().all(|l| l.contains("root/root")),
        "{listing}"
    );
    // Every catalog file is shipped.
    let catalog_files = entries
        .iter()
        .filter(|(_, p)| p.starts_with("/usr/share/onevisit/catalog/") && p.ends_with(".toml"))
        .count();
    let in_tree = walk(&repo().join("catalog")).len();
    assert_eq!(catalog_files, in_tree);

    let depends = dpkg_deb(&["-f"], &deb);
    let depends = depends
        .lines()
        .find_map(|l| l.strip_prefix("Depends: "))
        .unwrap();
    assert!(depends.contains("fonts-wqy-zenhei"), "{depends}");
    // The handwriting pad: Zinnia (found from the binary) and its model.
    assert!(depends.contains("libzinnia"), "{depends}");
    assert!(
        depends.contains("tegaki-zinnia-simplified-chinese"),
        "{depends}"
    );
    // Speech: eSpeak NG and ALSA (found from the binary) and the voices.
    for package in ["libespeak-ng1", "libasound2", "espeak-ng-data"] {
        assert!(
            depends.split(", ").any(|d| d == package),
            "{package} not in {depends}"
        );
    }
    assert!(depends.contains("libc6"), "{depends}");

    // Control files: the conffile and the maintainer scripts.
    let ctrl = dir.path().join("ctrl");
    Command::new("dpkg-deb")
        .arg("-e")
        .arg(&deb)
        .arg(&ctrl)
        .status()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(ctrl.join("conffiles"))
            .unwrap()
            .trim(),
        "/etc/onevisit/kiosk.toml"
    );
    let postinst = std::fs::read_to_string(ctrl.join("postinst")).unwrap();
    assert!(postinst.contains("systemd-sysusers /usr/lib/sysusers.d/onevisit.conf"));
    assert!(postinst.contains("systemctl enable onevisit.service"));
    for script in ["postinst", "prerm", "postrm"] {
        let ok = Command::new("sh")
            .arg("-n")
            .arg(ctrl.join(script))
            .status()
            .unwrap();
        assert!(ok.success(), "{script} is not valid sh");
    }
    // The packaged configuration is the repository's, byte for byte.
    let data = dir.path().join("data");
    Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&data)
        .status()
        .unwrap();
    assert_eq!(
        std::fs::read(data.join("etc/onevisit/kiosk.toml")).unwrap(),
        std::fs::read(repo().join("packaging/kiosk.toml")).unwrap()
    );
    // The shipped binary runs and validates the shipped catalog.
    let check = Command::new(data.join("usr/bin/onevisit"))
        .args(["catalog", "check"])
        .arg(data.join("usr/share/onevisit/catalog"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn sysusers_creates_the_service_user_with_its_own_group_and_no_login() {
    if !have("systemd-sysusers") {
        eprintln!("SKIPPED: systemd-sysusers not installed");
        return;
    }
    // Into a scratch root: the machine's own users are not touched.
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("etc")).unwrap();
    let out = Command::new("systemd-sysusers")
        .arg(format!("--root={}", root.path().display()))
        .arg(repo().join("packaging/sysusers-onevisit.conf"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let passwd = std::fs::read_to_string(root.path().join("etc/passwd")).unwrap();
    let user: Vec<&str> = passwd
        .lines()
        .find(|l| l.starts_with("onevisit:"))
        .unwrap_or_else(|| panic!("no onevisit user: {passwd}"))
        .split(':')
        .collect();
    let (uid, gid) = (user[2].parse::<u32>().unwrap(), user[3]);
    assert!(uid < 1000, "a system user, not uid {uid}");
    assert_eq!(&user[5..], ["/var/lib/onevisit", "/usr/sbin/nologin"]);
    let group = std::fs::read_to_string(root.path().join("etc/group")).unwrap();
    assert!(
        group
            .lines()
            .any(|l| l.starts_with(&format!("onevisit:x:{gid}:"))),
        "{group}"
    );
}
