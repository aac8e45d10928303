//! The reference platform's endpoints: cases (idempotent), status,
//! materials, ratings, heartbeats and the operators' admin views.

use super::{AppState, FaultSettings, KioskId, Shared, api_error, internal, now_ms, store};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use onevisit_core::platform::contract::{
    self, CaseAccepted, CaseStatus, ItemCase, ItemProgress, ItemStatus,
};
use onevisit_core::visit::submission::Submission;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

fn validate_case(st: &AppState, kiosk: &str, sub: &Submission) -> Result<(), (String, String)> {
    let fail = |c: &str, m: String| Err((c.to_string(), m));
    if sub.kiosk_id != kiosk {
        return fail(
            "kiosk_mismatch",
            format!("case from kiosk {} signed by {kiosk}", sub.kiosk_id),
        );
    }
    if onevisit_core::outbox::receipt::normalise(&sub.receipt).as_deref()
        != Some(sub.receipt.as_str())
    {
        return fail(
            "bad_receipt",
            format!("receipt {:?} is not well formed", sub.receipt),
        );
    }
    if sub.catalog_version.declared.is_empty() {
        return fail("no_catalog_version", "catalog version missing".into());
    }
    if st.cfg.retired_catalog.as_deref() == Some(sub.catalog_version.declared.as_str()) {
        return fail(
            "catalog_retired",
            format!(
                "目录版本 {} 已停用，请按现行目录重新办理",
                sub.catalog_version.declared
            ),
        );
    }
    let notice_items: Vec<&str> = sub.notice["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["code"].as_str()).collect())
        .unwrap_or_default();
    let items = sub.item_codes();
    if items.is_empty() || items.len() != sub.applications.len() || items != notice_items {
        return fail(
            "applications_mismatch",
            "one application per item of the notice is required".into(),
        );
    }
    if let Some(m) = sub.materials.iter().find(|m| !valid_sha(&m.sha256)) {
        return fail(
            "bad_sha256",
            format!(
                "page {} of material {} is cited by {:?}, not a lower-case hex SHA-256",
                m.page, m.material, m.sha256
            ),
        );
    }
    Ok(())
}

pub(super) async fn create_case(State(st): State<Shared>, req: Request) -> Response {
    let kiosk = req
        .extensions()
        .get::<KioskId>()
        .map(|k| k.0.clone())
        .unwrap_or_default();
    let idem = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), usize::MAX).await else {
        return api_error(StatusCode::BAD_REQUEST, "bad_body", "unreadable body");
    };
    if idem.is_empty() || idem.len() > 200 {
        return api_error(
            StatusCode::BAD_REQUEST,
            "no_idempotency_key",
            "Idempotency-Key header required",
        );
    }
    let body_hash = hex::encode(Sha256::digest(&bytes));
    // A repeat of a known key is answered from the store before anything
    // else: the same request must get the same answer.
    {
        let db = st.db();
        match stored_answer(&db, &idem, &body_hash) {
            Ok(Some(r)) => return r,
            Ok(None) => {}
            Err(e) => return internal(e),
        }
    }
    let sub: Submission = match serde_json::from_slice(&bytes) {
        Ok(s) => s,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, "bad_json", e.to_string()),
    };
    if let Err((code, msg)) = validate_case(&st, &kiosk, &sub) {
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, &code, msg);
    }
    // Every page the manifest cites must be here, whole, before the case.
    match store::missing_attachments(&st.db(), sub.materials.iter().map(|m| m.sha256.as_str())) {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) => {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_attachment",
                format!(
                    "the manifest cites {} attachment(s) not uploaded: {}",
                    missing.len(),
                    missing.join(", ")
                ),
            );
        }
        Err(e) => return internal(e),
    }
    let mut db = st.db();
    let tx = match db.transaction() {
        Ok(t) => t,
        Err(e) => return internal(e),
    };
    let exists: Option<String> = match tx
        .query_row(
            "SELECT idem_key FROM cases WHERE receipt = ?1",
            [&sub.receipt],
            |r| r.get(0),
        )
        .optional()
    {
        Ok(v) => v,
        Err(e) => return internal(e),
    };
    if exists.is_some() {
        return api_error(
            StatusCode::CONFLICT,
            "receipt_conflict",
            format!(
                "receipt {} already filed under another idempotency key",
                sub.receipt
            ),
        );
    }
    let result = (|| -> rusqlite::Result<CaseAccepted> {
        let n = store::bump(&tx, "case")?;
        let case_id = format!("C{}{:08}", chrono::Utc::now().format("%Y"), n);
        let mut items = Vec::new();
        for app in &sub.applications {
            let item = app["item"].as_str().unwrap_or_default().to_string();
            let seq = store::bump(&tx, &format!("item:{item}"))?;
            items.push(ItemCase {
                case_number: format!("{item}-{}-{seq:06}", chrono::Utc::now().format("%Y")),
                department: app["department"].as_str().unwrap_or_default().to_string(),
                item,
                status: ItemStatus::Accepted,
            });
        }
        tx.execute(
            "INSERT INTO cases(case_id, idem_key, body_hash, receipt, kiosk_id, bundle, received_ms, items, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                case_id,
                idem,
                body_hash,
                sub.receipt,
                sub.kiosk_id,
                sub.bundle,
                now_ms(),
                serde_json::to_string(&items).expect("json"),
                String::from_utf8_lossy(&bytes)
            ],
        )?;
        Ok(CaseAccepted {
            case_id,
            receipt: sub.receipt.clone(),
            duplicate: false,
            items,
        })
    })();
    match result.and_then(|r| tx.commit().map(|_| r)) {
        Ok(r) => (StatusCode::CREATED, axum::Json(r)).into_response(),
        Err(e) => internal(e),
    }
}

