//! The fleet over MQTT (issue 17): the kiosk's client and the hall's.
//!
//! [`start_kiosk`] runs one kiosk's connection on a Tokio runtime: it
//! connects with a last will (`…/online` = offline, retained), says
//! online (retained), subscribes to its `…/cmd` topic, publishes its
//! retained `…/state` whenever it changes (and every `state_every`), the
//! events the change implies at QoS 1, and for each command the result of
//! [`CommandGate::handle`] on `…/cmd-result`. While the broker is away it
//! retries with backoff and publishes nothing; on return it says online
//! and republishes its state. Payloads and topics are `onevisit_core::fleet`'s.
//!
//! [`HallLink`] is the hall's side: it follows `onevisit/<hall>/#` and
//! hands every message on, and publishes signed commands.

use onevisit_core::fleet::topic::{self, TopicKind};
use onevisit_core::fleet::{
    Command, CommandGate, FleetError, KioskEvent, KioskState, Presence, SCHEMA, SignedCommand,
    Token,
};
use rumqttc::{
    AsyncClient, ConnectionError, Event, EventLoop, LastWill, MqttOptions, Packet, QoS,
    TlsConfiguration, Transport,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// Where the broker is: `mqtt://host[:1883]` or `mqtts://host[:8883]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

impl BrokerUrl {
    pub fn parse(url: &str) -> Result<BrokerUrl, String> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("mqtt://") {
            (false, r)
        } else if let Some(r) = url.strip_prefix("mqtts://") {
            (true, r)
        } else {
            return Err(format!(
                "{url}: a broker URL starts with mqtt:// or mqtts://"
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("{url}: the port is not a number"))?,
            ),
            None => (rest, if tls { 8883 } else { 1883 }),
        };
        if host.is_empty() || host.contains('/') {
            return Err(format!("{url}: no host"));
        }
        Ok(BrokerUrl {
            host: host.trim_start_matches('[').trim_end_matches(']').into(),
            port,
            tls,
        })
    }
}

impl std::fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
}

/// How to reach the broker.
#[derive(Clone)]
pub struct BrokerOptions {
    pub url: BrokerUrl,
    /// Per-kiosk (or per-hall) credentials, checked by the broker.
    pub username: Option<String>,
    pub password: Option<String>,
    /// An extra CA (PEM) for `mqtts://`, beside the system's roots.
    pub ca_file: Option<PathBuf>,
    /// The broker publishes the last will this long (× 1.5) after the
    /// kiosk fell silent.
    pub keep_alive: Duration,
    pub max_backoff: Duration,
}

impl std::fmt::Debug for BrokerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerOptions")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("ca_file", &self.ca_file)
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

impl BrokerOptions {
    pub fn new(url: BrokerUrl) -> BrokerOptions {
        BrokerOptions {
            url,
            username: None,
            password: None,
            ca_file: None,
            keep_alive: Duration::from_secs(30),
            max_backoff: Duration::from_secs(60),
        }
    }

    fn mqtt(&self, client_id: &str) -> Result<MqttOptions, String> {
        let mut o = MqttOptions::new(client_id, &self.url.host, self.url.port);
        o.set_keep_alive(self.keep_alive.max(Duration::from_secs(1)));
        o.set_clean_session(true);
        if let Some(u) = &self.username {
            o.set_credentials(u, self.password.clone().unwrap_or_default());
        }
        if self.url.tls {
            o.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
                Arc::new(tls_config(self.ca_file.as_deref())?),
            )));
        }
        Ok(o)
    }
}

fn tls_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_roots() {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for c in certs {
            roots
                .add(c)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The system's CA bundle (Debian's `ca-certificates`), when there is one.
fn rustls_native_roots() -> Vec<rustls_pki_types::CertificateDer<'static>> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_file_iter("/etc/ssl/certs/ca-certificates.crt")
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

/// One kiosk's fleet settings.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    pub broker: BrokerOptions,
    pub hall: Token,
    pub kiosk: Token,
    /// How often the state is looked at (and published when it changed).
    pub poll_every: Duration,
    /// The state is published at least this often even when unchanged.
    pub state_every: Duration,
}

/// What the kiosk gives the fleet client.
pub trait FleetKiosk: Send + Sync + 'static {
    /// The state now (None: not known yet).
    fn state(&self) -> Option<KioskState>;
    /// Carries out a command that passed the gate.
    fn execute(&self, command: &Command) -> Result<(), FleetError>;
}

/// The running client.
pub struct FleetHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    connected: Arc<AtomicBool>,
    published: Arc<AtomicU64>,
}

impl FleetHandle {
    /// Connected to the broker now.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }
    /// Messages published so far (state, presence, events, results).
    pub fn published(&self) -> u64 {
        self.published.load(Ordering::SeqCst)
    }
    /// Says offline (retained), disconnects cleanly and waits (≤ 2 s).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(2), self.task).await;
    }
    /// Drops the connection without a goodbye, as a power cut would: the
    /// broker publishes the last will.
    pub fn kill(self) {
        self.task.abort();
    }
}

