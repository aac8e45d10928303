//! Hall staff mode, the out-of-service screen and 办件查询 in the session
//! controller, in plain Rust (no Slint): [`StaffMode`] is the state the
//! [`SessionController`] owns, and the `impl SessionController` block
//! below holds the transitions. The UI-free core is `crate::staff` (PIN
//! gate, desk, overview, diagnostics) and `crate::progress` (the query);
//! this module only decides what page shows and what it says.
//!
//! - Staff entry: five taps within three seconds on the top-left corner of
//!   the page header (the hall's name) on the welcome page or the
//!   out-of-service screen open the PIN pad. Only the number of digits
//!   typed ever leaves this module (the pad shows dots).
//! - Out of service: whenever the welcome page would show (and once a
//!   second while it does), [`StaffDesk::service_block`] is asked; when it
//!   says so the out-of-service screen replaces the welcome page. It has
//!   no way out for applicants; the staff gesture still works.
//! - 办件查询: the receipt number (typed on the 英 keyboard or scanned from
//!   the receipt's QR code) and the ID number's last four characters go to
//!   [`ProgressQuery`]; the glue runs the (async) query off the UI thread
//!   and hands the answer back with the ticket it was asked under, so an
//!   answer that arrives after the page was wiped is dropped.

use super::session::{Page, SessionController};
use crate::outbox::Outbox;
use crate::print::{DocumentKind, JobStore, SqliteJobStore, StoredJob, test_page_document};
use crate::progress::{ProgressAnswer, ProgressQuery, parse_receipt_input};
use crate::staff::diagnostics::{self, DiagnosticsInput};
use crate::staff::{GateOutcome, StaffDesk, StaffGate, StaffOverview, cst};
use onevisit_drivers::escpos::PaperWidth;
use std::path::PathBuf;
use std::sync::Arc;

/// Taps on the corner that open the PIN pad…
pub const GESTURE_TAPS: usize = 5;
/// …within this many milliseconds.
pub const GESTURE_WINDOW_MS: i64 = 3_000;
/// The longest PIN the pad takes (`crate::staff::access` allows 6-12).
pub const MAX_PIN: usize = 12;
/// Where diagnostics go when the configuration names no place.
pub const DEFAULT_EXPORT_DIR: &str = "/media/usb";
/// The staff screen re-reads the overview this often (in idle ticks).
const OVERVIEW_EVERY_TICKS: u32 = 5;

/// What staff mode and the query need from the rest of the kiosk. Built by
/// the kiosk's run function (and by tests, with temporary directories).
pub struct StaffServices {
    pub desk: StaffDesk,
    pub gate: StaffGate,
    pub outbox: Arc<Outbox>,
    /// Where 导出诊断 writes (a USB stick's mount point).
    pub export_dir: PathBuf,
    /// Log files or directories copied into the diagnostics bundle.
    pub logs: Vec<PathBuf>,
    pub catalog_version: Option<String>,
    /// The reprint store (`print::REPRINT_STORE_FILE`, as `wiring::devices::print_handler`
    /// keeps it); None: 补打 says it cannot.
    pub reprint_store: Option<PathBuf>,
    pub paper: PaperWidth,
    /// None: 办件查询 says to ask at the window.
    pub query: Option<Arc<ProgressQuery>>,
}

impl StaffServices {
    pub fn new(desk: StaffDesk, gate: StaffGate, outbox: Arc<Outbox>) -> StaffServices {
        StaffServices {
            desk,
            gate,
            outbox,
            export_dir: PathBuf::from(DEFAULT_EXPORT_DIR),
            logs: Vec::new(),
            catalog_version: None,
            reprint_store: None,
            paper: PaperWidth::Mm80,
            query: None,
        }
    }
    pub fn with_export_dir(mut self, dir: PathBuf) -> Self {
        self.export_dir = dir;
        self
    }
    pub fn with_logs(mut self, logs: Vec<PathBuf>) -> Self {
        self.logs = logs;
        self
    }
    pub fn with_catalog_version(mut self, version: Option<String>) -> Self {
        self.catalog_version = version;
        self
    }
    pub fn with_reprint_store(mut self, path: PathBuf) -> Self {
        self.reprint_store = Some(path);
        self
    }
    pub fn with_paper(mut self, paper: PaperWidth) -> Self {
        self.paper = paper;
        self
    }
    pub fn with_query(mut self, query: Arc<ProgressQuery>) -> Self {
        self.query = Some(query);
        self
    }
}

