//! Signed catalog updates: pack, verify, validate, switch, roll back.
//! Every refusal leaves the catalog in use untouched and loadable.

use ed25519_dalek::{Signer, SigningKey};
use onevisit::firmware::package::{FORMAT, Manifest, ManifestFile};
use onevisit::firmware::{CatalogStore, PackageError, SigningKeys, StoreError, pack};
use onevisit_core::catalog::load_dir;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn source_catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of the real catalog declared as `version`.
fn catalog_version(root: &Path, version: &str) -> PathBuf {
    let dir = root.join(format!("src-{version}"));
    copy_dir(&source_catalog(), &dir);
    let meta = dir.join("catalog.toml");
    let text = std::fs::read_to_string(&meta).unwrap();
    let text = text.replace(
        "version = \"2026.11-1\"",
        &format!("version = \"{version}\""),
    );
    assert!(text.contains(version));
    std::fs::write(meta, text).unwrap();
    dir
}

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    secret: PathBuf,
    public: PathBuf,
    store: CatalogStore,
    /// The publisher's last sequence number (see `Setup::package`).
    published: std::cell::Cell<u64>,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let (secret, public) = (root.join("hall.key"), root.join("hall.pub"));
    SigningKeys::generate(&secret, &public).unwrap();
    let store = CatalogStore::new(root.join("store"));
    Setup {
        _tmp: tmp,
        root,
        secret,
        public,
        store,
        published: std::cell::Cell::new(0),
    }
}

impl Setup {
    /// The next release, as a publisher numbers them: one above the last.
    fn package(&self, version: &str) -> PathBuf {
        let sequence = self.published.get() + 1;
        self.published.set(sequence);
        self.package_numbered(version, sequence)
    }

    /// A release with the given sequence number.
    fn package_numbered(&self, version: &str, sequence: u64) -> PathBuf {
        let dir = catalog_version(&self.root, version);
        let out = self.root.join(format!("{version}-{sequence}.ovcat"));
        let key = SigningKeys::read_secret(&self.secret).unwrap();
        let m = pack(&dir, &key, sequence, &out).unwrap();
        assert_eq!(m.catalog_version, version);
        assert_eq!(m.sequence, sequence);
        out
    }

    fn install(&self, package: &Path) -> Result<onevisit::firmware::Installed, StoreError> {
        let key = SigningKeys::read_public(&self.public).unwrap();
        self.store.install(package, &key)
    }

    /// The declared version of the catalog the kiosk would load now.
    fn active_version(&self) -> String {
        let dir = self.store.active_dir(&source_catalog()).unwrap();
        load_dir(&dir)
            .expect("the active catalog loads")
            .version
            .declared
    }
}

#[test]
fn a_good_package_installs_and_the_kiosk_picks_it_up_between_visits() {
    let s = setup();
    assert_eq!(s.store.generation().unwrap(), 0);
    assert_eq!(s.store.current_dir().unwrap(), None);
    assert_eq!(s.active_version(), "2026.11-1");

    let installed = s.install(&s.package("2026.12-1")).unwrap();
    assert_eq!(installed.catalog_version, "2026.12-1");
    assert_eq!(s.store.generation().unwrap(), 1);
    assert_eq!(s.active_version(), "2026.12-1");
    // What the kiosk does between visits.
    let (generation, catalog) = s
        .store
        .load_if_changed(0, &source_catalog())
        .unwrap()
        .expect("changed");
    assert_eq!(generation, 1);
    assert_eq!(catalog.version.declared, "2026.12-1");
    assert_eq!(catalog.bundles.len(), 13);
    assert!(
        s.store
            .load_if_changed(1, &source_catalog())
            .unwrap()
            .is_none()
    );
    // Installed files are byte-identical to the packed ones.
    let dir = s.store.current_dir().unwrap().unwrap();
    assert_eq!(
        std::fs::read(dir.join("bundles/B07.toml")).unwrap(),
        std::fs::read(source_catalog().join("bundles/B07.toml")).unwrap()
    );
}