/// Starts the kiosk's client on `rt`. Never fails for an absent broker:
/// it keeps trying, and the kiosk serves applicants meanwhile.
pub fn start_kiosk(
    rt: &tokio::runtime::Handle,
    opts: FleetOptions,
    gate: CommandGate,
    kiosk: Arc<dyn FleetKiosk>,
) -> Result<FleetHandle, String> {
    let id = format!("onevisit-{}-{}", opts.hall, opts.kiosk);
    let mut mqtt = opts.broker.mqtt(&id)?;
    let online = topic::topic(opts.hall.as_str(), opts.kiosk.as_str(), TopicKind::Online);
    mqtt.set_last_will(LastWill::new(
        &online,
        Presence::new(&opts.kiosk, false).to_json(),
        QoS::AtLeastOnce,
        true,
    ));
    let (client, eventloop) = AsyncClient::new(mqtt, 256);
    let (stop, stop_rx) = watch::channel(false);
    let connected = Arc::new(AtomicBool::new(false));
    let published = Arc::new(AtomicU64::new(0));
    let run = KioskLoop {
        opts,
        client,
        gate: Arc::new(gate),
        kiosk,
        connected: connected.clone(),
        published: published.clone(),
        last: None,
        last_at: None,
    };
    let task = rt.spawn(run.run(eventloop, stop_rx));
    Ok(FleetHandle {
        stop,
        task,
        connected,
        published,
    })
}

struct KioskLoop {
    opts: FleetOptions,
    client: AsyncClient,
    gate: Arc<CommandGate>,
    kiosk: Arc<dyn FleetKiosk>,
    connected: Arc<AtomicBool>,
    published: Arc<AtomicU64>,
    last: Option<KioskState>,
    last_at: Option<tokio::time::Instant>,
}

impl KioskLoop {
    fn topic(&self, kind: TopicKind) -> String {
        topic::topic(self.opts.hall.as_str(), self.opts.kiosk.as_str(), kind)
    }

