//! Signed commands from the hall to one kiosk.
//!
//! A command is JSON ([`Command`]: hall, kiosk, action, nonce, issued and
//! expiry times). The hall signs its exact bytes with its ed25519 staff
//! key and sends `{"command": "<those bytes as a string>", "signature":
//! "<128 hex>"}` ([`SignedCommand`]), so nothing needs re-serialising to
//! check. [`CommandGate::handle`] on the kiosk checks, in this order: the
//! size and shape, the signature against the trusted keys, the hall and
//! kiosk, the times, and the nonce (claimed in `staff.sqlite3`'s
//! `fleet_nonces`, so a replay is refused even after a restart); then
//! runs it, writes the audit line and returns the [`CommandResult`] to
//! publish. A refused command changes nothing but the audit log.

use super::payload::{CommandResult, Token, parse_bounded};
use super::{FleetError, SCHEMA};
use crate::signing::{self, SigningKey, VerifyingKey};
use crate::staff::{AuditLog, Clock, StaffDesk, StaffError, StaffStore};
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::Arc;

/// The longest a command may be valid for.
pub const MAX_LIFETIME_MS: i64 = 10 * 60_000;
/// How far ahead of the kiosk's clock a command may have been issued.
pub const CLOCK_SKEW_MS: i64 = 60_000;
/// How long the hall page makes its commands valid for.
pub const DEFAULT_LIFETIME_MS: i64 = 2 * 60_000;

/// What the hall can ask of a kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Wipe the session and reinitialise the devices (refused mid-visit).
    Reset,
    /// 暂停服务: the out-of-service screen after the current visit.
    OutOfService,
    /// 恢复服务.
    InService,
    /// Print the test page (refused mid-visit).
    PrintTestPage,
    /// Look for a catalog update now.
    FetchCatalog,
    /// Staff are on their way: the open help calls are answered.
    AckHelp,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Reset,
        Action::OutOfService,
        Action::InService,
        Action::PrintTestPage,
        Action::FetchCatalog,
        Action::AckHelp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Reset => "reset",
            Action::OutOfService => "out_of_service",
            Action::InService => "in_service",
            Action::PrintTestPage => "print_test_page",
            Action::FetchCatalog => "fetch_catalog",
            Action::AckHelp => "ack_help",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Action::Reset => "重置终端",
            Action::OutOfService => "暂停服务",
            Action::InService => "恢复服务",
            Action::PrintTestPage => "打印测试页",
            Action::FetchCatalog => "立即更新目录",
            Action::AckHelp => "已响应呼叫",
        }
    }
}

/// 32 lowercase hex digits (16 random bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Nonce(String);

impl Nonce {
    pub fn random() -> Nonce {
        Nonce(hex::encode(rand::random::<[u8; 16]>()))
    }
    pub fn parse(s: &str) -> Option<Nonce> {
        (s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Nonce(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Nonce {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Nonce::parse(&s).ok_or_else(|| serde::de::Error::custom("nonce: 32 hex digits"))
    }
}

/// One command, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub schema: u32,
    pub hall: Token,
    pub kiosk: Token,
    pub action: Action,
    pub nonce: Nonce,
    pub issued_ms: i64,
    pub expires_ms: i64,
}

impl Command {
    /// A new command valid from `now_ms` for `lifetime_ms`, with a fresh nonce.
    pub fn new(
        hall: Token,
        kiosk: Token,
        action: Action,
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Command {
        Command {
            schema: SCHEMA,
            hall,
            kiosk,
            action,
            nonce: Nonce::random(),
            issued_ms: now_ms,
            expires_ms: now_ms + lifetime_ms,
        }
    }

    /// Signs it with the hall's key.
    pub fn sign(&self, key: &SigningKey) -> SignedCommand {
        let command = serde_json::to_string(self).expect("command serialises");
        SignedCommand {
            signature: signing::sign_hex(key, command.as_bytes()),
            command,
        }
    }
}

/// What goes over the wire: the command's exact JSON text and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCommand {
    pub command: String,
    pub signature: String,
}

impl SignedCommand {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("signed command serialises")
    }
}

/// The `fleet_nonces` table in `staff.sqlite3` (staff schema 2).
#[derive(Clone)]
pub struct NonceStore {
    store: Arc<StaffStore>,
}

impl NonceStore {
    pub fn new(store: Arc<StaffStore>) -> NonceStore {
        NonceStore { store }
    }

    /// Claims `nonce` until `expires_ms`. False if it was claimed before.
    /// Nonces of commands expired before `now_ms` are forgotten: such a
    /// command is refused as expired anyway.
    pub fn claim(&self, nonce: &Nonce, expires_ms: i64, now_ms: i64) -> Result<bool, StaffError> {
        let conn = self.store.conn();
        conn.execute("DELETE FROM fleet_nonces WHERE expires_ms < ?1", [now_ms])?;
        let n = conn.execute(
            "INSERT OR IGNORE INTO fleet_nonces(nonce, expires_ms) VALUES (?1, ?2)",
            rusqlite::params![nonce.as_str(), expires_ms],
        )?;
        Ok(n == 1)
    }

