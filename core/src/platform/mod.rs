//! The municipal platform as the kiosk sees it: the contract types shared
//! by the uplink (the kiosk's client) and the reference platform, request
//! signing, and how a request can fail. The contract is written down in
//! docs/platform-api.md and docs/openapi.yaml; the HTTP client lives in the
//! `onevisit-uplink` crate, the reference server in `onevisit-platform`.

pub mod contract;
mod error;
pub mod sign;

pub use error::PlatformError;
