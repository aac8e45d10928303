//! Paper forecasting for the receipt printer.
//!
//! The kiosk counts the paper every job uses (its laid-out length:
//! `print::layout::paper_length_mm`), from the last "paper restocked".
//! Remaining paper is estimated two ways:
//!
//! - **From the roll length** (configured, e.g. 50 m): remaining = roll −
//!   printed since restock. Rolls vary by a few per cent and staff do not
//!   always restock at the exact end, so this is rough.
//! - **From the near-end sensor**: printers raise "paper near end" when
//!   the roll's diameter passes a fixed point, which on common kiosk
//!   printers leaves about 1–2 m. When it first fires after a restock the
//!   estimate is recalibrated: remaining = the configured near-end
//!   remainder (default 1.5 m, an assumption to measure once per printer
//!   model) minus what is printed after that moment.
//!
//! Per-visit consumption is the average over the last 200 visits' jobs
//! (jobs carry the visit's receipt number; test pages carry none), so the
//! forecast can say how many visits the roll still serves. Counters live
//! in the staff database and survive restarts.

use super::{Clock, StaffError, StaffStore, audit::AuditLog};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Settings (from kiosk.toml; see docs/operations.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PaperSettings {
    /// A full roll, in millimetres (`paper_roll_m` × 1000).
    pub roll_length_mm: f64,
    /// Paper left when the near-end sensor first fires.
    pub near_end_remaining_mm: f64,
    /// Warn ("low") when fewer visits than this are left.
    pub low_visits: u32,
}

impl Default for PaperSettings {
    fn default() -> Self {
        PaperSettings {
            roll_length_mm: 50_000.0,
            near_end_remaining_mm: 1_500.0,
            low_visits: 30,
        }
    }
}

/// How urgent restocking is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperLevel {
    Ok,
    /// Fewer than `low_visits` visits left (or under 10% of a roll).
    Low,
    /// The near-end sensor fired, or the estimate is below its remainder.
    NearEnd,
    /// The printer reports paper out.
    Out,
}

impl PaperLevel {
    pub fn label(self) -> &'static str {
        match self {
            PaperLevel::Ok => "纸量充足",
            PaperLevel::Low => "纸量偏少，请准备纸卷",
            PaperLevel::NearEnd => "打印纸即将用完，请尽快更换",
            PaperLevel::Out => "打印纸已用完，请立即更换",
        }
    }
}

/// The forecast the staff screen and heartbeats show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperForecast {
    pub level: PaperLevel,
    pub label: String,
    pub remaining_m: f64,
    /// Remaining as a share of a full roll, 0-100 (heartbeat `paper_level`).
    pub percent: u8,
    pub printed_since_restock_m: f64,
    /// Average paper per visit, when there is any history.
    pub per_visit_mm: Option<f64>,
    pub visits_left: Option<u32>,
    /// True once the near-end sensor has calibrated the estimate.
    pub calibrated: bool,
    pub restocked_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct PaperState {
    printed_mm: f64,
    restocked_ms: Option<i64>,
    /// `printed_mm` when the near-end sensor first fired.
    near_end_at_mm: Option<f64>,
    out: bool,
}

const KEY: &str = "paper";

/// Counts printed paper and forecasts the roll.
#[derive(Clone)]
pub struct PaperTracker {
    store: Arc<StaffStore>,
    audit: AuditLog,
    settings: PaperSettings,
    clock: Arc<dyn Clock>,
}

impl PaperTracker {
    pub fn new(store: Arc<StaffStore>, settings: PaperSettings, clock: Arc<dyn Clock>) -> Self {
        PaperTracker {
            audit: AuditLog::new(store.clone(), clock.clone()),
            store,
            settings,
            clock,
        }
    }

    pub fn settings(&self) -> PaperSettings {
        self.settings
    }

    fn state(&self) -> Result<PaperState, StaffError> {
        Ok(self.store.get(KEY)?.unwrap_or_default())
    }

    /// Counts one printed job of `mm` millimetres; `visit` is the
    /// receipt number of the visit it belongs to (None for test pages).
    pub fn record_job(&self, mm: f64, visit: Option<&str>) -> Result<(), StaffError> {
        let mut s = self.state()?;
        s.printed_mm += mm.max(0.0);
        self.store.conn().execute(
            "INSERT INTO paper_jobs(at_ms, mm, visit) VALUES (?1, ?2, ?3)",
            rusqlite::params![self.clock.now_ms(), mm.max(0.0), visit],
        )?;
        self.store.put(KEY, &s)
    }

    /// Counts a printed document (its laid-out length on `paper`).
    pub fn record_document(
        &self,
        doc: &crate::print::Document,
        paper: onevisit_drivers::escpos::PaperWidth,
        visit: Option<&str>,
    ) -> Result<(), StaffError> {
        self.record_job(crate::print::layout::paper_length_mm(doc, paper), visit)
    }

