//! The `onevisit` binary as a person or systemd runs it, one test binary:
//! its subcommands (capture, catalog, config, form, guide, outbox, print, speak,
//! staff), signed catalog updates, start-up checks, the watchdog,
//! packaging, and kills in the middle of a visit (`crash`).

#[path = "../common/mod.rs"]
mod common;

mod capture;
mod catalog_and_form;
mod catalog_update;
mod config;
mod crash;
mod demo;
mod guide;
mod handwriting;
mod outbox;
mod packaging;
mod print;
mod speak;
mod staff;
mod startup_checks;
mod watchdog;
