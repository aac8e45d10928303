//! The promise under SIGKILL: a child process queues submissions and
//! uploads them while being killed at random moments and restarted; at the
//! end every submission the kiosk acknowledged (printed its receipt for)
//! exists exactly once at the reference platform, and nothing the kiosk
//! did not queue appears there.
//!
//! `the_uplink_killed_mid_upload_files_every_case_exactly_once` kills only
//! the sending half (`onevisit uplink`) mid-upload against a slow platform.
//!
//! `a_twenty_page_submission_killed_mid_upload_arrives_whole_once` kills
//! the uplink during the chunked upload of a 20-page submission's pages:
//! every page arrives once, byte for byte, and the case once.
//!
//! The default run does a short version; the long ones (1000 kills, and
//! the page upload on a slower platform killed up to 100 times) run with
//! `cargo test --test cli crash -- --ignored`, or any count with
//! `ONEVISIT_CRASH_KILLS=N`.

use crate::common::*;
use onevisit_platform::FaultSettings;
use rand::Rng;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_onevisit")
}

fn kiosk_args(cmd: &mut Command, data: &std::path::Path, url: &str) {
    cmd.arg("--data-dir")
        .arg(data)
        .arg("--platform")
        .arg(url)
        .env_remove("ONEVISIT_CONFIG")
        .env_remove("ONEVISIT_PRODUCTION");
}

/// Restarts the uplink once more and lets it finish, then checks the
/// promise: every case at the platform once (one idempotency key each),
/// and exactly what the outbox queued is there, all accepted.
fn drain_and_check(
    dir: &std::path::Path,
    data: &std::path::Path,
    srv: &onevisit_platform::Running,
) {
    let mut cmd = Command::new(bin());
    cmd.args([
        "uplink",
        "--until-empty",
        "--no-heartbeat",
        "--deadline-secs",
        "120",
    ]);
    kiosk_args(&mut cmd, data, &srv.url());
    let status = cmd.stderr(Stdio::null()).status().unwrap();
    assert!(status.success(), "final drain: {status}");

    let l = listing(dir);
    let at_platform: Vec<String> = l.cases.iter().map(|c| c.receipt.clone()).collect();
    let unique: BTreeSet<String> = at_platform.iter().cloned().collect();
    assert_eq!(at_platform.len(), unique.len(), "a receipt filed twice");
    let keys: BTreeSet<&str> = l.cases.iter().map(|c| c.idempotency_key.as_str()).collect();
    assert_eq!(keys.len(), l.cases.len(), "an idempotency key used twice");
    // Everything at the platform was queued by the kiosk, and everything
    // queued (acknowledged or cut off just before) arrived.
    let ob = outbox(data); // data key differs: only receipts and states are read
    let queued: BTreeSet<String> = ob.receipts().unwrap().into_iter().map(|r| r.0).collect();
    assert_eq!(unique, queued);
    assert!(ob.receipts().unwrap().iter().all(|(_, s)| s == "accepted"));
}

fn example_file(dir: &std::path::Path) -> std::path::PathBuf {
    let input = dir.join("submission.json");
    std::fs::write(
        &input,
        serde_json::to_string(&onevisit_core::visit::submission::example_input()).unwrap(),
    )
    .unwrap();
    input
}

fn crash_run(kills: usize) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kiosk");
    // Some answers are lost on the wire after the platform did the work:
    // the retry must then be recognised, not filed again.
    let srv = server(dir.path(), |c| {
        c.faults = FaultSettings {
            drop_rate: 0.2,
            error_rate: 0.05,
            ..FaultSettings::default()
        }
    });
    let input = example_file(dir.path());
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let mut rng = rand::rng();
    let started = Instant::now();
    for _ in 0..kills {
        let mut cmd = Command::new(bin());
        cmd.args([
            "outbox",
            "soak",
            "--count",
            "100000",
            "--timeout-ms",
            "1000",
            "--file",
        ])
        .arg(&input);
        kiosk_args(&mut cmd, &data, &srv.url());
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let sink = acked.clone();
        let reader = std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut line = Vec::new();
            // Only complete lines count: a receipt cut off by the kill was
            // never shown to the applicant.
            while r.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                if line.ends_with(b"\n") {
                    let s = String::from_utf8_lossy(&line).trim().to_string();
                    sink.lock().unwrap().insert(s);
                }
                line.clear();
            }
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(50..700)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
    }
    drain_and_check(dir.path(), &data, &srv);
    srv.stop();

    let acked = acked.lock().unwrap().clone();
    let l = listing(dir.path());
    let unique: BTreeSet<String> = l.cases.iter().map(|c| c.receipt.clone()).collect();
    let missing: Vec<&String> = acked.difference(&unique).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but never arrived: {missing:?}"
    );
    assert!(
        acked.len() >= kills / 2,
        "too few acknowledged to mean anything: {}",
        acked.len()
    );
    // One answer in five is cut off after the platform stored the case, so
    // with this many cases some retries must have been recognised.
    if unique.len() >= 40 {
        assert!(
            l.duplicates_refused > 0,
            "no retry was ever recognised as a duplicate"
        );
    }
    eprintln!(
        "{kills} kills in {:?}: {} acknowledged, {} at the platform, {} duplicate requests refused",
        started.elapsed(),
        acked.len(),
        unique.len(),
        l.duplicates_refused
    );
}

