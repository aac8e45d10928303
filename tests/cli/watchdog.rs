//! The systemd notify protocol as the kiosk speaks it: READY=1 once,
//! WATCHDOG=1 at half the unit's WatchdogSec. One test in this file: it
//! sets process-wide environment variables, as systemd does for a service.

use onevisit::firmware::watchdog::{
    notify_ready, notify_status, notify_stopping, notify_watchdog, watchdog_interval,
};
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

fn receive(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[test]
fn ready_and_keep_alives_reach_systemd_and_are_silent_without_it() {
    // SAFETY: the only test in this binary; no other thread reads the
    // environment while it changes.
    unsafe {
        std::env::remove_var("NOTIFY_SOCKET");
        std::env::remove_var("WATCHDOG_USEC");
        std::env::remove_var("WATCHDOG_PID");
    }
    // Outside systemd: nothing to tell, no error, no watchdog.
    assert!(!notify_ready().unwrap());
    assert!(!notify_watchdog().unwrap());
    assert_eq!(watchdog_interval(), None);

    // As systemd starts a Type=notify service with WatchdogSec=30.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let systemd = UnixDatagram::bind(&path).unwrap();
    systemd
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    unsafe {
        std::env::set_var("NOTIFY_SOCKET", &path);
        std::env::set_var("WATCHDOG_USEC", "30000000");
        std::env::set_var("WATCHDOG_PID", std::process::id().to_string());
    }
    assert_eq!(watchdog_interval(), Some(Duration::from_secs(15)));
    assert!(notify_ready().unwrap());
    assert_eq!(receive(&systemd), "READY=1\n");
    assert!(notify_watchdog().unwrap());
    assert_eq!(receive(&systemd), "WATCHDOG=1\n");
    assert!(notify_status("outbox: 3 pending").unwrap());
    assert_eq!(receive(&systemd), "STATUS=outbox: 3 pending\n");
    assert!(notify_stopping().unwrap());
    assert_eq!(receive(&systemd), "STOPPING=1\n");

    // A watchdog meant for another process (a child inherited it) is not ours.
    unsafe { std::env::set_var("WATCHDOG_PID", "1") };
    assert_eq!(watchdog_interval(), None);

    // systemd gone (socket removed): the error is reported, not hidden.
    drop(systemd);
    std::fs::remove_file(&path).unwrap();
    assert!(notify_watchdog().is_err());
}
