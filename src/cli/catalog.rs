//! `onevisit catalog check [DIR]`.

use crate::catalog::{Catalog, load_dir};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CatalogCommand {
    /// Load and validate a catalog; list every error with file and line.
    Check {
        /// The catalog directory (default: $ONEVISIT_CATALOG, the installed
        /// catalog, or the source tree's catalog/).
        dir: Option<PathBuf>,
    },
}

pub fn run(command: CatalogCommand) -> ExitCode {
    match command {
        CatalogCommand::Check { dir } => {
            let dir = dir.unwrap_or_else(Catalog::default_dir);
            match load_dir(&dir) {
                Ok(c) => {
                    println!(
                        "目录有效 (catalog OK): {} — 版本 {}，{} 个部门，{} 个事项，{} 件事，{} 种材料，{} 个字段",
                        dir.display(),
                        c.version,
                        c.departments.len(),
                        c.items.len(),
                        c.bundles.len(),
                        c.materials.len(),
                        c.fields.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    eprint!("{errors}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
