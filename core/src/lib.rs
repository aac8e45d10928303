//! onevisit-core: one visit of the 一件事一次办 kiosk as plain Rust on plain
//! data, with no UI toolkit, no async runtime and no HTTP stack.
//!
//! The modules follow the visit's data flow:
//! catalog → guide (questions → notice) → form (one merged form) →
//! visit (session → application → submission → receipt) → outbox (durable
//! queue) / print (documents → ESC/POS and PNG); staff and progress serve
//! hall staff and the 办件查询 page; platform holds the contract types the
//! uplink and the reference platform share.

pub mod applicant;
pub mod calendar;
pub mod catalog;
pub mod fleet;
pub mod fonts;
pub mod form;
pub mod guide;
pub mod outbox;
pub mod platform;
pub mod print;
pub mod progress;
pub mod signing;
pub mod staff;
pub mod visit;

pub use onevisit_drivers::ids;