/// A text field typed on the on-screen keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// 办件查询: the receipt number (英 keyboard).
    QueryReceipt,
    /// 办件查询: the ID number's last four (证件号码 keyboard).
    QueryLast4,
    /// 补打回执 on the staff screen.
    Reprint,
}

impl TextField {
    /// The keyboard for the field and its longest text.
    pub fn layout(self) -> (crate::form::input::InputLayout, usize) {
        match self {
            TextField::QueryReceipt | TextField::Reprint => {
                (crate::form::input::InputLayout::Latin, 32)
            }
            TextField::QueryLast4 => (crate::form::input::InputLayout::IdNumber, 4),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TextField::QueryReceipt | TextField::Reprint => "受理编号",
            TextField::QueryLast4 => "身份证号码后四位",
        }
    }
}

/// A query the glue must run: `ticket` comes back with the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingQuery {
    pub ticket: u64,
    pub receipt: String,
    pub last4: String,
}

/// The query page's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryPage {
    pub receipt: String,
    pub last4: String,
    pub waiting: bool,
    /// Not found, invalid, too many attempts, or what a scan did.
    pub message: Option<String>,
    /// A found answer (the result page).
    pub answer: Option<ProgressAnswer>,
}

/// Staff mode's and the query's state, owned by the controller.
#[derive(Default)]
pub struct StaffMode {
    services: Option<StaffServices>,
    taps: Vec<i64>,
    pin: String,
    pin_message: Option<String>,
    active: bool,
    overview: Option<StaffOverview>,
    overview_age: u32,
    message: Option<String>,
    reprint: String,
    block: Option<String>,
    query: QueryPage,
    typing: Option<TextField>,
    ticket: u64,
    pending: Option<PendingQuery>,
    reset_requested: bool,
}

impl StaffMode {
    pub fn services(&self) -> Option<&StaffServices> {
        self.services.as_ref()
    }
    /// The glue reinitialises the devices (`take_reset_request`).
    pub(super) fn request_reset(&mut self) {
        self.reset_requested = true;
    }
    /// Digits typed on the PIN pad (the pad shows this many dots).
    pub fn pin_len(&self) -> usize {
        self.pin.chars().count()
    }
    pub fn pin_message(&self) -> Option<&str> {
        self.pin_message.as_deref()
    }
    /// The staff screen is showing.
    pub fn active(&self) -> bool {
        self.active
    }
    pub fn overview(&self) -> Option<&StaffOverview> {
        self.overview.as_ref()
    }
    /// The outcome of the last staff action.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    pub fn reprint_text(&self) -> &str {
        &self.reprint
    }
    /// What the out-of-service screen says.
    pub fn block(&self) -> Option<&str> {
        self.block.as_deref()
    }
    pub fn query(&self) -> &QueryPage {
        &self.query
    }
    pub fn typing(&self) -> Option<TextField> {
        self.typing
    }
    /// The text of the field being typed.
    pub fn typed(&self, field: TextField) -> &str {
        match field {
            TextField::QueryReceipt => &self.query.receipt,
            TextField::QueryLast4 => &self.query.last4,
            TextField::Reprint => &self.reprint,
        }
    }
    /// The ticket of the query in flight.
    pub fn ticket(&self) -> u64 {
        self.ticket
    }
}

/// One line of the staff screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRow {
    pub label: String,
    pub value: String,
    /// Needs staff attention (shown in red).
    pub problem: bool,
}

fn row(label: &str, value: impl Into<String>, problem: bool) -> OverviewRow {
    OverviewRow {
        label: label.into(),
        value: value.into(),
        problem,
    }
}

