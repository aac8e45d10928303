//! onevisit: the kiosk core.
//!
//! Everything here is UI-free and device-free so it can be tested fast: the
//! catalog (data in `catalog/`), the guide (progressive questionnaire →
//! one notice), and the merged form (one form → one application per item).

pub mod applicant;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod firmware;
pub mod fonts;
pub mod form;
pub mod guide;
pub mod outbox;
pub mod platform;
pub mod print;
pub mod progress;
pub mod staff;
pub mod submission;
pub mod ui;
pub mod uplink;

pub use onevisit_drivers::ids;
