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
use onevisit_core::staff::{ManualClock, PaperSettings, StaffDesk};
use onevisit_core::visit::submission::{Submission, example_input};
use onevisit_drivers::sim::sam::TestCard;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

/// A staff desk's clock start (2027-01-15 16:00 in UTC+8).
pub const T0: i64 = 1_800_000_000_000;

/// A staff desk in `dir` with a short test roll (10 m, near end at 1.5 m).
pub fn desk(dir: &Path, clock: Arc<ManualClock>) -> StaffDesk {
    let settings = PaperSettings {
        roll_length_mm: 10_000.0,
        near_end_remaining_mm: 1_500.0,
        low_visits: 30,
    };
    StaffDesk::open(dir, settings, clock).unwrap()
}

/// Receipt number `n` of kiosk K0101 on 2026-11-29.
pub fn receipt(n: u32) -> String {
    onevisit_core::outbox::receipt::format("K0101", "20261129", n)
}

/// A copy of the directory tree `from` at `to` (a catalog to break).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