    /// After a job went through: counts the document and takes the
    /// printer's status after it (near end, out).
    pub fn record_printed(
        &self,
        doc: &crate::print::Document,
        paper: onevisit_drivers::escpos::PaperWidth,
        visit: Option<&str>,
        report: &onevisit_drivers::printer::PrintReport,
    ) -> Result<(), StaffError> {
        self.record_document(doc, paper, visit)?;
        self.observe_status(&report.status_after)
    }

    /// What the printer's sensors say now (after each job and each status
    /// poll). The first near-end after a restock calibrates the estimate;
    /// paper-out marks the roll empty; paper coming back after "out"
    /// (staff loaded a roll without saying so) counts as a restock.
    pub fn observe(&self, near_end: bool, paper_out: bool) -> Result<(), StaffError> {
        let mut s = self.state()?;
        let before = s;
        if paper_out {
            s.out = true;
            s.near_end_at_mm.get_or_insert(s.printed_mm);
        } else if s.out && !near_end {
            self.audit.record(
                "system",
                "paper_restocked",
                "detected: paper back after out",
            )?;
            return self.reset();
        } else {
            s.out = false;
            if near_end && s.near_end_at_mm.is_none() {
                s.near_end_at_mm = Some(s.printed_mm);
                log::warn!(
                    "STAFF ALERT: receipt paper near end after {:.1} m",
                    s.printed_mm / 1000.0
                );
            }
        }
        if s != before {
            self.store.put(KEY, &s)?;
        }
        Ok(())
    }

    /// [`Self::observe`] from a printer status reply.
    pub fn observe_status(
        &self,
        status: &onevisit_drivers::printer::PrinterStatus,
    ) -> Result<(), StaffError> {
        self.observe(status.paper_near_end, status.paper_out)
    }

    /// Staff put in a new roll: the counter starts again.
    pub fn restocked(&self) -> Result<(), StaffError> {
        let printed = self.state()?.printed_mm;
        self.audit.record(
            "staff",
            "paper_restocked",
            &format!("ok (previous roll: {:.1} m counted)", printed / 1000.0),
        )?;
        self.reset()
    }

    fn reset(&self) -> Result<(), StaffError> {
        self.store.put(
            KEY,
            &PaperState {
                restocked_ms: Some(self.clock.now_ms()),
                ..PaperState::default()
            },
        )
    }

    /// Average paper per visit over the last 200 visits.
    fn per_visit_mm(&self) -> Result<Option<f64>, StaffError> {
        let v: Option<f64> = self.store.conn().query_row(
            "SELECT SUM(mm) / COUNT(DISTINCT visit) FROM paper_jobs WHERE visit IN
               (SELECT visit FROM paper_jobs WHERE visit IS NOT NULL
                GROUP BY visit ORDER BY MAX(id) DESC LIMIT 200)",
            [],
            |r| r.get(0),
        )?;
        Ok(v.filter(|v| *v > 0.0))
    }

    /// Remaining paper, visits left and the warning level.
    pub fn forecast(&self) -> Result<PaperForecast, StaffError> {
        let s = self.state()?;
        let cfg = self.settings;
        let remaining_mm = if s.out {
            0.0
        } else if let Some(at) = s.near_end_at_mm {
            cfg.near_end_remaining_mm - (s.printed_mm - at)
        } else {
            cfg.roll_length_mm - s.printed_mm
        }
        .max(0.0);
        let per_visit = self.per_visit_mm()?;
        let visits_left = per_visit.map(|p| (remaining_mm / p).floor() as u32);
        let level = if s.out {
            PaperLevel::Out
        } else if s.near_end_at_mm.is_some() || remaining_mm <= cfg.near_end_remaining_mm {
            PaperLevel::NearEnd
        } else if visits_left.is_some_and(|v| v < cfg.low_visits)
            || remaining_mm < cfg.roll_length_mm / 10.0
        {
            PaperLevel::Low
        } else {
            PaperLevel::Ok
        };
        let percent = if cfg.roll_length_mm > 0.0 {
            (remaining_mm / cfg.roll_length_mm * 100.0)
                .round()
                .clamp(0.0, 100.0) as u8
        } else {
            0
        };
        Ok(PaperForecast {
            level,
            label: level.label().into(),
            remaining_m: (remaining_mm / 100.0).round() / 10.0,
            percent,
            printed_since_restock_m: (s.printed_mm / 100.0).round() / 10.0,
            per_visit_mm: per_visit.map(|p| (p * 10.0).round() / 10.0),
            visits_left,
            calibrated: s.near_end_at_mm.is_some(),
            restocked_ms: s.restocked_ms,
        })
    }
}
