//! The reference platform: a real HTTP server implementing the contract
//! on its own SQLite database, with signature checks and switchable
//! faults. It exists for tests, benchmarks and demos, never production.

pub mod faults;
pub mod store;
pub mod tls;

use super::contract::{ApiError, CaseAccepted, CaseStatus, ItemCase, ItemProgress, ItemStatus};
use super::sign;
use crate::submission::Submission;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
pub use faults::{Fault, FaultSettings, Faults};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How the reference platform runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub db: PathBuf,
    /// Kiosk id → signing key. `None`: development mode, every kiosk signs
    /// with the built-in development key.
    pub keys: Option<HashMap<String, Vec<u8>>>,
    pub faults: FaultSettings,
    /// How long each status step (accepted → in review → decided) takes.
    pub status_step_ms: i64,
    /// A catalog version the platform no longer accepts (422).
    pub retired_catalog: Option<String>,
    /// PEM certificate chain and key: serve HTTPS instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
}

impl ServerConfig {
    pub fn new(db: PathBuf) -> ServerConfig {
        ServerConfig {
            db,
            keys: None,
            faults: FaultSettings::default(),
            status_step_ms: 60_000,
            retired_catalog: None,
            tls: None,
        }
    }
}

struct AppState {
    db: Mutex<Connection>,
    cfg: ServerConfig,
    faults: Arc<Faults>,
}

type Shared = Arc<AppState>;

fn now_ms() -> i64 {
    crate::outbox::now_ms()
}

fn api_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = ApiError {
        code: code.into(),
        message: message.into(),
    };
    (status, axum::Json(body)).into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    api_error(StatusCode::INTERNAL_SERVER_ERROR, "storage", e.to_string())
}

impl AppState {
    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Builds the router over an opened database.
fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/v1/cases", post(create_case))
        .route("/v1/cases/{receipt}", get(case_status))
        .route("/v1/cases/{receipt}/rating", post(rating))
        .route("/v1/materials/{sha256}", put(material))
        .route("/v1/heartbeats", post(heartbeat))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults));
    let admin = Router::new()
        .route("/v1/admin/cases", get(admin_list))
        .route("/v1/admin/faults", get(get_faults).put(put_faults))
        .layer(middleware::from_fn(loopback_only));
    api.merge(admin).with_state(state)
}

/// A running server for tests and benchmarks: its address, its fault
/// switch, and a stop handle (dropping it stops the server).
pub struct Running {
    pub addr: SocketAddr,
    /// Serving HTTPS.
    pub tls: bool,
    pub faults: Arc<Faults>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }
    pub fn stop(mut self) {
        self.shutdown();
    }
    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the server on its own thread and runtime, listening on `addr`
/// (use port 0 for an ephemeral port).
pub fn start(addr: SocketAddr, cfg: ServerConfig) -> std::io::Result<Running> {
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let conn = store::open(&cfg.db).map_err(std::io::Error::other)?;
    let faults = Arc::new(Faults::new(cfg.faults.clone()));
    let state = Arc::new(AppState {
        db: Mutex::new(conn),
        cfg,
        faults: faults.clone(),
    });
    let acceptor = match &state.cfg.tls {
        Some((cert, key)) => Some(tls::acceptor(cert, key).map_err(std::io::Error::other)?),
        None => None,
    };
    let tls = acceptor.is_some();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("platform".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
                let stop = async {
                    let _ = rx.await;
                };
                let _ = run_server(listener, acceptor, state, stop).await;
            });
            // Hanging requests (timeout faults) must not keep the test alive.
            rt.shutdown_timeout(std::time::Duration::from_millis(100));
        })?;
    Ok(Running {
        addr,
        tls,
        faults,
        stop: Some(tx),
        thread: Some(thread),
    })
}

/// Serves plain HTTP, or HTTPS when an acceptor is given, until `stop`.
async fn run_server(
    listener: tokio::net::TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    state: Shared,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    match acceptor {
        None => {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<tls::Peer>(),
            )
            .with_graceful_shutdown(stop)
            .await
        }
        Some(acceptor) => {
            let tls = tls::TlsListener {
                tcp: listener,
                acceptor,
            };
            axum::serve(tls, app.into_make_service_with_connect_info::<tls::Peer>())
                .with_graceful_shutdown(stop)
                .await
        }
    }
}

/// Runs the server in the foreground until Ctrl-C (the CLI).
pub async fn serve(listener: tokio::net::TcpListener, cfg: ServerConfig) -> std::io::Result<()> {
    let conn = store::open(&cfg.db).map_err(std::io::Error::other)?;
    let acceptor = match &cfg.tls {
        Some((cert, key)) => Some(tls::acceptor(cert, key).map_err(std::io::Error::other)?),
        None => None,
    };
    let faults = Arc::new(Faults::new(cfg.faults.clone()));
    let state = Arc::new(AppState {
        db: Mutex::new(conn),
        cfg,
        faults,
    });
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    run_server(listener, acceptor, state, stop).await
}

async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<tls::Peer>,
    req: Request,
    next: Next,
) -> Response {
    if !peer.0.ip().is_loopback() {
        return api_error(StatusCode::FORBIDDEN, "forbidden", "admin is loopback only");
    }
    next.run(req).await
}

