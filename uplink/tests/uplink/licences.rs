//! The form's licence lookup (`Link::licence_lookup`) against the reference
//! platform on loopback: a held licence comes back whole, an unknown one is
//! `None`, a platform that cannot be reached is a retryable error in time.

use crate::common::*;
use onevisit_core::applicant::LicenceSource;
use onevisit_core::platform::PlatformError;
use std::time::{Duration, Instant};

fn lookup(url: &str) -> onevisit_uplink::LicenceLookup {
    let timeout = Duration::from_secs(3);
    onevisit_uplink::Link::new(client(url, timeout))
        .expect("uplink runtime")
        .licence_lookup(timeout)
}

#[test]
fn a_held_licence_comes_back_and_an_unknown_one_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let source = lookup(&srv.url());
    let sample = &onevisit_platform::licences::samples()[0];

    let got = source.licence(&sample.uscc).unwrap().expect("held");
    assert_eq!(got.uscc, sample.uscc);
    assert_eq!(got.name, sample.name);
    assert_eq!(got.address, sample.address);
    assert_eq!(got.entity_type.as_deref(), Some("llc"));
    // Lower case as typed is the same code.
    assert!(
        source
            .licence(&sample.uscc.to_ascii_lowercase())
            .unwrap()
            .is_some()
    );

    assert_eq!(source.licence("91110000100000000X").unwrap(), None);
}

#[test]
fn an_unreachable_platform_is_a_retryable_error_within_the_timeout() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let answer = lookup(&url).licence("91410902MA45PY0H16");
    assert!(
        matches!(answer, Err(PlatformError::Retryable { .. })),
        "{answer:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
