//! The payloads a kiosk publishes. They are built from the staff
//! overview's closed enums and counters only: no free text from the visit
//! can reach them, and every string is a [`Token`].

use super::{FleetError, SCHEMA};
use crate::fleet::command::{Action, Nonce};
use crate::staff::{DeviceCondition, PaperLevel, StaffOverview};
use onevisit_drivers::manager::DeviceId;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The longest a token may be.
pub const TOKEN_MAX: usize = 40;
/// A token never holds this many digits in a row: an ID number has 17–18,
/// a mobile number 11, a landline 7–8.
pub const DIGIT_RUN_MAX: usize = 5;

/// A short ASCII word (a kiosk id, a version): 1–40 of `A-Z a-z 0-9 . _ + -`
/// with at most five digits in a row. Checked when made and when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    pub fn new(s: &str) -> Result<Token, FleetError> {
        let mut run = 0;
        for b in s.bytes() {
            if !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-')) {
                return Err(FleetError::BadPayload);
            }
            run = if b.is_ascii_digit() { run + 1 } else { 0 };
            if run > DIGIT_RUN_MAX {
                return Err(FleetError::BadPayload);
            }
        }
        if s.is_empty() || s.len() > TOKEN_MAX {
            return Err(FleetError::BadPayload);
        }
        Ok(Token(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Token::new(&s).map_err(|_| serde::de::Error::custom("not a fleet token"))
    }
}

/// The paper part of the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperState {
    pub level: PaperLevel,
    /// Remaining as a share of a full roll, 0–100.
    pub percent: u8,
    /// Visits the remaining paper is expected to last, once known.
    pub visits_left: Option<u32>,
}

/// The upload queue: how many cases wait and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxState {
    /// Jobs queued or being sent.
    pub depth: u64,
    /// Seconds the oldest waiting job has waited.
    pub oldest_age_s: Option<u64>,
    /// Jobs the platform refused (staff must look at them).
    pub rejected: u64,
}

/// Open 呼叫工作人员 calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpState {
    pub open: u32,
    /// When the oldest open call was made.
    pub since_ms: Option<i64>,
}

/// `…/state`, retained: the kiosk as the staff screen sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskState {
    pub schema: u32,
    pub kiosk: Token,
    pub at_ms: i64,
    /// The kiosk software's version.
    pub software: Token,
    /// The catalog's declared version.
    pub catalog: Option<Token>,
    pub paper: PaperState,
    pub devices: BTreeMap<DeviceId, DeviceCondition>,
    pub out_of_service: bool,
    pub outbox: OutboxState,
    pub help: HelpState,
}

impl KioskState {
    /// The state from the staff overview. The kiosk id must be a token
    /// (checked by the configuration); a catalog version that is not one
    /// is left out.
    pub fn from_overview(o: &StaffOverview) -> Result<KioskState, FleetError> {
        let mut devices = BTreeMap::new();
        for d in &o.devices {
            if let Some(id) = DeviceId::parse(&d.name) {
                devices.insert(id, d.condition);
            }
        }
        let depth = o.outbox.queued + o.outbox.sending;
        Ok(KioskState {
            schema: SCHEMA,
            kiosk: Token::new(&o.kiosk_id)?,
            at_ms: o.at_ms,
            software: Token::new(&o.versions.app)?,
            catalog: o
                .versions
                .catalog
                .as_deref()
                .and_then(|c| Token::new(c).ok()),
            paper: PaperState {
                level: o.paper.level,
                percent: o.paper.percent.min(100),
                visits_left: o.paper.visits_left,
            },
            devices,
            out_of_service: o.out_of_service.is_some(),
            outbox: OutboxState {
                depth,
                oldest_age_s: o
                    .outbox
                    .oldest_waiting_ms
                    .filter(|_| depth > 0)
                    .map(|t| ((o.at_ms - t).max(0) / 1000) as u64),
                rejected: o.outbox.rejected.len() as u64,
            },
            help: HelpState {
                open: o.help.len() as u32,
                since_ms: o.help.first().map(|h| h.at_ms),
            },
        })
    }

    /// Reads a state payload (bounded, checked).
    pub fn parse(bytes: &[u8]) -> Result<KioskState, FleetError> {
        let s: KioskState = parse_bounded(bytes)?;
        if s.schema != SCHEMA || s.paper.percent > 100 {
            return Err(FleetError::BadPayload);
        }
        Ok(s)
    }

    /// What changed from `before` that the hall should hear of at once.
    pub fn events_since(&self, before: Option<&KioskState>) -> Vec<EventKind> {
        let mut out = Vec::new();
        let printer = |s: &KioskState| s.devices.get(&DeviceId::Printer).copied();
        let (help_before, paper_before, printer_before) = match before {
            Some(b) => (b.help.open, Some(b.paper.level), printer(b)),
            None => (0, None, None),
        };
        if self.help.open > help_before {
            out.push(EventKind::HelpRequest);
        }
        let out_now =
            self.paper.level == PaperLevel::Out || printer(self) == Some(DeviceCondition::PaperOut);
        let out_before = paper_before == Some(PaperLevel::Out)
            || printer_before == Some(DeviceCondition::PaperOut);
        if out_now && !out_before {
            out.push(EventKind::PaperOut);
        }
        let jam = |c: Option<DeviceCondition>| {
            matches!(c, Some(DeviceCondition::CoverOpen | DeviceCondition::Fault))
        };
        if jam(printer(self)) && !jam(printer_before) {
            out.push(EventKind::Jam);
        }
        out
    }
}

