//! Speed of the outbox and uplink, against the targets:
//! durable enqueue p99 < 10 ms on this machine, drain > 500 submissions/s
//! against the reference platform on loopback, and enqueue and status
//! staying fast with 100 000 submissions queued.
//! Run: `cargo bench -p onevisit-uplink --bench outbox` (prints a table; no criterion
//! statistics because the targets are percentiles and rates).

use onevisit_core::catalog::Catalog;
use onevisit_core::outbox::{Outbox, now_ms};
use onevisit_core::visit::submission::{Submission, example_input};
use onevisit_platform::{self as server, ServerConfig};
use onevisit_uplink::PlatformClient;
use onevisit_uplink::{Uplink, UplinkConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentiles(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    format!(
        "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (n={})",
        p(0.50).as_secs_f64() * 1e3,
        p(0.90).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3,
        v.len()
    )
}

fn enqueue_latency(ob: &Outbox, sub: &Submission, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let mut s = sub.clone();
            let t = Instant::now();
            ob.enqueue(&mut s, &[]).unwrap();
            t.elapsed()
        })
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; nothing to list.
    }
    let catalog = Catalog::load_default().unwrap();
    let (sub, _) = Submission::from_input(&catalog, &example_input()).unwrap();
    println!(
        "submission JSON: {} bytes",
        serde_json::to_vec(&sub).unwrap().len()
    );
    let dir =
        tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let key = [7u8; 32];

    // 1. Durable enqueue latency on an empty queue, with the checkpoints
    // running beside it as the uplink runs them on a kiosk.
    let ob = Arc::new(Outbox::open(&dir.path().join("a.sqlite3"), "K0101", &key).unwrap());
    enqueue_latency(&ob, &sub, 20);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ckpt = {
        let (ob, stop) = (ob.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                ob.checkpoint().unwrap();
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    println!(
        "enqueue (durable, empty queue): {}",
        percentiles(enqueue_latency(&ob, &sub, 1000))
    );

    // 2. Drain throughput against the reference platform on loopback.
    let n = 3000;
    enqueue_latency(&ob, &sub, n - 1020);
    let srv = server::start(
        "127.0.0.1:0".parse().unwrap(),
        ServerConfig::new(dir.path().join("platform.sqlite3")),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
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
            batch: 128,
            heartbeat_every: None,
            ..UplinkConfig::default()
        },
    );
    let pending = ob.pending().unwrap();
    let t = Instant::now();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    rt.block_on(up.run(true, rx)).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "drain: {pending} submissions in {secs:.2} s = {:.0} submissions/s (target > 500)",
        pending as f64 / secs
    );
    srv.stop();

    // 3. 100 000 queued. The rows are bulk-loaded with the real schema and
    // indexes but a small payload, so the bench measures the queue's
    // shape, not 2 GB of disk writes on a shared machine.
    let path = dir.path().join("big.sqlite3");
    let big = Outbox::open(&path, "K0101", &key).unwrap();
    drop(big);
    {
        let mut c = rusqlite::Connection::open(&path).unwrap();
        let tx = c.transaction().unwrap();
        let ms = now_ms();
        for i in 0..100_000 {
            let r = format!("K0101-20200101-{i:06}-X");
            tx.execute(
                "INSERT INTO submissions(receipt, created_ms, bundle, items, state)
                 VALUES (?1, ?2, 'B01', '[]', 'queued')",
                rusqlite::params![r, ms],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO jobs(receipt, kind, key, state, next_attempt_ms, payload, created_ms)
                 VALUES (?1, 'case', ?2, 'queued', ?3, zeroblob(512), ?3)",
                rusqlite::params![r, format!("k{i}"), ms + 3_600_000],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let big = Outbox::open(&path, "K0101", &key).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    ckpt.join().unwrap();
    let big = Arc::new(big);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ckpt = {
        let (ob, stop) = (big.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                ob.checkpoint().unwrap();
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    println!(
        "enqueue with 100k queued: {}",
        percentiles(enqueue_latency(&big, &sub, 300))
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    ckpt.join().unwrap();
    let status: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            let s = big.status().unwrap();
            assert!(s.pending >= 100_000);
            t.elapsed()
        })
        .collect();
    println!("status with 100k queued: {}", percentiles(status));
    let claims: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            big.claim_due(now_ms(), 64).unwrap();
            t.elapsed()
        })
        .collect();
    println!(
        "claim_due with 100k queued (most not due): {}",
        percentiles(claims)
    );
    let looks: Vec<Duration> = (0..200)
        .map(|i| {
            let t = Instant::now();
            big.lookup(&format!("K0101-20200101-{:06}-X", i * 400))
                .unwrap()
                .unwrap();
            t.elapsed()
        })
        .collect();
    println!("lookup by receipt with 100k queued: {}", percentiles(looks));
}