/// The overview as the staff screen's three blocks: devices, outbox, and
/// the rest (network, paper, disk, versions, service).
pub fn overview_rows(o: &StaffOverview) -> [Vec<OverviewRow>; 3] {
    let ts = |ms: Option<i64>| ms.map(cst).unwrap_or_else(|| "—".into());
    let devices = o
        .devices
        .iter()
        .map(|d| {
            let value = if d.reason.is_empty() {
                d.condition_label.clone()
            } else {
                format!("{}：{}", d.condition_label, d.reason)
            };
            row(
                &d.label,
                value,
                d.condition != crate::staff::DeviceCondition::Online,
            )
        })
        .collect();
    let s = &o.outbox;
    let mut outbox = vec![
        row(
            "待上传",
            format!("{} 件（正在上传 {} 件）", s.queued, s.sending),
            false,
        ),
        row(
            "最早等待",
            match (&s.oldest_waiting_receipt, s.oldest_waiting_ms) {
                (Some(r), ms) => format!("{r}（{}）", ts(ms)),
                _ => "无".into(),
            },
            false,
        ),
        row("最近上传成功", ts(s.last_success_ms), false),
        row(
            "被平台拒绝",
            format!("{} 件", s.rejected.len()),
            !s.rejected.is_empty(),
        ),
    ];
    for r in &s.rejected {
        outbox.push(row(&r.receipt, format!("{}：{}", r.code, r.reason), true));
    }
    if let Some(a) = &s.alert {
        outbox.push(row("存储故障", a.clone(), true));
    }
    let mut system = vec![row(
        "网络与平台",
        match &o.network.last_error {
            Some(e) => format!("{}（{e}）", o.network.label),
            None => o.network.label.clone(),
        },
        o.network.mode == "retrying",
    )];
    let p = &o.paper;
    let mut paper = format!("{}，约剩 {:.1} 米", p.label, p.remaining_m);
    if let Some(v) = p.visits_left {
        paper.push_str(&format!("，约 {v} 人次"));
    }
    system.push(row(
        "打印纸",
        paper,
        p.level >= crate::staff::PaperLevel::Low,
    ));
    system.push(match &o.disk {
        Some(d) => row(
            "数据盘",
            format!(
                "可用 {:.1} GB / 共 {:.1} GB",
                d.free_bytes as f64 / 1e9,
                d.total_bytes as f64 / 1e9
            ),
            d.low,
        ),
        None => row("数据盘", "无法读取", true),
    });
    system.push(row(
        "版本",
        format!(
            "软件 {} · 事项目录 {} · 数据库 {}",
            o.versions.app,
            o.versions.catalog.as_deref().unwrap_or("—"),
            o.versions.outbox_schema
        ),
        false,
    ));
    system.push(match &o.out_of_service {
        Some(s) => row("服务状态", format!("已暂停（{}）", s.message), true),
        None => row("服务状态", "正常服务", false),
    });
    system.push(row("终端编号", o.kiosk_id.clone(), false));
    [devices, outbox, system]
}

/// The staff screen's actions (the names the buttons send).
pub const ACTIONS: [&str; 10] = [
    "help-done",
    "paper",
    "retry",
    "test-print",
    "reprint",
    "pause",
    "resume",
    "reset",
    "export",
    "leave",
];

impl SessionController {
    /// Staff mode and the query (read access for the glue and tests).
    pub fn staff(&self) -> &StaffMode {
        &self.staff
    }

    /// Gives the controller the staff desk, gate, outbox and query. The
    /// out-of-service flag is checked at once.
    pub fn attach_staff(&mut self, services: StaffServices) {
        self.staff.services = Some(services);
        self.check_service();
    }

    /// Replaces the welcome page by the out-of-service screen when the
    /// desk says so, and back when it no longer does.
    pub fn check_service(&mut self) {
        let window = self.catalog().staff_window();
        let Some(s) = self.staff.services.as_ref() else {
            return;
        };
        if !matches!(self.page, Page::Welcome | Page::OutOfService) {
            return;
        }
        let block = match s.desk.service_block(&s.outbox, &window) {
            Ok(b) => b,
            Err(e) => {
                log::error!("STAFF ALERT: service check: {e}");
                Some(format!("本机暂停服务，请携带材料{}。", window.go_to()))
            }
        };
        self.page = if block.is_some() {
            Page::OutOfService
        } else {
            Page::Welcome
        };
        self.staff.block = block;
    }

