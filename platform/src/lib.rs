//! The reference platform: a real HTTP server implementing the contract
//! on its own SQLite database, with signature checks and switchable
//! faults. It exists for tests, benchmarks and demos, never production.

pub mod faults;
pub mod hall;
mod handlers;
pub mod licences;
pub mod store;
pub mod tls;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
pub use faults::{Fault, FaultSettings, Faults};
use handlers::*;
use onevisit_core::platform::contract::ApiError;
use onevisit_core::platform::sign;
use rusqlite::Connection;
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
    onevisit_core::outbox::now_ms()
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
        .route(
            "/v1/attachments/{sha256}",
            put(attachment_put).get(attachment_get),
        )
        .route("/v1/elicences/lookup", post(elicence_lookup))
        .route("/v1/heartbeats", post(heartbeat))
        .route("/v1/licences/{uscc}", get(licences::licence))
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
        None => Some(sign::DEV_KIOSK_KEY.to_vec()),
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
