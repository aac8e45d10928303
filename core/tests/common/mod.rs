//! Test helpers shared by every test binary of the workspace (the core's,
//! the uplink's, the UI's and the binary's): the shipped catalog, the
//! example submission, an outbox, the sample ID card, and a whole visit
//! driven through the session (`visit`). Other crates include this file
//! with `#[path]`, so it uses nothing but onevisit-core and the drivers.
#![allow(dead_code)]

pub mod visit;

use onevisit_core::applicant::CardData;
use onevisit_core::catalog::Catalog;
use onevisit_core::outbox::Outbox;
use onevisit_core::visit::submission::{Submission, example_input};
use onevisit_drivers::sim::sam::TestCard;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const KEY: [u8; 32] = [42; 32];

/// The B01 answers of the screenshots and the demo: a new company
/// restaurant without lodging or works.
pub const B01_ANSWERS: [&str; 4] = ["new", "company", "no", "no"];

/// The workspace root (the folder with catalog/ and tests/fixtures/),
/// wherever the including crate sits in it.
pub fn repo_root() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("catalog/catalog.toml").exists() {
        assert!(
            dir.pop(),
            "no catalog/ above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
    dir
}

pub fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::load_default().expect("catalog"))
}

pub fn example() -> Submission {
    let (s, _) = Submission::from_input(catalog(), &example_input()).expect("example is valid");
    s
}

pub fn outbox(dir: &Path) -> Outbox {
    Outbox::open(&dir.join("outbox.sqlite3"), "K0101", &KEY).expect("outbox")
}

/// The resident card the simulated reader holds first.
pub fn sample_card() -> CardData {
    CardData::from(&TestCard::Resident.record())
}
