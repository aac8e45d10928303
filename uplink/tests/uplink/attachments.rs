//! Pages (attachments) through the outbox to the reference platform on
//! loopback: sent in chunks before the case, each page stored once
//! however many entries cite it, a damaged chunk refused and sent again,
//! an upload cut off resumed at its chunk, a case citing a missing page
//! refused, the pages purged after acceptance, and the 电子证照 lookup.

use crate::common::*;
use onevisit_core::outbox::{JobKind, now_ms};
use onevisit_core::platform::PlatformError;
use onevisit_core::platform::contract::ElicenceQuery;
use onevisit_core::visit::materials::CapturedPage;
use onevisit_core::visit::submission::{MaterialRef, Submission};
use onevisit_platform::FaultSettings;
use rand::RngCore;
use std::sync::Arc;

/// `n` page-like blobs of `size` bytes (a JPEG start, then noise, so no
/// two hash alike).
pub fn pages(n: usize, size: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|_| {
            let mut b = vec![0u8; size];
            rand::rng().fill_bytes(&mut b);
            b[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
            b
        })
        .collect()
}

/// The example case with `pages` cited as pages of its first two
/// materials (half each), with the items each material serves; the last
/// page is also cited by the second material (the same paper twice).
fn with_pages(pages: &[Vec<u8>]) -> (Submission, Vec<Vec<u8>>) {
    let mut sub = example();
    let ids: Vec<String> = sub.notice["materials"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut bytes = Vec::new();
    let half = pages.len() / 2;
    let mut cite = |sub: &mut Submission, m: &str, page: u32, b: &Vec<u8>| {
        let items = sub.material_items(m);
        let p = CapturedPage::new(b.clone(), 1240, 1754);
        sub.add_material(MaterialRef::for_page(m, page, &items, &p))
            .unwrap();
        bytes.push(b.clone());
    };
    for (i, b) in pages.iter().enumerate() {
        let (m, n) = if i < half {
            (&ids[0], i + 1)
        } else {
            (&ids[1], i - half + 1)
        };
        cite(&mut sub, m, n as u32, b);
    }
    let last = pages.last().unwrap();
    cite(&mut sub, &ids[1], (pages.len() - half + 1) as u32, last);
    (sub, bytes)
}

fn stored(dir: &std::path::Path, sha: &str) -> Option<Vec<u8>> {
    let c = onevisit_platform::store::open(&dir.join("platform.sqlite3")).unwrap();
    onevisit_platform::store::attachment_bytes(&c, sha).unwrap()
}

#[test]
fn twenty_pages_go_up_in_chunks_once_damaged_chunks_are_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    // One chunk in six arrives damaged; one answer in five is lost after
    // the platform did the work.
    let srv = server(dir.path(), |c| {
        c.faults = FaultSettings {
            corrupt_chunk_rate: 0.15,
            drop_rate: 0.2,
            ..FaultSettings::default()
        }
    });
    let ob = Arc::new(outbox(dir.path()));
    let pages = pages(20, 150_000);
    let (mut sub, bytes) = with_pages(&pages);
    assert_eq!(sub.materials.len(), 21, "20 pages, one cited twice");
    let receipt = ob.enqueue(&mut sub, &bytes).unwrap();
    let view = ob.lookup(&receipt).unwrap().unwrap();
    let kinds: Vec<&str> = view
        .jobs
        .iter()
        .map(|j| j["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 21, "20 page uploads and the case: {kinds:?}");
    assert!(kinds[..20].iter().all(|k| *k == JobKind::Material.as_str()));
    assert_eq!(kinds[20], "case", "the case goes after its pages");

    let rt = rt();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 120);
    let l = listing(dir.path());
    assert_eq!(l.cases.len(), 1);
    assert_eq!(l.materials, 20, "each page stored once");
    assert!(l.chunks_refused > 0, "no chunk was damaged: {l:?}");
    let total: usize = pages.iter().map(Vec::len).sum();
    assert_eq!(
        l.chunk_bytes_accepted as usize, total,
        "no byte stored twice, none missing"
    );
    assert!(l.chunks_accepted >= 20 * 3, "150 kB pages go in 3 chunks");
    for p in &pages {
        let sha = CapturedPage::new(p.clone(), 1, 1).sha256().to_string();
        assert_eq!(stored(dir.path(), &sha).as_ref(), Some(p), "page intact");
    }
    assert!(ob.receipts().unwrap().iter().all(|(_, s)| s == "accepted"));

    // Acknowledged, then past retention: the pages leave the kiosk.
    assert_eq!(ob.purge(now_ms() + 1, 0).unwrap(), 1);
    let db = rusqlite::Connection::open(dir.path().join("outbox.sqlite3")).unwrap();
    let left: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM jobs WHERE receipt = ?1 AND payload IS NOT NULL",
            [&receipt],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "no sealed page or case left after the purge");
    srv.stop();
}

