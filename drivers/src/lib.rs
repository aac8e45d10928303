//! Device protocols for the onevisit kiosk.
//!
//! This crate knows bytes and devices, nothing about bundles or forms:
//! every device sits behind a small transport trait, so the same protocol
//! code runs over serial ports, USB and the byte-exact simulators used in
//! tests, development and the demo.

pub mod ids;
pub mod transport;
