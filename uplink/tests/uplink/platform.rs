//! The reference platform and the uplink against it on loopback: signing,
//! replay, idempotency, status progress, permanent rejection, outages.

use crate::common::*;
use onevisit_core::outbox::{JobKind, now_ms};
use onevisit_core::platform::PlatformError;
use onevisit_core::platform::contract::ItemStatus;
use onevisit_core::platform::sign;
use onevisit_core::visit::submission::MaterialRef;
use onevisit_platform::FaultSettings;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

fn body_for(receipt_seq: u32) -> Vec<u8> {
    let mut s = example();
    s.kiosk_id = "K0101".into();
    s.receipt = onevisit_core::outbox::receipt::format("K0101", "20261129", receipt_seq);
    s.created_at = "2026-11-29T10:00:00.000+08:00".into();
    serde_json::to_vec(&s).unwrap()
}

/// A raw signed request, so the test controls every header.
async fn raw(
    url: &str,
    key: &[u8],
    ts: i64,
    nonce: &str,
    idem: &str,
    body: &[u8],
) -> (u16, serde_json::Value) {
    let sig = sign::sign(key, "POST", "/v1/cases", ts, nonce, body);
    let r = reqwest::Client::new()
        .post(format!("{url}v1/cases"))
        .header(sign::H_KIOSK, "K0101")
        .header(sign::H_TIMESTAMP, ts.to_string())
        .header(sign::H_NONCE, nonce)
        .header(sign::H_SIGNATURE, sig)
        .header("idempotency-key", idem)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[test]
fn replayed_stale_and_badly_signed_requests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let url = srv.url();
    let key = onevisit_core::platform::sign::DEV_KIOSK_KEY;
    let body = body_for(1);
    let now = chrono::Utc::now().timestamp();
    let rt = rt();
    rt.block_on(async {
        let (s, b) = raw(&url, key, now, "nonce-000000000001", "idem-1", &body).await;
        assert_eq!(s, 201, "{b}");
        // The very same bytes again: a replay.
        let (s, b) = raw(&url, key, now, "nonce-000000000001", "idem-1", &body).await;
        assert_eq!((s, b["code"].as_str()), (401, Some("replayed")), "{b}");
        let (s, b) = raw(
            &url,
            b"wrong key",
            now,
            "nonce-000000000002",
            "idem-2",
            &body,
        )
        .await;
        assert_eq!((s, b["code"].as_str()), (401, Some("bad_signature")), "{b}");
        let (s, b) = raw(&url, key, now - 3600, "nonce-000000000003", "idem-3", &body).await;
        assert_eq!((s, b["code"].as_str()), (401, Some("stale")), "{b}");
        // A signature over another body does not carry over.
        let sig = sign::sign(key, "POST", "/v1/cases", now, "nonce-000000000004", b"{}");
        let r = reqwest::Client::new()
            .post(format!("{url}v1/cases"))
            .header(sign::H_KIOSK, "K0101")
            .header(sign::H_TIMESTAMP, now.to_string())
            .header(sign::H_NONCE, "nonce-000000000004")
            .header(sign::H_SIGNATURE, sig)
            .header("idempotency-key", "idem-4")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    });
    let l = listing(dir.path());
    assert_eq!(l.cases.len(), 1);
    assert_eq!(l.rejected_signatures, 4);
}

#[test]
fn known_kiosk_keys_only_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |c| {
        c.keys = Some([("K0101".to_string(), vec![9u8; 32])].into_iter().collect());
    });
    let rt = rt();
    rt.block_on(async {
        let dev = client(&srv.url(), Duration::from_secs(5));
        let e = dev.create_case("k1", body_for(1)).await.unwrap_err();
        assert!(
            matches!(e, PlatformError::Permanent { status: 401, .. }),
            "{e:?}"
        );
        let own = onevisit_uplink::PlatformClient::new(
            &srv.url(),
            "K0101",
            &[9u8; 32],
            Duration::from_secs(5),
        );
        own.create_case("k1", body_for(1)).await.unwrap();
    });
}

