//! Page upload throughput on loopback: a 20-page submission (pages captured
//! by the drivers' capture from the simulated camera's desk photos: A4 at
//! 150 dpi, JPEG) queued in the outbox and drained to the reference
//! platform in chunks, as the kiosk sends it. Prints MB/s and pages/s per
//! round and for the chunk sizes compared.
//! Run: `cargo bench -p onevisit-uplink --bench attachments` (prints a
//! table; no criterion statistics: one upload is seconds, not nanoseconds).

use onevisit_core::catalog::Catalog;
use onevisit_core::visit::materials::CapturedPage;
use onevisit_core::visit::submission::{MaterialRef, Submission, example_input};
use onevisit_drivers::camera::scene::Scene;
use onevisit_drivers::camera::sim::SIM_SIZE;
use onevisit_drivers::capture::{CaptureOptions, capture};
use onevisit_platform::{self as server, ServerConfig};
use onevisit_uplink::{DEFAULT_CHUNK, PlatformClient, Uplink, UplinkConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGES: usize = 20;

/// `PAGES` captured pages, each from its own photo (seed), so each has its
/// own hash; and the time capture took.
fn captured_pages(round: u32) -> (Vec<Vec<u8>>, Duration) {
    let (w, h) = SIM_SIZE;
    let options = CaptureOptions::default();
    let mut took = Duration::ZERO;
    let pages = (0..PAGES as u32)
        .map(|i| {
            let tilt = [6.0, -4.0, 3.0, -8.0][i as usize % 4];
            let photo = Scene::page(w, h, tilt, 0.04)
                .with_seed(round * 100 + i + 1)
                .render();
            let t = Instant::now();
            let page = capture(&photo, &options).expect("the page is found");
            took += t.elapsed();
            page.jpeg
        })
        .collect();
    (pages, took)
}

/// The example case citing `pages` as pages of its first four materials.
fn with_pages(sub: &Submission, pages: &[Vec<u8>]) -> Submission {
    let mut sub = sub.clone();
    let ids: Vec<String> = sub.notice["materials"]
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    for (i, b) in pages.iter().enumerate() {
        let m = &ids[i % ids.len()];
        let items = sub.material_items(m);
        let p = CapturedPage::new(b.clone(), 1240, 1754);
        sub.add_material(MaterialRef::for_page(
            m,
            (i / ids.len() + 1) as u32,
            &items,
            &p,
        ))
        .unwrap();
    }
    sub
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; nothing to list.
    }
    let catalog = Catalog::load_default().unwrap();
    let (base, _) = Submission::from_input(&catalog, &example_input()).unwrap();
    let dir =
        tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let srv = server::start(
        "127.0.0.1:0".parse().unwrap(),
        ServerConfig::new(dir.path().join("platform.sqlite3")),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let ob = Arc::new(
        onevisit_core::outbox::Outbox::open(&dir.path().join("outbox.sqlite3"), "K0101", &[7; 32])
            .unwrap(),
    );
    println!("{PAGES}-page submission, reference platform on loopback, one kiosk uplink");
    let mut round = 0;
    for chunk in [DEFAULT_CHUNK, 256 << 10] {
        for _ in 0..3 {
            round += 1;
            let (pages, capture_took) = captured_pages(round);
            let bytes: usize = pages.iter().map(Vec::len).sum();
            let mut sub = with_pages(&base, &pages);
            let t = Instant::now();
            ob.enqueue(&mut sub, &pages).unwrap();
            let enqueue = t.elapsed();
            let client = PlatformClient::new(
                &srv.url(),
                "K0101",
                onevisit_core::platform::sign::DEV_KIOSK_KEY,
                Duration::from_secs(10),
            );
            let up = Uplink::new(
                ob.clone(),
                client,
                UplinkConfig {
                    heartbeat_every: None,
                    chunk_size: chunk,
                    idle_poll: Duration::from_millis(5),
                    ..UplinkConfig::default()
                },
            );
            let (_tx, rx) = tokio::sync::watch::channel(false);
            let t = Instant::now();
            rt.block_on(up.run(true, rx)).unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert!(ob.receipts().unwrap().iter().all(|(_, s)| s == "accepted"));
            println!(
                "chunk {:>3} KiB: {PAGES} pages, {:.2} MB (mean page {} KB, captured in {:.0} ms a page), \
                 enqueue {:.0} ms, upload {:.2} s = {:.2} MB/s, {:.1} pages/s",
                chunk >> 10,
                bytes as f64 / 1e6,
                bytes / PAGES / 1000,
                capture_took.as_secs_f64() * 1e3 / PAGES as f64,
                enqueue.as_secs_f64() * 1e3,
                secs,
                bytes as f64 / 1e6 / secs,
                PAGES as f64 / secs,
            );
        }
    }
    let l =
        server::store::list(&server::store::open(&dir.path().join("platform.sqlite3")).unwrap())
            .unwrap();
    assert_eq!(
        l.materials as usize,
        PAGES * round as usize,
        "each page once"
    );
    srv.stop();
}
