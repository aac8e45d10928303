//! Device protocols for the onevisit kiosk.
//!
//! This crate knows bytes and devices, nothing about bundles or forms:
//! every device sits behind a small transport trait, so the same protocol
//! code runs over serial ports, USB and the byte-exact simulators used in
//! tests, development and the demo.

pub mod camera;
pub mod capture;
pub mod escpos;
pub mod handwriting;
pub mod idcard;
pub mod ids;
pub mod manager;
pub mod printer;
pub mod sam;
pub mod scanner;
pub mod sim;
pub mod speech;
pub mod transport;
