//! Staff entry: a PIN checked against an argon2 hash (a PHC string kept
//! in the kiosk configuration, made by `onevisit staff hash-pin`). Five
//! wrong PINs in a row lock staff entry for five minutes; the count and
//! the lock are in the staff database, so a restart does not reset them.
//! Every attempt is written to the audit log (never the PIN).

use super::audit::AuditLog;
use super::{Clock, StaffError, StaffStore};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Wrong PINs in a row before the lock.
pub const MAX_FAILURES: u32 = 5;
/// How long staff entry stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

/// Why a PIN or a hash is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("PIN 应为 6 到 12 位数字 (a PIN is 6-12 digits)")]
    BadPin,
    #[error("staff_pin_hash 不是有效的 argon2 PHC 字符串：{0}")]
    BadHash(String),
}

/// Checks that `pin` can be typed on the staff keypad.
pub fn check_pin_format(pin: &str) -> Result<(), AccessError> {
    if (6..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AccessError::BadPin)
    }
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `pin`, with a
/// fresh random salt, for `staff_pin_hash` in kiosk.toml.
pub fn hash_pin(pin: &str) -> Result<String, AccessError> {
    check_pin_format(pin)?;
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccessError::BadHash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccessError::BadHash(e.to_string()))
}

/// The outcome of one PIN attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GateOutcome {
    /// The PIN is right: show the staff screen.
    Granted,
    /// Wrong; this many tries remain before the lock.
    Denied { attempts_left: u32 },
    /// Locked (this attempt was not checked).
    Locked { until_ms: i64, seconds_left: u64 },
    /// No PIN hash is configured: staff mode is off on this kiosk.
    NotConfigured,
}

impl GateOutcome {
    /// What the PIN pad shows.
    pub fn message(&self) -> String {
        match self {
            GateOutcome::Granted => "已进入维护模式".into(),
            GateOutcome::Denied { attempts_left } => {
                format!("密码错误，还可尝试 {attempts_left} 次")
            }
            GateOutcome::Locked { seconds_left, .. } => format!(
                "密码错误次数过多，维护入口已锁定，请 {} 分钟后再试",
                seconds_left.div_ceil(60).max(1)
            ),
            GateOutcome::NotConfigured => "本机未设置维护密码，请联系技术人员".into(),
        }
    }
}

/// The persisted gate state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockState {
    /// Wrong PINs in a row since the last success or lock.
    pub failures: u32,
    /// Locked until then (ms since the epoch), if locked.
    pub locked_until_ms: Option<i64>,
}

const GATE_KEY: &str = "gate";

/// The PIN gate of staff mode.
pub struct StaffGate {
    store: Arc<StaffStore>,
    audit: AuditLog,
    hash: Option<String>,
    clock: Arc<dyn Clock>,
}

impl StaffGate {
    /// `pin_hash` is the configuration's `staff_pin_hash` (None: staff
    /// mode is off). A malformed hash is refused here, at start-up.
    pub fn new(
        store: Arc<StaffStore>,
        pin_hash: Option<&str>,
        clock: Arc<dyn Clock>,
    ) -> Result<StaffGate, AccessError> {
        if let Some(h) = pin_hash {
            PasswordHash::new(h).map_err(|e| AccessError::BadHash(e.to_string()))?;
        }
        Ok(StaffGate {
            audit: AuditLog::new(store.clone(), clock.clone()),
            store,
            hash: pin_hash.map(str::to_string),
            clock,
        })
    }

    /// The current lock state (the PIN pad shows a countdown when locked).
    pub fn lock_state(&self) -> Result<LockState, StaffError> {
        let mut s: LockState = self.store.get(GATE_KEY)?.unwrap_or_default();
        if s.locked_until_ms.is_some_and(|t| t <= self.clock.now_ms()) {
            s = LockState::default();
        }
        Ok(s)
    }

