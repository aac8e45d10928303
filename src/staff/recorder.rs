//! What the running kiosk's devices do, kept where staff and heartbeats
//! read it: every device-health change is saved in `staff.sqlite3` (for
//! `onevisit staff status` and diagnostics made from another process),
//! the printer's paper sensors feed the paper forecast, each printed job
//! is counted, and the heartbeat's device snapshot is republished after
//! each of these. Runs on device and print threads, never the UI thread.

use super::StaffDesk;
use super::status::{DeviceCondition, device_view};
use crate::print::{DocumentKind, StoredJob};
use crate::uplink::DeviceSnapshot;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::Health;
use onevisit_drivers::printer::{PrintReport, PrinterError, Problem};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The reason a device that kiosk.toml disables carries: shown to staff,
/// never raised as an alert.
pub const NOT_CONFIGURED: &str = "本机未配置此设备 (disabled in kiosk.toml)";

/// Records device health and printing for staff mode and heartbeats.
/// Cloning shares the recorder; [`DeviceRecorder::none`] records nothing
/// (no staff database).
#[derive(Clone, Default)]
pub struct DeviceRecorder {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    desk: StaffDesk,
    snapshot: watch::Sender<DeviceSnapshot>,
    last: Mutex<BTreeMap<String, Health>>,
}

impl DeviceRecorder {
    /// A recorder writing to `desk`; the receiver is the heartbeat's
    /// device data (`Uplink::with_device_snapshot`).
    pub fn new(desk: StaffDesk) -> (DeviceRecorder, watch::Receiver<DeviceSnapshot>) {
        let first = desk.device_snapshot(&BTreeMap::new()).unwrap_or_default();
        let (snapshot, rx) = watch::channel(first);
        let inner = Inner {
            desk,
            snapshot,
            last: Mutex::new(BTreeMap::new()),
        };
        (
            DeviceRecorder {
                inner: Some(Arc::new(inner)),
            },
            rx,
        )
    }

    /// Records nothing.
    pub fn none() -> DeviceRecorder {
        DeviceRecorder::default()
    }

    /// The staff desk it writes to.
    pub fn desk(&self) -> Option<&StaffDesk> {
        self.inner.as_ref().map(|i| &i.desk)
    }

    /// Every device's health after a change.
    pub fn health(&self, health: &BTreeMap<String, Health>) {
        let Some(i) = &self.inner else { return };
        if let Err(e) = i.desk.save_devices(health) {
            log::error!("saving device health: {e}");
        }
        // The printer's sensors between jobs: near end calibrates the
        // forecast, out empties it, paper back after out is a restock.
        if let Some(h) = health.get("printer") {
            let sensed = match device_view("printer", Some(h)).condition {
                DeviceCondition::Online | DeviceCondition::CoverOpen => Some((false, false)),
                DeviceCondition::PaperNearEnd => Some((true, false)),
                DeviceCondition::PaperOut => Some((false, true)),
                DeviceCondition::Fault | DeviceCondition::Missing => None,
            };
            if let Some((near_end, out)) = sensed
                && let Err(e) = i.desk.paper().observe(near_end, out)
            {
                log::error!("paper forecast: {e}");
            }
        }
        *i.last.lock().unwrap_or_else(|p| p.into_inner()) = health.clone();
        self.publish();
    }

    /// A job went through: its paper is counted (per visit, by receipt
    /// number; test pages count for the roll only).
    pub fn printed(&self, job: &StoredJob, paper: PaperWidth, report: &PrintReport) {
        let Some(i) = &self.inner else { return };
        let visit = (job.kind != DocumentKind::TestPage).then_some(job.key.as_str());
        if let Err(e) = i
            .desk
            .paper()
            .record_printed(&job.document, paper, visit, report)
        {
            log::error!("paper forecast: {e}");
        }
        self.publish();
    }

    /// A job failed; paper out empties the forecast at once.
    pub fn print_failed(&self, error: &PrinterError) {
        let Some(i) = &self.inner else { return };
        if error.problems().contains(&Problem::PaperOut)
            && let Err(e) = i.desk.paper().observe(false, true)
        {
            log::error!("paper forecast: {e}");
        }
        self.publish();
    }

    fn publish(&self) {
        let Some(i) = &self.inner else { return };
        let last = i.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match i.desk.device_snapshot(&last) {
            Ok(s) => {
                i.snapshot.send_replace(s);
            }
            Err(e) => log::error!("device snapshot: {e}"),
        }
    }
}