/// Replaces the first occurrence of `needle` in the file's bytes.
fn patch(path: &Path, needle: &[u8], with: &[u8]) {
    assert_eq!(needle.len(), with.len());
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in package");
    bytes[at..at + with.len()].copy_from_slice(with);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_tampered_package_is_refused_and_the_old_catalog_stays() {
    let s = setup();
    s.install(&s.package("2026.12-1")).unwrap();

    // One byte of a catalog file changed (its declared version).
    let p = s.package("2026.12-2");
    patch(&p, b"\"2026.12-2\"\ntitle", b"\"2026.12-3\"\ntitle");
    let err = s.install(&p).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::Mismatch(_))),
        "{err}"
    );
    assert!(err.to_string().contains("catalog.toml differs"), "{err}");

    // One byte of the manifest changed: the signature no longer holds.
    let p = s.package("2026.12-4");
    patch(
        &p,
        b"catalog_version = \"2026.12-4\"",
        b"catalog_version = \"2026.12-5\"",
    );
    let err = s.install(&p).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::BadSignature)),
        "{err}"
    );
    assert!(err.to_string().contains("bad signature"), "{err}");

    assert_eq!(s.store.generation().unwrap(), 1);
    assert_eq!(s.active_version(), "2026.12-1");
}

#[test]
fn a_package_signed_with_another_key_is_refused() {
    let s = setup();
    let other = setup();
    let p = other.package("2026.12-9");
    let err = s.install(&p).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::BadSignature)),
        "{err}"
    );
    assert_eq!(s.store.generation().unwrap(), 0);
    assert_eq!(s.active_version(), "2026.11-1");
}

/// A package built by hand: any entries, signed with `key`.
fn craft(out: &Path, key: &SigningKey, entries: &[(&[u8], &[u8], tar::EntryType)]) {
    craft_edited(out, key, entries, |m| m);
}