    // ---- Staff entry ----

    /// A tap on the header's top-left corner: the fifth within three
    /// seconds opens the PIN pad (welcome page and out-of-service screen
    /// only; not during a visit).
    pub fn corner_tap(&mut self) {
        if !matches!(self.page, Page::Welcome | Page::OutOfService) {
            return;
        }
        let Some(s) = self.staff.services.as_ref() else {
            return;
        };
        let now = s.desk.clock().now_ms();
        self.staff.taps.retain(|t| now - *t < GESTURE_WINDOW_MS);
        self.staff.taps.push(now);
        if self.staff.taps.len() >= GESTURE_TAPS {
            self.staff.taps.clear();
            self.staff.pin.clear();
            self.staff.pin_message = None;
            self.touch();
            self.page = Page::StaffPin;
        }
    }

    /// A digit on the PIN pad.
    pub fn pin_key(&mut self, key: &str) {
        self.touch();
        if self.page == Page::StaffPin
            && key.len() == 1
            && key.bytes().all(|b| b.is_ascii_digit())
            && self.staff.pin.len() < MAX_PIN
        {
            self.staff.pin.push_str(key);
        }
    }

    /// 删除 on the PIN pad.
    pub fn pin_delete(&mut self) {
        self.touch();
        self.staff.pin.pop();
    }

    /// 确定 on the PIN pad: the gate decides.
    pub fn pin_ok(&mut self) {
        self.touch();
        if self.page != Page::StaffPin {
            return;
        }
        let pin = std::mem::take(&mut self.staff.pin);
        let Some(s) = self.staff.services.as_ref() else {
            return;
        };
        match s.gate.try_enter(&pin) {
            Ok(GateOutcome::Granted) => {
                self.staff.pin_message = None;
                self.staff.active = true;
                self.staff.message = None;
                self.page = Page::Staff;
                self.refresh_overview();
            }
            Ok(other) => self.staff.pin_message = Some(other.message()),
            Err(e) => {
                log::error!("staff gate: {e}");
                self.staff.pin_message = Some("维护入口暂时不可用，请联系技术人员".into());
            }
        }
    }

    /// 取消 on the PIN pad.
    pub fn pin_cancel(&mut self) {
        self.wipe();
    }

    /// Re-reads the overview (after each action, and every few seconds).
    pub fn refresh_overview(&mut self) {
        self.staff.overview_age = 0;
        let Some(s) = self.staff.services.as_ref() else {
            return;
        };
        // The device manager's live health once devices run; before that
        // (tests, a kiosk without devices) what was last saved.
        let live = (!self.devices.is_empty()).then_some(&self.devices);
        match s
            .desk
            .overview(live, &s.outbox, None, s.catalog_version.clone())
        {
            Ok(o) => self.staff.overview = Some(o),
            Err(e) => {
                log::error!("staff overview: {e}");
                self.staff.message = Some(format!("状态读取失败：{e}"));
            }
        }
    }

    // ---- Staff actions ----

