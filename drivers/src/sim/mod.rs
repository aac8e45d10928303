//! Simulated devices that speak exactly the real bytes, for tests,
//! development and the demo. They run over PTY pairs so that the drivers'
//! real serial code is the code under test.

pub mod printer;
pub mod pty;
pub mod sam;
pub mod scanner;
