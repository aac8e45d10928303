//! Installed catalog updates, switched atomically, the last good one kept.
//!
//! ```text
//! <catalog_root>/            (default: <data_dir>/catalog)
//!   state.toml               the pointer: generation, current, previous
//!   versions/g000003/        one verified, validated catalog per install
//!   versions/g000002/        the previous one, for rollback
//!   .lock                    held while installing or rolling back
//! ```
//!
//! An install verifies the package, writes it to `versions/.incoming-*`,
//! loads it with the full catalog validation, renames it into place and
//! only then rewrites `state.toml` (temporary file, fsync, rename, fsync of
//! the directory). A crash at any point leaves the old pointer, hence the
//! old catalog. Versions other than current and previous are removed.
//!
//! Replays are refused: `highest_sequence` is the highest package
//! sequence ever installed here, and `install` takes only a package whose
//! signed sequence is above it. A rollback switches directories but never
//! lowers it, so after rolling back from sequence N the package N itself
//! is refused too: the way forward is to roll back again (which undoes
//! the rollback) or a new package numbered above N. That keeps one simple
//! rule ("never anything not newer than the newest ever installed") with
//! no exception an attacker could aim at; the kept previous version is
//! already on the kiosk and needs no package.
//!
//! `current = None` means the packaged catalog (`catalog_dir`); rolling
//! back the first update returns to it. The generation grows with every
//! switch, so the kiosk can ask between visits whether to reload
//! ([`CatalogStore::load_if_changed`]).

use super::package::{PackageError, read_package};
use ed25519_dalek::VerifyingKey;
use onevisit_core::catalog::{Catalog, load_dir};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(
        "目录包已签名但内容无效，未安装，原目录继续使用 (signed, but the catalog is invalid; not installed, the old catalog stays in use):\n{0}"
    )]
    InvalidCatalog(String),
    #[error(
        "目录包序号{offered}不大于本机已安装过的最高序号{highest}，拒绝安装旧包或重放包，原目录继续使用 \
         (package sequence {offered} is not above {highest}, the highest ever installed here: \
         an old or replayed package; not installed, the old catalog stays in use)"
    )]
    Replay { offered: u64, highest: u64 },
    #[error("没有可回退的目录版本 (nothing to roll back to): {0}")]
    NothingToRollBack(String),
    #[error("另一个目录安装正在进行 (another install or rollback is running on {0})")]
    Busy(PathBuf),
    #[error("{0}")]
    Io(String),
}

fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("{}: {e}", path.display()))
}

/// One installed catalog version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Installed {
    /// Its directory under `versions/`.
    pub dir: String,
    /// The package's signed sequence number (0 in a state file written
    /// before sequences existed).
    #[serde(default)]
    pub sequence: u64,
    /// The declared version and content hash from the signed manifest.
    pub catalog_version: String,
    pub content_hash: String,
    /// RFC 3339, when it was installed here.
    pub installed_at: String,
}

/// `state.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreState {
    /// 0 = nothing ever installed; +1 at every install and rollback.
    pub generation: u64,
    /// The highest package sequence ever installed (0: none). Only an
    /// install raises it; nothing lowers it, rollback included. Absent in
    /// state files from before sequences, hence the default.
    #[serde(default)]
    pub highest_sequence: u64,
    /// None: the packaged catalog.
    pub current: Option<Installed>,
    /// What a rollback returns to (None: the packaged catalog).
    pub previous: Option<Installed>,
}

/// The catalog update store under one root directory.
#[derive(Debug, Clone)]
pub struct CatalogStore {
    root: PathBuf,
}

