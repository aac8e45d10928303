//! The fleet against a real Mosquitto on loopback: 20 kiosks (one of them
//! a real session with an applicant mid-visit), paper levels, a help
//! request, a kiosk killed without goodbye (its last will says offline),
//! a broker restart (every kiosk publishes its state again), signed
//! commands reaching exactly their kiosk, replays / forgeries / expired
//! commands changing nothing, and no personal data in any payload.

#[path = "../../../tests/common/mosquitto.rs"]
mod mosquitto;

use mosquitto::Mosquitto;
use onevisit_core::applicant::CardData;
use onevisit_core::catalog::Catalog;
use onevisit_core::fleet::command::DEFAULT_LIFETIME_MS;
use onevisit_core::fleet::{
    Action, Command, CommandGate, CommandResult, FleetError, HallView, KioskState, Token,
};
use onevisit_core::signing::{self, SigningKey};
use onevisit_core::staff::{
    DeviceCondition, PaperLevel, PaperSettings, StaffDesk, StaffGate, SystemClock,
};
use onevisit_core::visit::{Page, SessionController, StaffServices};
use onevisit_drivers::manager::DeviceId;
use onevisit_drivers::sim::sam::TestCard;
use onevisit_uplink::fleet::{
    BrokerOptions, BrokerUrl, FleetHandle, FleetKiosk, FleetOptions, HallLink, HallMessage,
    start_kiosk,
};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HALL: &str = "hualong";
const KIOSKS: usize = 20;

/// A simulated kiosk: its state is whatever the test sets.
struct SimKiosk {
    state: Mutex<KioskState>,
    runs: AtomicU32,
}