/// The stored answer for a repeated idempotency key, or a conflict when
/// the key comes with a different body.
fn stored_answer(
    db: &Connection,
    idem: &str,
    body_hash: &str,
) -> rusqlite::Result<Option<Response>> {
    let row: Option<(String, String, String, String)> = db
        .query_row(
            "SELECT case_id, receipt, items, body_hash FROM cases WHERE idem_key = ?1",
            [idem],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((case_id, receipt, items, hash)) = row else {
        return Ok(None);
    };
    if hash != body_hash {
        return Ok(Some(api_error(
            StatusCode::CONFLICT,
            "idempotency_conflict",
            "this Idempotency-Key was used with a different body",
        )));
    }
    db.execute(
        "UPDATE cases SET duplicates = duplicates + 1 WHERE idem_key = ?1",
        [idem],
    )?;
    store::bump(db, "duplicates_refused")?;
    let answer = CaseAccepted {
        case_id,
        receipt,
        duplicate: true,
        items: serde_json::from_str(&items).unwrap_or_default(),
    };
    Ok(Some((StatusCode::OK, axum::Json(answer)).into_response()))
}

pub(super) async fn case_status(
    State(st): State<Shared>,
    UrlPath(receipt): UrlPath<String>,
) -> Response {
    let db = st.db();
    let row: rusqlite::Result<Option<(String, i64, String, String)>> = db
        .query_row(
            "SELECT case_id, received_ms, items, body FROM cases WHERE receipt = ?1",
            [&receipt],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional();
    match row {
        Err(e) => internal(e),
        Ok(None) => api_error(
            StatusCode::NOT_FOUND,
            "unknown_case",
            format!("no case for receipt {receipt}"),
        ),
        Ok(Some((case_id, received, items, body))) => {
            let materials = match serde_json::from_str::<Submission>(&body) {
                Ok(sub) => match store::materials_received(&db, &sub) {
                    Ok(m) => m,
                    Err(e) => return internal(e),
                },
                // Stored by this platform after its own checks: unreadable
                // only if the contract changed under it.
                Err(e) => {
                    log::warn!("case {case_id}: stored body unreadable: {e}");
                    Vec::new()
                }
            };
            let items: Vec<ItemCase> = serde_json::from_str(&items).unwrap_or_default();
            let now = now_ms();
            let items = items
                .into_iter()
                .map(|i| {
                    let (status, since) =
                        store::status_at(&i.case_number, received, now, st.cfg.status_step_ms);
                    ItemProgress {
                        item: i.item,
                        case_number: i.case_number,
                        status,
                        status_label: status.label().into(),
                        since: store::ms_to_rfc3339(since),
                    }
                })
                .collect();
            axum::Json(CaseStatus {
                case_id,
                receipt,
                items,
                materials,
            })
            .into_response()
        }
    }
}

/// `PUT /v1/materials/{sha256}`: a whole page in one request (the older
/// form of [`attachment_put`]); stored in the same place, once.
pub(super) async fn material(
    State(st): State<Shared>,
    UrlPath(sha): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !valid_sha(&sha) {
        return bad_sha();
    }
    let actual = hex::encode(Sha256::digest(&body));
    if actual != sha {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "body does not match the hash in the path",
        );
    }
    let receipt = header(&headers, contract::H_RECEIPT);
    let total = body.len() as u64;
    match store::put_chunk(&mut st.db(), &sha, receipt, 0, total, &body, now_ms()) {
        Ok(s) => axum::Json(onevisit_core::platform::contract::MaterialStored {
            sha256: sha,
            size: total,
            duplicate: s.duplicate,
        })
        .into_response(),
        Err(e) => chunk_error(e),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn valid_sha(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// 400 `bad_sha256`: a page's name in a path or manifest must be its
/// SHA-256 as 64 lower-case hex digits.
fn bad_sha() -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "bad_sha256",
        "the path must be a lower-case hex SHA-256 (64 characters 0-9a-f)",
    )
}

fn chunk_error(e: store::ChunkError) -> Response {
    let status = match &e {
        store::ChunkError::OffsetMismatch { .. } | store::ChunkError::TotalMismatch { .. } => {
            StatusCode::CONFLICT
        }
        store::ChunkError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    api_error(status, e.code(), e.to_string())
}

/// `GET /v1/attachments/{sha256}`: how much of a page is held (where a
/// resumed upload starts), or 404 `unknown_attachment`.
pub(super) async fn attachment_get(
    State(st): State<Shared>,
    UrlPath(sha): UrlPath<String>,
) -> Response {
    if !valid_sha(&sha) {
        return bad_sha();
    }
    match store::attachment(&st.db(), &sha) {
        Ok(Some(s)) => axum::Json(s).into_response(),
        Ok(None) => api_error(
            StatusCode::NOT_FOUND,
            "unknown_attachment",
            format!("no part of attachment {sha} is held"),
        ),
        Err(e) => internal(e),
    }
}

/// `PUT /v1/attachments/{sha256}`: one chunk of a page at
/// `X-Onevisit-Offset` of `X-Onevisit-Total` bytes, checked against
/// `X-Onevisit-Chunk-Sha256`; the last chunk is checked against the whole
/// file's hash in the path. Idempotent: a chunk already held, or any chunk
/// of a complete page, is answered without storing anything twice.
pub(super) async fn attachment_put(
    State(st): State<Shared>,
    UrlPath(sha): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !valid_sha(&sha) {
        return bad_sha();
    }
    let number = |name: &str| header(&headers, name).trim().parse::<u64>().ok();
    let (Some(offset), Some(total)) = (number(contract::H_OFFSET), number(contract::H_TOTAL))
    else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "bad_chunk_headers",
            "X-Onevisit-Offset and X-Onevisit-Total (bytes) are required",
        );
    };
    if body.len() > contract::MAX_CHUNK {
        return api_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "chunk_too_large",
            format!("a chunk is at most {} bytes", contract::MAX_CHUNK),
        );
    }
    let mut chunk = body.to_vec();
    // Fault injection: the chunk arrives damaged (after the signature
    // check, as a bad disk or a broken proxy would damage it).
    if st.faults.corrupt_chunk()
        && let Some(b) = chunk.first_mut()
    {
        *b ^= 0x55;
    }
    if hex::encode(Sha256::digest(&chunk)) != header(&headers, contract::H_CHUNK_SHA256) {
        let _ = store::bump(&st.db(), "chunks_refused");
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "chunk_hash_mismatch",
            format!(
                "the chunk at offset {offset} does not match X-Onevisit-Chunk-Sha256; nothing was stored, send it again"
            ),
        );
    }
    let receipt = header(&headers, contract::H_RECEIPT);
    match store::put_chunk(&mut st.db(), &sha, receipt, offset, total, &chunk, now_ms()) {
        Ok(s) => axum::Json(s).into_response(),
        Err(e) => chunk_error(e),
    }
}