    /// Nonces kept now.
    pub fn len(&self) -> Result<u64, StaffError> {
        Ok(self
            .store
            .conn()
            .query_row("SELECT COUNT(*) FROM fleet_nonces", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    pub fn is_empty(&self) -> Result<bool, StaffError> {
        Ok(self.len()? == 0)
    }
}

/// The kiosk's side: checks each command, runs it, audits it.
#[derive(Clone)]
pub struct CommandGate {
    hall: Token,
    kiosk: Token,
    keys: Vec<VerifyingKey>,
    nonces: NonceStore,
    audit: AuditLog,
    clock: Arc<dyn Clock>,
}

impl CommandGate {
    /// A gate for kiosk `kiosk` of `hall`, trusting `keys` (the hall's
    /// public staff keys), recording in `desk`'s staff database.
    pub fn new(
        desk: &StaffDesk,
        hall: Token,
        kiosk: Token,
        keys: Vec<VerifyingKey>,
    ) -> CommandGate {
        CommandGate {
            hall,
            kiosk,
            keys,
            nonces: NonceStore::new(desk.store().clone()),
            audit: desk.audit().clone(),
            clock: desk.clock().clone(),
        }
    }

    pub fn kiosk(&self) -> &Token {
        &self.kiosk
    }

    pub fn nonces(&self) -> &NonceStore {
        &self.nonces
    }

    /// Checks `payload`; on success the command may be run (its nonce is
    /// claimed). Writes nothing to the audit log.
    pub fn verify(&self, payload: &[u8]) -> Result<Command, (Option<Command>, FleetError)> {
        let signed: SignedCommand = parse_bounded(payload).map_err(|e| (None, e))?;
        if !self
            .keys
            .iter()
            .any(|k| signing::verify_hex(k, signed.command.as_bytes(), &signed.signature).is_ok())
        {
            return Err((None, FleetError::BadSignature));
        }
        let command: Command = parse_bounded(signed.command.as_bytes()).map_err(|e| (None, e))?;
        let refuse = |e| Err((Some(command.clone()), e));
        if command.schema != SCHEMA {
            return refuse(FleetError::BadPayload);
        }
        if command.hall != self.hall || command.kiosk != self.kiosk {
            return refuse(FleetError::WrongKiosk);
        }
        let now = self.clock.now_ms();
        if now > command.expires_ms
            || command.issued_ms > now + CLOCK_SKEW_MS
            || command.expires_ms - command.issued_ms > MAX_LIFETIME_MS
            || command.expires_ms < command.issued_ms
        {
            return refuse(FleetError::Expired);
        }
        match self.nonces.claim(&command.nonce, command.expires_ms, now) {
            Ok(true) => Ok(command),
            Ok(false) => refuse(FleetError::Replayed),
            Err(e) => {
                log::error!("STAFF ALERT: fleet nonce store: {e}");
                refuse(FleetError::Store)
            }
        }
    }

    /// Verifies `payload`, runs it with `run` when it passes, writes one
    /// audit line (who = `hall`) and returns the result to publish.
    pub fn handle(
        &self,
        payload: &[u8],
        run: impl FnOnce(&Command) -> Result<(), FleetError>,
    ) -> CommandResult {
        let (command, outcome) = match self.verify(payload) {
            Ok(c) => {
                let r = run(&c);
                (Some(c), r)
            }
            Err((c, e)) => (c, Err(e)),
        };
        let action = command.as_ref().map(|c| c.action);
        let what = match action {
            Some(a) => format!("fleet {}", a.as_str()),
            None => "fleet command".to_string(),
        };
        let result = match outcome {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("refused: {}", e.code()),
        };
        if let Err(e) = self.audit.record("hall", &what, &result) {
            log::error!("audit: {e}");
        }
        CommandResult {
            schema: SCHEMA,
            kiosk: self.kiosk.clone(),
            at_ms: self.clock.now_ms(),
            nonce: command.map(|c| c.nonce),
            action,
            ok: outcome.is_ok(),
            error: outcome.err(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::{ManualClock, PaperSettings};

    struct Fixture {
        _dir: tempfile::TempDir,
        desk: StaffDesk,
        clock: Arc<ManualClock>,
        key: SigningKey,
        gate: CommandGate,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let desk = StaffDesk::open(dir.path(), PaperSettings::default(), clock.clone()).unwrap();
        let key = signing::generate();
        let gate = CommandGate::new(
            &desk,
            Token::new("hualong").unwrap(),
            Token::new("K0101").unwrap(),
            vec![key.verifying_key()],
        );
        Fixture {
            _dir: dir,
            desk,
            clock,
            key,
            gate,
        }
    }

    fn command(f: &Fixture, kiosk: &str, action: Action) -> Command {
        Command::new(
            Token::new("hualong").unwrap(),
            Token::new(kiosk).unwrap(),
            action,
            f.clock.now_ms(),
            DEFAULT_LIFETIME_MS,
        )
    }

    fn run_counting(f: &Fixture, payload: &[u8], runs: &mut u32) -> CommandResult {
        f.gate.handle(payload, |_| {
            *runs += 1;
            Ok(())
        })
    }

    #[test]
    fn a_signed_command_runs_once_and_its_replay_is_refused() {
        let f = fixture();
        let signed = command(&f, "K0101", Action::Reset).sign(&f.key).to_json();
        let mut runs = 0;
        let r = run_counting(&f, &signed, &mut runs);
        assert!(r.ok, "{r:?}");
        assert_eq!((r.action, r.code()), (Some(Action::Reset), "ok"));
        let r = run_counting(&f, &signed, &mut runs);
        assert_eq!(r.error, Some(FleetError::Replayed));
        assert_eq!(runs, 1);
        // Even from a gate opened afresh on the same database (a restart).
        let again = CommandGate::new(
            &StaffDesk::open(f.desk.data_dir(), PaperSettings::default(), f.clock.clone()).unwrap(),
            Token::new("hualong").unwrap(),
            Token::new("K0101").unwrap(),
            vec![f.key.verifying_key()],
        );
        assert_eq!(
            again
                .handle(&signed, |_| panic!("replayed command ran"))
                .error,
            Some(FleetError::Replayed)
        );
        let audit = f.desk.audit().recent(10).unwrap();
        let lines: Vec<_> = audit
            .iter()
            .map(|a| (a.who.as_str(), a.action.as_str(), a.result.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("hall", "fleet reset", "refused: fleet.replayed"),
                ("hall", "fleet reset", "refused: fleet.replayed"),
                ("hall", "fleet reset", "ok"),
            ]
        );
    }

    #[test]
    fn mis_signed_altered_expired_and_misaddressed_commands_never_run() {
        let f = fixture();
        let never = |_: &Command| -> Result<(), FleetError> { panic!("ran") };
        // Signed by another key.
        let other = signing::generate();
        let c = command(&f, "K0101", Action::Reset);
        assert_eq!(
            f.gate.handle(&c.sign(&other).to_json(), never).error,
            Some(FleetError::BadSignature)
        );
        // Altered after signing: the kiosk in the text changed.
        let mut s = command(&f, "K0102", Action::Reset).sign(&f.key);
        s.command = s.command.replace("K0102", "K0101");
        assert_eq!(
            f.gate.handle(&s.to_json(), never).error,
            Some(FleetError::BadSignature)
        );
        // Properly signed, for another kiosk.
        let s = command(&f, "K0102", Action::Reset).sign(&f.key);
        let r = f.gate.handle(&s.to_json(), never);
        assert_eq!(r.error, Some(FleetError::WrongKiosk));
        // Expired.
        let s = command(&f, "K0101", Action::Reset).sign(&f.key);
        f.clock.advance(std::time::Duration::from_millis(
            DEFAULT_LIFETIME_MS as u64 + 1,
        ));
        assert_eq!(
            f.gate.handle(&s.to_json(), never).error,
            Some(FleetError::Expired)
        );
        // Valid for too long, or issued in the future.
        let mut c = command(&f, "K0101", Action::Reset);
        c.expires_ms = c.issued_ms + MAX_LIFETIME_MS + 1;
        assert_eq!(
            f.gate.handle(&c.sign(&f.key).to_json(), never).error,
            Some(FleetError::Expired)
        );
        let mut c = command(&f, "K0101", Action::Reset);
        c.issued_ms += 2 * CLOCK_SKEW_MS;
        c.expires_ms = c.issued_ms + 1000;
        assert_eq!(
            f.gate.handle(&c.sign(&f.key).to_json(), never).error,
            Some(FleetError::Expired)
        );
        // Garbage.
        for junk in [
            &b"{}"[..],
            b"not json",
            b"{\"command\":\"{}\",\"signature\":\"00\"}",
        ] {
            let e = f.gate.handle(junk, never).error.unwrap();
            assert!(
                matches!(e, FleetError::BadPayload | FleetError::BadSignature),
                "{e:?}"
            );
        }
        // None of them claimed a nonce: every check comes before the claim.
        assert_eq!(f.gate.nonces().len().unwrap(), 0);
    }

    #[test]
    fn a_failed_run_is_audited_with_its_code() {
        let f = fixture();
        let s = command(&f, "K0101", Action::Reset).sign(&f.key);
        let r = f.gate.handle(&s.to_json(), |_| Err(FleetError::KioskBusy));
        assert!(!r.ok);
        assert_eq!(r.code(), "fleet.kiosk_busy");
        let a = &f.desk.audit().recent(1).unwrap()[0];
        assert_eq!(a.result, "refused: fleet.kiosk_busy");
    }

    #[test]
    fn old_nonces_are_forgotten_once_their_command_expired() {
        let f = fixture();
        let n = NonceStore::new(f.desk.store().clone());
        let now = f.clock.now_ms();
        for _ in 0..5 {
            assert!(n.claim(&Nonce::random(), now + 1000, now).unwrap());
        }
        assert_eq!(n.len().unwrap(), 5);
        assert!(n.claim(&Nonce::random(), now + 5000, now + 2000).unwrap());
        assert_eq!(n.len().unwrap(), 1);
    }
}
