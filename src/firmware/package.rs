//! Signed catalog packages: how a hall publishes a new catalog.
//!
//! A package is a plain tar file (inspect it with `tar tvf`) holding, in
//! this order:
//!
//! - `manifest.toml` — the format tag, the publisher's sequence number,
//!   the catalog's declared version and content hash, when it was packed,
//!   and every file: its path under the catalog directory, size and
//!   SHA-256;
//! - `manifest.sig` — the ed25519 signature of `manifest.toml`'s exact
//!   bytes, as 128 hex digits;
//! - `catalog/<path>` — each file the manifest lists, nothing else.
//!
//! [`read_package`] trusts nothing before the signature: entries must be
//! regular files with plain relative paths (no `..`, no absolute paths, no
//! links or devices), sizes are bounded, the signature is checked with the
//! kiosk's public key, then every file against the manifest. Only then are
//! the files handed out, as bytes; the store writes them itself.
//!
//! The sequence number is what stops replays: a package that was validly
//! signed once stays valid for ever, so the signature alone cannot stop
//! an old package (say one with a known mistake) from being installed
//! again. The store remembers the highest sequence it ever installed and
//! refuses anything not above it ([`super::store`]). Format /1 had no
//! sequence; such packages are refused with a request to repack, since
//! accepting them would reopen the very replay the sequence closes.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use onevisit_core::catalog::load_dir;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

pub const FORMAT: &str = "onevisit-catalog-package/2";
/// The format before sequence numbers: recognised only to say "repack".
pub const FORMAT_V1: &str = "onevisit-catalog-package/1";
/// A catalog is ~100 KB; refuse anything absurd before reading it.
pub const MAX_PACKAGE_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_FILES: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{0}")]
    Io(String),
    #[error(
        "目录包签名无效 (bad signature: not signed with the key this kiosk trusts, or altered)"
    )]
    BadSignature,
    #[error("目录包格式错误 (malformed package): {0}")]
    Malformed(String),
    #[error("目录包内容与清单不符 (package content does not match its signed manifest): {0}")]
    Mismatch(String),
    #[error("密钥文件错误 (key file): {0}")]
    Key(String),
    #[error("{0}")]
    InvalidCatalog(String),
    #[error("目录包序号错误 (package sequence): {0}")]
    Sequence(String),
}

/// `manifest.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    /// The publisher's release number, ≥ 1, higher for every package
    /// published; signed with the rest, so it cannot be edited.
    pub sequence: u64,
    /// The catalog's declared version (`catalog.toml`).
    pub catalog_version: String,
    /// The catalog's content hash, as notices and submissions carry it.
    pub content_hash: String,
    /// RFC 3339, when it was packed (informational).
    pub created: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Relative to the catalog directory, `/`-separated.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// A verified package: its manifest and each file's bytes by path.
#[derive(Debug)]
pub struct VerifiedPackage {
    pub manifest: Manifest,
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

/// An ed25519 key pair on disk: the secret as 64 hex digits (the seed),
/// the public key as 64 hex digits.
pub struct SigningKeys;

impl SigningKeys {
    /// Writes a new key pair. Refuses to overwrite either file; the secret
    /// is created with mode 0600.
    pub fn generate(secret: &Path, public: &Path) -> Result<VerifyingKey, PackageError> {
        for p in [secret, public] {
            if p.exists() {
                return Err(PackageError::Key(format!(
                    "{} exists; not overwriting a key",
                    p.display()
                )));
            }
        }
        let seed: [u8; 32] = rand::random();
        let key = SigningKey::from_bytes(&seed);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(secret)
            .map_err(|e| PackageError::Key(format!("{}: {e}", secret.display())))?;
        std::io::Write::write_all(&mut f, format!("{}\n", hex::encode(seed)).as_bytes())
            .map_err(|e| PackageError::Key(format!("{}: {e}", secret.display())))?;
        let public_key = key.verifying_key();
        std::fs::write(public, format!("{}\n", hex::encode(public_key.as_bytes())))
            .map_err(|e| PackageError::Key(format!("{}: {e}", public.display())))?;
        Ok(public_key)
    }

    pub fn read_secret(path: &Path) -> Result<SigningKey, PackageError> {
        Ok(SigningKey::from_bytes(&read_hex32(path, "secret key")?))
    }

