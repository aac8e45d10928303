//! systemd's notify protocol (`Type=notify`, `WatchdogSec=`), through the
//! `sd-notify` crate: a datagram to `$NOTIFY_SOCKET`, no libsystemd.
//!
//! The kiosk calls [`notify_ready`] once its window is up, then
//! [`notify_watchdog`] every [`watchdog_interval`] *from the UI event loop*
//! (a Slint timer), so that a hung UI stops the keep-alives and systemd
//! restarts the kiosk. Outside systemd every call is a harmless no-op.

use std::time::Duration;

/// Tells systemd that start-up is complete (`READY=1`). Returns whether a
/// notification socket was there to tell (false outside systemd).
pub fn notify_ready() -> std::io::Result<bool> {
    send(&[sd_notify::NotifyState::Ready])
}

/// One watchdog keep-alive (`WATCHDOG=1`).
pub fn notify_watchdog() -> std::io::Result<bool> {
    send(&[sd_notify::NotifyState::Watchdog])
}

/// A one-line status for `systemctl status` (`STATUS=…`). Must not carry
/// personal data.
pub fn notify_status(status: &str) -> std::io::Result<bool> {
    send(&[sd_notify::NotifyState::Status(status)])
}

/// Tells systemd that the kiosk is stopping on purpose (`STOPPING=1`).
pub fn notify_stopping() -> std::io::Result<bool> {
    send(&[sd_notify::NotifyState::Stopping])
}

/// How often to call [`notify_watchdog`]: half of the unit's `WatchdogSec`
/// (systemd's advice), or None when no watchdog is configured for this
/// process.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().map(|timeout| timeout / 2)
}

fn send(state: &[sd_notify::NotifyState]) -> std::io::Result<bool> {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return Ok(false);
    }
    sd_notify::notify(state).map(|()| true)
}