    /// A button on the staff screen ([`ACTIONS`]).
    pub fn staff_action(&mut self, action: &str) {
        self.touch();
        if self.page != Page::Staff || !self.staff.active {
            return;
        }
        if action == "leave" {
            self.wipe();
            return;
        }
        if action == "reprint" {
            self.staff.typing = Some(TextField::Reprint);
            self.staff.message = Some("请输入回执上的受理编号，输完点“完成”".into());
            return;
        }
        let window = self.catalog().staff_window();
        let Some(s) = self.staff.services.as_ref() else {
            return;
        };
        let audit = |what: &str, result: &str| {
            if let Err(e) = s.desk.audit().record("staff", what, result) {
                log::error!("audit: {e}");
            }
        };
        let mut to_print = None;
        let message = match action {
            "help-done" => match s.desk.help_answered() {
                Ok(n) => format!("已处理 {n} 个呼叫"),
                Err(e) => format!("记录失败：{e}"),
            },
            "paper" => match s.desk.paper_restocked() {
                Ok(f) => format!("已记录更换纸卷：{}", f.label),
                Err(e) => format!("记录失败：{e}"),
            },
            "retry" => match s.desk.retry_uploads(&s.outbox) {
                Ok(n) => format!("已安排立即重新上传 {n} 项"),
                Err(e) => format!("重试失败：{e}"),
            },
            "test-print" => {
                audit("test_print", "sent");
                to_print = Some(StoredJob {
                    key: "test-page".into(),
                    kind: DocumentKind::TestPage,
                    document: test_page_document("onevisit", s.paper),
                });
                "测试页已发送到打印机".into()
            }
            "pause" => match s.desk.set_out_of_service(window.as_configured()) {
                Ok(o) => format!(
                    "已暂停服务（{}）。退出维护后本机显示暂停服务画面",
                    o.message
                ),
                Err(e) => format!("暂停服务失败：{e}"),
            },
            "resume" => match s.desk.clear_out_of_service() {
                Ok(()) => "已恢复服务".into(),
                Err(e) => format!("恢复服务失败：{e}"),
            },
            "reset" => {
                audit("reset", "ok: session wiped, devices reinitialised");
                self.staff.reset_requested = true;
                self.staff.reprint.clear();
                self.staff.typing = None;
                "终端已重置：办事信息已清空，设备正在重新连接".into()
            }
            "export" => {
                let input = DiagnosticsInput {
                    outbox: &s.outbox,
                    devices: None,
                    uplink: None,
                    catalog_version: s.catalog_version.clone(),
                    logs: s.logs.clone(),
                    audit_entries: 500,
                };
                match diagnostics::export(&s.desk, &s.export_dir, &input) {
                    Ok(r) => format!(
                        "诊断信息已导出到 {}（{} 个文件）",
                        r.dir.display(),
                        r.files.len()
                    ),
                    Err(e) => {
                        audit("diagnostics_export", &format!("failed: {e}"));
                        format!("导出失败：{e}")
                    }
                }
            }
            _ => return,
        };
        if let Some(job) = to_print {
            self.queue_print(job);
        }
        self.staff.message = Some(message);
        self.refresh_overview();
    }

    /// 补打: the stored documents of `receipt` go to the printer again.
    pub fn reprint(&mut self, receipt: &str) {
        self.touch();
        self.staff.typing = None;
        if self.page != Page::Staff || !self.staff.active {
            return;
        }
        let Some(s) = self.staff.services.as_ref() else {
            return;
        };
        let Some(key) = parse_receipt_input(receipt) else {
            self.staff.message = Some("受理编号格式或校验位不对，请核对后重新输入".into());
            return;
        };
        let jobs = match &s.reprint_store {
            None => Err("本机没有保存可补打的单据".to_string()),
            Some(path) => SqliteJobStore::open(path)
                .and_then(|store| store.get(&key))
                .map_err(|e| format!("补打记录读取失败：{e}")),
        };
        let result = match &jobs {
            Ok(j) if j.is_empty() => "not found".to_string(),
            Ok(j) => format!("ok: {} document(s)", j.len()),
            Err(e) => format!("failed: {e}"),
        };
        if let Err(e) = s
            .desk
            .audit()
            .record("staff", "reprint", &format!("{key}: {result}"))
        {
            log::error!("audit: {e}");
        }
        self.staff.message = Some(match jobs {
            Ok(j) if j.is_empty() => format!("本机没有 {key} 的单据记录"),
            Ok(j) => {
                let n = j.len();
                j.into_iter().for_each(|job| self.queue_print(job));
                format!("已发送补打：{key}（{n} 份）")
            }
            Err(e) => e,
        });
        self.staff.reprint.clear();
    }

    /// The printer's answer while the staff screen shows.
    pub(super) fn staff_printed(&mut self, result: &Result<(), super::PrintFailure>) {
        if self.page == Page::Staff {
            self.staff.message = Some(match result {
                Ok(()) => "打印完成".into(),
                Err(why) => format!("打印失败：{why}"),
            });
        }
    }

    /// The glue reinitialises the devices once when this is true.
    pub fn take_reset_request(&mut self) -> bool {
        std::mem::take(&mut self.staff.reset_requested)
    }

    // ---- Typing (query fields, reprint number) ----

