//! onevisit-core's integration tests, one binary (each binary is a link of
//! its own; one keeps a cold `cargo test` short): the catalog and its
//! checks, every guide path, the merged form and its validators, a whole
//! visit through the session and the application, the outbox, printed
//! documents and the print queue, and staff mode's desk. None of them
//! needs a screen, an async runtime or a network.

#[path = "../common/mod.rs"]
mod common;

mod application;
mod catalog_check;
mod catalog_facts;
mod fleet;
mod form;
mod form_reuse;
mod guide_paths;
mod materials_to_bring;
mod notice;
mod notice_sections;
mod outbox;
mod print_documents;
mod print_queue;
mod session;
mod speech;
mod staff;
mod staff_window;
mod validators;