    fn publish(&self, kind: TopicKind, retain: bool, payload: Vec<u8>) {
        match self
            .client
            .try_publish(self.topic(kind), QoS::AtLeastOnce, retain, payload)
        {
            Ok(()) => {
                self.published.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => log::warn!("fleet: publish {}: {e}", kind.as_str()),
        }
    }

    /// Publishes the state when it changed (or `force`), with its events.
    fn publish_state(&mut self, force: bool) {
        let Some(mut state) = self.kiosk.state() else {
            return;
        };
        let due = self
            .last_at
            .is_none_or(|t| t.elapsed() >= self.opts.state_every);
        let changed = self.last.as_ref().is_none_or(|l| {
            let mut a = l.clone();
            a.at_ms = state.at_ms;
            a != state
        });
        if !(force || changed || due) {
            return;
        }
        state.kiosk = self.opts.kiosk.clone();
        for event in state.events_since(self.last.as_ref()) {
            let e = KioskEvent {
                schema: SCHEMA,
                kiosk: self.opts.kiosk.clone(),
                at_ms: state.at_ms,
                event,
            };
            self.publish(
                TopicKind::Event,
                false,
                serde_json::to_vec(&e).expect("event serialises"),
            );
        }
        self.publish(
            TopicKind::State,
            true,
            serde_json::to_vec(&state).expect("state serialises"),
        );
        self.last = Some(state);
        self.last_at = Some(tokio::time::Instant::now());
    }

    async fn run(mut self, mut eventloop: EventLoop, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.opts.poll_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut backoff = Duration::from_millis(250);
        let cmd = self.topic(TopicKind::Cmd);
        loop {
            tokio::select! {
                ev = eventloop.poll() => match ev {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        log::info!("fleet: connected to {}", self.opts.broker.url);
                        self.connected.store(true, Ordering::SeqCst);
                        backoff = Duration::from_millis(250);
                        if let Err(e) = self.client.try_subscribe(&cmd, QoS::AtLeastOnce) {
                            log::warn!("fleet: subscribe: {e}");
                        }
                        self.publish(TopicKind::Online, true, Presence::new(&self.opts.kiosk, true).to_json());
                        self.publish_state(true);
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) if p.topic == cmd => {
                        let gate = self.gate.clone();
                        let kiosk = self.kiosk.clone();
                        let payload = p.payload.to_vec();
                        let result = tokio::task::spawn_blocking(move || {
                            gate.handle(&payload, |c| kiosk.execute(c))
                        })
                        .await;
                        match result {
                            Ok(r) => {
                                log::info!("fleet: command {:?}: {}", r.action, r.code());
                                self.publish(TopicKind::CmdResult, false, serde_json::to_vec(&r).expect("result serialises"));
                                // What the command changed, at once.
                                self.publish_state(false);
                            }
                            Err(e) => log::error!("fleet: command task: {e}"),
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        if self.connected.swap(false, Ordering::SeqCst) {
                            log::warn!("fleet: broker connection lost: {e}");
                        } else {
                            log::debug!("fleet: broker unreachable: {e}");
                        }
                        let jitter = rand::random_range(0.8..1.2);
                        tokio::select! {
                            _ = tokio::time::sleep(backoff.mul_f64(jitter)) => {}
                            _ = stop.changed() => return,
                        }
                        backoff = (backoff * 2).min(self.opts.broker.max_backoff);
                    }
                },
                _ = tick.tick() => {
                    if self.connected.load(Ordering::SeqCst) {
                        self.publish_state(false);
                    }
                }
                _ = stop.changed() => {
                    if self.connected.load(Ordering::SeqCst) {
                        self.publish(TopicKind::Online, true, Presence::new(&self.opts.kiosk, false).to_json());
                        let _ = self.client.try_disconnect();
                        // Let the goodbye out.
                        let _ = tokio::time::timeout(Duration::from_secs(1), async {
                            loop {
                                match eventloop.poll().await {
                                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                                    Ok(_) => {}
                                }
                            }
                        }).await;
                    }
                    return;
                }
            }
        }
    }
}

/// One message the hall received.
#[derive(Debug, Clone)]
pub struct HallMessage {
    pub topic: String,
    pub payload: Vec<u8>,
}

/// The hall's connection: follows `onevisit/<hall>/#`, publishes commands.
#[derive(Clone)]
pub struct HallLink {
    client: AsyncClient,
    hall: Token,
    connected: Arc<AtomicBool>,
}

impl HallLink {
    /// Connects (retrying for ever in the background) and calls
    /// `on_message` for every message under the hall's topics, retained
    /// ones first after each (re)connection.
    pub fn start(
        rt: &tokio::runtime::Handle,
        broker: BrokerOptions,
        hall: Token,
        client_id: &str,
        on_message: impl Fn(HallMessage) + Send + Sync + 'static,
    ) -> Result<HallLink, String> {
        let mqtt = broker.mqtt(client_id)?;
        let (client, mut eventloop) = AsyncClient::new(mqtt, 1024);
        let connected = Arc::new(AtomicBool::new(false));
        let link = HallLink {
            client: client.clone(),
            hall: hall.clone(),
            connected: connected.clone(),
        };
        let filter = topic::hall_filter(hall.as_str());
        let max_backoff = broker.max_backoff;
        rt.spawn(async move {
            let mut backoff = Duration::from_millis(250);
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        connected.store(true, Ordering::SeqCst);
                        backoff = Duration::from_millis(250);
                        if let Err(e) = client.try_subscribe(&filter, QoS::AtLeastOnce) {
                            log::warn!("hall: subscribe: {e}");
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => on_message(HallMessage {
                        topic: p.topic.clone(),
                        payload: p.payload.to_vec(),
                    }),
                    Ok(_) => {}
                    Err(e) => {
                        if connected.swap(false, Ordering::SeqCst) {
                            log::warn!("hall: broker connection lost: {e}");
                        }
                        if matches!(e, ConnectionError::RequestsDone) {
                            return;
                        }
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(max_backoff);
                    }
                }
            }
        });
        Ok(link)
    }

    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Publishes a signed command to its kiosk's `…/cmd` (QoS 1, not retained).
    pub fn send(&self, command: &Command, signed: &SignedCommand) -> Result<(), String> {
        if command.hall != self.hall {
            return Err("command for another hall".into());
        }
        self.send_raw(command.kiosk.as_str(), signed.to_json())
    }

    /// Publishes bytes to a kiosk's command topic as they are (tests send
    /// replays and forgeries this way).
    pub fn send_raw(&self, kiosk: &str, payload: Vec<u8>) -> Result<(), String> {
        self.client
            .try_publish(
                topic::topic(self.hall.as_str(), kiosk, TopicKind::Cmd),
                QoS::AtLeastOnce,
                false,
                payload,
            )
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls() {
        assert_eq!(
            BrokerUrl::parse("mqtt://127.0.0.1:1884").unwrap(),
            BrokerUrl {
                host: "127.0.0.1".into(),
                port: 1884,
                tls: false
            }
        );
        let u = BrokerUrl::parse("mqtts://broker.hall").unwrap();
        assert_eq!((u.port, u.tls), (8883, true));
        assert_eq!(u.to_string(), "mqtts://broker.hall:8883");
        for bad in ["http://x", "mqtt://", "mqtt://x:port", "x:1883"] {
            assert!(BrokerUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
