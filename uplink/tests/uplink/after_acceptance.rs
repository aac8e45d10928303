//! What the uplink does to the outbox and the staff desk once the platform
//! answers: purging personal data after acceptance and retention, and
//! heartbeats that carry device health and the paper forecast.

use crate::common::*;
use onevisit_core::outbox::now_ms;
use onevisit_core::staff::{ManualClock, SnapshotCell};
use onevisit_drivers::manager::{DeviceId, Health};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn retention_purge_removes_personal_data_and_keeps_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let ob = Arc::new(outbox(dir.path()));
    let accepted = ob.enqueue(&mut example(), &[]).unwrap();
    let rt = rt();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 20);
    let waiting = ob.enqueue(&mut example(), &[]).unwrap();
    // Inside the retention period nothing goes.
    assert_eq!(ob.purge(now_ms(), 86_400_000).unwrap(), 0);
    assert_eq!(ob.purge(now_ms() + 1, 0).unwrap(), 1);
    let v = ob.lookup(&accepted).unwrap().unwrap();
    assert!(v.purged);
    assert_eq!(v.state, "accepted");
    assert!(v.case_numbers.is_some(), "case numbers stay");
    assert!(
        v.jobs.iter().all(|j| j["has_personal_data"] == false),
        "{:?}",
        v.jobs
    );
    let events: Vec<String> = ob
        .audit_trail(&accepted)
        .unwrap()
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(events, ["queued", "case_accepted", "personal_data_purged"]);
    // The submission not yet accepted keeps its data.
    let w = ob.lookup(&waiting).unwrap().unwrap();
    assert!(!w.purged && w.jobs.iter().all(|j| j["has_personal_data"] == true));
    // Purging twice does nothing more.
    assert_eq!(ob.purge(now_ms() + 1, 0).unwrap(), 0);
}

#[test]
fn heartbeats_carry_device_health_and_the_paper_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let ob = Arc::new(outbox(dir.path()));
    ob.enqueue(&mut example(), &[]).unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let d = desk(dir.path(), clock.clone());
    d.paper().record_job(2_500.0, Some(&receipt(1))).unwrap();
    let mut h = BTreeMap::new();
    h.insert(DeviceId::IdReader, Health::Ok);
    h.insert(DeviceId::Scanner, Health::Missing("未连接".into()));
    h.insert(
        DeviceId::Printer,
        Health::Degraded("打印纸即将用完，请准备更换纸卷 (paper near end)".into()),
    );
    let snapshot = SnapshotCell::new(d.device_snapshot(&h).unwrap());
    // What an uplink in its own process would send: the saved health.
    d.save_devices(&h).unwrap();
    assert_eq!(d.saved_snapshot().unwrap(), d.device_snapshot(&h).unwrap());
    clock.advance(Duration::from_secs(11 * 60));
    let stale = d.saved_snapshot().unwrap();
    assert!(stale.devices.is_empty(), "a kiosk silent for 11 minutes");
    assert_eq!(stale.paper_level, Some(75));
    let cfg = onevisit_uplink::UplinkConfig {
        heartbeat_every: Some(Duration::from_secs(3600)),
        idle_poll: Duration::from_millis(20),
        ..Default::default()
    };
    let up = onevisit_uplink::Uplink::new(ob, client(&srv.url(), Duration::from_secs(5)), cfg)
        .with_device_snapshot(snapshot);
    drain(&rt(), &up, 30);
    let c = onevisit_platform::store::open(&dir.path().join("platform.sqlite3")).unwrap();
    let body: String = c
        .query_row(
            "SELECT body FROM heartbeats ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let hb: onevisit_core::platform::contract::Heartbeat = serde_json::from_str(&body).unwrap();
    assert_eq!(hb.devices["idreader"], "ok");
    assert!(
        hb.devices["scanner"].starts_with("missing"),
        "{:?}",
        hb.devices
    );
    assert!(
        hb.devices["printer"].starts_with("paper_near_end"),
        "{:?}",
        hb.devices
    );
    assert_eq!(hb.paper_level, Some(75));
    let paper = hb.paper.expect("paper estimate");
    assert_eq!(paper.remaining_m, 7.5);
    assert_eq!(paper.visits_left, Some(3));
    assert_eq!(paper.level, "low");
}