/// Held while changing the store (flock on `.lock`; released on drop).
struct Lock(#[allow(dead_code)] std::fs::File);

impl CatalogStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        CatalogStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn state_path(&self) -> PathBuf {
        self.root.join("state.toml")
    }

    fn versions(&self) -> PathBuf {
        self.root.join("versions")
    }

    fn dir_of(&self, v: &Installed) -> PathBuf {
        self.versions().join(&v.dir)
    }

    /// The pointer as it is on disk (an absent file: nothing installed).
    pub fn state(&self) -> Result<StoreState, StoreError> {
        let path = self.state_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| io(&path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StoreState::default()),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Grows at every switch; compare with the generation loaded.
    pub fn generation(&self) -> Result<u64, StoreError> {
        Ok(self.state()?.generation)
    }

    /// The directory of the current installed catalog, or None when the
    /// packaged catalog is in use.
    pub fn current_dir(&self) -> Result<Option<PathBuf>, StoreError> {
        Ok(self.state()?.current.map(|v| self.dir_of(&v)))
    }

    /// The directory the kiosk should load: the current update, else
    /// `packaged`.
    pub fn active_dir(&self, packaged: &Path) -> Result<PathBuf, StoreError> {
        Ok(self
            .current_dir()?
            .unwrap_or_else(|| packaged.to_path_buf()))
    }

    /// For the kiosk, between visits: when the generation differs from
    /// `loaded`, loads the active catalog and returns it with its
    /// generation. An error leaves the caller on the catalog it has.
    pub fn load_if_changed(
        &self,
        loaded: u64,
        packaged: &Path,
    ) -> Result<Option<(u64, Catalog)>, StoreError> {
        let state = self.state()?;
        if state.generation == loaded {
            return Ok(None);
        }
        let dir = match &state.current {
            Some(v) => self.dir_of(v),
            None => packaged.to_path_buf(),
        };
        let catalog = load_dir(&dir).map_err(|e| StoreError::InvalidCatalog(e.to_string()))?;
        Ok(Some((state.generation, catalog)))
    }

    fn lock(&self) -> Result<Lock, StoreError> {
        std::fs::create_dir_all(self.versions()).map_err(|e| io(&self.versions(), e))?;
        let path = self.root.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a file descriptor we own for the call's duration.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return Err(StoreError::Busy(self.root.clone()));
        }
        Ok(Lock(file))
    }

    fn write_state(&self, state: &StoreState) -> Result<(), StoreError> {
        let path = self.state_path();
        let tmp = self.root.join("state.toml.tmp");
        let text = toml::to_string(state).map_err(|e| io(&path, e))?;
        let mut f = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(text.as_bytes()).map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
        sync_dir(&self.root)
    }

    /// Verifies, validates and switches to the package at `package`.
    /// Anything wrong leaves the current catalog in place.
    pub fn install(&self, package: &Path, key: &VerifyingKey) -> Result<Installed, StoreError> {
        // Verify before touching the store at all.
        let verified = read_package(package, key)?;
        let _lock = self.lock()?;
        self.remove_incoming();
        let mut state = self.state()?;
        // Read under the lock: two installs cannot both pass this check.
        if verified.manifest.sequence <= state.highest_sequence {
            return Err(StoreError::Replay {
                offered: verified.manifest.sequence,
                highest: state.highest_sequence,
            });
        }
        let generation = state.generation + 1;
        let incoming = self
            .versions()
            .join(format!(".incoming-{}", std::process::id()));
        std::fs::create_dir(&incoming).map_err(|e| io(&incoming, e))?;
        let result = (|| {
            let mut dirs = vec![incoming.clone()];
            for (rel, bytes) in &verified.files {
                let path = incoming.join(rel);
                let parent = path.parent().expect("inside incoming").to_path_buf();
                if !parent.exists() {
                    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
                    dirs.push(parent);
                }
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .map_err(|e| io(&path, e))?;
                f.write_all(bytes).map_err(|e| io(&path, e))?;
                f.sync_all().map_err(|e| io(&path, e))?;
            }
            for d in &dirs {
                sync_dir(d)?;
            }
            let catalog =
                load_dir(&incoming).map_err(|e| StoreError::InvalidCatalog(e.to_string()))?;
            if catalog.version.declared != verified.manifest.catalog_version
                || catalog.version.content_hash != verified.manifest.content_hash
            {
                return Err(StoreError::Package(PackageError::Mismatch(format!(
                    "the manifest says version {} ({}), the files are {}",
                    verified.manifest.catalog_version,
                    verified.manifest.content_hash,
                    catalog.version
                ))));
            }
            Ok(catalog)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_dir_all(&incoming);
            return Err(e);
        }
        let name = format!("g{generation:06}");
        let target = self.versions().join(&name);
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| io(&target, e))?;
        }
        std::fs::rename(&incoming, &target).map_err(|e| io(&target, e))?;
        sync_dir(&self.versions())?;
        let installed = Installed {
            dir: name,
            sequence: verified.manifest.sequence,
            catalog_version: verified.manifest.catalog_version.clone(),
            content_hash: verified.manifest.content_hash.clone(),
            installed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        state.previous = state.current.take();
        state.current = Some(installed.clone());
        state.generation = generation;
        state.highest_sequence = verified.manifest.sequence;
        self.write_state(&state)?;
        self.prune(&state);
        Ok(installed)
    }

    /// Switches back to the previous version (or the packaged catalog when
    /// the current one is the first update). Rolling back twice returns to
    /// where it started. Returns the new current (None: packaged).
    /// `highest_sequence` stays as it is (see the module doc).
    pub fn rollback(&self) -> Result<Option<Installed>, StoreError> {
        let _lock = self.lock()?;
        let mut state = self.state()?;
        if state.current.is_none() {
            return Err(StoreError::NothingToRollBack(
                "no update is installed; the packaged catalog is in use".into(),
            ));
        }
        if let Some(prev) = &state.previous {
            let dir = self.dir_of(prev);
            load_dir(&dir).map_err(|e| StoreError::InvalidCatalog(e.to_string()))?;
        }
        std::mem::swap(&mut state.current, &mut state.previous);
        state.generation += 1;
        self.write_state(&state)?;
        Ok(state.current)
    }

    /// Removes leftovers of interrupted installs (under the lock).
    fn remove_incoming(&self) {
        if let Ok(entries) = std::fs::read_dir(self.versions()) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(".incoming-") {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }

    /// Keeps only current and previous.
    fn prune(&self, state: &StoreState) {
        let keep: Vec<&str> = [&state.current, &state.previous]
            .into_iter()
            .flatten()
            .map(|v| v.dir.as_str())
            .collect();
        if let Ok(entries) = std::fs::read_dir(self.versions()) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with('g') && !keep.contains(&name.as_str()) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))
}