#[test]
fn an_upload_cut_off_resumes_at_the_chunk_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let ob = Arc::new(outbox(dir.path()));
    let pages = pages(2, 64 * 1024 * 5);
    let (mut sub, bytes) = with_pages(&pages[..1]);
    let receipt = ob.enqueue(&mut sub, &bytes).unwrap();
    let rt = rt();
    let client = client(&srv.url(), std::time::Duration::from_secs(5));
    // The first attempt got three chunks to the platform and confirmed
    // two of them before the kiosk died (the third answer was lost).
    let job = ob.claim_due(now_ms(), 10).unwrap().remove(0);
    assert_eq!((job.kind, job.progress), (JobKind::Material, 0));
    let chunk = 64 * 1024;
    rt.block_on(async {
        for i in 0..3u64 {
            let part = &pages[0][(i as usize) * chunk..(i as usize + 1) * chunk];
            let s = client
                .put_chunk(
                    &job.key,
                    &receipt,
                    i * chunk as u64,
                    pages[0].len() as u64,
                    part,
                )
                .await
                .unwrap();
            assert!(!s.complete);
        }
    });
    ob.record_progress(job.id, 2 * chunk as u64).unwrap();
    ob.recover_in_flight().unwrap();
    let again = ob.claim_due(now_ms(), 10).unwrap().remove(0);
    assert_eq!(again.progress, 2 * chunk as u64, "the progress survived");
    ob.recover_in_flight().unwrap();

    drain(&rt, &uplink(ob.clone(), &srv.url()), 30);
    let l = listing(dir.path());
    assert_eq!(l.cases.len(), 1);
    assert_eq!(
        l.chunk_bytes_accepted as usize,
        pages[0].len(),
        "chunks held were not stored again"
    );
    assert_eq!(l.chunks_accepted, 5);
    assert_eq!(stored(dir.path(), &job.key).as_ref(), Some(&pages[0]));

    // A kiosk that believes more than the platform holds (its database
    // lost) is corrected by the platform's count.
    let (mut sub2, bytes2) = with_pages(&pages[1..]);
    let r2 = ob.enqueue(&mut sub2, &bytes2).unwrap();
    let job2 = ob.claim_due(now_ms(), 10).unwrap().remove(0);
    assert_eq!(job2.receipt, r2);
    ob.record_progress(job2.id, 4 * chunk as u64).unwrap();
    ob.recover_in_flight().unwrap();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 30);
    assert_eq!(stored(dir.path(), &job2.key).as_ref(), Some(&pages[1]));
    srv.stop();
}

#[test]
fn a_case_citing_a_page_never_uploaded_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let pages = pages(1, 1000);
    let (mut sub, _) = with_pages(&pages);
    sub.kiosk_id = "K0101".into();
    sub.receipt = onevisit_core::outbox::receipt::format("K0101", "20261129", 7);
    sub.created_at = "2026-11-29T10:00:00.000+08:00".into();
    let client = client(&srv.url(), std::time::Duration::from_secs(5));
    let rt = rt();
    let answer = rt.block_on(client.create_case("idem-missing", serde_json::to_vec(&sub).unwrap()));
    match answer {
        Err(PlatformError::Permanent {
            status: 422,
            code,
            message,
        }) => {
            assert_eq!(code, "missing_attachment");
            assert!(message.contains(&sub.materials[0].sha256), "{message}");
        }
        other => panic!("expected missing_attachment, got {other:?}"),
    }
    // A chunk whose bytes do not match its stated hash is refused with a
    // clear code, and nothing of it is kept.
    let sha = &sub.materials[0].sha256;
    let body = pages[0].clone();
    let bad = signed(
        &rt,
        &srv.url(),
        reqwest::Method::PUT,
        &format!("/v1/attachments/{sha}"),
        body.clone(),
        &[
            ("x-onevisit-offset", "0".into()),
            ("x-onevisit-total", body.len().to_string()),
            ("x-onevisit-chunk-sha256", "00".repeat(32)),
        ],
    );
    assert_eq!(bad.0, 422);
    assert_eq!(bad.1["code"], "chunk_hash_mismatch", "{}", bad.1);
    let status = rt.block_on(client.attachment_status(sha)).unwrap();
    assert_eq!(status, None, "nothing of a refused chunk is kept");
    srv.stop();
}