impl FleetKiosk for SimKiosk {
    fn state(&self) -> Option<KioskState> {
        Some(self.state.lock().unwrap().clone())
    }
    fn execute(&self, _: &Command) -> Result<(), FleetError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The real one: a session controller with its staff desk.
struct RealKiosk {
    c: Mutex<SessionController>,
}

impl FleetKiosk for RealKiosk {
    fn state(&self) -> Option<KioskState> {
        let c = self.c.lock().unwrap();
        let s = c.staff().services()?;
        let o = s.desk.overview(None, &s.outbox, None, None).ok()?;
        KioskState::from_overview(&o).ok()
    }
    fn execute(&self, command: &Command) -> Result<(), FleetError> {
        self.c.lock().unwrap().remote_command(command.action)
    }
}

fn sim_state(kiosk: &str, percent: u8) -> KioskState {
    KioskState {
        schema: 1,
        kiosk: Token::new(kiosk).unwrap(),
        at_ms: onevisit_core::outbox::now_ms(),
        software: Token::new("0.1.0").unwrap(),
        catalog: Some(Token::new("2026.11-1").unwrap()),
        paper: onevisit_core::fleet::PaperState {
            level: if percent == 0 {
                PaperLevel::Out
            } else if percent < 15 {
                PaperLevel::Low
            } else {
                PaperLevel::Ok
            },
            percent,
            visits_left: Some(percent as u32 * 2),
        },
        devices: BTreeMap::from([
            (DeviceId::IdReader, DeviceCondition::Online),
            (DeviceId::Scanner, DeviceCondition::Online),
            (
                DeviceId::Printer,
                if percent == 0 {
                    DeviceCondition::PaperOut
                } else {
                    DeviceCondition::Online
                },
            ),
        ]),
        out_of_service: false,
        outbox: onevisit_core::fleet::OutboxState {
            depth: 0,
            oldest_age_s: None,
            rejected: 0,
        },
        help: onevisit_core::fleet::HelpState {
            open: 0,
            since_ms: None,
        },
    }
}

fn kiosk_id(i: usize) -> String {
    format!("K01{i:02}")
}

fn options(broker: &str, kiosk: &str) -> FleetOptions {
    let mut b = BrokerOptions::new(BrokerUrl::parse(broker).unwrap());
    b.keep_alive = Duration::from_secs(2);
    b.max_backoff = Duration::from_millis(500);
    FleetOptions {
        broker: b,
        hall: Token::new(HALL).unwrap(),
        kiosk: Token::new(kiosk).unwrap(),
        poll_every: Duration::from_millis(100),
        state_every: Duration::from_secs(10),
    }
}

fn desk(dir: &std::path::Path) -> StaffDesk {
    StaffDesk::open(dir, PaperSettings::default(), Arc::new(SystemClock)).unwrap()
}

fn gate(desk: &StaffDesk, kiosk: &str, key: &SigningKey) -> CommandGate {
    CommandGate::new(
        desk,
        Token::new(HALL).unwrap(),
        Token::new(kiosk).unwrap(),
        vec![key.verifying_key()],
    )
}

/// The hall's side: the page's server fed by the hall link, the test's
/// own fold of the same messages, and every payload seen.
struct Hall {
    view: Arc<Mutex<HallView>>,
    seen: Arc<Mutex<Vec<HallMessage>>>,
    link: HallLink,
    page: Arc<onevisit_platform::hall::Hall>,
    _staff: tempfile::TempDir,
}

/// The page's commands go out through the hall link.
struct LinkSink(Arc<std::sync::OnceLock<HallLink>>);

impl onevisit_platform::hall::CommandSink for LinkSink {
    fn send(
        &self,
        command: &Command,
        signed: &onevisit_core::fleet::SignedCommand,
    ) -> Result<(), String> {
        self.0.get().ok_or("not connected")?.send(command, signed)
    }
}

const PIN: &str = "246810";

impl Hall {
    fn start(rt: &tokio::runtime::Runtime, broker: &str, key: &SigningKey) -> Hall {
        let view = Arc::new(Mutex::new(HallView::new(HALL)));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let staff = tempfile::tempdir().unwrap();
        let store = Arc::new(onevisit_core::staff::StaffStore::open(staff.path()).unwrap());
        let hash = onevisit_core::staff::hash_pin(PIN).unwrap();
        let pin_gate = StaffGate::new(store, Some(&hash), Arc::new(SystemClock)).unwrap();
        let cell = Arc::new(std::sync::OnceLock::new());
        let page = onevisit_platform::hall::Hall::new(
            Token::new(HALL).unwrap(),
            key.clone(),
            pin_gate,
            Arc::new(LinkSink(cell.clone())),
        );
        let (v, s, p) = (view.clone(), seen.clone(), page.clone());
        let mut b = BrokerOptions::new(BrokerUrl::parse(broker).unwrap());
        b.max_backoff = Duration::from_millis(500);
        let link = HallLink::start(
            rt.handle(),
            b,
            Token::new(HALL).unwrap(),
            "hall-test",
            move |m| {
                p.apply(&m.topic, &m.payload);
                v.lock()
                    .unwrap()
                    .apply(&m.topic, &m.payload, onevisit_core::outbox::now_ms());
                s.lock().unwrap().push(m);
            },
        )
        .unwrap();
        let _ = cell.set(link.clone());
        Hall {
            view,
            seen,
            link,
            page,
            _staff: staff,
        }
    }