/// Like `craft`, with the manifest's text edited by `edit` before signing.
fn craft_edited(
    out: &Path,
    key: &SigningKey,
    entries: &[(&[u8], &[u8], tar::EntryType)],
    edit: impl FnOnce(String) -> String,
) {
    let files = entries
        .iter()
        .filter_map(|(name, data, _)| {
            let name = std::str::from_utf8(name).unwrap();
            name.strip_prefix("catalog/").map(|rel| ManifestFile {
                path: rel.to_string(),
                size: data.len() as u64,
                sha256: hex::encode(Sha256::digest(data)),
            })
        })
        .collect();
    let manifest = Manifest {
        format: FORMAT.into(),
        sequence: 99,
        catalog_version: "2026.12-1".into(),
        content_hash: "0".repeat(16),
        created: "2026-11-29T08:00:00Z".into(),
        files,
    };
    let manifest = edit(toml::to_string(&manifest).unwrap());
    let sig = format!(
        "{}\n",
        hex::encode(key.sign(manifest.as_bytes()).to_bytes())
    );
    let mut tar = tar::Builder::new(std::fs::File::create(out).unwrap());
    let mut put = |name: &[u8], data: &[u8], kind: tar::EntryType| {
        let mut h = tar::Header::new_ustar();
        // Written raw: the tar crate's own path setters refuse `..`.
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(kind);
        if kind == tar::EntryType::Symlink {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        tar.append(&h, data).unwrap();
    };
    put(
        b"manifest.toml",
        manifest.as_bytes(),
        tar::EntryType::Regular,
    );
    put(b"manifest.sig", sig.as_bytes(), tar::EntryType::Regular);
    for (name, data, kind) in entries {
        put(name, data, *kind);
    }
    tar.into_inner().unwrap();
}

#[test]
fn valid_signature_but_invalid_catalog_is_refused_and_the_old_one_still_loads() {
    let s = setup();
    s.install(&s.package("2026.12-1")).unwrap();
    let key = SigningKeys::read_secret(&s.secret).unwrap();

    // `catalog pack` refuses to sign an invalid catalog in the first place.
    let bad = catalog_version(&s.root, "2026.12-2");
    let b01 = bad.join("bundles/B01.toml");
    let text = std::fs::read_to_string(&b01).unwrap();
    std::fs::write(
        &b01,
        text.replace(
            "items = [\"food_business_licence\"]",
            "items = [\"no_such_item\"]",
        ),
    )
    .unwrap();
    let err = pack(&bad, &key, 2, &s.root.join("bad.ovcat")).unwrap_err();
    assert!(err.to_string().contains("no_such_item"), "{err}");
    assert!(!s.root.join("bad.ovcat").exists());

    // A publisher who signs it anyway: signature fine, content refused.
    let mut entries = Vec::new();
    let mut names = Vec::new();
    for f in walk(&bad) {
        let rel = f.strip_prefix(&bad).unwrap().to_str().unwrap().to_string();
        names.push((format!("catalog/{rel}"), std::fs::read(&f).unwrap()));
    }
    for (n, d) in &names {
        entries.push((n.as_bytes(), d.as_slice(), tar::EntryType::Regular));
    }
    let p = s.root.join("signed-bad.ovcat");
    craft(&p, &key, &entries);
    let err = s.install(&p).unwrap_err();
    assert!(matches!(err, StoreError::InvalidCatalog(_)), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("B01.toml") && msg.contains("no_such_item"),
        "{msg}"
    );
    assert!(msg.contains("old catalog stays in use"), "{msg}");

    assert_eq!(s.store.generation().unwrap(), 1);
    assert_eq!(s.active_version(), "2026.12-1");
    // Nothing half-installed is left behind.
    let versions: Vec<_> = std::fs::read_dir(s.store.root().join("versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(versions, vec!["g000001".to_string()]);
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
    out.sort();
    out
}

#[test]
fn paths_leaving_the_package_and_links_are_refused() {
    let s = setup();
    let key = SigningKeys::read_secret(&s.secret).unwrap();
    let cases: [(&[u8], tar::EntryType, &str); 4] = [
        (
            b"catalog/../../evil.toml",
            tar::EntryType::Regular,
            "leaves the package",
        ),
        (
            b"/tmp/evil.toml",
            tar::EntryType::Regular,
            "leaves the package",
        ),
        (
            b"catalog/bundles/B99.toml",
            tar::EntryType::Symlink,
            "not a regular file",
        ),
        (b"evil.toml", tar::EntryType::Regular, "unexpected entry"),
    ];
    for (i, (name, kind, expect)) in cases.into_iter().enumerate() {
        let p = s.root.join(format!("evil-{i}.ovcat"));
        craft(&p, &key, &[(name, b"x = 1\n", kind)]);
        let err = s.install(&p).unwrap_err();
        assert!(
            matches!(err, StoreError::Package(PackageError::Malformed(_))),
            "{i}: {err}"
        );
        assert!(err.to_string().contains(expect), "{i}: {err}");
    }
    assert!(!s.root.join("evil.toml").exists());
    assert!(!Path::new("/tmp/evil.toml").exists());
    assert_eq!(s.store.generation().unwrap(), 0);
}

#[test]
fn rollback_returns_to_the_previous_version_and_then_to_the_packaged_one() {
    let s = setup();
    assert!(matches!(
        s.store.rollback().unwrap_err(),
        StoreError::NothingToRollBack(_)
    ));
    s.install(&s.package("2026.12-1")).unwrap();
    s.install(&s.package("2026.12-2")).unwrap();
    s.install(&s.package("2026.12-3")).unwrap();
    assert_eq!(s.active_version(), "2026.12-3");
    // Only current and previous are kept.
    let mut versions: Vec<_> = std::fs::read_dir(s.store.root().join("versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    versions.sort();
    assert_eq!(versions, vec!["g000002", "g000003"]);

    let back = s.store.rollback().unwrap().unwrap();
    assert_eq!(back.catalog_version, "2026.12-2");
    assert_eq!(s.active_version(), "2026.12-2");
    assert_eq!(s.store.generation().unwrap(), 4);
    // The kiosk, which loaded generation 3, reloads.
    let (g, c) = s
        .store
        .load_if_changed(3, &source_catalog())
        .unwrap()
        .unwrap();
    assert_eq!((g, c.version.declared.as_str()), (4, "2026.12-2"));
    // Rolling back again undoes the rollback.
    s.store.rollback().unwrap();
    assert_eq!(s.active_version(), "2026.12-3");

    // The first update rolls back to the packaged catalog.
    let t = setup();
    t.install(&t.package("2026.12-1")).unwrap();
    assert_eq!(t.store.rollback().unwrap(), None);
    assert_eq!(t.store.current_dir().unwrap(), None);
    assert_eq!(t.active_version(), "2026.11-1");
}

#[test]
fn the_command_line_keygen_pack_install_status_rollback() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_onevisit"))
            .args(args)
            .env_remove("ONEVISIT_CONFIG")
            .env_remove("ONEVISIT_CATALOG")
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let p = |n: &str| d.join(n).to_str().unwrap().to_string();
    let (code, out, _) = run(&[
        "catalog",
        "keygen",
        "--secret",
        &p("k.key"),
        "--public",
        &p("k.pub"),
    ]);
    assert_eq!(code, Some(0));
    let public = std::fs::read_to_string(d.join("k.pub")).unwrap();
    assert!(out.contains(public.trim()), "{out}");
    let secret = std::fs::read_to_string(d.join("k.key")).unwrap();
    assert!(!out.contains(secret.trim()), "the secret is never printed");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(d.join("k.key")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    // Never overwritten.
    let (code, _, err) = run(&[
        "catalog",
        "keygen",
        "--secret",
        &p("k.key"),
        "--public",
        &p("x.pub"),
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not overwriting"), "{err}");

    let src = catalog_version(d, "2026.12-7");
    let src = src.to_str().unwrap();
    let pack_args = |sequence: Option<&'static str>, out: &str| {
        let mut args = vec![
            "catalog".to_string(),
            "pack".into(),
            "--catalog".into(),
            src.into(),
            "--key".into(),
            p("k.key"),
            "--out".into(),
            p(out),
        ];
        if let Some(n) = sequence {
            args.extend(["--sequence".to_string(), n.to_string()]);
        }
        args
    };
    let run_owned = |args: Vec<String>| run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // The sequence is the publisher's explicit decision: never defaulted.
    let (code, _, err) = run_owned(pack_args(None, "none.ovcat"));
    assert_eq!(code, Some(2));
    assert!(err.contains("--sequence"), "{err}");
    let (code, _, err) = run_owned(pack_args(Some("0"), "zero.ovcat"));
    assert_eq!(code, Some(1));
    assert!(err.contains("1 or more"), "{err}");
    assert!(!d.join("zero.ovcat").exists() && !d.join("none.ovcat").exists());
    let (code, out, err) = run_owned(pack_args(Some("3"), "c.ovcat"));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2026.12-7") && out.contains("序号 3"), "{out}");

    let root = p("store");
    let (code, out, err) = run(&[
        "catalog",
        "install",
        &p("c.ovcat"),
        "--pubkey",
        &p("k.pub"),
        "--catalog-root",
        &root,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("catalog installed") && out.contains("generation 1"),
        "{out}"
    );
    let (_, out, _) = run(&["catalog", "status", "--catalog-root", &root]);
    assert!(
        out.contains("generation: 1")
            && out.contains("highest sequence installed: 3")
            && out.contains("current: 2026.12-7")
            && out.contains("sequence 3,"),
        "{out}"
    );
    // The same package again: a replay, refused with the reason.
    let install_c = || {
        run(&[
            "catalog",
            "install",
            &p("c.ovcat"),
            "--pubkey",
            &p("k.pub"),
            "--catalog-root",
            &root,
        ])
    };
    let (code, _, err) = install_c();
    assert_eq!(code, Some(1));
    assert!(
        err.contains("catalog NOT installed") && err.contains("sequence 3 is not above 3"),
        "{err}"
    );

    // A flipped byte: refused, with the reason, exit 1.
    patch(
        &d.join("c.ovcat"),
        b"2026.12-7\"\ntitle",
        b"2026.12-8\"\ntitle",
    );
    let (code, _, err) = install_c();
    assert_eq!(code, Some(1));
    assert!(
        err.contains("catalog NOT installed") && err.contains("does not match its signed manifest"),
        "{err}"
    );

    let (code, out, _) = run(&["catalog", "rollback", "--catalog-root", &root]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("rolled back") && out.contains("packaged catalog"),
        "{out}"
    );
    let (_, out, _) = run(&["catalog", "status", "--catalog-root", &root]);
    assert!(
        out.contains("generation: 2")
            && out.contains("current: the packaged catalog")
            && out.contains("highest sequence installed: 3"),
        "{out}"
    );
}

#[test]
fn an_older_or_equal_sequence_is_refused_and_the_current_catalog_keeps_working() {
    let s = setup();
    // Packed in the order the publisher released them: 3 (with a known
    // mistake, say), then 5.
    let old = s.package_numbered("2026.12-3", 3);
    let current = s.package_numbered("2026.12-5", 5);
    let installed = s.install(&current).unwrap();
    assert_eq!(installed.sequence, 5);
    assert_eq!(s.store.state().unwrap().highest_sequence, 5);

    // The old, validly signed package, and the current one replayed, and
    // a different catalog that reuses the number: all refused.
    let same_number = s.package_numbered("2026.12-9", 5);
    for (package, offered) in [(&old, 3), (&current, 5), (&same_number, 5)] {
        let err = s.install(package).unwrap_err();
        match err {
            StoreError::Replay {
                offered: o,
                highest: 5,
            } => assert_eq!(o, offered),
            ref other => panic!("{other}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("最高序号5"), "{msg}");
        assert!(
            msg.contains(&format!("sequence {offered} is not above 5"))
                && msg.contains("old catalog stays in use"),
            "{msg}"
        );
    }
    // Nothing moved: same generation, same catalog, nothing to reload,
    // only the installed version on disk.
    assert_eq!(s.store.generation().unwrap(), 1);
    assert_eq!(s.active_version(), "2026.12-5");
    assert!(
        s.store
            .load_if_changed(1, &source_catalog())
            .unwrap()
            .is_none()
    );
    let versions: Vec<_> = std::fs::read_dir(s.store.root().join("versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(versions, vec!["g000001".to_string()]);

    // A newer one installs; numbers may skip.
    let newer = s.install(&s.package_numbered("2026.12-6", 8)).unwrap();
    assert_eq!(
        (newer.sequence, newer.catalog_version.as_str()),
        (8, "2026.12-6")
    );
    assert_eq!(s.active_version(), "2026.12-6");
    assert_eq!(s.store.state().unwrap().highest_sequence, 8);
}

#[test]
fn rollback_never_lowers_the_highest_sequence_so_the_rolled_back_from_package_is_refused() {
    let s = setup();
    let first = s.package("2026.12-1"); // sequence 1
    let second = s.package("2026.12-2"); // sequence 2
    s.install(&first).unwrap();
    s.install(&second).unwrap();

    let back = s.store.rollback().unwrap().unwrap();
    assert_eq!(
        (back.sequence, back.catalog_version.as_str()),
        (1, "2026.12-1")
    );
    // Persisted, not just in memory: a fresh store on the same root sees it.
    let reopened = CatalogStore::new(s.store.root());
    assert_eq!(reopened.state().unwrap().highest_sequence, 2);

    // The package rolled back from is not reinstallable, and neither is
    // the one in use.
    for (package, offered) in [(&second, 2), (&first, 1)] {
        assert!(
            matches!(
                s.install(package).unwrap_err(),
                StoreError::Replay { offered: o, highest: 2 } if o == offered
            ),
            "sequence {offered}"
        );
    }
    assert_eq!(s.active_version(), "2026.12-1");
    assert_eq!(s.store.generation().unwrap(), 3);

    // The documented ways forward: roll back again (undoes the rollback)…
    let again = s.store.rollback().unwrap().unwrap();
    assert_eq!(again.sequence, 2);
    assert_eq!(s.active_version(), "2026.12-2");
    assert_eq!(s.store.state().unwrap().highest_sequence, 2);
    // …or a newer package.
    assert_eq!(s.install(&s.package("2026.12-3")).unwrap().sequence, 3);

    // Rolled all the way back to the packaged catalog, the number holds.
    let t = setup();
    let p = t.package("2026.12-1");
    t.install(&p).unwrap();
    assert_eq!(t.store.rollback().unwrap(), None);
    assert_eq!(t.store.state().unwrap().highest_sequence, 1);
    assert!(matches!(
        t.install(&p).unwrap_err(),
        StoreError::Replay {
            offered: 1,
            highest: 1
        }
    ));
    assert_eq!(t.active_version(), "2026.11-1");
}

#[test]
fn the_sequence_is_signed_and_unsequenced_packages_are_refused() {
    let s = setup();
    // Raising the number by hand breaks the signature.
    let p = s.package_numbered("2026.12-1", 4);
    patch(&p, b"sequence = 4\n", b"sequence = 9\n");
    let err = s.install(&p).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::BadSignature)),
        "{err}"
    );

    let key = SigningKeys::read_secret(&s.secret).unwrap();
    let file: (&[u8], &[u8], tar::EntryType) =
        (b"catalog/catalog.toml", b"x = 1\n", tar::EntryType::Regular);
    // A format /1 package (before sequences), validly signed: refused with
    // "repack", not accepted as an unnumbered (hence replayable) package.
    let v1 = s.root.join("v1.ovcat");
    craft_edited(&v1, &key, &[file], |m| {
        let m = m.replace(FORMAT, "onevisit-catalog-package/1");
        let m = m.replace("sequence = 99\n", "");
        assert!(!m.contains("sequence"), "{m}");
        m
    });
    let err = s.install(&v1).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::Sequence(_))),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("--sequence") && msg.contains("has no sequence number"),
        "{msg}"
    );
    // A /2 manifest without the field, or numbered 0: malformed / refused.
    let missing = s.root.join("missing.ovcat");
    craft_edited(&missing, &key, &[file], |m| {
        m.replace("sequence = 99\n", "")
    });
    let err = s.install(&missing).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::Malformed(_)))
            && err.to_string().contains("sequence"),
        "{err}"
    );
    let zero = s.root.join("zero.ovcat");
    craft_edited(&zero, &key, &[file], |m| {
        m.replace("sequence = 99\n", "sequence = 0\n")
    });
    let err = s.install(&zero).unwrap_err();
    assert!(
        matches!(err, StoreError::Package(PackageError::Sequence(_))),
        "{err}"
    );
    // And `pack` never makes one numbered 0.
    let err = pack(&source_catalog(), &key, 0, &s.root.join("z.ovcat")).unwrap_err();
    assert!(matches!(err, PackageError::Sequence(_)), "{err}");
    assert!(!s.root.join("z.ovcat").exists());
    assert_eq!(s.store.generation().unwrap(), 0);
}

#[test]
fn a_store_from_before_sequences_loads_and_accepts_a_numbered_package() {
    let s = setup();
    std::fs::create_dir_all(s.store.root().join("versions/g000001")).unwrap();
    copy_dir(&source_catalog(), &s.store.root().join("versions/g000001"));
    std::fs::write(
        s.store.root().join("state.toml"),
        "generation = 1\n[current]\ndir = \"g000001\"\ncatalog_version = \"2026.11-1\"\n\
         content_hash = \"0\"\ninstalled_at = \"2026-11-29T08:00:00Z\"\n",
    )
    .unwrap();
    let state = s.store.state().unwrap();
    assert_eq!(state.highest_sequence, 0);
    assert_eq!(state.current.as_ref().unwrap().sequence, 0);
    let installed = s.install(&s.package("2026.12-1")).unwrap();
    assert_eq!(installed.sequence, 1);
    let state = s.store.state().unwrap();
    assert_eq!(state.highest_sequence, 1);
    assert_eq!(state.previous.unwrap().dir, "g000001");
}

/// A kiosk configuration reading the packaged catalog and `root`'s store.
fn kiosk_config(root: &Path) -> onevisit::config::KioskConfig {
    let file = onevisit::config::ConfigFile {
        data_dir: root.join("data"),
        catalog_dir: Some(source_catalog()),
        catalog_root: Some(root.to_path_buf()),
        ..Default::default()
    };
    onevisit::config::KioskConfig::from_file(file).unwrap()
}

#[test]
fn the_running_kiosk_switches_catalog_on_the_welcome_page_never_mid_visit() {
    use onevisit::wiring::production::CatalogWatch;
    use onevisit_core::visit::session::Page;
    use onevisit_ui::SessionController;

    let s = setup();
    let cfg = kiosk_config(s.store.root());
    let mut watch = CatalogWatch::new(&cfg);
    let mut c = SessionController::new(load_dir(&source_catalog()).unwrap());
    assert!(!watch.apply(&mut c), "nothing installed yet");

    // Mid-visit: the update waits; the visit keeps its catalog.
    s.install(&s.package("2026.12-1")).unwrap();
    c.start();
    c.continue_without_card();
    c.choose_bundle("B01");
    assert_ne!(c.page(), Page::Welcome);
    assert!(!watch.apply(&mut c));
    assert_eq!(c.catalog().version.declared, "2026.11-1");
    assert!(!c.replace_catalog(load_dir(&source_catalog()).unwrap()));

    // The visit ends: back on Welcome, the next check switches.
    c.wipe();
    assert!(watch.apply(&mut c));
    assert_eq!(c.catalog().version.declared, "2026.12-1");
    assert_eq!(watch.generation(), 1);
    assert!(!watch.apply(&mut c), "taken once");

    // A rollback is a change too.
    s.store.rollback().unwrap();
    assert!(watch.apply(&mut c));
    assert_eq!(c.catalog().version.declared, "2026.11-1");
}