#[test]
fn killed_at_random_moments_nothing_lost_nothing_duplicated() {
    let kills = std::env::var("ONEVISIT_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    crash_run(kills);
}

#[test]
#[ignore = "long: 1000 SIGKILLs (run with --ignored)"]
fn a_thousand_kills() {
    crash_run(1000);
}

/// `onevisit uplink` (the kiosk's sending half) killed mid-upload against a
/// slow reference platform that sometimes loses its answer after filing the
/// case: after the restart every queued case is at the platform exactly
/// once. The submissions are queued by the real binary (`onevisit submit`,
/// which prints the receipt only once the submission is durable).
#[test]
fn the_uplink_killed_mid_upload_files_every_case_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kiosk");
    let srv = server(dir.path(), |c| {
        c.faults = FaultSettings {
            latency_ms: 150,
            drop_rate: 0.3,
            ..FaultSettings::default()
        }
    });
    let input = example_file(dir.path());
    let mut receipts = BTreeSet::new();
    for _ in 0..8 {
        let mut cmd = Command::new(bin());
        cmd.args(["submit", "--file"]).arg(&input);
        kiosk_args(&mut cmd, &data, &srv.url());
        let out = cmd.stderr(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "submit: {}", out.status);
        receipts.insert(String::from_utf8(out.stdout).unwrap().trim().to_string());
    }
    assert_eq!(receipts.len(), 8);
    let mut rng = rand::rng();
    for _ in 0..6 {
        let mut cmd = Command::new(bin());
        cmd.args(["uplink", "--no-heartbeat", "--timeout-ms", "1000"]);
        kiosk_args(&mut cmd, &data, &srv.url());
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(100..500)));
        child.kill().unwrap(); // SIGKILL, mid-upload
        child.wait().unwrap();
    }
    drain_and_check(dir.path(), &data, &srv);
    srv.stop();
    let at_platform: BTreeSet<String> = listing(dir.path())
        .cases
        .iter()
        .map(|c| c.receipt.clone())
        .collect();
    assert_eq!(at_platform, receipts, "every queued case, once");
}

/// One A4 page at 150 dpi (1240 × 1754) as the capture screen makes it: a
/// grey JPEG of lines of "text" on paper with sensor noise, ~150–400 KB.
/// `seed` makes every page different (each its own SHA-256).
fn page_jpeg(seed: u64) -> Vec<u8> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (w, h) = (1240u32, 1754u32);
    let mut img = image::GrayImage::from_pixel(w, h, image::Luma([236]));
    // Lines of glyph-sized blocks between margins.
    let mut y = 150;
    while y + 40 < h - 150 {
        let mut x = 120;
        let end = w - 120 - rng.random_range(0..400);
        while x + 30 < end {
            let gw = rng.random_range(18..30);
            for yy in y..y + 30 {
                for xx in x..x + gw {
                    if rng.random_bool(0.45) {
                        img.put_pixel(xx, yy, image::Luma([rng.random_range(20..90)]));
                    }
                }
            }
            x += gw + rng.random_range(4..10);
        }
        y += rng.random_range(44..60);
    }
    for p in img.pixels_mut() {
        p.0[0] = p.0[0].saturating_add_signed(rng.random_range(-1..=1));
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&img)
        .unwrap();
    out
}

/// The example submission with `pages` generated pages spread over the
/// first four materials of its notice, as a file `onevisit submit` reads.
/// Returns the file and each page's bytes.
fn with_pages_file(dir: &std::path::Path, pages: usize) -> (std::path::PathBuf, Vec<Vec<u8>>) {
    let catalog = onevisit_core::catalog::Catalog::load_default().unwrap();
    let mut input = onevisit_core::visit::submission::example_input();
    let (sub, _) = onevisit_core::visit::submission::Submission::from_input(&catalog, &input)
        .expect("the example builds");
    let ids: Vec<String> = sub.notice["materials"]
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 4, "the example's notice lists four materials");
    let seed: u64 = rand::rng().random();
    let mut bytes = Vec::new();
    for i in 0..pages {
        let b = page_jpeg(seed.wrapping_add(i as u64));
        let path = dir.join(format!("page-{i:02}.jpg"));
        std::fs::write(&path, &b).unwrap();
        input
            .materials
            .push(onevisit_core::visit::submission::MaterialFile {
                material: ids[i % ids.len()].clone(),
                path,
                content_type: "image/jpeg".into(),
            });
        bytes.push(b);
    }
    let file = dir.join("with-pages.json");
    std::fs::write(&file, serde_json::to_string(&input).unwrap()).unwrap();
    (file, bytes)
}

