//! The uplink against the reference platform on loopback, one binary:
//! signing, replay, idempotency, outages (`platform`), 办件查询 online and
//! offline (`progress`), the form's licence lookup (`licences`), and what acceptance does to the outbox and the
//! heartbeats (`after_acceptance`).

#[path = "../../../tests/common/mod.rs"]
mod common;

mod after_acceptance;
mod attachments;
mod fleet;
mod licences;
mod platform;
mod progress;