#[test]
fn cases_are_created_once_per_key_and_progress_over_time() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |c| c.status_step_ms = 1500);
    let c = client(&srv.url(), Duration::from_secs(5));
    let rt = rt();
    rt.block_on(async {
        let first = c.create_case("key-a", body_for(7)).await.unwrap();
        let t0 = tokio::time::Instant::now();
        let s0 = c.case_status(&first.receipt).await.unwrap();
        assert!(s0.items.iter().all(|i| i.status == ItemStatus::Accepted), "{s0:?}");
        assert!(!first.duplicate);
        assert!(first.items.len() >= 2);
        let again = c.create_case("key-a", body_for(7)).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.items, first.items, "the same case numbers");
        // The same key with another body is a conflict, not a new case.
        let e = c.create_case("key-a", body_for(8)).await.unwrap_err();
        assert!(matches!(&e, PlatformError::Permanent { status: 409, code, .. } if code == "idempotency_conflict"), "{e:?}");
        // The same receipt under another key is refused too.
        let e = c.create_case("key-b", body_for(7)).await.unwrap_err();
        assert!(matches!(&e, PlatformError::Permanent { status: 409, .. }), "{e:?}");
        // A structurally bad case is a permanent 4xx with a reason.
        let mut bad: serde_json::Value = serde_json::from_slice(&body_for(9)).unwrap();
        bad["applications"] = serde_json::json!([]);
        let e = c.create_case("key-c", serde_json::to_vec(&bad).unwrap()).await.unwrap_err();
        assert!(matches!(&e, PlatformError::Permanent { status: 422, .. }), "{e:?}");

        let receipt = &first.receipt;
        // Steps of 1.5 s leave room for a loaded machine either side.
        tokio::time::sleep_until(t0 + Duration::from_millis(1600)).await;
        let s1 = c.case_status(receipt).await.unwrap();
        assert!(s1.items.iter().all(|i| i.status == ItemStatus::InReview), "{s1:?}");
        tokio::time::sleep_until(t0 + Duration::from_millis(3200)).await;
        let s2 = c.case_status(receipt).await.unwrap();
        assert!(
            s2.items.iter().all(|i| matches!(i.status, ItemStatus::Approved | ItemStatus::NeedsMaterials)),
            "{s2:?}"
        );
        assert!(s2.items.iter().all(|i| !i.status_label.is_empty()));
        let e = c.case_status("K0101-20261129-99999-X").await.unwrap_err();
        assert!(matches!(e, PlatformError::Permanent { status: 404, .. }));
    });
    let l = listing(dir.path());
    assert_eq!(l.cases.len(), 1);
    assert_eq!(l.cases[0].idempotency_key, "key-a");
    assert_eq!(l.cases[0].duplicates_refused, 1);
    assert_eq!(l.duplicates_refused, 1);
}

#[test]
fn a_permanent_rejection_is_kept_visible_and_never_retried_until_staff_act() {
    let dir = tempfile::tempdir().unwrap();
    let declared = catalog().version.declared.clone();
    let srv = server(dir.path(), |c| c.retired_catalog = Some(declared.clone()));
    let ob = Arc::new(outbox(dir.path()));
    let receipt = ob.enqueue(&mut example(), &[]).unwrap();
    let rt = rt();
    let up = uplink(ob.clone(), &srv.url());
    drain(&rt, &up, 20);
    // Done for the uplink, but not dropped: rejected with the reason.
    assert_eq!(ob.pending().unwrap(), 0);
    let st = ob.status().unwrap();
    assert_eq!(st.rejected.len(), 1);
    assert_eq!(st.rejected[0].receipt, receipt);
    assert_eq!(st.rejected[0].code, "catalog_retired");
    assert!(
        st.rejected[0].reason.contains("已停用"),
        "{}",
        st.rejected[0].reason
    );
    assert_eq!(st.rejected[0].attempts, 1, "never retried by itself");
    let v = ob.lookup(&receipt).unwrap().unwrap();
    assert_eq!(v.state, "rejected");
    assert!(v.rejected_reason.unwrap().contains("422"));
    // Running the uplink again sends nothing.
    drain(&rt, &up, 5);
    assert!(listing(dir.path()).cases.is_empty());
    // The platform is fixed; staff retry this one.
    srv.stop();
    let srv = server(dir.path(), |_| {});
    assert_eq!(ob.retry(Some(&receipt)).unwrap(), 1);
    drain(&rt, &uplink(ob.clone(), &srv.url()), 20);
    let v = ob.lookup(&receipt).unwrap().unwrap();
    assert_eq!(v.state, "accepted");
    assert!(ob.status().unwrap().rejected.is_empty());
    assert_eq!(listing(dir.path()).cases.len(), 1);
}

