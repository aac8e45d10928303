//! What the staff screen shows ([`StaffOverview`]) and the staff actions
//! that are not UI ([`StaffDesk`]).

use super::audit::AuditLog;
use super::mask::mask_personal;
use super::paper::{PaperForecast, PaperSettings, PaperTracker};
use super::window::StaffWindow;
use super::{Clock, StaffError, StaffStore, cst};
use crate::outbox::{Outbox, UplinkState};
use onevisit_drivers::manager::{DeviceId, Health};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The device names the kiosk supervises, with their Chinese labels, in
/// the order the staff screen lists them.
pub const DEVICES: [DeviceId; 4] = DeviceId::ALL;

/// One device's state in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceCondition {
    Online,
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    /// There but not working (the reason says how).
    Fault,
    Missing,
}

impl DeviceCondition {
    pub fn label(self) -> &'static str {
        match self {
            DeviceCondition::Online => "正常",
            DeviceCondition::PaperNearEnd => "纸将用完",
            DeviceCondition::PaperOut => "缺纸",
            DeviceCondition::CoverOpen => "纸仓盖未关",
            DeviceCondition::Fault => "故障",
            DeviceCondition::Missing => "未连接",
        }
    }

    /// For heartbeats: `ok` or the condition's name.
    pub fn code(self) -> &'static str {
        match self {
            DeviceCondition::Online => "ok",
            DeviceCondition::PaperNearEnd => "paper_near_end",
            DeviceCondition::PaperOut => "paper_out",
            DeviceCondition::CoverOpen => "cover_open",
            DeviceCondition::Fault => "fault",
            DeviceCondition::Missing => "missing",
        }
    }
}

/// One device on the staff screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub name: String,
    pub label: String,
    pub condition: DeviceCondition,
    pub condition_label: String,
    /// The driver's reason, in Chinese (empty when online).
    pub reason: String,
}

/// Maps the device manager's health to the staff screen's words. The
/// printer's degraded reasons are `PrinterStatus::summary` texts, most
/// serious first.
pub fn device_view(id: DeviceId, health: Option<&Health>) -> DeviceView {
    let label = id.label_zh().to_string();
    let (condition, reason) = match health {
        None => (
            DeviceCondition::Missing,
            "未检测到设备（未启动或未配置）".to_string(),
        ),
        Some(Health::Ok) => (DeviceCondition::Online, String::new()),
        Some(Health::Missing(r)) => (DeviceCondition::Missing, r.clone()),
        Some(Health::Degraded(r)) => {
            let c = if r.contains("缺纸") || r.contains("paper out") {
                DeviceCondition::PaperOut
            } else if r.contains("纸仓盖") || r.contains("cover open") {
                DeviceCondition::CoverOpen
            } else if r.contains("即将用完") || r.contains("near end") {
                DeviceCondition::PaperNearEnd
            } else {
                DeviceCondition::Fault
            };
            (c, r.clone())
        }
    };
    DeviceView {
        name: id.as_str().to_string(),
        label,
        condition,
        condition_label: condition.label().to_string(),
        reason: mask_personal(&reason),
    }
}

/// Every expected device, missing ones too.
pub fn device_views(health: &BTreeMap<DeviceId, Health>) -> Vec<DeviceView> {
    DEVICES
        .iter()
        .map(|&d| device_view(d, health.get(&d)))
        .collect()
}

/// A rejected upload, with the platform's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedLine {
    pub receipt: String,
    pub kind: String,
    pub code: String,
    pub reason: String,
}

/// The outbox part of the staff screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxSummary {
    pub queued: u64,
    pub sending: u64,
    pub rejected: Vec<RejectedLine>,
    /// The oldest job still waiting: its receipt and since when.
    pub oldest_waiting_receipt: Option<String>,
    pub oldest_waiting_ms: Option<i64>,
    pub last_success_ms: Option<i64>,
    pub accepting_submissions: bool,
    /// A storage failure (the out-of-service screen shows).
    pub alert: Option<String>,
}