async fn inject_faults(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let (fault, latency) = st.faults.draw();
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    match fault {
        Fault::None => next.run(req).await,
        Fault::Down => api_error(StatusCode::SERVICE_UNAVAILABLE, "down", "platform is down"),
        Fault::Error => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected",
            "injected 500",
        ),
        Fault::Throttle(secs) => {
            let mut r = api_error(StatusCode::TOO_MANY_REQUESTS, "throttled", "slow down");
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
            r
        }
        Fault::Hang(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            api_error(StatusCode::GATEWAY_TIMEOUT, "hung", "injected hang")
        }
        Fault::Drop => {
            // Do the work, then lose the answer on the wire.
            let done = next.run(req).await;
            let (mut parts, _) = done.into_parts();
            parts.headers.remove("content-length");
            Response::from_parts(parts, Body::new(CutBody))
        }
    }
}

/// A body that fails at once, so the server aborts the connection.
struct CutBody;

impl http_body::Body for CutBody {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::other("injected connection drop"))))
    }
}

/// Checks the kiosk's signature, the timestamp window and the nonce.
async fn authenticate(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
        return api_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "body over 64 MiB",
        );
    };
    let h = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (kiosk, ts, nonce, sig) = (
        h(sign::H_KIOSK),
        h(sign::H_TIMESTAMP),
        h(sign::H_NONCE),
        h(sign::H_SIGNATURE),
    );
    let key = match &st.cfg.keys {
        None => Some(crate::config::DEV_KIOSK_KEY.to_vec()),
        Some(keys) => keys.get(&kiosk).cloned(),
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let refuse = |code: &str, msg: &str| {
        if let Err(e) = store::bump(&st.db(), "rejected_signatures") {
            return internal(e);
        }
        api_error(StatusCode::UNAUTHORIZED, code, msg)
    };
    let Some(key) = key else {
        return refuse("unknown_kiosk", "this kiosk id has no key here");
    };
    let Ok(ts_num) = ts.parse::<i64>() else {
        return refuse("bad_signature", "missing or bad timestamp");
    };
    if nonce.len() < 16
        || !sign::verify(
            &key,
            parts.method.as_str(),
            path,
            ts_num,
            &nonce,
            &bytes,
            &sig,
        )
    {
        return refuse("bad_signature", "signature does not match");
    }
    let now = chrono::Utc::now().timestamp();
    if (now - ts_num).abs() > sign::MAX_SKEW_SECS {
        return refuse(
            "stale",
            "timestamp outside the allowed window; check the kiosk clock",
        );
    }
    {
        let db = st.db();
        match store::fresh_nonce(&db, &nonce, ts_num) {
            Ok(true) => {}
            Ok(false) => {
                drop(db);
                return refuse("replayed", "this nonce was already used");
            }
            Err(e) => return internal(e),
        }
        if rand::random::<u16>() < 64 {
            let _ = store::prune_nonces(&db, now - 2 * sign::MAX_SKEW_SECS);
        }
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(KioskId(kiosk));
    next.run(req).await
}

#[derive(Clone)]
struct KioskId(String);

fn validate_case(st: &AppState, kiosk: &str, sub: &Submission) -> Result<(), (String, String)> {
    let fail = |c: &str, m: String| Err((c.to_string(), m));
    if sub.kiosk_id != kiosk {
        return fail(
            "kiosk_mismatch",
            format!("case from kiosk {} signed by {kiosk}", sub.kiosk_id),
        );
    }
    if crate::outbox::receipt::normalise(&sub.receipt).as_deref() != Some(sub.receipt.as_str()) {
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
    Ok(())
}

async fn create_case(State(st): State<Shared>, req: Request) -> Response {
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

async fn case_status(State(st): State<Shared>, UrlPath(receipt): UrlPath<String>) -> Response {
    let db = st.db();
    let row: rusqlite::Result<Option<(String, i64, String)>> = db
        .query_row(
            "SELECT case_id, received_ms, items FROM cases WHERE receipt = ?1",
            [&receipt],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional();
    match row {
        Err(e) => internal(e),
        Ok(None) => api_error(
            StatusCode::NOT_FOUND,
            "unknown_case",
            format!("no case for receipt {receipt}"),
        ),
        Ok(Some((case_id, received, items))) => {
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
            })
            .into_response()
        }
    }
}

async fn material(
    State(st): State<Shared>,
    UrlPath(sha): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let actual = hex::encode(Sha256::digest(&body));
    if actual != sha {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "body does not match the hash in the path",
        );
    }
    let receipt = headers
        .get("x-onevisit-receipt")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let r = st.db().execute(
        "INSERT OR IGNORE INTO materials(sha256, size, receipt, received_ms, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![sha, body.len() as i64, receipt, now_ms(), body.as_ref()],
    );
    match r {
        Ok(n) => axum::Json(super::contract::MaterialStored {
            sha256: sha,
            size: body.len() as u64,
            duplicate: n == 0,
        })
        .into_response(),
        Err(e) => internal(e),
    }
}

async fn rating(
    State(st): State<Shared>,
    UrlPath(receipt): UrlPath<String>,
    body: Bytes,
) -> Response {
    let Ok(r) = serde_json::from_slice::<super::contract::Rating>(&body) else {
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

async fn heartbeat(State(st): State<Shared>, body: Bytes) -> Response {
    let Ok(hb) = serde_json::from_slice::<super::contract::Heartbeat>(&body) else {
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

async fn admin_list(State(st): State<Shared>) -> Response {
    match store::list(&st.db()) {
        Ok(l) => axum::Json(l).into_response(),
        Err(e) => internal(e),
    }
}

async fn get_faults(State(st): State<Shared>) -> Response {
    axum::Json(st.faults.get()).into_response()
}

async fn put_faults(
    State(st): State<Shared>,
    axum::Json(s): axum::Json<FaultSettings>,
) -> Response {
    st.faults.set(s.clone());
    axum::Json(s).into_response()
}
