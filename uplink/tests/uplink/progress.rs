//! 办件查询 against the reference platform on loopback, and with the
//! platform down: ownership by the last four of the ID number, answers
//! that do not reveal whether a receipt exists, and the rate limit.

use crate::common::*;
use onevisit_core::outbox::now_ms;
use onevisit_core::progress::{
    ProgressAnswer, ProgressQuery, ProgressSource, item_names, not_found,
};
use onevisit_core::staff::{ManualClock, StaffWindow};
use std::sync::Arc;
use std::time::Duration;

fn query(
    ob: &Arc<onevisit_core::outbox::Outbox>,
    url: &str,
    clock: Arc<ManualClock>,
) -> ProgressQuery {
    ProgressQuery::new(
        ob.clone(),
        Some(status_lookup(url, Duration::from_secs(3))),
        item_names(catalog()),
        clock,
    )
}

fn found(a: ProgressAnswer) -> onevisit_core::progress::ProgressView {
    match a {
        ProgressAnswer::Found(v) => v,
        other => panic!("expected an answer, got {other:?}"),
    }
}

#[test]
fn online_the_platform_answers_per_item_and_strangers_learn_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let ob = Arc::new(outbox(dir.path()));
    let r = ob.enqueue(&mut example(), &[]).unwrap();
    let rt = rt();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 30);
    let clock = Arc::new(ManualClock::new(now_ms()));
    let q = query(&ob, &srv.url(), clock.clone());

    let v = found(q.query(&r, "0026"));
    assert_eq!(v.source, ProgressSource::Platform);
    assert_eq!(v.receipt, r);
    assert_eq!(v.headline, "办理中");
    let names: Vec<&str> = v.items.iter().map(|i| i.name.as_str()).collect();
    let want = item_names(catalog())["company_registration"].clone();
    assert!(names.contains(&want.as_str()), "{names:?}");
    assert!(
        v.items
            .iter()
            .all(|i| i.status == "已受理" && i.since.is_some()),
        "{v:?}"
    );
    // Nothing personal in the answer.
    let json = serde_json::to_string(&v).unwrap();
    for secret in ["张晓梅", "410902198503120026", "13903930001"] {
        assert!(!json.contains(secret));
    }

    // The receipt's QR payload works as well as the typed number.
    let scanned = onevisit_core::print::qr_payload::receipt_payload(&r);
    assert_eq!(found(q.query(&scanned, "0026")).receipt, r);

    // A wrong last-4 gets exactly the unknown receipt's answer.
    let unknown = onevisit_core::outbox::receipt::format("K0101", "20261129", 999);
    let wrong = q.query(&r, "0027");
    let absent = q.query(&unknown, "0026");
    assert_eq!(wrong, absent);
    assert_eq!(wrong.message(), not_found(&StaffWindow::default()));

    // Five attempts a minute: the sixth waits.
    found(q.query(&r, "0026"));
    let limited = q.query(&r, "0026");
    match &limited {
        ProgressAnswer::TooManyAttempts {
            retry_after_secs, ..
        } => {
            assert!((1..=60).contains(retry_after_secs), "{limited:?}")
        }
        other => panic!("expected the rate limit, got {other:?}"),
    }
    clock.advance(Duration::from_secs(61));
    found(q.query(&r, "0026"));

    // Typing mistakes are told apart from "not found".
    for (receipt, last4) in [
        ("K0101-2026", "0026"),
        (r.as_str(), "12a4"),
        (r.as_str(), "00"),
    ] {
        assert!(
            matches!(q.query(receipt, last4), ProgressAnswer::Invalid { .. }),
            "{receipt} {last4}"
        );
    }

    // After the retention purge the owner check still works (it is kept
    // apart from the sealed data).
    clock.advance(Duration::from_secs(61));
    assert_eq!(ob.purge(now_ms() + 1, 0).unwrap(), 1);
    assert!(ob.verify_owner(&r, "0026").unwrap());
    assert!(!ob.verify_owner(&r, "0062").unwrap());
    assert_eq!(found(q.query(&r, "0026")).source, ProgressSource::Platform);
}

#[test]
fn offline_the_kiosk_answers_from_its_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let ob = Arc::new(outbox(dir.path()));
    let queued = ob.enqueue(&mut example(), &[]).unwrap();
    let sent = ob.enqueue(&mut example(), &[]).unwrap();
    let rt = rt();
    // Send only the second one: the first is left queued afterwards.
    {
        let srv = server(dir.path(), |_| {});
        drain(&rt, &uplink(ob.clone(), &srv.url()), 30);
        srv.stop();
    }
    let conn = rusqlite::Connection::open(dir.path().join("outbox.sqlite3")).unwrap();
    conn.execute(
        "UPDATE submissions SET state = 'queued', accepted_ms = NULL WHERE receipt = ?1",
        [&queued],
    )
    .unwrap();
    // An older submission without the keyed check is verified against
    // its sealed case.
    conn.execute("DELETE FROM owner_checks WHERE receipt = ?1", [&sent])
        .unwrap();
    let down = format!("http://127.0.0.1:{}/", free_port());
    let q = query(&ob, &down, Arc::new(ManualClock::new(now_ms())));

    let v = found(q.query(&queued, "0026"));
    assert_eq!(v.source, ProgressSource::Local);
    assert_eq!(v.headline, "已保存在本机，尚未提交");
    assert!(v.items.iter().all(|i| i.status == "已保存在本机，尚未提交"));
    assert!(!v.items.is_empty());

    let v = found(q.query(&sent, "0026"));
    assert_eq!(v.source, ProgressSource::Local);
    assert_eq!(v.headline, "已提交");
    assert!(v.note.unwrap().contains("暂时无法连接"));

    assert_eq!(
        q.query(&sent, "1234").message(),
        not_found(&StaffWindow::default())
    );

    // Without any platform configured the answers are local too.
    let local_only = ProgressQuery::new(
        ob.clone(),
        None,
        item_names(catalog()),
        Arc::new(ManualClock::new(now_ms())),
    );
    assert_eq!(
        found(local_only.query(&sent, "0026")).source,
        ProgressSource::Local
    );
}