impl OutboxSummary {
    pub fn from_outbox(outbox: &Outbox) -> Result<OutboxSummary, StaffError> {
        let s = outbox.status()?;
        let count = |state: &str| -> u64 {
            s.counts
                .values()
                .filter_map(|states| states.get(state))
                .sum()
        };
        let last_accepted = outbox.last_accepted_ms()?;
        let last_success_ms = match (
            s.uplink.as_ref().and_then(|u| u.last_success_ms),
            last_accepted,
        ) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(OutboxSummary {
            queued: count("queued"),
            sending: count("sending"),
            rejected: s
                .rejected
                .iter()
                .map(|r| RejectedLine {
                    receipt: r.receipt.clone(),
                    kind: r.kind.as_str().to_string(),
                    code: r.code.clone(),
                    reason: mask_personal(&r.reason),
                })
                .collect(),
            oldest_waiting_receipt: s
                .head
                .as_ref()
                .and_then(|h| h["receipt"].as_str().map(str::to_string)),
            oldest_waiting_ms: s.head.as_ref().and_then(|h| h["queued_ms"].as_i64()),
            last_success_ms,
            accepting_submissions: s.accepting_submissions,
            alert: s.alert.clone(),
        })
    }
}

/// Network and platform state, from the uplink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkView {
    /// `online`, `retrying`, `stopped` or `unknown` (no uplink running).
    pub mode: String,
    pub label: String,
    pub since_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_success_ms: Option<i64>,
}

impl NetworkView {
    pub fn from_state(state: Option<&UplinkState>) -> NetworkView {
        let Some(s) = state else {
            return NetworkView {
                mode: "unknown".into(),
                label: "未知（上传服务未运行）".into(),
                since_ms: None,
                last_error: None,
                last_success_ms: None,
            };
        };
        let label = match s.mode.as_str() {
            "online" => "平台连接正常",
            "retrying" => "平台连接中断，正在重试（申请已保存在本机）",
            "stopped" => "上传已停止",
            _ => "未知",
        };
        NetworkView {
            mode: s.mode.clone(),
            label: label.into(),
            since_ms: Some(s.since_ms),
            last_error: s.last_error.as_deref().map(mask_personal),
            last_success_ms: s.last_success_ms,
        }
    }
}

/// Free space of the file system holding the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DiskSpace {
    pub free_bytes: u64,
    pub total_bytes: u64,
    /// Under 500 MB or 5% free: staff should act before the outbox fills.
    pub low: bool,
}

/// `statvfs` of `path` (the data directory).
pub fn disk_space(path: &Path) -> std::io::Result<DiskSpace> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let frsize = if st.f_frsize > 0 {
        st.f_frsize
    } else {
        st.f_bsize
    } as u64;
    let free = st.f_bavail as u64 * frsize;
    let total = st.f_blocks as u64 * frsize;
    Ok(DiskSpace {
        free_bytes: free,
        total_bytes: total,
        low: free < 500 * 1024 * 1024 || (total > 0 && free * 20 < total),
    })
}

/// The out-of-service flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfService {
    /// What the out-of-service screen shows: 暂停服务，请到N号窗口.
    pub message: String,
    pub since_ms: i64,
}

/// Software versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Versions {
    pub app: String,
    pub catalog: Option<String>,
    pub outbox_schema: i64,
}

impl Versions {
    pub fn new(catalog: Option<String>) -> Versions {
        Versions {
            app: env!("CARGO_PKG_VERSION").to_string(),
            catalog,
            outbox_schema: crate::outbox::migrations::SCHEMA_VERSION,
        }
    }
}

/// Last device health the kiosk saved (so the CLI and a diagnostics
/// bundle made from another process can show it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDevices {
    pub at_ms: i64,
    pub health: BTreeMap<DeviceId, Health>,
}

