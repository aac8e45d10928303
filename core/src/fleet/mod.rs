//! The hall's fleet (issue 17): what a kiosk tells the hall over MQTT and
//! what the hall may tell it, as plain data. No MQTT client and no async
//! here: `onevisit_uplink::fleet` carries these payloads to a broker, the
//! hall page (`onevisit_platform::hall`) reads them, and both use this
//! module for the topic names, the payload types, the signed commands and
//! the refusal codes.
//!
//! - [`topic`] — `onevisit/<hall>/<kiosk>/state|online|event|cmd|cmd-result`.
//! - [`payload`] — the retained state, the presence flag, the events and
//!   the command results. Every text in them is a [`Token`]: ASCII, short,
//!   and without a run of six digits, so no name (Chinese), ID number
//!   (18 digits) or phone number (11) can be put in a payload at all.
//! - [`command`] — commands signed with the hall's ed25519 staff key
//!   ([`crate::signing`]), with an expiry and a nonce; [`CommandGate`]
//!   verifies them, refuses replays through the nonce table in
//!   `staff.sqlite3`, and writes each to the staff audit log with its result.
//! - [`hall`] — folds the messages of one hall into one card per kiosk.

pub mod command;
pub mod hall;
pub mod payload;
pub mod topic;

pub use command::{Action, Command, CommandGate, Nonce, SignedCommand};
pub use hall::{HallView, KioskCard};
pub use payload::{
    CommandResult, EventKind, HelpState, KioskEvent, KioskState, OutboxState, PaperState, Presence,
    Token,
};
pub use topic::{Topic, TopicKind};

use serde::{Deserialize, Serialize};

/// The schema number every payload carries.
pub const SCHEMA: u32 = 1;

/// Why a fleet message or command was refused. Each has a stable code
/// (its serialised form, `fleet.…`) that the command result carries and
/// the hall page shows with [`FleetError::message_zh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum FleetError {
    /// Not JSON of the expected shape, too large, or a field out of range.
    #[serde(rename = "fleet.bad_payload")]
    #[error("fleet.bad_payload: malformed message")]
    BadPayload,
    /// Not signed with a key this kiosk trusts, or altered after signing.
    #[serde(rename = "fleet.bad_signature")]
    #[error("fleet.bad_signature: not signed with a trusted staff key")]
    BadSignature,
    /// Past its expiry (or issued too far ahead of this kiosk's clock, or
    /// valid for longer than [`command::MAX_LIFETIME_MS`]).
    #[serde(rename = "fleet.expired")]
    #[error("fleet.expired: the command has expired")]
    Expired,
    /// Its nonce was seen before: a replay.
    #[serde(rename = "fleet.replayed")]
    #[error("fleet.replayed: the command was already received")]
    Replayed,
    /// Signed for another hall or kiosk.
    #[serde(rename = "fleet.wrong_kiosk")]
    #[error("fleet.wrong_kiosk: the command is for another kiosk")]
    WrongKiosk,
    /// An applicant is in the middle of a visit: not now.
    #[serde(rename = "fleet.kiosk_busy")]
    #[error("fleet.kiosk_busy: an applicant is using the kiosk")]
    KioskBusy,
    /// This kiosk cannot do that (no catalog update source, no printer).
    #[serde(rename = "fleet.unsupported")]
    #[error("fleet.unsupported: this kiosk cannot do that")]
    Unsupported,
    /// Tried and failed (the kiosk's audit log says why).
    #[serde(rename = "fleet.failed")]
    #[error("fleet.failed: the kiosk could not carry it out")]
    Failed,
    /// The kiosk's staff database could not record it: refused, since a
    /// command whose nonce is not kept could be replayed.
    #[serde(rename = "fleet.store")]
    #[error("fleet.store: the kiosk could not record the command")]
    Store,
}

impl FleetError {
    pub const ALL: [FleetError; 9] = [
        FleetError::BadPayload,
        FleetError::BadSignature,
        FleetError::Expired,
        FleetError::Replayed,
        FleetError::WrongKiosk,
        FleetError::KioskBusy,
        FleetError::Unsupported,
        FleetError::Failed,
        FleetError::Store,
    ];

    /// The stable code, `fleet.…`.
    pub fn code(self) -> &'static str {
        match self {
            FleetError::BadPayload => "fleet.bad_payload",
            FleetError::BadSignature => "fleet.bad_signature",
            FleetError::Expired => "fleet.expired",
            FleetError::Replayed => "fleet.replayed",
            FleetError::WrongKiosk => "fleet.wrong_kiosk",
            FleetError::KioskBusy => "fleet.kiosk_busy",
            FleetError::Unsupported => "fleet.unsupported",
            FleetError::Failed => "fleet.failed",
            FleetError::Store => "fleet.store",
        }
    }

    /// What the hall page says.
    pub fn message_zh(self) -> &'static str {
        match self {
            FleetError::BadPayload => "指令格式错误",
            FleetError::BadSignature => "指令签名无效，已拒绝",
            FleetError::Expired => "指令已过期，请重新发送",
            FleetError::Replayed => "重复的指令，已拒绝",
            FleetError::WrongKiosk => "指令不是发给本机的",
            FleetError::KioskBusy => "群众正在办理，请稍后再试",
            FleetError::Unsupported => "本机不支持该操作",
            FleetError::Failed => "执行失败，详见终端审计日志",
            FleetError::Store => "终端无法记录指令，已拒绝",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serialised_form() {
        for e in FleetError::ALL {
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.code())
            );
            assert!(e.to_string().starts_with(e.code()));
            let back: FleetError = serde_json::from_str(&format!("\"{}\"", e.code())).unwrap();
            assert_eq!(back, e);
        }
    }
}