    /// A field on the query page was tapped.
    pub fn query_edit(&mut self, field: TextField) {
        self.touch();
        if self.page == Page::Query && field != TextField::Reprint && !self.staff.query.waiting {
            self.staff.typing = Some(field);
        }
    }

    /// The keyboard changed the field's text.
    pub fn typed(&mut self, text: &str) {
        self.touch();
        match self.staff.typing {
            Some(TextField::QueryReceipt) => self.staff.query.receipt = text.to_string(),
            Some(TextField::QueryLast4) => self.staff.query.last4 = text.to_string(),
            Some(TextField::Reprint) => self.staff.reprint = text.to_string(),
            None => {}
        }
    }

    /// 完成 on the keyboard: a reprint number is sent at once.
    pub fn typing_done(&mut self, text: &str) {
        self.typed(text);
        match self.staff.typing.take() {
            Some(TextField::Reprint) => self.reprint(text),
            Some(_) => self.staff.query.message = None,
            None => {}
        }
    }

    // ---- 办件查询 ----

    /// 办件查询 on the welcome page.
    pub fn query_open(&mut self) {
        self.touch();
        self.wiped_for_idle_reset();
        self.check_service();
        if self.page == Page::Welcome {
            self.staff.query = QueryPage::default();
            self.page = Page::Query;
        }
    }

    /// A scanned code while the query page shows: a receipt's QR code
    /// fills the receipt number.
    pub(super) fn query_scanned(&mut self, data: &str) -> bool {
        self.touch();
        if self.staff.query.waiting {
            return false;
        }
        match parse_receipt_input(data) {
            Some(r) => {
                self.staff.query.receipt = r;
                self.staff.query.message = Some("已读取回执二维码，请输入身份证号码后四位".into());
                if self.staff.typing == Some(TextField::QueryReceipt) {
                    self.staff.typing = None;
                }
                true
            }
            None => {
                self.staff.query.message =
                    Some("扫到的不是受理回执上的二维码，请对准回执上的二维码再扫一次".into());
                false
            }
        }
    }

    /// 查询: the glue runs the query ([`Self::take_query`]).
    pub fn query_submit(&mut self) {
        self.touch();
        let q = &mut self.staff.query;
        if self.page != Page::Query || q.waiting {
            return;
        }
        self.staff.typing = None;
        if q.receipt.trim().is_empty() {
            q.message = Some("请先输入回执上的受理编号，或扫描回执上的二维码".into());
            return;
        }
        if q.last4.trim().chars().count() != 4 {
            q.message = Some("请输入身份证号码的最后四位".into());
            return;
        }
        if self
            .staff
            .services
            .as_ref()
            .and_then(|s| s.query.as_ref())
            .is_none()
        {
            let message = format!(
                "本机暂时不能查询，{}",
                self.catalog().staff_window().ask_there()
            );
            self.staff.query.message = Some(message);
            return;
        }
        self.staff.ticket += 1;
        q.waiting = true;
        q.message = None;
        self.staff.pending = Some(PendingQuery {
            ticket: self.staff.ticket,
            receipt: q.receipt.clone(),
            last4: q.last4.clone(),
        });
    }

    /// The query to run, with the service that runs it.
    pub fn take_query(&mut self) -> Option<(PendingQuery, Arc<ProgressQuery>)> {
        let p = self.staff.pending.take()?;
        let q = self.staff.services.as_ref()?.query.clone()?;
        Some((p, q))
    }

    /// The answer of the query asked under `ticket`; dropped when the page
    /// was left (or wiped) in between.
    pub fn query_answered(&mut self, ticket: u64, answer: ProgressAnswer) {
        let q = &mut self.staff.query;
        if ticket != self.staff.ticket || self.page != Page::Query || !q.waiting {
            return;
        }
        q.waiting = false;
        match answer {
            ProgressAnswer::Found(_) => {
                // The last four have done their job.
                q.last4.clear();
                q.receipt.clear();
                q.message = None;
                q.answer = Some(answer);
                self.page = Page::QueryResult;
            }
            other => {
                q.message = Some(other.message().to_string());
                if matches!(other, ProgressAnswer::NotFound { .. }) {
                    q.last4.clear();
                }
            }
        }
    }

    // ---- Hooks called by the controller ----

