//! The `onevisit` binary's library: the CLI, config loading, the firmware
//! (watchdog, start-up checks, signed catalog packages) and the wiring that
//! puts drivers, core, uplink, the reference platform and the UI together.
//! No rule of the visit lives here; see `onevisit-core`.

pub mod cli;
pub mod config;
pub mod firmware;
pub mod wiring;
