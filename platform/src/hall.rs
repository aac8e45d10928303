//! The hall page (issue 17): one web page for the hall's staff, on a desk
//! or a phone, with a card per kiosk (paper, devices, online or not, help
//! calls) kept live over server-sent events, and the fleet commands
//! behind the staff PIN, signed with the hall's key.
//!
//! The server knows no MQTT: whoever runs it (`onevisit hall`, the tests)
//! feeds it the broker's messages with [`Hall::apply`] and gives it a
//! [`CommandSink`] that publishes commands. Plain HTTP: put it behind TLS
//! (a reverse proxy) before it leaves the hall's own network.
//!
//! - `GET /` the page (cards rendered in the HTML, then live).
//! - `GET /api/kiosks` every card as JSON.
//! - `GET /api/events` SSE: `event: kiosk`, data = one card's JSON.
//! - `POST /api/login` `{"pin": "…"}` → a session cookie (15 min) when the
//!   staff PIN gate grants; 5 wrong → locked, as on the kiosk.
//! - `POST /api/kiosks/{kiosk}/commands` `{"action": "reset"}` with that
//!   cookie → signs and sends; `{"nonce": …}` (the result comes back on
//!   the card's `last_result`).

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use onevisit_core::fleet::command::DEFAULT_LIFETIME_MS;
use onevisit_core::fleet::topic::valid_segment;
use onevisit_core::fleet::{Action, Command, HallView, KioskCard, SignedCommand, Token};
use onevisit_core::signing::SigningKey;
use onevisit_core::staff::{GateOutcome, StaffGate};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

/// How long a staff login lasts.
pub const SESSION: Duration = Duration::from_secs(15 * 60);
const COOKIE: &str = "onevisit_hall";

/// Publishes a signed command to its kiosk.
pub trait CommandSink: Send + Sync + 'static {
    fn send(&self, command: &Command, signed: &SignedCommand) -> Result<(), String>;
}

/// The hall server's state.
pub struct Hall {
    hall: Token,
    view: Mutex<HallView>,
    updates: broadcast::Sender<String>,
    key: SigningKey,
    gate: Arc<StaffGate>,
    sink: Arc<dyn CommandSink>,
    sessions: Mutex<HashMap<String, Instant>>,
}

impl Hall {
    pub fn new(
        hall: Token,
        key: SigningKey,
        gate: StaffGate,
        sink: Arc<dyn CommandSink>,
    ) -> Arc<Hall> {
        Arc::new(Hall {
            view: Mutex::new(HallView::new(hall.as_str())),
            hall,
            updates: broadcast::channel(4096).0,
            key,
            gate: Arc::new(gate),
            sink,
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// One broker message (under `onevisit/<hall>/#`).
    pub fn apply(&self, topic: &str, payload: &[u8]) {
        let card = {
            let mut v = self.view.lock().unwrap_or_else(|p| p.into_inner());
            v.apply(topic, payload, onevisit_core::outbox::now_ms())
                .and_then(|k| v.kiosks.get(&k).cloned())
        };
        if let Some(card) = card {
            let _ = self
                .updates
                .send(serde_json::to_string(&card).expect("card serialises"));
        }
    }

    pub fn view(&self) -> HallView {
        self.view.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn logged_in(&self, headers: &HeaderMap) -> bool {
        let Some(token) = cookie(headers) else {
            return false;
        };
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.retain(|_, t| t.elapsed() < SESSION);
        s.contains_key(&token)
    }
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The page and its API.
pub fn router(hall: Arc<Hall>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/kiosks", get(kiosks))
        .route("/api/events", get(events))
        .route("/api/login", post(login))
        .route("/api/kiosks/{kiosk}/commands", post(send_command))
        .with_state(hall)
}

/// Serves the page on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, hall: Arc<Hall>) -> std::io::Result<()> {
    axum::serve(listener, router(hall)).await
}

async fn kiosks(State(h): State<Arc<Hall>>) -> Json<HallView> {
    Json(h.view())
}

async fn events(
    State(h): State<Arc<Hall>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let stream = BroadcastStream::new(h.updates.subscribe())
        .filter_map(|m| m.ok())
        .map(|card| Ok(Event::default().event("kiosk").data(card)));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Deserialize)]
struct Login {
    pin: String,
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"code": code, "message": message})),
    )
        .into_response()
}