    pub(super) fn wiped_for_idle_reset(&mut self) {
        self.wiped_for_idle = false;
    }

    /// 上一步 / 返回 on the new pages.
    pub(super) fn staff_back(&mut self) {
        match self.page {
            Page::OutOfService => {}
            _ => self.wipe(),
        }
    }

    /// Part of every wipe: leaves staff mode (audited), forgets the query
    /// and the PIN, then shows the out-of-service screen if it applies.
    pub(super) fn staff_wipe(&mut self) {
        if self.staff.active {
            self.staff.active = false;
            if let Some(s) = self.staff.services.as_ref()
                && let Err(e) = s.gate.leave()
            {
                log::error!("audit: {e}");
            }
        }
        self.staff.pin.clear();
        self.staff.pin_message = None;
        self.staff.taps.clear();
        self.staff.overview = None;
        self.staff.message = None;
        self.staff.reprint.clear();
        self.staff.query = QueryPage::default();
        self.staff.typing = None;
        self.staff.pending = None;
        // An answer still on its way belongs to a page that is gone.
        self.staff.ticket += 1;
        self.check_service();
    }

    /// Part of every idle tick.
    pub(super) fn staff_tick(&mut self) {
        if matches!(self.page, Page::Welcome | Page::OutOfService) {
            self.check_service();
        }
        if self.page == Page::Staff {
            self.staff.overview_age += 1;
            if self.staff.overview_age >= OVERVIEW_EVERY_TICKS {
                self.refresh_overview();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn controller() -> SessionController {
        SessionController::new(Catalog::load_default().expect("catalog"))
    }

    #[test]
    fn without_staff_services_the_corner_is_dead_and_queries_are_refused() {
        let mut c = controller();
        for _ in 0..10 {
            c.corner_tap();
        }
        assert_eq!(c.page(), Page::Welcome);
        c.query_open();
        assert_eq!(c.page(), Page::Query);
        c.query_edit(TextField::QueryReceipt);
        c.typing_done("K0101-20261129-00001-X");
        c.query_edit(TextField::QueryLast4);
        c.typing_done("0026");
        c.query_submit();
        assert!(c.take_query().is_none());
        assert_eq!(
            c.staff().query().message.as_deref(),
            Some("本机暂时不能查询，请到一件事综合受理窗口查询")
        );
        // Staff actions need the staff screen.
        c.staff_action("pause");
        assert!(c.staff().message().is_none());
        c.wipe();
        assert_eq!(c.page(), Page::Welcome);
        assert_eq!(c.staff().query(), &QueryPage::default());
    }

    #[test]
    fn overview_rows_flag_problems() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(crate::staff::ManualClock::new(1_800_000_000_000));
        let desk =
            StaffDesk::open(dir.path(), crate::staff::PaperSettings::default(), clock).unwrap();
        let outbox = Outbox::open(&dir.path().join("o.sqlite3"), "K0101", &[1u8; 32]).unwrap();
        let mut health = std::collections::BTreeMap::new();
        health.insert(
            onevisit_drivers::manager::DeviceId::Printer,
            onevisit_drivers::manager::Health::Degraded("纸仓盖未关 (cover open)".into()),
        );
        health.insert(
            onevisit_drivers::manager::DeviceId::Scanner,
            onevisit_drivers::manager::Health::Ok,
        );
        desk.set_out_of_service("5").unwrap();
        let o = desk.overview(Some(&health), &outbox, None, None).unwrap();
        let [devices, queue, system] = overview_rows(&o);
        let printer = devices.iter().find(|r| r.label == "打印机").unwrap();
        assert!(printer.problem && printer.value.starts_with("纸仓盖未关"));
        let scanner = devices.iter().find(|r| r.label == "扫码器").unwrap();
        assert!(!scanner.problem && scanner.value == "正常");
        // The reader was not reported: missing.
        assert!(
            devices
                .iter()
                .any(|r| r.label == "身份证阅读器" && r.problem)
        );
        assert_eq!(queue[0].value, "0 件（正在上传 0 件）");
        let service = system.iter().find(|r| r.label == "服务状态").unwrap();
        assert!(service.problem && service.value.contains("请到5号窗口"));
    }
}