    pub fn read_public(path: &Path) -> Result<VerifyingKey, PackageError> {
        VerifyingKey::from_bytes(&read_hex32(path, "public key")?).map_err(|e| {
            PackageError::Key(format!(
                "{}: not an ed25519 public key: {e}",
                path.display()
            ))
        })
    }
}

fn read_hex32(path: &Path, what: &str) -> Result<[u8; 32], PackageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| PackageError::Key(format!("{what} {}: {e}", path.display())))?;
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            PackageError::Key(format!(
                "{what} {}: must be 64 hex digits (made by `onevisit catalog keygen`)",
                path.display()
            ))
        })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every regular file under `dir` (hidden ones skipped), sorted by path.
fn catalog_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, PackageError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), PackageError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| PackageError::Io(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| PackageError::Io(format!("{}: {e}", dir.display())))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry
                .file_type()
                .map_err(|e| PackageError::Io(format!("{}: {e}", path.display())))?;
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else if kind.is_file() {
                let rel = path.strip_prefix(root).expect("under root");
                let rel = rel
                    .to_str()
                    .ok_or_else(|| {
                        PackageError::Io(format!("{}: name is not UTF-8", path.display()))
                    })?
                    .replace(std::path::MAIN_SEPARATOR, "/");
                out.push((rel, path));
            } else {
                return Err(PackageError::Io(format!(
                    "{}: not a regular file (links are not packed)",
                    path.display()
                )));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Packs and signs the catalog in `dir` into `out` as release `sequence`
/// (≥ 1; kiosks install only sequences above every one they have had).
/// The catalog is fully validated first: an invalid catalog is never
/// packed.
pub fn pack(
    dir: &Path,
    key: &SigningKey,
    sequence: u64,
    out: &Path,
) -> Result<Manifest, PackageError> {
    if sequence == 0 {
        // 0 is the store's "nothing installed yet": a package numbered 0
        // could never be installed anywhere.
        return Err(PackageError::Sequence(
            "序号必须从1开始 (the sequence must be 1 or more)".into(),
        ));
    }
    let catalog = load_dir(dir).map_err(|e| PackageError::InvalidCatalog(e.to_string()))?;
    let mut files = Vec::new();
    let mut contents = Vec::new();
    for (rel, path) in catalog_files(dir)? {
        let bytes = std::fs::read(&path)
            .map_err(|e| PackageError::Io(format!("{}: {e}", path.display())))?;
        files.push(ManifestFile {
            path: rel.clone(),
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        });
        contents.push((rel, bytes));
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        sequence,
        catalog_version: catalog.version.declared.clone(),
        content_hash: catalog.version.content_hash.clone(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        files,
    };
    let manifest_text = toml::to_string(&manifest)
        .map_err(|e| PackageError::Io(format!("manifest: {e}")))?
        .into_bytes();
    let signature = key.sign(&manifest_text);
    let sig_text = format!("{}\n", hex::encode(signature.to_bytes())).into_bytes();

    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp)
        .map_err(|e| PackageError::Io(format!("{}: {e}", tmp.display())))?;
    let mut tar = tar::Builder::new(file);
    let mut append = |name: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, bytes)
            .map_err(|e| PackageError::Io(format!("{}: {name}: {e}", out.display())))
    };
    append("manifest.toml", &manifest_text)?;
    append("manifest.sig", &sig_text)?;
    for (rel, bytes) in &contents {
        append(&format!("catalog/{rel}"), bytes)?;
    }
    let file = tar
        .into_inner()
        .map_err(|e| PackageError::Io(format!("{}: {e}", tmp.display())))?;
    file.sync_all()
        .map_err(|e| PackageError::Io(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, out).map_err(|e| PackageError::Io(format!("{}: {e}", out.display())))?;
    Ok(manifest)
}

/// A path inside the package, checked: relative, plain components only.
fn safe_relative(raw: &[u8]) -> Result<PathBuf, PackageError> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| PackageError::Malformed("an entry name is not UTF-8".into()))?;
    let path = Path::new(text);
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => {
                return Err(PackageError::Malformed(format!(
                    "entry {text:?} leaves the package directory (absolute path or ..)"
                )));
            }
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(PackageError::Malformed(format!(
            "entry {text:?} has no name"
        )));
    }
    Ok(clean)
}

/// The format tag alone, read before the whole manifest so that an older
/// package gets "repack it" rather than a complaint about a missing field.
fn check_format(manifest: &str) -> Result<(), PackageError> {
    #[derive(Deserialize)]
    struct Tag {
        format: String,
    }
    let tag: Tag = toml::from_str(manifest)
        .map_err(|e| PackageError::Malformed(format!("manifest.toml: {e}")))?;
    if tag.format == FORMAT_V1 {
        return Err(PackageError::Sequence(format!(
            "旧格式目录包没有序号，防重放检查无法进行，请用 `onevisit catalog pack --sequence N` 重新打包 \
             (format {FORMAT_V1:?} has no sequence number, so replays cannot be refused; repack it)"
        )));
    }
    if tag.format != FORMAT {
        return Err(PackageError::Malformed(format!(
            "format {:?}; this kiosk reads {FORMAT:?}",
            tag.format
        )));
    }
    Ok(())
}