/// `…/online`, retained: true while connected; the last will (published
/// by the broker when the kiosk vanishes) and a clean goodbye say false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Presence {
    pub schema: u32,
    pub kiosk: Token,
    pub online: bool,
}

impl Presence {
    pub fn new(kiosk: &Token, online: bool) -> Presence {
        Presence {
            schema: SCHEMA,
            kiosk: kiosk.clone(),
            online,
        }
    }
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("presence serialises")
    }
    pub fn parse(bytes: &[u8]) -> Result<Presence, FleetError> {
        parse_bounded(bytes)
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An applicant pressed 呼叫工作人员 (which screen is not sent).
    HelpRequest,
    /// The printer has no paper.
    PaperOut,
    /// The printer's cover is open or it reports a fault (a jam).
    Jam,
}

impl EventKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::HelpRequest => "呼叫工作人员",
            EventKind::PaperOut => "缺纸",
            EventKind::Jam => "打印机卡纸或故障",
        }
    }
}

/// `…/event`, QoS 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskEvent {
    pub schema: u32,
    pub kiosk: Token,
    pub at_ms: i64,
    pub event: EventKind,
}

impl KioskEvent {
    pub fn parse(bytes: &[u8]) -> Result<KioskEvent, FleetError> {
        parse_bounded(bytes)
    }
}

/// `…/cmd-result`: how a command went. `code` is `ok` or a
/// [`FleetError`] code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandResult {
    pub schema: u32,
    pub kiosk: Token,
    pub at_ms: i64,
    /// The command's nonce, when it could be read.
    pub nonce: Option<Nonce>,
    pub action: Option<Action>,
    pub ok: bool,
    pub error: Option<FleetError>,
}

impl CommandResult {
    pub fn code(&self) -> &'static str {
        self.error.map_or("ok", FleetError::code)
    }
    pub fn parse(bytes: &[u8]) -> Result<CommandResult, FleetError> {
        parse_bounded(bytes)
    }
}

/// The largest payload read.
pub const MAX_PAYLOAD: usize = 16 * 1024;

pub(crate) fn parse_bounded<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, FleetError> {
    if bytes.len() > MAX_PAYLOAD {
        return Err(FleetError::BadPayload);
    }
    serde_json::from_slice(bytes).map_err(|_| FleetError::BadPayload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cannot_hold_identity_numbers_phones_or_names() {
        for ok in ["K0101", "2026.11-1", "0.1.0", "hualong", "a_b+c"] {
            assert!(Token::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "410922199001011234",
            "41092219900101123X",
            "13800138000",
            "tel0393123456",
            "测试甲",
            "zhang san",
            "",
            &"a".repeat(41),
            "a/b",
        ] {
            assert_eq!(Token::new(bad), Err(FleetError::BadPayload), "{bad}");
            let json = serde_json::to_string(bad).unwrap();
            assert!(serde_json::from_str::<Token>(&json).is_err(), "{bad}");
        }
    }

    fn state() -> KioskState {
        KioskState {
            schema: SCHEMA,
            kiosk: Token::new("K0101").unwrap(),
            at_ms: 1,
            software: Token::new("0.1.0").unwrap(),
            catalog: None,
            paper: PaperState {
                level: PaperLevel::Ok,
                percent: 80,
                visits_left: Some(100),
            },
            devices: BTreeMap::from([(DeviceId::Printer, DeviceCondition::Online)]),
            out_of_service: false,
            outbox: OutboxState {
                depth: 0,
                oldest_age_s: None,
                rejected: 0,
            },
            help: HelpState {
                open: 0,
                since_ms: None,
            },
        }
    }

    #[test]
    fn state_round_trips_and_refuses_extra_fields() {
        let s = state();
        let json = serde_json::to_vec(&s).unwrap();
        assert_eq!(KioskState::parse(&json).unwrap(), s);
        let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        v["name"] = "测试甲".into();
        assert_eq!(
            KioskState::parse(v.to_string().as_bytes()),
            Err(FleetError::BadPayload)
        );
        assert_eq!(KioskState::parse(b"{"), Err(FleetError::BadPayload));
        assert_eq!(
            KioskState::parse(&vec![b' '; MAX_PAYLOAD + 1]),
            Err(FleetError::BadPayload)
        );
    }

    #[test]
    fn events_are_the_changes_worth_telling() {
        let before = state();
        assert!(before.events_since(Some(&before)).is_empty());
        let mut after = before.clone();
        after.help.open = 1;
        after.paper.level = PaperLevel::Out;
        after
            .devices
            .insert(DeviceId::Printer, DeviceCondition::CoverOpen);
        assert_eq!(
            after.events_since(Some(&before)),
            vec![EventKind::HelpRequest, EventKind::PaperOut, EventKind::Jam]
        );
        assert!(after.events_since(Some(&after)).is_empty());
        // Help answered: no event; a new call after that is one.
        let mut answered = after.clone();
        answered.help.open = 0;
        assert!(answered.events_since(Some(&after)).is_empty());
        assert_eq!(
            after.events_since(Some(&answered)),
            vec![EventKind::HelpRequest]
        );
    }
}