async fn login(State(h): State<Arc<Hall>>, Json(l): Json<Login>) -> Response {
    let gate = h.gate.clone();
    let outcome = tokio::task::spawn_blocking(move || gate.try_enter(&l.pin)).await;
    match outcome {
        Ok(Ok(GateOutcome::Granted)) => {
            let token = hex::encode(rand::random::<[u8; 16]>());
            h.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(token.clone(), Instant::now());
            (
                [(
                    header::SET_COOKIE,
                    format!(
                        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
                        SESSION.as_secs()
                    ),
                )],
                Json(serde_json::json!({"code": "ok", "message": "已登录"})),
            )
                .into_response()
        }
        Ok(Ok(other)) => refuse(
            StatusCode::UNAUTHORIZED,
            "hall.pin_refused",
            &other.message(),
        ),
        _ => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "hall.gate_unavailable",
            "维护密码校验暂时不可用",
        ),
    }
}

#[derive(Deserialize)]
struct CommandRequest {
    action: String,
}

async fn send_command(
    State(h): State<Arc<Hall>>,
    Path(kiosk): Path<String>,
    headers: HeaderMap,
    Json(req): Json<CommandRequest>,
) -> Response {
    if !h.logged_in(&headers) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "hall.login_required",
            "请先输入维护密码",
        );
    }
    let Some(action) = Action::parse(&req.action) else {
        return refuse(StatusCode::BAD_REQUEST, "hall.unknown_action", "未知操作");
    };
    let kiosk = match Token::new(&kiosk) {
        Ok(k) if valid_segment(k.as_str()) => k,
        _ => return refuse(StatusCode::BAD_REQUEST, "hall.unknown_kiosk", "未知终端"),
    };
    let command = Command::new(
        h.hall.clone(),
        kiosk,
        action,
        onevisit_core::outbox::now_ms(),
        DEFAULT_LIFETIME_MS,
    );
    let signed = command.sign(&h.key);
    match h.sink.send(&command, &signed) {
        Ok(()) => Json(serde_json::json!({
            "code": "ok",
            "nonce": command.nonce.as_str(),
            "message": format!("已发送：{}", action.label_zh()),
        }))
        .into_response(),
        Err(e) => {
            log::warn!("hall: send {}: {e}", action.as_str());
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "hall.broker_unavailable",
                "无法连接消息服务器，请稍后再试",
            )
        }
    }
}