    fn wait(&self, what: &str, secs: u64, mut ok: impl FnMut(&HallView) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if ok(&self.view.lock().unwrap()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not seen within {secs} s; hall: {:#?}",
                self.view.lock().unwrap().summary()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn results(&self, kiosk: &str) -> Vec<CommandResult> {
        let topic = format!("onevisit/{HALL}/{kiosk}/cmd-result");
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.topic == topic)
            .map(|m| CommandResult::parse(&m.payload).unwrap())
            .collect()
    }

    fn wait_result(&self, kiosk: &str, n: usize) -> CommandResult {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = self.results(kiosk);
            if r.len() >= n {
                return r[n - 1].clone();
            }
            assert!(Instant::now() < deadline, "{kiosk}: result {n} not seen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn command(kiosk: &str, action: Action) -> Command {
    Command::new(
        Token::new(HALL).unwrap(),
        Token::new(kiosk).unwrap(),
        action,
        onevisit_core::outbox::now_ms(),
        DEFAULT_LIFETIME_MS,
    )
}

#[test]
fn twenty_kiosks_one_broker_one_hall() {
    let mut broker = Mosquitto::start();
    let rt = onevisit_core_rt();
    let url = broker.url();
    let key = signing::generate();
    let dirs: Vec<_> = (0..KIOSKS).map(|_| tempfile::tempdir().unwrap()).collect();

    // K0100: a real session, an applicant with a card mid-visit.
    let real_desk = desk(dirs[0].path());
    let outbox = Arc::new(
        onevisit_core::outbox::Outbox::open(
            &dirs[0].path().join("outbox.sqlite3"),
            "K0100",
            &[7; 32],
        )
        .unwrap(),
    );
    let staff_gate =
        StaffGate::new(real_desk.store().clone(), None, Arc::new(SystemClock)).unwrap();
    let mut c = SessionController::new(Catalog::load_default().unwrap());
    c.attach_staff(StaffServices::new(real_desk.clone(), staff_gate, outbox));
    let card = CardData::from(&TestCard::Resident.record());
    c.start();
    c.card_placed(card.clone());
    c.consent();
    c.call_staff();
    assert!(c.mid_visit());
    let real = Arc::new(RealKiosk { c: Mutex::new(c) });
    let real_id = kiosk_id(0);

    let hall = Hall::start(&rt, &url, &key);
    let mut sims: Vec<Option<Arc<SimKiosk>>> = vec![None];
    let mut handles: Vec<Option<FleetHandle>> = Vec::new();
    handles.push(Some(
        start_kiosk(
            rt.handle(),
            options(&url, &real_id),
            gate(&real_desk, &real_id, &key),
            real.clone(),
        )
        .unwrap(),
    ));
    for (i, dir) in dirs.iter().enumerate().skip(1) {
        let id = kiosk_id(i);
        let sim = Arc::new(SimKiosk {
            state: Mutex::new(sim_state(&id, (i * 5) as u8)),
            runs: AtomicU32::new(0),
        });
        let d = desk(dir.path());
        handles.push(Some(
            start_kiosk(
                rt.handle(),
                options(&url, &id),
                gate(&d, &id, &key),
                sim.clone(),
            )
            .unwrap(),
        ));
        sims.push(Some(sim));
    }

    // Every kiosk online with its paper level.
    hall.wait("20 kiosks online with state", 20, |h| {
        h.kiosks.len() == KIOSKS
            && h.kiosks
                .values()
                .all(|c| c.online == Some(true) && c.state.is_some())
    });
    {
        let h = hall.view.lock().unwrap();
        for i in 1..KIOSKS {
            let card = &h.kiosks[&kiosk_id(i)];
            assert_eq!(card.state.as_ref().unwrap().paper.percent, (i * 5) as u8);
        }
        let real_card = &h.kiosks[&real_id];
        assert_eq!(real_card.state.as_ref().unwrap().help.open, 1);
        assert!(
            real_card
                .alerts
                .iter()
                .any(|a| a.starts_with("呼叫工作人员"))
        );
        // K0101 (5 %) is low on paper.
        assert!(h.kiosks["K0101"].alerts.iter().any(|a| a == "纸量偏少"));
    }

    // A help request on a simulated kiosk: the card and an event.
    sims[7].as_ref().unwrap().state.lock().unwrap().help.open = 1;
    hall.wait("help request on K0107", 5, |h| {
        h.kiosks["K0107"]
            .events
            .iter()
            .any(|e| e.event == onevisit_core::fleet::EventKind::HelpRequest)
            && h.kiosks["K0107"].severity == 2
    });

    // Killed without goodbye: the broker's last will says offline.
    let killed_at = Instant::now();
    handles[19].take().unwrap().kill();
    hall.wait("K0119 offline by its last will", 5, |h| {
        h.kiosks["K0119"].online == Some(false)
    });
    assert!(
        killed_at.elapsed() < Duration::from_secs(3 + 1),
        "within keep-alive × 1.5"
    );
    assert_eq!(hall.view.lock().unwrap().kiosks["K0119"].alerts[0], "离线");

    // A clean stop says offline too.
    rt.block_on(handles[18].take().unwrap().stop());
    hall.wait("K0118 offline by goodbye", 5, |h| {
        h.kiosks["K0118"].online == Some(false)
    });

    // A signed reset reaches exactly K0103.
    let reset = command("K0103", Action::Reset).sign(&key).to_json();
    hall.link.send_raw("K0103", reset.clone()).unwrap();
    let r = hall.wait_result("K0103", 1);
    assert!(r.ok, "{r:?}");
    assert_eq!(r.action, Some(Action::Reset));
    // Replayed, forged (another key), altered, expired, misaddressed.
    hall.link.send_raw("K0103", reset.clone()).unwrap();
    assert_eq!(
        hall.wait_result("K0103", 2).error,
        Some(FleetError::Replayed)
    );
    let forged = command("K0103", Action::Reset).sign(&signing::generate());
    hall.link.send_raw("K0103", forged.to_json()).unwrap();
    assert_eq!(
        hall.wait_result("K0103", 3).error,
        Some(FleetError::BadSignature)
    );
    let mut expired = command("K0103", Action::Reset);
    expired.issued_ms -= DEFAULT_LIFETIME_MS + 1000;
    expired.expires_ms -= DEFAULT_LIFETIME_MS + 1000;
    hall.link
        .send_raw("K0103", expired.sign(&key).to_json())
        .unwrap();
    assert_eq!(
        hall.wait_result("K0103", 4).error,
        Some(FleetError::Expired)
    );
    let for_other = command("K0104", Action::Reset).sign(&key);
    hall.link.send_raw("K0103", for_other.to_json()).unwrap();
    assert_eq!(
        hall.wait_result("K0103", 5).error,
        Some(FleetError::WrongKiosk)
    );
    for (i, sim) in sims.iter().enumerate().skip(1) {
        let runs = sim.as_ref().unwrap().runs.load(Ordering::SeqCst);
        assert_eq!(runs, u32::from(i == 3), "{}", kiosk_id(i));
    }

    // The real kiosk refuses a reset mid-visit; help is acknowledged.
    hall.link
        .send_raw(
            &real_id,
            command(&real_id, Action::Reset).sign(&key).to_json(),
        )
        .unwrap();
    assert_eq!(
        hall.wait_result(&real_id, 1).error,
        Some(FleetError::KioskBusy)
    );
    assert_ne!(real.c.lock().unwrap().page(), Page::Welcome);
    hall.link
        .send_raw(
            &real_id,
            command(&real_id, Action::AckHelp).sign(&key).to_json(),
        )
        .unwrap();
    assert!(hall.wait_result(&real_id, 2).ok);
    hall.wait("help answered on the real kiosk", 5, |h| {
        h.kiosks[&real_id].state.as_ref().unwrap().help.open == 0
    });
    let audit: Vec<String> = real_desk
        .audit()
        .recent(3)
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {} {}", a.who, a.action, a.result))
        .collect();
    assert_eq!(
        audit,
        [
            "hall fleet ack_help ok",
            "staff help_answered ok: 1 call(s)",
            "hall fleet reset refused: fleet.kiosk_busy"
        ]
    );

    hall_page(&rt, &hall, &sims);

    // The broker restarts (losing every retained message): each running
    // kiosk reconnects and publishes its state again.
    let before = hall.seen.lock().unwrap().len();
    broker.restart();
    let restarted = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let seen = hall.seen.lock().unwrap();
        let republished: std::collections::BTreeSet<&str> = seen[before..]
            .iter()
            .filter(|m| m.topic.ends_with("/state"))
            .map(|m| m.topic.as_str())
            .collect();
        if republished.len() == KIOSKS - 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after the restart only {} kiosks republished",
            republished.len()
        );
        drop(seen);
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "republished after broker restart in {:?}",
        restarted.elapsed()
    );
    assert!(hall.link.connected());

    // No payload the broker carried holds the applicant's data.
    let seen = hall.seen.lock().unwrap();
    assert!(seen.len() > 60, "{} messages", seen.len());
    let phone = "13800138000";
    for m in seen.iter() {
        let text = String::from_utf8_lossy(&m.payload);
        for secret in [
            card.name.as_str(),
            card.id_number.as_str(),
            &card.id_number[10..],
            phone,
        ] {
            assert!(!text.contains(secret), "{secret} in {}: {text}", m.topic);
        }
    }
    drop(seen);
    for h in handles.into_iter().flatten() {
        h.kill();
    }
}

/// The hall page over HTTP and in headless Chromium.
fn hall_page(rt: &tokio::runtime::Runtime, hall: &Hall, sims: &[Option<Arc<SimKiosk>>]) {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server = rt.spawn(onevisit_platform::hall::serve(listener, hall.page.clone()));
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();

    // The API: every card, with the same alerts as the hall's own fold.
    let api: serde_json::Value = rt.block_on(async {
        http.get(format!("{base}/api/kiosks"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(api["kiosks"].as_object().unwrap().len(), KIOSKS);
    assert_eq!(api["kiosks"]["K0119"]["online"], false);
    assert_eq!(api["kiosks"]["K0107"]["severity"], 2);
    assert_eq!(api["kiosks"]["K0101"]["state"]["paper"]["percent"], 5);

    // Commands need the PIN: refused without it, and with a wrong one.
    let post = |path: &str, body: serde_json::Value, cookie: Option<&str>| {
        rt.block_on(async {
            let mut r = http.post(format!("{base}{path}")).json(&body);
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            let r = r.send().await.unwrap();
            let status = r.status().as_u16();
            let cookie = r
                .headers()
                .get("set-cookie")
                .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
            let body: serde_json::Value = r.json().await.unwrap();
            (status, body, cookie)
        })
    };
    let reset = serde_json::json!({"action": "reset"});
    let (status, body, _) = post("/api/kiosks/K0105/commands", reset.clone(), None);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("hall.login_required"))
    );
    let (status, body, _) = post("/api/login", serde_json::json!({"pin": "000000"}), None);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("hall.pin_refused"))
    );
    let (status, _, cookie) = post("/api/login", serde_json::json!({"pin": PIN}), None);
    assert_eq!(status, 200);
    let cookie = cookie.expect("session cookie");
    let (status, body, _) = post("/api/kiosks/K0105/commands", reset, Some(&cookie));
    assert_eq!(status, 200, "{body}");
    let r = hall.wait_result("K0105", 1);
    assert!(r.ok && r.action == Some(Action::Reset), "{r:?}");
    assert_eq!(
        r.nonce.as_ref().unwrap().as_str(),
        body["nonce"].as_str().unwrap()
    );
    for (i, sim) in sims.iter().enumerate().skip(1) {
        let runs = sim.as_ref().unwrap().runs.load(Ordering::SeqCst);
        assert_eq!(runs, u32::from(i == 3 || i == 5), "{}", kiosk_id(i));
    }
    let (status, _, _) = post(
        "/api/kiosks/K0105/commands",
        serde_json::json!({"action": "self_destruct"}),
        Some(&cookie),
    );
    assert_eq!(status, 400);

    // The page in a real browser: the cards, the help call, the offline kiosk.
    let profile = tempfile::tempdir().unwrap();
    // The cards are in the served HTML (the script then keeps them live
    // over SSE, which would keep a virtual-time budget from ever running
    // out); `timeout` so a wedged browser fails the test instead of hanging it.
    let out = std::process::Command::new("timeout")
        .args([
            "60",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("{base}/"))
        .output()
        .expect("chromium (packaging/install-build-deps.sh installs it)");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in 0..KIOSKS {
        assert!(
            dom.contains(&format!("id=\"kiosk-{}\"", kiosk_id(i))),
            "{}",
            kiosk_id(i)
        );
    }
    let card = |id: &str| {
        let start = dom.find(&format!("id=\"kiosk-{id}\"")).unwrap();
        let end = dom[start..].find("</article>").unwrap() + start;
        dom[start..end].to_string()
    };
    assert!(card("K0107").contains("呼叫工作人员"), "{}", card("K0107"));
    assert!(card("K0119").contains("离线"), "{}", card("K0119"));
    assert!(card("K0101").contains("5%"), "{}", card("K0101"));
    assert!(card("K0101").contains("纸量偏少"), "{}", card("K0101"));
    assert!(dom.contains("共 20 台"), "summary");
    server.abort();
}

fn onevisit_core_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