/// Everything the staff screen shows, at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffOverview {
    pub at_ms: i64,
    pub kiosk_id: String,
    pub devices: Vec<DeviceView>,
    /// When the device states were taken (the kiosk's live map: now).
    pub devices_at_ms: Option<i64>,
    pub outbox: OutboxSummary,
    pub network: NetworkView,
    pub versions: Versions,
    pub disk: Option<DiskSpace>,
    pub paper: PaperForecast,
    pub out_of_service: Option<OutOfService>,
    /// Open 呼叫工作人员 calls, oldest first.
    pub help: Vec<super::HelpRequest>,
    /// Short Chinese lines for a banner: what needs attention now.
    pub alerts: Vec<String>,
}

/// The staff side of one kiosk: the staff database, the audit log, the
/// paper tracker and the actions.
#[derive(Clone)]
pub struct StaffDesk {
    store: Arc<StaffStore>,
    audit: AuditLog,
    paper: PaperTracker,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
}

const OOS_KEY: &str = "out_of_service";
const DEVICES_KEY: &str = "devices";

impl StaffDesk {
    /// Opens the staff database in `data_dir`.
    pub fn open(
        data_dir: &Path,
        paper: PaperSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<StaffDesk, StaffError> {
        let store = Arc::new(StaffStore::open(data_dir)?);
        Ok(StaffDesk {
            audit: AuditLog::new(store.clone(), clock.clone()),
            paper: PaperTracker::new(store.clone(), paper, clock.clone()),
            store,
            clock,
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub fn store(&self) -> &Arc<StaffStore> {
        &self.store
    }
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }
    pub fn paper(&self) -> &PaperTracker {
        &self.paper
    }
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The PIN gate (`pin_hash`: kiosk.toml's `staff_pin_hash`).
    pub fn gate(
        &self,
        pin_hash: Option<&str>,
    ) -> Result<super::StaffGate, super::access::AccessError> {
        super::StaffGate::new(self.store.clone(), pin_hash, self.clock.clone())
    }

    /// Action: a new paper roll is in.
    pub fn paper_restocked(&self) -> Result<PaperForecast, StaffError> {
        self.paper.restocked()?;
        self.paper.forecast()
    }

    /// Action: every rejected or waiting upload is due now. Returns how
    /// many jobs were queued again.
    pub fn retry_uploads(&self, outbox: &Outbox) -> Result<usize, StaffError> {
        match outbox.retry(None) {
            Ok(n) => {
                self.audit
                    .record("staff", "retry_uploads", &format!("ok: {n} job(s) due now"))?;
                Ok(n)
            }
            Err(e) => {
                self.audit
                    .record("staff", "retry_uploads", &format!("failed: {e}"))?;
                Err(e.into())
            }
        }
    }

    /// Action: take the terminal out of service, sending applicants to
    /// window `window` ("暂停服务，请到N号窗口办理"). Survives a restart.
    pub fn set_out_of_service(&self, window: &str) -> Result<OutOfService, StaffError> {
        let trimmed = window.trim();
        if trimmed.is_empty() || trimmed.chars().count() > super::window::MAX_CHARS {
            return Err(StaffError::Invalid(format!(
                "请填写窗口号（最多 {} 个字）",
                super::window::MAX_CHARS
            )));
        }
        let oos = OutOfService {
            message: format!("暂停服务，请{}", StaffWindow::new(trimmed).go_to()),
            since_ms: self.clock.now_ms(),
        };
        self.store.put(OOS_KEY, &oos)?;
        self.audit
            .record("staff", "out_of_service", &format!("on: {}", oos.message))?;
        Ok(oos)
    }

    /// Action: back in service.
    pub fn clear_out_of_service(&self) -> Result<(), StaffError> {
        self.store.delete(OOS_KEY)?;
        self.audit.record("staff", "out_of_service", "off")
    }

    /// The out-of-service flag (checked at start-up and before each visit).
    pub fn out_of_service(&self) -> Result<Option<OutOfService>, StaffError> {
        self.store.get(OOS_KEY)
    }

    /// Whether the welcome page must give way to the out-of-service
    /// screen, and with what message: staff took the kiosk out of service,
    /// or the outbox cannot store submissions (disk full, database error;
    /// the overview's alerts say which).
    /// `window` is where applicants go instead (kiosk.toml's `staff_window`).
    pub fn service_block(
        &self,
        outbox: &Outbox,
        window: &StaffWindow,
    ) -> Result<Option<String>, StaffError> {
        if let Some(o) = self.out_of_service()? {
            return Ok(Some(o.message));
        }
        Ok((!outbox.accepting()).then(|| format!("本机暂停服务，请携带材料{}", window.go_to())))
    }

    /// The kiosk saves the device manager's health on each change, for
    /// the CLI and diagnostics made from another process.
    pub fn save_devices(&self, health: &BTreeMap<DeviceId, Health>) -> Result<(), StaffError> {
        self.store.put(
            DEVICES_KEY,
            &SavedDevices {
                at_ms: self.clock.now_ms(),
                health: health.clone(),
            },
        )
    }

    pub fn saved_devices(&self) -> Result<Option<SavedDevices>, StaffError> {
        self.store.get(DEVICES_KEY)
    }

    /// The staff screen's snapshot. `devices`: the device manager's live
    /// health (None: use the last saved one); `uplink`: the uplink's watch
    /// value (None: the state the uplink last saved in the outbox).
    pub fn overview(
        &self,
        devices: Option<&BTreeMap<DeviceId, Health>>,
        outbox: &Outbox,
        uplink: Option<&UplinkState>,
        catalog_version: Option<String>,
    ) -> Result<StaffOverview, StaffError> {
        let now = self.clock.now_ms();
        let (health, devices_at_ms) = match devices {
            Some(h) => (h.clone(), Some(now)),
            None => match self.saved_devices()? {
                Some(s) => (s.health, Some(s.at_ms)),
                None => (BTreeMap::new(), None),
            },
        };
        let devices = device_views(&health);
        let saved_uplink;
        let uplink = match uplink {
            Some(u) => Some(u),
            None => {
                saved_uplink = outbox.status()?.uplink;
                saved_uplink.as_ref()
            }
        };
        let outbox_summary = OutboxSummary::from_outbox(outbox)?;
        let network = NetworkView::from_state(uplink);
        let disk = disk_space(&self.data_dir).ok();
        let paper = self.paper.forecast()?;
        let out_of_service = self.out_of_service()?;
        let help = self.help_requests()?;
        let mut alerts = Vec::new();
        // First: a person is waiting.
        for h in &help {
            alerts.push(format!(
                "申请人在“{}”页呼叫工作人员（{}）",
                h.screen,
                cst(h.at_ms)
            ));
        }
        if let Some(o) = &out_of_service {
            alerts.push(format!("本机已暂停服务（{}）", o.message));
        }
        if let Some(a) = &outbox_summary.alert {
            alerts.push(format!(
                "本机存储故障，已停止接收新申请：{}",
                mask_personal(a)
            ));
        }
        for d in &devices {
            // A device the kiosk does not have is no alarm.
            if d.condition != DeviceCondition::Online && d.reason != super::recorder::NOT_CONFIGURED
            {
                alerts.push(format!("{}：{}", d.label, d.condition_label));
            }
        }
        if paper.level >= super::PaperLevel::Low {
            alerts.push(format!("打印纸：{}", paper.label));
        }
        if !outbox_summary.rejected.is_empty() {
            alerts.push(format!(
                "{} 项上传被平台拒绝，请查看原因",
                outbox_summary.rejected.len()
            ));
        }
        if network.mode == "retrying" {
            alerts.push(network.label.clone());
        }
        if disk.is_some_and(|d| d.low) {
            alerts.push("数据盘剩余空间不足".into());
        }
        Ok(StaffOverview {
            at_ms: now,
            kiosk_id: outbox.kiosk_id().to_string(),
            devices,
            devices_at_ms,
            outbox: outbox_summary,
            network,
            versions: Versions::new(catalog_version),
            disk,
            paper,
            out_of_service,
            help,
            alerts,
        })
    }

    /// The heartbeat's data from what the kiosk last saved (for an uplink
    /// running as its own process): device health saved within the last
    /// 10 minutes (older is not reported: the kiosk is not running), and
    /// the paper forecast.
    pub fn saved_snapshot(&self) -> Result<super::recorder::DeviceSnapshot, StaffError> {
        let health = self
            .saved_devices()?
            .filter(|s| self.clock.now_ms() - s.at_ms <= 10 * 60_000)
            .map(|s| s.health);
        let mut snap = self.device_snapshot(&health.clone().unwrap_or_default())?;
        if health.is_none() {
            snap.devices.clear();
        }
        Ok(snap)
    }

    /// The heartbeat's share of the overview: device health and paper.
    pub fn device_snapshot(
        &self,
        health: &BTreeMap<DeviceId, Health>,
    ) -> Result<super::recorder::DeviceSnapshot, StaffError> {
        let paper = self.paper.forecast()?;
        Ok(super::recorder::DeviceSnapshot::new(health, &paper))
    }
}

impl StaffOverview {
    /// Plain text for `onevisit staff status`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let ts = |ms: Option<i64>| ms.map(cst).unwrap_or_else(|| "—".into());
        s.push_str(&format!(
            "终端 {}  软件 {}  事项目录 {}  ({})\n",
            self.kiosk_id,
            self.versions.app,
            self.versions.catalog.as_deref().unwrap_or("—"),
            cst(self.at_ms)
        ));
        if let Some(o) = &self.out_of_service {
            s.push_str(&format!(
                "暂停服务：{}（自 {}）\n",
                o.message,
                cst(o.since_ms)
            ));
        }
        for h in &self.help {
            s.push_str(&format!(
                "呼叫工作人员：终端 {} “{}”页（{}）\n",
                self.kiosk_id,
                h.screen,
                cst(h.at_ms)
            ));
        }
        s.push_str(&format!("设备（{}）:\n", ts(self.devices_at_ms)));
        for d in &self.devices {
            s.push_str(&format!("  {:<8} {}", d.label, d.condition_label));
            if !d.reason.is_empty() {
                s.push_str(&format!("  {}", d.reason));
            }
            s.push('\n');
        }
        let p = &self.paper;
        s.push_str(&format!(
            "打印纸: {}  剩余约 {:.1} 米 ({}%)，约 {} 人次；本卷已用 {:.1} 米\n",
            p.label,
            p.remaining_m,
            p.percent,
            p.visits_left
                .map(|v| v.to_string())
                .unwrap_or_else(|| "—".into()),
            p.printed_since_restock_m
        ));
        let o = &self.outbox;
        s.push_str(&format!(
            "上传队列: 待发送 {}，发送中 {}，被拒 {}；最早等待 {} {}；最近成功 {}\n",
            o.queued,
            o.sending,
            o.rejected.len(),
            o.oldest_waiting_receipt.as_deref().unwrap_or("—"),
            ts(o.oldest_waiting_ms),
            ts(o.last_success_ms)
        ));
        for r in &o.rejected {
            s.push_str(&format!(
                "  被拒 {} {} [{}]: {}\n",
                r.receipt, r.kind, r.code, r.reason
            ));
        }
        s.push_str(&format!("网络: {}", self.network.label));
        if let Some(e) = &self.network.last_error {
            s.push_str(&format!("（最近错误：{e}）"));
        }
        s.push('\n');
        if let Some(d) = &self.disk {
            s.push_str(&format!(
                "磁盘: 可用 {:.1} GB / 共 {:.1} GB{}\n",
                d.free_bytes as f64 / 1e9,
                d.total_bytes as f64 / 1e9,
                if d.low { "（不足）" } else { "" }
            ));
        }
        for a in &self.alerts {
            s.push_str(&format!("! {a}\n"));
        }
        s
    }
}