/// Pages the platform holds: (complete, started but not complete).
fn platform_pages(dir: &std::path::Path) -> (i64, i64) {
    let c = onevisit_platform::store::open(&dir.join("platform.sqlite3")).unwrap();
    c.query_row(
        "SELECT COALESCE(SUM(complete = 1), 0), COALESCE(SUM(complete = 0 AND received > 0), 0)
         FROM attachments",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// A 20-page submission (generated JPEG pages, 150–400 KB each, 64 KiB
/// chunks) whose `onevisit uplink` is SIGKILLed again and again during the
/// attachment upload against a platform that damages some chunks and
/// loses some answers: after the restart the platform holds every page
/// once, byte for byte, no chunk stored twice, and the case once.
fn page_kill_soak(kills: usize, latency_ms: u64) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kiosk");
    let srv = server(dir.path(), |c| {
        c.faults = FaultSettings {
            latency_ms,
            drop_rate: 0.05,
            corrupt_chunk_rate: 0.05,
            ..FaultSettings::default()
        }
    });
    let (file, pages) = with_pages_file(dir.path(), 20);
    for p in &pages {
        assert!(
            (100_000..=500_000).contains(&p.len()),
            "a page of realistic size: {} bytes",
            p.len()
        );
    }
    let mut cmd = Command::new(bin());
    cmd.args(["submit", "--file"]).arg(&file);
    kiosk_args(&mut cmd, &data, &srv.url());
    let out = cmd.stderr(Stdio::inherit()).output().unwrap();
    assert!(out.status.success(), "submit: {}", out.status);
    let receipt = String::from_utf8(out.stdout).unwrap().trim().to_string();

    let started = Instant::now();
    let mut rng = rand::rng();
    // Kills that left the platform with some pages but not all, or with a
    // page cut off between chunks.
    let (mut mid_upload, mut mid_page) = (0, 0);
    for _ in 0..kills {
        if listing(dir.path()).cases.len() == 1 {
            break; // all sent: further kills would test nothing
        }
        let mut cmd = Command::new(bin());
        cmd.args(["uplink", "--no-heartbeat", "--timeout-ms", "1000"]);
        kiosk_args(&mut cmd, &data, &srv.url());
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(200..700)));
        child.kill().unwrap(); // SIGKILL, mid-upload
        child.wait().unwrap();
        let (complete, partial) = platform_pages(dir.path());
        if partial > 0 {
            mid_page += 1;
        }
        if (complete > 0 && complete < 20) || partial > 0 {
            mid_upload += 1;
        }
    }
    assert!(
        mid_upload > 0,
        "no kill fell during the attachment upload ({kills} kills)"
    );
    drain_and_check(dir.path(), &data, &srv);
    srv.stop();

    let l = listing(dir.path());
    assert_eq!(l.cases.len(), 1, "the submission once");
    assert_eq!(l.cases[0].receipt, receipt);
    assert_eq!(l.materials, 20, "every page once");
    let total: usize = pages.iter().map(Vec::len).sum();
    assert_eq!(
        l.chunk_bytes_accepted as usize, total,
        "no chunk stored twice, none missing"
    );
    let chunks: usize = pages.iter().map(|p| p.len().div_ceil(64 << 10)).sum();
    assert_eq!(l.chunks_accepted as usize, chunks);
    let c = onevisit_platform::store::open(&dir.path().join("platform.sqlite3")).unwrap();
    for p in &pages {
        let sha = onevisit_core::visit::materials::CapturedPage::new(p.clone(), 1, 1)
            .sha256()
            .to_string();
        assert_eq!(
            onevisit_platform::store::attachment_bytes(&c, &sha)
                .unwrap()
                .as_ref(),
            Some(p),
            "page intact"
        );
    }
    let left: i64 = c
        .query_row("SELECT COUNT(*) FROM attachment_chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "no stray chunk left at the platform");
    eprintln!(
        "20 pages ({total} bytes, {chunks} chunks): {mid_upload} kills mid-upload \
         ({mid_page} between a page's chunks) in {:?}; {} damaged chunks refused and re-sent",
        started.elapsed(),
        l.chunks_refused
    );
}

#[test]
fn a_twenty_page_submission_killed_mid_upload_arrives_whole_once() {
    let kills = std::env::var("ONEVISIT_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    page_kill_soak(kills, 25);
}

#[test]
#[ignore = "long: the page upload at 100 ms a request, killed until it is through (run with --ignored)"]
fn a_twenty_page_upload_killed_a_hundred_times() {
    page_kill_soak(100, 100);
}
