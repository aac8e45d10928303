//! What makes onevisit the terminal's firmware rather than an app: systemd
//! readiness and watchdog keep-alives, and signed catalog updates that are
//! verified, validated and switched atomically, keeping the last good
//! version (docs/operations.md, docs/ARCHITECTURE.md "Firmware").

pub mod package;
pub mod startup;
pub mod store;
pub mod watchdog;

pub use package::{PackageError, SigningKeys, pack, read_package};
pub use store::{CatalogStore, Installed, StoreError};