    /// Checks one PIN typed on the keypad.
    pub fn try_enter(&self, pin: &str) -> Result<GateOutcome, StaffError> {
        let now = self.clock.now_ms();
        let Some(hash) = &self.hash else {
            self.audit
                .record("staff", "enter", "refused: no PIN configured")?;
            return Ok(GateOutcome::NotConfigured);
        };
        let mut state = self.lock_state()?;
        if let Some(until) = state.locked_until_ms {
            let outcome = GateOutcome::Locked {
                until_ms: until,
                seconds_left: ((until - now).max(0) as u64).div_ceil(1000),
            };
            self.audit.record("staff", "enter", "refused: locked")?;
            return Ok(outcome);
        }
        let parsed = PasswordHash::new(hash).map_err(|e| StaffError::Invalid(e.to_string()))?;
        let right = Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok();
        let outcome = if right {
            state = LockState::default();
            self.audit.record("staff", "enter", "granted")?;
            GateOutcome::Granted
        } else {
            state.failures += 1;
            if state.failures >= MAX_FAILURES {
                let until = now + LOCKOUT.as_millis() as i64;
                state = LockState {
                    failures: 0,
                    locked_until_ms: Some(until),
                };
                self.audit.record(
                    "staff",
                    "enter",
                    &format!("wrong PIN ({MAX_FAILURES} in a row): locked for 5 minutes"),
                )?;
                log::warn!("STAFF ALERT: staff entry locked after {MAX_FAILURES} wrong PINs");
                GateOutcome::Locked {
                    until_ms: until,
                    seconds_left: LOCKOUT.as_secs(),
                }
            } else {
                self.audit.record(
                    "staff",
                    "enter",
                    &format!("wrong PIN ({} in a row)", state.failures),
                )?;
                GateOutcome::Denied {
                    attempts_left: MAX_FAILURES - state.failures,
                }
            }
        };
        self.store.put(GATE_KEY, &state)?;
        Ok(outcome)
    }

    /// Staff left the staff screen.
    pub fn leave(&self) -> Result<(), StaffError> {
        self.audit.record("staff", "leave", "ok")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::ManualClock;

    fn gate(dir: &std::path::Path, clock: Arc<ManualClock>, hash: &str) -> StaffGate {
        let store = Arc::new(StaffStore::open(dir).unwrap());
        StaffGate::new(store, Some(hash), clock).unwrap()
    }

    #[test]
    fn pins_hash_to_phc_strings_and_bad_pins_are_refused() {
        let h = hash_pin("246810").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert_ne!(h, hash_pin("246810").unwrap(), "a fresh salt each time");
        assert!(!h.contains("246810"));
        assert_eq!(hash_pin("1234"), Err(AccessError::BadPin));
        assert_eq!(hash_pin("12345a"), Err(AccessError::BadPin));
        let store = Arc::new(StaffStore::open(tempfile::tempdir().unwrap().path()).unwrap());
        let clock = Arc::new(ManualClock::new(0));
        assert!(matches!(
            StaffGate::new(store, Some("not a hash"), clock),
            Err(AccessError::BadHash(_))
        ));
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_across_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let hash = hash_pin("135790").unwrap();
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let g = gate(dir.path(), clock.clone(), &hash);
        assert_eq!(g.try_enter("135790").unwrap(), GateOutcome::Granted);
        for left in (1..5).rev() {
            assert_eq!(
                g.try_enter("000000").unwrap(),
                GateOutcome::Denied {
                    attempts_left: left
                }
            );
        }
        let locked = g.try_enter("000000").unwrap();
        assert!(matches!(
            locked,
            GateOutcome::Locked {
                seconds_left: 300,
                ..
            }
        ));
        assert!(locked.message().contains("5 分钟"), "{}", locked.message());
        drop(g);
        // A restart keeps the lock; even the right PIN is not checked.
        let g = gate(dir.path(), clock.clone(), &hash);
        clock.advance(Duration::from_secs(299));
        assert!(matches!(
            g.try_enter("135790").unwrap(),
            GateOutcome::Locked {
                seconds_left: 1,
                ..
            }
        ));
        clock.advance(Duration::from_secs(1));
        assert_eq!(g.lock_state().unwrap(), LockState::default());
        assert_eq!(g.try_enter("135790").unwrap(), GateOutcome::Granted);
        // A success resets the count.
        g.try_enter("1").unwrap();
        g.try_enter("135790").unwrap();
        assert_eq!(g.lock_state().unwrap().failures, 0);

        let audit = AuditLog::new(
            Arc::new(StaffStore::open(dir.path()).unwrap()),
            clock.clone(),
        );
        let entries = audit.recent(100).unwrap();
        assert_eq!(entries.len(), 10);
        assert!(
            entries
                .iter()
                .all(|e| e.who == "staff" && e.action == "enter")
        );
        assert!(entries.iter().all(|e| !e.result.contains("135790")));
        assert_eq!(entries[0].result, "granted", "newest first");
        assert!(entries.iter().any(|e| e.result == "refused: locked"));
    }

    #[test]
    fn without_a_hash_staff_mode_is_off() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(StaffStore::open(dir.path()).unwrap());
        let g = StaffGate::new(store, None, Arc::new(ManualClock::new(0))).unwrap();
        assert_eq!(g.try_enter("123456").unwrap(), GateOutcome::NotConfigured);
    }
}