async fn page(State(h): State<Arc<Hall>>) -> Html<String> {
    let view = h.view();
    let (total, online, urgent) = view.summary();
    let cards: String = view.kiosks.values().map(card_html).collect();
    Html(
        PAGE.replace("{{hall}}", &escape(&view.hall))
            .replace(
                "{{summary}}",
                &format!("共 {total} 台 · 在线 {online} 台 · 需处理 {urgent} 台"),
            )
            .replace("{{cards}}", &cards)
            .replace(
                "{{actions}}",
                &serde_json::to_string(
                    &Action::ALL
                        .iter()
                        .map(|a| (a.as_str(), a.label_zh()))
                        .collect::<Vec<_>>(),
                )
                .expect("actions"),
            ),
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One card as HTML (the page's script renders the same from JSON).
pub fn card_html(c: &KioskCard) -> String {
    let status = match c.online {
        Some(true) => "在线",
        Some(false) => "离线",
        None => "未知",
    };
    let paper = c
        .state
        .as_ref()
        .map_or("—".to_string(), |s| format!("{}%", s.paper.percent));
    let alerts: String = if c.alerts.is_empty() {
        "<li class=\"fine\">正常</li>".into()
    } else {
        c.alerts
            .iter()
            .map(|a| format!("<li>{}</li>", escape(a)))
            .collect()
    };
    format!(
        "<article class=\"card sev{sev}\" id=\"kiosk-{id}\" data-kiosk=\"{id}\">\
         <header><h2>{id}</h2><span class=\"status\">{status}</span></header>\
         <p class=\"paper\">纸量 <b>{paper}</b></p><ul class=\"alerts\">{alerts}</ul>\
         <div class=\"actions\"></div></article>",
        sev = c.severity,
        id = escape(&c.kiosk),
    )
}

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>大厅终端 · {{hall}}</title>
<style>
body{margin:0;font-family:"WenQuanYi Zen Hei",sans-serif;background:#f3f5f8;color:#1d2733}
header.top{background:#1b4f8a;color:#fff;padding:12px 20px;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
header.top h1{font-size:22px;margin:0}
#summary{font-size:16px}
#login{display:flex;gap:8px}
#login input{font-size:18px;width:9em;padding:6px}
button{font-size:16px;padding:8px 12px;border-radius:6px;border:1px solid #9aa8b8;background:#fff;min-height:44px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px;padding:16px}
.card{background:#fff;border-radius:10px;padding:12px 14px;border-left:8px solid #3a9a5b;box-shadow:0 1px 3px #0002}
.card.sev1{border-left-color:#d9a300}.card.sev2{border-left-color:#c93a2c}
.card header{display:flex;justify-content:space-between;align-items:baseline}
.card h2{margin:0;font-size:20px}.status{font-size:15px}
.paper{margin:6px 0;font-size:16px}
.alerts{margin:4px 0 8px;padding-left:20px;font-size:16px;color:#8a2a1f}.alerts .fine{color:#2d7a47}
.actions{display:flex;flex-wrap:wrap;gap:6px}.actions button{font-size:14px;min-height:40px}
#msg{padding:0 20px;font-size:16px;min-height:1.5em}
@media (max-width:600px){main{grid-template-columns:1fr;padding:10px}header.top h1{font-size:20px}}
</style></head><body>
<header class="top"><h1>一件事一次办 · 大厅终端（{{hall}}）</h1><span id="summary">{{summary}}</span>
<form id="login"><input id="pin" type="password" inputmode="numeric" autocomplete="off" placeholder="维护密码"><button>登录</button></form></header>
<p id="msg"></p>
<main id="cards">{{cards}}</main>
<script>
const ACTIONS={{actions}};
let loggedIn=false;
const cards=new Map();
function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]))}
function render(c){
  cards.set(c.kiosk,c);
  let el=document.getElementById('kiosk-'+c.kiosk);
  if(!el){el=document.createElement('article');el.id='kiosk-'+c.kiosk;document.getElementById('cards').appendChild(el);}
  const st=c.online===true?'在线':c.online===false?'离线':'未知';
  const paper=c.state?c.state.paper.percent+'%':'—';
  const alerts=c.alerts.length?c.alerts.map(a=>'<li>'+esc(a)+'</li>').join(''):'<li class="fine">正常</li>';
  const res=c.last_result?'<p class="result">上次指令：'+esc(c.last_result.action||'')+' → '+esc(c.last_result.ok?'成功':c.last_result.error)+'</p>':'';
  el.className='card sev'+c.severity;el.dataset.kiosk=c.kiosk;
  el.innerHTML='<header><h2>'+esc(c.kiosk)+'</h2><span class="status">'+st+'</span></header><p class="paper">纸量 <b>'+paper+'</b></p><ul class="alerts">'+alerts+'</ul>'+res+'<div class="actions"></div>';
  actions(el);summary();
}
function actions(el){
  const box=el.querySelector('.actions');box.innerHTML='';
  if(!loggedIn)return;
  for(const [a,label] of ACTIONS){const b=document.createElement('button');b.textContent=label;b.onclick=()=>send(el.dataset.kiosk,a,label);box.appendChild(b);}
}
function summary(){
  const all=[...cards.values()];
  document.getElementById('summary').textContent='共 '+all.length+' 台 · 在线 '+all.filter(c=>c.online===true).length+' 台 · 需处理 '+all.filter(c=>c.severity===2).length+' 台';
}
async function send(kiosk,action,label){
  if(action==='reset'&&!confirm('确定重置 '+kiosk+'？'))return;
  const r=await fetch('/api/kiosks/'+kiosk+'/commands',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({action})});
  const j=await r.json();document.getElementById('msg').textContent=kiosk+'：'+j.message;
}
document.getElementById('login').onsubmit=async e=>{
  e.preventDefault();
  const r=await fetch('/api/login',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({pin:document.getElementById('pin').value})});
  const j=await r.json();document.getElementById('msg').textContent=j.message;
  if(r.ok){loggedIn=true;document.getElementById('login').style.display='none';document.querySelectorAll('.card').forEach(actions);}
};
fetch('/api/kiosks').then(r=>r.json()).then(v=>{for(const c of Object.values(v.kiosks))render(c)});
const es=new EventSource('/api/events');
es.addEventListener('kiosk',e=>render(JSON.parse(e.data)));
</script></body></html>
"#;