/// Reads and verifies a package: structure, signature, then every file
/// against the signed manifest.
pub fn read_package(path: &Path, key: &VerifyingKey) -> Result<VerifiedPackage, PackageError> {
    let file = std::fs::File::open(path)
        .map_err(|e| PackageError::Io(format!("{}: {e}", path.display())))?;
    let len = file
        .metadata()
        .map_err(|e| PackageError::Io(format!("{}: {e}", path.display())))?
        .len();
    if len > MAX_PACKAGE_BYTES {
        return Err(PackageError::Malformed(format!(
            "{len} bytes; larger than the {MAX_PACKAGE_BYTES} a catalog package may be"
        )));
    }
    let mut archive = tar::Archive::new(file.take(MAX_PACKAGE_BYTES));
    let mut manifest_bytes = None;
    let mut sig_bytes = None;
    let mut files: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let entries = archive
        .entries()
        .map_err(|e| PackageError::Malformed(format!("not a tar file: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| PackageError::Malformed(format!("not a tar file: {e}")))?;
        let name = safe_relative(&entry.path_bytes())?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(PackageError::Malformed(format!(
                "entry {} is a {kind:?}, not a regular file (links and devices are refused)",
                name.display()
            )));
        }
        if files.len() >= MAX_FILES {
            return Err(PackageError::Malformed(format!(
                "more than {MAX_FILES} files"
            )));
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| PackageError::Malformed(format!("{}: {e}", name.display())))?;
        if name == Path::new("manifest.toml") {
            manifest_bytes = Some(bytes);
        } else if name == Path::new("manifest.sig") {
            sig_bytes = Some(bytes);
        } else if let Ok(rel) = name.strip_prefix("catalog") {
            if rel.as_os_str().is_empty() {
                return Err(PackageError::Malformed("entry catalog is a file".into()));
            }
            if files.insert(rel.to_path_buf(), bytes).is_some() {
                return Err(PackageError::Malformed(format!(
                    "entry {} appears twice",
                    name.display()
                )));
            }
        } else {
            return Err(PackageError::Malformed(format!(
                "unexpected entry {} (only manifest.toml, manifest.sig and catalog/…)",
                name.display()
            )));
        }
    }
    let manifest_bytes =
        manifest_bytes.ok_or_else(|| PackageError::Malformed("no manifest.toml".into()))?;
    let sig_bytes = sig_bytes.ok_or_else(|| {
        PackageError::Malformed("no manifest.sig: the package is not signed".into())
    })?;
    let signature = std::str::from_utf8(&sig_bytes)
        .ok()
        .and_then(|t| hex::decode(t.trim()).ok())
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| PackageError::Malformed("manifest.sig is not 128 hex digits".into()))?;
    key.verify(&manifest_bytes, &signature)
        .map_err(|_| PackageError::BadSignature)?;

    // From here on the manifest is the publisher's word.
    let manifest_text = std::str::from_utf8(&manifest_bytes)
        .map_err(|e| PackageError::Malformed(format!("manifest.toml: {e}")))?;
    check_format(manifest_text)?;
    let manifest: Manifest = toml::from_str(manifest_text)
        .map_err(|e| PackageError::Malformed(format!("manifest.toml: {e}")))?;
    if manifest.sequence == 0 {
        return Err(PackageError::Sequence(
            "序号为0，无法安装 (sequence 0 is never installable)".into(),
        ));
    }
    let mut listed = std::collections::BTreeSet::new();
    for f in &manifest.files {
        let rel = safe_relative(f.path.as_bytes())?;
        let bytes = files
            .get(&rel)
            .ok_or_else(|| PackageError::Mismatch(format!("{} is listed but missing", f.path)))?;
        if bytes.len() as u64 != f.size || sha256_hex(bytes) != f.sha256 {
            return Err(PackageError::Mismatch(format!(
                "{} differs from its signed checksum",
                f.path
            )));
        }
        listed.insert(rel);
    }
    if let Some(extra) = files.keys().find(|p| !listed.contains(*p)) {
        return Err(PackageError::Mismatch(format!(
            "catalog/{} is not in the signed manifest",
            extra.display()
        )));
    }
    Ok(VerifiedPackage { manifest, files })
}
