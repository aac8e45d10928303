//! The municipal platform as the kiosk sees it: the contract (shared by
//! the client and the reference server), request signing, the HTTP
//! client, and a reference server for tests and demos.
//! The contract is written down in docs/platform-api.md and docs/openapi.yaml.

pub mod client;
pub mod contract;
pub mod server;
pub mod sign;

pub use client::{PlatformClient, PlatformError};