#[test]
fn outage_down_slow_and_erroring_then_everything_arrives_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let ob = Arc::new(outbox(dir.path()));
    let mut acked = BTreeSet::new();
    for _ in 0..40 {
        acked.insert(ob.enqueue(&mut example(), &[]).unwrap());
    }
    let rt = rt();
    let up = uplink(ob.clone(), &url);
    let state = up.subscribe();
    // Platform down: nothing is lost, everything waits with its error.
    rt.block_on(async {
        for _ in 0..10 {
            up.run_once().await.unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    assert_eq!(ob.pending().unwrap(), 40);
    assert_eq!(state.borrow().mode, "retrying");
    let st = ob.status().unwrap();
    let head = st.head.unwrap();
    assert!(head["attempts"].as_u64().unwrap() >= 1);
    assert!(
        head["last_error"].as_str().unwrap().contains("connect"),
        "{head}"
    );
    assert!(st.uplink.is_some_and(|u| u.mode == "retrying"));

    // Back, but slow and failing half the time, with throttling, hangs
    // and answers lost on the wire.
    let srv = onevisit_platform::start(
        format!("127.0.0.1:{port}").parse().unwrap(),
        onevisit_platform::ServerConfig {
            faults: FaultSettings {
                error_rate: 0.5,
                throttle_rate: 0.1,
                retry_after_secs: 1,
                timeout_rate: 0.05,
                hang_ms: 3_000,
                drop_rate: 0.15,
                latency_ms: 20,
                down: false,
                corrupt_chunk_rate: 0.0,
            },
            ..onevisit_platform::ServerConfig::new(dir.path().join("platform.sqlite3"))
        },
    )
    .unwrap();
    drain(&rt, &up, 90);
    assert_eq!(state.borrow().mode, "online");
    srv.stop();
    let l = listing(dir.path());
    let at_platform: Vec<&str> = l.cases.iter().map(|c| c.receipt.as_str()).collect();
    let unique: BTreeSet<&str> = at_platform.iter().copied().collect();
    assert_eq!(at_platform.len(), unique.len(), "no receipt twice");
    assert_eq!(
        unique,
        acked.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    assert!(ob.receipts().unwrap().iter().all(|(_, s)| s == "accepted"));
}

#[test]
fn materials_ratings_and_heartbeats_go_up_once() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |c| {
        c.faults.drop_rate = 0.3;
    });
    let ob = Arc::new(outbox(dir.path()));
    let mut sub = example();
    let material = sub.notice["materials"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let image = b"\xff\xd8\xff fake jpeg bytes of a scanned licence".to_vec();
    sub.add_material(MaterialRef::for_bytes(&material, &image, "image/jpeg"))
        .unwrap();
    let receipt = ob.enqueue(&mut sub, std::slice::from_ref(&image)).unwrap();
    ob.enqueue_rating(&receipt, 5, "很方便").unwrap();
    assert!(
        ob.enqueue_rating(&receipt, 4, "").is_err(),
        "one rating per case"
    );
    let rt = rt();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 30);
    let l = listing(dir.path());
    assert_eq!((l.cases.len(), l.materials, l.ratings), (1, 1, 1));
    let v = ob.lookup(&receipt).unwrap().unwrap();
    let kinds: Vec<&str> = v.jobs.iter().map(|j| j["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, [JobKind::Material.as_str(), "case", "rating"]);
    assert!(
        v.jobs.iter().all(|j| j["state"] == "accepted"),
        "{:?}",
        v.jobs
    );
    // One at a time per submission, in order: image, case, rating.
    let events: Vec<String> = ob
        .audit_trail(&receipt)
        .unwrap()
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        events,
        [
            "queued",
            "rating_queued",
            "material_accepted",
            "case_accepted",
            "rating_accepted"
        ]
    );
    // A heartbeat reaches the platform too.
    rt.block_on(async {
        let c = client(&srv.url(), Duration::from_secs(5));
        srv.faults.set(FaultSettings::default());
        let hb = onevisit_core::platform::contract::Heartbeat {
            kiosk_id: "K0101".into(),
            at_ms: now_ms(),
            devices: Default::default(),
            paper_level: Some(80),
            paper: None,
            queue_depth: 0,
            rejected: 0,
            uplink_mode: "online".into(),
            accepting_submissions: true,
            app_version: "test".into(),
            catalog_version: None,
        };
        c.heartbeat(&hb).await.unwrap();
    });
    assert_eq!(listing(dir.path()).heartbeats, 1);
}

#[test]
fn over_https_the_platform_is_reached_only_with_its_certificate_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = crate::common::repo_root().join("tests/fixtures");
    let srv = server(dir.path(), |c| {
        c.tls = Some((
            fixtures.join("platform-test-cert.pem"),
            fixtures.join("platform-test-key.pem"),
        ))
    });
    assert!(srv.url().starts_with("https://127.0.0.1:"), "{}", srv.url());
    let ca = std::fs::read(fixtures.join("platform-test-cert.pem")).unwrap();
    let rt = rt();
    rt.block_on(async {
        // The web PKI does not know the test certificate: no connection.
        let untrusting = client(&srv.url(), Duration::from_secs(5));
        let e = untrusting.create_case("k1", body_for(1)).await.unwrap_err();
        assert!(matches!(e, PlatformError::Retryable { .. }), "{e:?}");
        // Plain HTTP to the TLS port gets nowhere either.
        let plain = client(&srv.url().replace("https", "http"), Duration::from_secs(5));
        assert!(plain.create_case("k1", body_for(1)).await.is_err());
    });
    let c = onevisit_uplink::PlatformClient::with_root_ca(
        &srv.url(),
        "K0101",
        onevisit_core::platform::sign::DEV_KIOSK_KEY,
        Duration::from_secs(5),
        Some(&ca),
    )
    .unwrap();
    let ob = Arc::new(outbox(dir.path()));
    let receipt = ob.enqueue(&mut example(), &[]).unwrap();
    let up = onevisit_uplink::Uplink::new(
        ob.clone(),
        c,
        onevisit_uplink::UplinkConfig {
            heartbeat_every: None,
            ..Default::default()
        },
    );
    drain(&rt, &up, 20);
    assert_eq!(ob.lookup(&receipt).unwrap().unwrap().state, "accepted");
    assert_eq!(listing(dir.path()).cases.len(), 1);
}
