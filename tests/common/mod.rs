//! Test helpers for the binaries that talk to the reference platform (the
//! uplink's, the UI's and the binary's): everything of the core's helpers
//! (core/tests/common) plus a platform on loopback, a client and an uplink
//! with short backoffs, and a drain.
#![allow(dead_code)]

#[path = "../../core/tests/common/mod.rs"]
mod core_common;
pub use core_common::*;

use onevisit_core::outbox::Outbox;
use onevisit_core::platform::contract::Listing;
use onevisit_platform::{self as server, Running, ServerConfig};
use onevisit_uplink::{PlatformClient, Uplink, UplinkConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub fn server(dir: &Path, tweak: impl FnOnce(&mut ServerConfig)) -> Running {
    let mut cfg = ServerConfig::new(dir.join("platform.sqlite3"));
    tweak(&mut cfg);
    server::start("127.0.0.1:0".parse().unwrap(), cfg).expect("server starts")
}

pub fn listing(dir: &Path) -> Listing {
    let c = server::store::open(&dir.join("platform.sqlite3")).unwrap();
    server::store::list(&c).unwrap()
}

pub fn client(url: &str, timeout: Duration) -> PlatformClient {
    PlatformClient::new(
        url,
        "K0101",
        onevisit_core::platform::sign::DEV_KIOSK_KEY,
        timeout,
    )
}

/// An uplink with short backoffs so tests do not wait long.
pub fn uplink(outbox: Arc<Outbox>, url: &str) -> Uplink {
    let cfg = UplinkConfig {
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(400),
        heartbeat_every: None,
        idle_poll: Duration::from_millis(20),
        ..UplinkConfig::default()
    };
    Uplink::new(outbox, client(url, Duration::from_millis(1500)), cfg)
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Drains the outbox (until empty) within `secs`, panicking otherwise.
pub fn drain(rt: &tokio::runtime::Runtime, up: &Uplink, secs: u64) {
    let (_tx, rx) = tokio::sync::watch::channel(false);
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(secs), up.run(true, rx))
            .await
            .expect("drained in time")
            .expect("no outbox error")
    });
}

/// A port nobody listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The progress query's platform lookup through a [`onevisit_uplink::Link`]
/// of its own (one runtime, one client), as the kiosk wires it.
pub fn status_lookup(
    url: &str,
    timeout: Duration,
) -> Arc<dyn onevisit_core::progress::CaseStatusSource> {
    let link = onevisit_uplink::Link::new(client(url, timeout)).expect("uplink runtime");
    Arc::new(link.status_lookup(timeout))
}