/// `POST /v1/elicences/lookup`: the sample 电子证照 this person holds among
/// the materials asked about.
pub(super) async fn elicence_lookup(body: Bytes) -> Response {
    let q: contract::ElicenceQuery = match serde_json::from_slice(&body) {
        Ok(q) => q,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, "bad_json", e.to_string()),
    };
    if onevisit_core::ids::ResidentId::parse(q.id_number.trim()).is_err() {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_id_number",
            "id_number is not a valid resident identity number",
        );
    }
    let licences = super::licences::held_by(q.id_number.trim(), &q.materials);
    axum::Json(contract::ElicenceAnswer { licences }).into_response()
}

pub(super) async fn rating(
    State(st): State<Shared>,
    UrlPath(receipt): UrlPath<String>,
    body: Bytes,
) -> Response {
    let Ok(r) = serde_json::from_slice::<onevisit_core::platform::contract::Rating>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "bad_json", "rating body");
    };
    if !(1..=5).contains(&r.score) {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_score",
            "score must be 1-5",
        );
    }
    let db = st.db();
    let known = db.query_row(
        "SELECT EXISTS(SELECT 1 FROM cases WHERE receipt = ?1)",
        [&receipt],
        |r| r.get::<_, bool>(0),
    );
    match known {
        Err(e) => return internal(e),
        Ok(false) => {
            return api_error(
                StatusCode::NOT_FOUND,
                "unknown_case",
                "rating for an unknown case",
            );
        }
        Ok(true) => {}
    }
    match db.execute(
        "INSERT OR IGNORE INTO ratings(receipt, score, comment, received_ms) VALUES (?1, ?2, ?3, ?4)",
        params![receipt, r.score, r.comment, now_ms()],
    ) {
        Ok(n) => axum::Json(serde_json::json!({"receipt": receipt, "duplicate": n == 0})).into_response(),
        Err(e) => internal(e),
    }
}

pub(super) async fn heartbeat(State(st): State<Shared>, body: Bytes) -> Response {
    let Ok(hb) = serde_json::from_slice::<onevisit_core::platform::contract::Heartbeat>(&body)
    else {
        return api_error(StatusCode::BAD_REQUEST, "bad_json", "heartbeat body");
    };
    match st.db().execute(
        "INSERT INTO heartbeats(kiosk_id, received_ms, body) VALUES (?1, ?2, ?3)",
        params![hb.kiosk_id, now_ms(), String::from_utf8_lossy(&body)],
    ) {
        Ok(_) => axum::Json(serde_json::json!({"ok": true})).into_response(),
        Err(e) => internal(e),
    }
}

pub(super) async fn admin_list(State(st): State<Shared>) -> Response {
    match store::list(&st.db()) {
        Ok(l) => axum::Json(l).into_response(),
        Err(e) => internal(e),
    }
}

pub(super) async fn get_faults(State(st): State<Shared>) -> Response {
    axum::Json(st.faults.get()).into_response()
}

pub(super) async fn put_faults(
    State(st): State<Shared>,
    axum::Json(s): axum::Json<FaultSettings>,
) -> Response {
    st.faults.set(s.clone());
    axum::Json(s).into_response()
}