#[test]
fn the_licence_library_answers_only_for_materials_asked_about() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let client = client(&srv.url(), std::time::Duration::from_secs(5));
    let rt = rt();
    let ask = |id: &str, materials: &[&str]| {
        rt.block_on(client.elicences(&ElicenceQuery {
            id_number: id.into(),
            materials: materials.iter().map(|m| m.to_string()).collect(),
        }))
    };
    let held = ask(
        &sample_card().id_number,
        &["premises_proof", "articles_of_association"],
    )
    .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].material, "premises_proof");
    assert_eq!(held[0].title, "不动产权证书");
    assert!(
        ask(&sample_card().id_number, &["articles_of_association"])
            .unwrap()
            .is_empty()
    );
    assert!(
        ask("410902199001011238", &["premises_proof"])
            .unwrap()
            .is_empty()
    );
    match ask("not-an-id", &["premises_proof"]) {
        Err(PlatformError::Permanent { code, .. }) => assert_eq!(code, "bad_id_number"),
        other => panic!("{other:?}"),
    }
    srv.stop();
}

/// 材料已收: once the case and its pages are at the platform, its status
/// lists each material with the pages the platform holds (a page cited by
/// two materials counts for both, stored once), then the 电子证照 used; the
/// progress query shows them in its answer's text.
#[test]
fn the_progress_query_shows_the_pages_the_platform_holds_per_material() {
    use onevisit_core::progress::{ProgressAnswer, ProgressQuery, ProgressSource, item_names};
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let ob = Arc::new(outbox(dir.path()));
    let pages = pages(5, 100_000);
    let (mut sub, bytes) = with_pages(&pages);
    let third = sub.notice["materials"][2]["id"]
        .as_str()
        .unwrap()
        .to_string();
    sub.add_held_licence(onevisit_core::visit::materials::HeldLicence {
        material: third.clone(),
        title: "不动产权证书".into(),
        licence_no: "豫(2024)濮阳市不动产权第0012345号".into(),
        issuer: "濮阳市自然资源和规划局".into(),
    })
    .unwrap();
    let name = |i: usize| {
        sub.notice["materials"][i]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (first, second, held) = (name(0), name(1), name(2));
    let receipt = ob.enqueue(&mut sub, &bytes).unwrap();
    let rt = rt();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 60);

    let client = client(&srv.url(), std::time::Duration::from_secs(5));
    let status = rt.block_on(client.case_status(&receipt)).unwrap();
    let got: Vec<(String, u32, Option<String>)> = status
        .materials
        .iter()
        .map(|m| (m.name.clone(), m.pages, m.elicence.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (first.clone(), 2, None),
            (second.clone(), 4, None),
            (held.clone(), 0, Some("不动产权证书".into())),
        ],
        "5 pages: 2 + 3, the last cited again by the second material"
    );
    assert_eq!(listing(dir.path()).materials, 5, "each page stored once");

    let q = ProgressQuery::new(
        ob.clone(),
        Some(status_lookup(&srv.url(), std::time::Duration::from_secs(3))),
        item_names(catalog()),
        Arc::new(onevisit_core::staff::ManualClock::new(now_ms())),
    );
    let ProgressAnswer::Found(v) = q.query(&receipt, "0026") else {
        panic!("the case is found");
    };
    assert_eq!(v.source, ProgressSource::Platform);
    assert_eq!(v.materials, status.materials);
    assert_eq!(
        v.note.as_deref(),
        Some(format!("材料已收：{first} 2页、{second} 4页、{held}（电子证照）。").as_str())
    );
    srv.stop();
}

