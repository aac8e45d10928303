//! What the running kiosk's devices do, kept where staff and heartbeats
//! read it: every device-health change is saved in `staff.sqlite3` (for
//! `onevisit staff status` and diagnostics made from another process),
//! the printer's paper sensors feed the paper forecast, each printed job
//! is counted, and the heartbeat's device snapshot is republished after
//! each of these. Runs on device and print threads, never the UI thread.

use super::StaffDesk;
use super::status::{DeviceCondition, device_view};
use crate::platform::contract::PaperEstimate;
use crate::print::{DocumentKind, StoredJob};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::{DeviceId, Health};
use onevisit_drivers::printer::{PrintReport, PrinterError, Problem};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The reason a device that kiosk.toml disables carries: shown to staff,
/// never raised as an alert.
pub const NOT_CONFIGURED: &str = "本机未配置此设备 (disabled in kiosk.toml)";

/// What the kiosk knows about its devices, for heartbeats: the kiosk
/// updates it (a [`SnapshotCell`]) whenever device health or the paper
/// forecast changes; the uplink reads the latest when a heartbeat goes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeviceSnapshot {
    /// Device name → `ok` or what is wrong (`paper_near_end`, `missing: …`).
    pub devices: std::collections::BTreeMap<String, String>,
    /// Paper left, 0-100 % of a roll.
    pub paper_level: Option<u8>,
    pub paper: Option<PaperEstimate>,
}

impl DeviceSnapshot {
    /// From the device manager's health and the paper forecast.
    pub fn new(
        health: &std::collections::BTreeMap<
            onevisit_drivers::manager::DeviceId,
            onevisit_drivers::manager::Health,
        >,
        paper: &super::PaperForecast,
    ) -> DeviceSnapshot {
        let devices = super::status::device_views(health)
            .into_iter()
            .map(|d| {
                let v = if d.reason.is_empty() {
                    d.condition.code().to_string()
                } else {
                    format!("{}: {}", d.condition.code(), d.reason)
                };
                (d.name, v)
            })
            .collect();
        DeviceSnapshot {
            devices,
            paper_level: Some(paper.percent),
            paper: Some(PaperEstimate {
                remaining_m: paper.remaining_m,
                visits_left: paper.visits_left,
                level: serde_json::to_value(paper.level)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            }),
        }
    }
}

/// The latest [`DeviceSnapshot`], shared between the device threads that
/// write it and the uplink that reads it for each heartbeat. Cloning
/// shares the cell.
#[derive(Debug, Clone, Default)]
pub struct SnapshotCell(Arc<Mutex<DeviceSnapshot>>);

impl SnapshotCell {
    pub fn new(first: DeviceSnapshot) -> SnapshotCell {
        SnapshotCell(Arc::new(Mutex::new(first)))
    }

    /// The latest snapshot.
    pub fn get(&self) -> DeviceSnapshot {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, snapshot: DeviceSnapshot) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = snapshot;
    }
}

/// Records device health and printing for staff mode and heartbeats.
/// Cloning shares the recorder; [`DeviceRecorder::none`] records nothing
/// (no staff database).
#[derive(Clone, Default)]
pub struct DeviceRecorder {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    desk: StaffDesk,
    snapshot: SnapshotCell,
    last: Mutex<BTreeMap<DeviceId, Health>>,
}

impl DeviceRecorder {
    /// A recorder writing to `desk`; the receiver is the heartbeat's
    /// device data (`Uplink::with_device_snapshot`).
    pub fn new(desk: StaffDesk) -> (DeviceRecorder, SnapshotCell) {
        let first = desk.device_snapshot(&BTreeMap::new()).unwrap_or_default();
        let snapshot = SnapshotCell::new(first);
        let rx = snapshot.clone();
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
    pub fn health(&self, health: &BTreeMap<DeviceId, Health>) {
        let Some(i) = &self.inner else { return };
        if let Err(e) = i.desk.save_devices(health) {
            log::error!("saving device health: {e}");
        }
        // The printer's sensors between jobs: near end calibrates the
        // forecast, out empties it, paper back after out is a restock.
        if let Some(h) = health.get(&DeviceId::Printer) {
            let sensed = match device_view(DeviceId::Printer, Some(h)).condition {
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
                i.snapshot.set(s);
            }
            Err(e) => log::error!("device snapshot: {e}"),
        }
    }
}
