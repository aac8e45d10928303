//! `onevisit catalog check|keygen|pack|install|rollback|status`.

use crate::config::KioskConfig;
use crate::firmware::{CatalogStore, SigningKeys, pack};
use onevisit_core::catalog::{Catalog, load_dir};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CatalogCommand {
    /// Load and validate a catalog; list every error with file and line.
    Check {
        /// The catalog directory (default: $ONEVISIT_CATALOG, the installed
        /// catalog, or the source tree's catalog/).
        dir: Option<PathBuf>,
    },
    /// Make an ed25519 key pair for signing catalog packages (the hall
    /// keeps the secret; kiosks get the public key).
    Keygen {
        /// Where to write the secret key (created 0600; never overwritten).
        #[arg(long)]
        secret: PathBuf,
        /// Where to write the public key.
        #[arg(long)]
        public: PathBuf,
    },
    /// Validate a catalog and pack it into a signed package.
    Pack {
        /// The catalog directory.
        #[arg(long)]
        catalog: PathBuf,
        /// The secret key (from `catalog keygen`).
        #[arg(long)]
        key: PathBuf,
        /// The package file to write.
        #[arg(long)]
        out: PathBuf,
        /// This release's number, 1 or more and higher than every package
        /// published before: kiosks refuse a package not above the highest
        /// they have installed (replay protection). Required, not derived
        /// from the clock, so that a mis-set clock cannot lock kiosks out.
        #[arg(long)]
        sequence: u64,
    },
    /// Verify, validate and switch to a signed catalog package; the
    /// previous catalog is kept for rollback.
    Install {
        /// The package (from `catalog pack`).
        package: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
        /// The publisher's public key (default: catalog_pubkey_file from the
        /// configuration).
        #[arg(long)]
        pubkey: Option<PathBuf>,
    },
    /// Switch back to the previous catalog (again: undo the rollback).
    Rollback {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Which catalog is in use: generation, current and previous versions.
    Status {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(clap::Args)]
pub struct StoreArgs {
    /// Where updates are installed (default: catalog_root from the
    /// configuration, i.e. <data_dir>/catalog).
    #[arg(long)]
    catalog_root: Option<PathBuf>,
    /// The kiosk configuration (default: $ONEVISIT_CONFIG, else built-in).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl StoreArgs {
    /// The store, and the configuration when one was needed.
    fn open(&self, need_config: bool) -> Result<(CatalogStore, Option<KioskConfig>), ExitCode> {
        let cfg = if need_config || self.catalog_root.is_none() {
            Some(KioskConfig::load(self.config.as_deref()).map_err(|e| {
                eprintln!("configuration: {e}");
                ExitCode::from(2)
            })?)
        } else {
            None
        };
        let root = match (&self.catalog_root, &cfg) {
            (Some(r), _) => r.clone(),
            (None, Some(c)) => c.catalog_root.clone(),
            (None, None) => unreachable!("configuration loaded when no root is given"),
        };
        Ok((CatalogStore::new(root), cfg))
    }
}

fn summary(dir: &Path, c: &Catalog) -> String {
    format!(
        "{} — 版本 {}，{} 个部门，{} 个事项，{} 件事，{} 种材料，{} 个字段",
        dir.display(),
        c.version,
        c.departments.len(),
        c.items.len(),
        c.bundles.len(),
        c.materials.len(),
        c.fields.len()
    )
}

pub fn run(command: CatalogCommand) -> ExitCode {
    match command {
        CatalogCommand::Check { dir } => {
            let dir = dir.unwrap_or_else(Catalog::default_dir);
            match load_dir(&dir) {
                Ok(c) => {
                    println!("目录有效 (catalog OK): {}", summary(&dir, &c));
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    eprint!("{errors}");
                    ExitCode::FAILURE
                }
            }
        }
        CatalogCommand::Keygen { secret, public } => {
            match SigningKeys::generate(&secret, &public) {
                Ok(key) => {
                    println!(
                        "secret key: {} (keep it off the kiosks)\npublic key: {} = {}",
                        secret.display(),
                        public.display(),
                        hex::encode(key.as_bytes())
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        CatalogCommand::Pack {
            catalog,
            key,
            out,
            sequence,
        } => {
            let result =
                SigningKeys::read_secret(&key).and_then(|k| pack(&catalog, &k, sequence, &out));
            match result {
                Ok(m) => {
                    println!(
                        "目录包已生成 (package written): {} — 序号 {}，版本 {} ({})，{} 个文件",
                        out.display(),
                        m.sequence,
                        m.catalog_version,
                        m.content_hash,
                        m.files.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        CatalogCommand::Install {
            package,
            store,
            pubkey,
        } => {
            let (store, cfg) = match store.open(pubkey.is_none()) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let pubkey = pubkey
                .or_else(|| cfg.map(|c| c.catalog_pubkey_file))
                .expect("config loaded when no --pubkey");
            let key = match SigningKeys::read_public(&pubkey) {
                Ok(k) => k,
                Err(e) => return fail(e),
            };
            match store.install(&package, &key) {
                Ok(v) => {
                    println!(
                        "目录已更新 (catalog installed): 序号 {}，版本 {} ({}) in {}; generation {}. \
                         The kiosk switches to it between visits; `onevisit catalog rollback` returns to the previous one.",
                        v.sequence,
                        v.catalog_version,
                        v.content_hash,
                        store.root().join("versions").join(&v.dir).display(),
                        store.generation().unwrap_or_default()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("目录未更新 (catalog NOT installed): {e}");
                    ExitCode::FAILURE
                }
            }
        }
        CatalogCommand::Rollback { store } => {
            let (store, cfg) = match store.open(false) {
                Ok(s) => s,
                Err(code) => return code,
            };
            match store.rollback() {
                Ok(Some(v)) => {
                    println!(
                        "已回退 (rolled back) to 序号 {}，版本 {} ({}), installed {}",
                        v.sequence, v.catalog_version, v.content_hash, v.installed_at
                    );
                    ExitCode::SUCCESS
                }
                Ok(None) => {
                    let packaged = cfg.map_or_else(Catalog::default_dir, |c| c.catalog_dir);
                    println!(
                        "已回退 (rolled back) to the packaged catalog {}",
                        packaged.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("未回退 (not rolled back): {e}");
                    ExitCode::FAILURE
                }
            }
        }
        CatalogCommand::Status { store } => {
            let (store, cfg) = match store.open(false) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let state = match store.state() {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let show = |v: &Option<crate::firmware::Installed>| match v {
                Some(v) => format!(
                    "{} ({}), sequence {}, in {}, installed {}",
                    v.catalog_version,
                    v.content_hash,
                    sequence(v.sequence),
                    store.root().join("versions").join(&v.dir).display(),
                    v.installed_at
                ),
                None => {
                    let packaged = cfg
                        .as_ref()
                        .map_or_else(Catalog::default_dir, |c| c.catalog_dir.clone());
                    format!("the packaged catalog {}", packaged.display())
                }
            };
            println!("catalog root: {}", store.root().display());
            println!("generation: {}", state.generation);
            // The number the publisher's next package must exceed.
            println!(
                "highest sequence installed: {} (a package must be above it)",
                state.highest_sequence
            );
            println!("current: {}", show(&state.current));
            if state.current.is_some() {
                println!("previous: {}", show(&state.previous));
            }
            ExitCode::SUCCESS
        }
    }
}

/// A version's sequence; 0 only in state from before sequences existed.
fn sequence(n: u64) -> String {
    if n == 0 {
        "none (installed before sequence numbers)".into()
    } else {
        n.to_string()
    }
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("{e}");
    ExitCode::FAILURE
}