/// A signed request as the kiosk would send it, with `headers` beside the
/// signature's; the answer's status and JSON body.
fn signed(
    rt: &tokio::runtime::Runtime,
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Vec<u8>,
    headers: &[(&str, String)],
) -> (u16, serde_json::Value) {
    use onevisit_core::platform::sign;
    let ts = chrono::Utc::now().timestamp();
    let nonce = format!("nonce-{:012}", rand::random::<u32>());
    let sig = sign::sign(
        sign::DEV_KIOSK_KEY,
        method.as_str(),
        path,
        ts,
        &nonce,
        &body,
    );
    rt.block_on(async {
        let mut r = reqwest::Client::new()
            .request(method, format!("{}{}", base, &path[1..]))
            .header(sign::H_KIOSK, "K0101")
            .header(sign::H_TIMESTAMP, ts.to_string())
            .header(sign::H_NONCE, nonce)
            .header(sign::H_SIGNATURE, sig);
        for (k, v) in headers {
            r = r.header(*k, v);
        }
        let r = r.body(body).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

/// A page is named by its SHA-256 as 64 lower-case hex digits: any other
/// name in a path or a manifest is refused as `400 bad_sha256` (not "not
/// found" or a hash mismatch, which would send the kiosk retrying).
#[test]
fn malformed_hashes_are_refused_with_bad_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let rt = rt();
    let body = b"\xFF\xD8\xFF page".to_vec();
    use sha2::Digest;
    let good = hex::encode(sha2::Sha256::digest(&body));
    let chunk = |b: &[u8]| {
        vec![
            ("x-onevisit-offset", "0".to_string()),
            ("x-onevisit-total", b.len().to_string()),
            (
                "x-onevisit-chunk-sha256",
                hex::encode(sha2::Sha256::digest(b)),
            ),
        ]
    };
    for bad in [
        good.to_uppercase(),
        good[..63].to_string(),
        format!("{good}0"),
        format!("{}g", &good[..63]),
        "not-a-hash".to_string(),
    ] {
        for (method, path, headers) in [
            (
                reqwest::Method::PUT,
                format!("/v1/attachments/{bad}"),
                chunk(&body),
            ),
            (
                reqwest::Method::GET,
                format!("/v1/attachments/{bad}"),
                vec![],
            ),
            (reqwest::Method::PUT, format!("/v1/materials/{bad}"), vec![]),
        ] {
            let b = if method == reqwest::Method::GET {
                Vec::new()
            } else {
                body.clone()
            };
            let (status, answer) = signed(&rt, &srv.url(), method.clone(), &path, b, &headers);
            assert_eq!(
                (status, answer["code"].as_str()),
                (400, Some("bad_sha256")),
                "{method} {path}: {answer}"
            );
        }
    }
    // The well-formed name of the same bytes is taken.
    let (status, answer) = signed(
        &rt,
        &srv.url(),
        reqwest::Method::PUT,
        &format!("/v1/attachments/{good}"),
        body.clone(),
        &chunk(&body),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["complete"], true);

    // A manifest citing a page by a malformed hash is refused as such.
    let (mut sub, _) = with_pages(&pages(1, 1000));
    sub.materials[0].sha256 = "ABC".into();
    sub.kiosk_id = "K0101".into();
    sub.receipt = onevisit_core::outbox::receipt::format("K0101", "20261129", 8);
    sub.created_at = "2026-11-29T10:00:00.000+08:00".into();
    let client = client(&srv.url(), std::time::Duration::from_secs(5));
    match rt.block_on(client.create_case("idem-bad-sha", serde_json::to_vec(&sub).unwrap())) {
        Err(PlatformError::Permanent { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (422, "bad_sha256"))
        }
        other => panic!("expected bad_sha256, got {other:?}"),
    }
    srv.stop();
}

/// A damaged chunk, deterministically: every chunk arriving damaged is
/// refused (`chunk_hash_mismatch`, nothing stored) and the kiosk sends the
/// same chunk again, three times, then leaves the job to its backoff; once
/// chunks arrive whole the same upload goes through, byte for byte.
#[test]
fn a_damaged_chunk_is_refused_and_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |c| {
        c.faults = FaultSettings {
            corrupt_chunk_rate: 1.0,
            ..FaultSettings::default()
        }
    });
    let ob = Arc::new(outbox(dir.path()));
    let pages = pages(1, 200_000);
    let (mut sub, bytes) = with_pages(&pages);
    ob.enqueue(&mut sub, &bytes).unwrap();
    let job = ob.claim_due(now_ms(), 10).unwrap().remove(0);
    assert_eq!(job.kind, JobKind::Material);
    let client = client(&srv.url(), std::time::Duration::from_secs(5));
    let rt = rt();
    let send = || {
        rt.block_on(onevisit_uplink::upload_attachment(
            &client,
            &ob,
            &job,
            &pages[0],
            onevisit_uplink::DEFAULT_CHUNK,
        ))
    };
    match send() {
        Err(PlatformError::Retryable { reason, .. }) => {
            assert!(reason.contains("damaged"), "{reason}")
        }
        other => panic!("expected a retry later, got {other:?}"),
    }
    let l = listing(dir.path());
    assert_eq!(l.chunks_refused, 3, "the first chunk, sent three times");
    assert_eq!(l.chunks_accepted, 0);
    let sha = job.key.clone();
    assert_eq!(rt.block_on(client.attachment_status(&sha)).unwrap(), None);

    // Chunks arrive whole again: the refused chunk is sent again (from
    // offset 0, nothing was kept) and the upload completes.
    srv.faults.set(FaultSettings {
        corrupt_chunk_rate: 0.0,
        ..FaultSettings::default()
    });
    let done = send().unwrap();
    assert!(done.complete && !done.duplicate, "{done:?}");
    let l = listing(dir.path());
    assert_eq!(l.chunks_refused, 3);
    assert_eq!(l.chunks_accepted, 4, "200 kB in 64 KiB chunks");
    assert_eq!(l.chunk_bytes_accepted as usize, pages[0].len());
    assert_eq!(stored(dir.path(), &sha).as_ref(), Some(&pages[0]));
    srv.stop();
}
