//! One applicant's visit, as a state machine on plain data:
//! session (pages, card, consent, answers, idle wipe) → application (the
//! merged form's values, materials, 容缺, declaration) → submission (what
//! the platform receives) → the outbox → receipt and print jobs.
//!
//! The UI crate mirrors a [`Session`] into its screens and forwards taps;
//! the CLI and the tests run the same visit without any screen.

pub mod application;
pub mod help;
pub mod materials;
pub mod printing;
pub mod remote;
pub mod session;
pub mod speech;
pub mod staff_mode;
pub mod submission;

pub use application::{Application, FieldPath};
pub use materials::{CaptureError, CaptureTarget, CapturedPage, HeldLicence, MaterialSet};
pub use printing::PrintFailure;
pub use session::{CardState, Done, Page, PrintStatus, SessionController};
pub use speech::Utterance;
pub use staff_mode::{StaffMode, StaffServices};

/// The visit's state machine; `SessionController` is its older name.
pub type Session = SessionController;
