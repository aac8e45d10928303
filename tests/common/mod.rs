//! Helpers shared by the outbox, platform and crash tests.
#![allow(dead_code)]

use onevisit::catalog::Catalog;
use onevisit::outbox::Outbox;
use onevisit::platform::PlatformClient;
use onevisit::platform::contract::Listing;
use onevisit::platform::server::{self, Running, ServerConfig};
use onevisit::submission::{Submission, example_input};
use onevisit::uplink::{Uplink, UplinkConfig};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const KEY: [u8; 32] = [42; 32];

pub fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::load_default().expect("catalog"))
}

pub fn example() -> Submission {
    let (s, _) = Submission::from_input(catalog(), &example_input()).expect("example is valid");
    s
}

pub fn outbox(dir: &Path) -> Outbox {
    Outbox::open(&dir.join("outbox.sqlite3"), "K0101", &KEY).expect("outbox")
}

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
    PlatformClient::new(url, "K0101", onevisit::config::DEV_KIOSK_KEY, timeout)
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
