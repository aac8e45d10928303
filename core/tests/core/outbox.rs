//! The outbox on a real SQLite file: receipts, encryption at rest, disk
//! full, retention purge, migrations, and the submission checks.

use crate::common::*;
use onevisit_core::outbox::{Outbox, OutboxError, migrations, now_ms, receipt};
use onevisit_core::visit::submission::{Commitment, Submission, SubmissionError, example_input};

fn file_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["outbox.sqlite3", "outbox.sqlite3-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn receipts_are_sequential_checked_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let ob = outbox(dir.path());
    let mut receipts = Vec::new();
    for _ in 0..3 {
        let mut s = example();
        receipts.push(ob.enqueue(&mut s, &[]).unwrap());
        assert_eq!(s.kiosk_id, "K0101");
        assert!(s.created_at.contains("+08:00"), "{}", s.created_at);
    }
    for (i, r) in receipts.iter().enumerate() {
        assert_eq!(receipt::normalise(r).as_deref(), Some(r.as_str()));
        assert!(r.starts_with("K0101-"));
        assert!(r.contains(&format!("-{:05}-", i + 1)), "{r}");
    }
    drop(ob);
    let ob = outbox(dir.path());
    let v = ob
        .lookup(&receipts[1])
        .unwrap()
        .expect("found after reopen");
    assert_eq!(v.state, "queued");
    assert_eq!(v.bundle, "B01");
    assert!(
        v.items.contains(&"company_registration".to_string()),
        "{:?}",
        v.items
    );
    assert_eq!(ob.pending().unwrap(), 3);
    let mut s = example();
    let next = ob.enqueue(&mut s, &[]).unwrap();
    assert!(
        next.contains("-00004-"),
        "sequence continues after reopen: {next}"
    );
}

#[test]
fn personal_data_is_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let ob = outbox(dir.path());
    let mut s = example();
    ob.enqueue(&mut s, &[]).unwrap();
    let bytes = file_bytes(dir.path());
    assert!(bytes.len() > 1000);
    for secret in ["410902198503120026", "张晓梅", "13903930001", "胜利路188号"] {
        assert!(
            !contains(&bytes, secret.as_bytes()),
            "{secret} found in clear"
        );
    }
    // The right key reads it back; another key cannot.
    let job = &ob.claim_due(now_ms(), 10).unwrap()[0];
    let back: Submission = serde_json::from_slice(job.payload.as_ref().unwrap()).unwrap();
    assert_eq!(back, s);
    drop(ob);
    let other = Outbox::open(&dir.path().join("outbox.sqlite3"), "K0101", &[1; 32]).unwrap();
    let job = &other.claim_due(now_ms(), 10).unwrap()[0];
    assert!(job.payload.is_none());
    // Debug output of a submission is masked.
    let dbg = format!("{s:?}");
    assert!(
        !dbg.contains("410902198503120026") && !dbg.contains("张晓梅"),
        "{dbg}"
    );
}

#[test]
fn disk_full_stops_submissions_and_damages_nothing_queued() {
    let dir = tempfile::tempdir().unwrap();
    let ob = outbox(dir.path());
    let mut acked = Vec::new();
    for _ in 0..3 {
        acked.push(ob.enqueue(&mut example(), &[]).unwrap());
    }
    let pages: u64 = rusqlite::Connection::open(dir.path().join("outbox.sqlite3"))
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    ob.limit_pages(pages + 2).unwrap();
    let err = loop {
        match ob.enqueue(&mut example(), &[]) {
            Ok(r) => acked.push(r),
            Err(e) => break e,
        }
        assert!(acked.len() < 1000, "the size limit never hit");
    };
    assert!(matches!(err, OutboxError::Full(_)), "{err:?}");
    let told = err.user_message(&onevisit_core::staff::StaffWindow::new("3"));
    assert!(told.contains("到3号窗口"), "{told}");
    assert!(!ob.accepting());
    let st = ob.status().unwrap();
    assert!(!st.accepting_submissions && st.alert.is_some());
    // Once stopped, submissions are refused quickly without touching disk.
    assert!(matches!(
        ob.enqueue(&mut example(), &[]),
        Err(OutboxError::Stopped(_))
    ));
    drop(ob);
    // After the disk is fixed (a fresh connection has no limit) everything
    // acknowledged is there and readable; staff resume submissions.
    let ob = outbox(dir.path());
    let all: Vec<String> = ob.receipts().unwrap().into_iter().map(|(r, _)| r).collect();
    assert_eq!(all, acked);
    let jobs = ob.claim_due(now_ms(), 1000).unwrap();
    assert_eq!(jobs.len(), acked.len());
    assert!(jobs.iter().all(|j| j.payload.is_some()));
    ob.resume().unwrap();
    assert!(ob.accepting());
    ob.enqueue(&mut example(), &[]).unwrap();
}

#[test]
fn schema_is_versioned_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    drop(outbox(dir.path()));
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, migrations::SCHEMA_VERSION);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    c.pragma_update(None, "user_version", v + 1).unwrap();
    drop(c);
    let err = Outbox::open(&path, "K0101", &KEY).err().expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn submissions_are_refused_unless_notice_and_form_are_complete() {
    let cat = catalog();
    let input = example_input();
    let build = |answers: &onevisit_core::guide::Answers,
                 values: &onevisit_core::form::FormValues,
                 rq: &[Commitment]| {
        Submission::build(cat, &input.bundle, answers, &input.applicant, values, rq)
    };
    let ok = build(&input.answers, &input.values, &[]).unwrap();
    assert_eq!(ok.applications.len(), ok.item_codes().len());
    assert!(ok.item_codes().len() >= 2);

    let mut partial = input.answers.clone();
    partial.remove("lodging");
    let e = build(&partial, &input.values, &[]).unwrap_err();
    assert!(matches!(e, SubmissionError::Unanswered { .. }), "{e}");
    assert!(e.to_string().contains("问卷还没答完"));

    let mut bad = input.values.clone();
    bad.insert(
        "F06".into(),
        onevisit_core::form::InputValue::Text("12345".into()),
    );
    let e = build(&input.answers, &bad, &[]).unwrap_err();
    assert!(matches!(e, SubmissionError::Form(_)), "{e}");
    assert!(e.to_string().contains("表单有"), "{e}");

    let notice_materials = ok.notice["materials"].as_array().unwrap();
    let key = notice_materials.iter().find(|m| m["key"] == true).unwrap()["id"]
        .as_str()
        .unwrap();
    let tomorrow =
        (onevisit_core::visit::submission::today_cst() + chrono::Days::new(10)).to_string();
    let rq = [Commitment {
        material: key.into(),
        deadline: tomorrow.clone(),
    }];
    let e = build(&input.answers, &input.values, &rq).unwrap_err();
    assert!(matches!(e, SubmissionError::NotRongque(_)), "{e}");

    let rq = [Commitment {
        material: "no_such_material".into(),
        deadline: tomorrow,
    }];
    let e = build(&input.answers, &input.values, &rq).unwrap_err();
    assert!(matches!(e, SubmissionError::UnknownMaterial(_)), "{e}");

    if let Some(m) = notice_materials
        .iter()
        .find(|m| m["rongque_eligible"] == true && m["key"] == false)
    {
        let id = m["id"].as_str().unwrap();
        let past = [Commitment {
            material: id.into(),
            deadline: "2020-01-01".into(),
        }];
        let e = build(&input.answers, &input.values, &past).unwrap_err();
        assert!(matches!(e, SubmissionError::BadDeadline(..)), "{e}");
    }
}
