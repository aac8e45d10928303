//! The visit's state machine, in plain Rust: what page is showing, what the
//! applicant has told the kiosk, and when an abandoned session is wiped.
//! No Slint here, so every transition is tested without a display; the
//! glue (`super::glue`) only mirrors this state into the UI.

use super::application::{Application, FieldPath};
use super::staff_mode::StaffMode;
use crate::applicant::{Applicant, CardData};
use crate::catalog::Catalog;
use crate::guide::{self, Answers, Notice, Outcome, QuestionView, ReferralView};
use crate::outbox::Outbox;
use crate::print::qr_payload::{self, DEVELOPMENT_NOTICE_KEY};
use crate::print::{
    CommitmentData, Delivery, DocumentKind, ReceiptData, StoredJob, commitment_document,
    notice_document, receipt_document,
};
use crate::staff::StaffWindow;
use onevisit_drivers::manager::{DeviceId, Health};
use onevisit_drivers::scanner::ScanKind;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// After this long without a tap, the kiosk asks "还在吗？".
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// How long "还在吗？" waits before the session is wiped: at least 20 s
/// (适老化 rules; an older applicant needs time to read it and reach 继续).
pub const DEFAULT_COUNTDOWN: Duration = Duration::from_secs(20);
/// The done page goes back to the welcome page after this long (every tap
/// starts it again, so a rating is never cut short).
pub const DONE_LINGER: Duration = Duration::from_secs(45);

/// The two lowest 好差评 scores ask why; these are the reasons offered.
pub const RATING_REASONS: [&str; 5] = [
    "等待时间长",
    "操作步骤复杂",
    "告知内容不清楚",
    "设备故障",
    "其他原因",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Welcome,
    CardRead,
    BundleChoice,
    Questionnaire,
    Referral,
    Notice,
    Form,
    Materials,
    Review,
    Done,
    /// Staff mode (`super::staff_mode`): the PIN pad, the staff screen,
    /// the out-of-service screen, 办件查询 and its answer.
    StaffPin,
    Staff,
    OutOfService,
    Query,
    QueryResult,
}

impl Page {
    /// The page as staff call it, for a 呼叫工作人员 call ("填写申请表").
    pub fn label(self) -> &'static str {
        match self {
            Page::Welcome => "欢迎页",
            Page::CardRead => "读取身份证",
            Page::BundleChoice => "选择要办的事",
            Page::Questionnaire => "回答问题",
            Page::Referral => "转窗口办理",
            Page::Notice => "一次告知单",
            Page::Form => "填写申请表",
            Page::Materials => "材料清单",
            Page::Review => "确认提交",
            Page::Done => "办理完成",
            Page::StaffPin => "工作人员登录",
            Page::Staff => "维护模式",
            Page::OutOfService => "暂停服务",
            Page::Query => "办件查询",
            Page::QueryResult => "查询结果",
        }
    }
}

/// How the printer is doing with this visit's paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintStatus {
    Idle,
    Printing,
    Printed,
    /// Why not, in the applicant's words; the visit goes on.
    Failed(String),
}

/// The done page: the receipt number and the 好差评 rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub receipt: String,
    pub bundle_name: String,
    /// Where the applicant goes next (lead department's window).
    pub window: String,
    /// 容缺 materials promised, with the deadline, for the reminder.
    pub later: Vec<String>,
    pub deadline: Option<String>,
    pub score: Option<u8>,
    pub reason: Option<String>,
    /// The rating is queued for the platform.
    pub rated: bool,
    left: Duration,
    /// The receipt's print jobs, kept while the page shows so 补打回执 can
    /// print them again once paper is back; wiped with the visit.
    pub receipt_jobs: Vec<StoredJob>,
}

impl Done {
    /// Whole seconds before the page returns to the welcome page.
    pub fn seconds_left(&self) -> u64 {
        self.left.as_secs_f64().ceil() as u64
    }
}

/// The ID card part of the visit.
#[derive(Clone, PartialEq, Eq)]
pub enum CardState {
    /// Waiting for the applicant to put the card on the reader.
    Waiting,
    /// A valid card was read; the applicant has not yet agreed.
    Read(Box<CardData>),
    /// A card was put down but cannot be used; the message says why.
    Rejected(String),
    /// The applicant goes on without a card (the form will be typed).
    Skipped,
}

/// The whole state of one visit. Everything personal lives here and is
/// dropped by [`SessionController::wipe`].
pub struct SessionController {
    catalog: Catalog,
    pub(super) page: Page,
    card: CardState,
    consent: bool,
    bundle: Option<String>,
    answers: Answers,
    /// Index into the applying questions of the question on screen.
    cursor: usize,
    idle: Duration,
    idle_limit: Duration,
    countdown: Duration,
    /// Set when a session was wiped for inactivity (the welcome page says so).
    pub(super) wiped_for_idle: bool,
    /// Reader trouble for the banner; not personal.
    reader_problem: Option<String>,
    /// 长者模式: larger text and targets, for this visit only.
    elderly: bool,
    /// Form, materials and declaration, once the applicant applies.
    apply: Option<Application>,
    /// The field the keyboard or picker is editing.
    editing: Option<FieldPath>,
    /// The applicant is holding the eye button: identity numbers show in
    /// full on screen (`application::screen_value`), masked otherwise.
    reveal_ids: bool,
    /// A short message for the page on screen (what blocks going on).
    message: Option<String>,
    done: Option<Done>,
    print_status: PrintStatus,
    /// Documents for the printer, taken by the glue.
    print_jobs: Vec<StoredJob>,
    /// Where submissions are kept until the platform has them.
    outbox: Option<Arc<Outbox>>,
    /// The platform cannot be reached (banner; not personal).
    offline: bool,
    notice_key: Vec<u8>,
    /// Staff mode, out of service and 办件查询 (`super::staff_mode`).
    pub(super) staff: StaffMode,
    /// Every device's health as the device manager last reported it
    /// (empty until devices run); not personal, kept across visits.
    pub(super) devices: BTreeMap<DeviceId, Health>,
    /// kiosk.toml's staff window, applied to every catalog this controller
    /// runs on (None: the catalog's own combined window).
    staff_window: Option<StaffWindow>,
    /// kiosk.toml's `[consult]` (咨询电话 per department), likewise applied
    /// to every catalog.
    consult: BTreeMap<String, crate::catalog::Consult>,
    /// The hall's 容缺 supply period (kiosk.toml `rongque_days`), applied to
    /// every catalog.
    rongque_days: Option<u32>,
    /// kiosk.toml's `[window]` (the hall's windows per department),
    /// applied to every catalog.
    windows: BTreeMap<String, crate::catalog::HallWindow>,
    /// What the help button told the applicant (`super::help`), shown
    /// until they close it or the visit ends.
    pub(super) help: Option<String>,
    /// 自动朗读 and loudness for this visit (`super::speech`).
    pub(super) speech: super::speech::SpeechPrefs,
}

impl SessionController {
    pub fn new(catalog: Catalog) -> Self {
        SessionController {
            catalog,
            page: Page::Welcome,
            card: CardState::Waiting,
            consent: false,
            bundle: None,
            answers: Answers::new(),
            cursor: 0,
            idle: Duration::ZERO,
            idle_limit: DEFAULT_IDLE,
            countdown: DEFAULT_COUNTDOWN,
            wiped_for_idle: false,
            reader_problem: None,
            elderly: false,
            apply: None,
            editing: None,
            reveal_ids: false,
            message: None,
            done: None,
            print_status: PrintStatus::Idle,
            print_jobs: Vec::new(),
            outbox: None,
            offline: false,
            notice_key: DEVELOPMENT_NOTICE_KEY.to_vec(),
            staff: StaffMode::default(),
            devices: BTreeMap::new(),
            staff_window: None,
            consult: BTreeMap::new(),
            rongque_days: None,
            windows: BTreeMap::new(),
            help: None,
            speech: Default::default(),
        }
    }

    /// This kiosk's staff window (kiosk.toml): the notice, receipt,
    /// out-of-service screen and query answers all name it. It stays
    /// applied across catalog updates.
    pub fn with_staff_window(mut self, window: Option<StaffWindow>) -> Self {
        if let Some(w) = &window {
            self.catalog = self.catalog.with_staff_window(w);
        }
        self.staff_window = window;
        self
    }

    /// This hall's 咨询电话 (kiosk.toml `[consult]`), on every notice; kept
    /// across catalog updates. Returns the department ids the catalog does
    /// not know beside the controller, for the caller to warn about.
    pub fn with_consult(
        mut self,
        consult: BTreeMap<String, crate::catalog::Consult>,
    ) -> (Self, Vec<String>) {
        let (catalog, unknown) = self.catalog.with_consult(&consult);
        self.catalog = catalog;
        self.consult = consult;
        (self, unknown)
    }

    /// This hall's windows per department (kiosk.toml `[window.<id>]`),
    /// named by every notice and receipt; kept across catalog updates.
    /// Returns the department ids the catalog does not know.
    pub fn with_windows(
        mut self,
        windows: BTreeMap<String, crate::catalog::HallWindow>,
    ) -> (Self, Vec<String>) {
        let (catalog, unknown) = self.catalog.with_windows(&windows);
        self.catalog = catalog;
        self.windows = windows;
        (self, unknown)
    }

    /// This hall's 容缺 supply period in working days (kiosk.toml
    /// `rongque_days`) instead of the catalog's; an item's own still wins.
    /// Kept across catalog updates.
    pub fn with_rongque_days(mut self, days: Option<u32>) -> Self {
        if let Some(d) = days {
            self.catalog = self.catalog.with_rongque_days(d);
        }
        self.rongque_days = days;
        self
    }

    /// Where submissions are queued; without one, submitting says the
    /// kiosk cannot take applications now.
    pub fn with_outbox(mut self, outbox: Arc<Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// The key that signs the printed notice's QR code.
    pub fn with_notice_key(mut self, key: &[u8]) -> Self {
        self.notice_key = key.to_vec();
        self
    }

    /// Changes the idle timeout and the "还在吗？" countdown.
    pub fn with_idle(mut self, idle: Duration, countdown: Duration) -> Self {
        self.idle_limit = idle;
        self.countdown = countdown;
        self
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
    pub fn page(&self) -> Page {
        self.page
    }

    /// Switches to a newly installed catalog between visits: only on the
    /// welcome page, with no bundle chosen. Returns whether it switched (a
    /// visit in progress keeps the catalog it started with).
    pub fn replace_catalog(&mut self, catalog: Catalog) -> bool {
        if self.page != Page::Welcome || self.bundle.is_some() || self.apply.is_some() {
            return false;
        }
        let catalog = match &self.staff_window {
            Some(w) => catalog.with_staff_window(w),
            None => catalog,
        };
        let (catalog, unknown) = catalog.with_consult(&self.consult);
        let catalog = match self.rongque_days {
            Some(d) => catalog.with_rongque_days(d),
            None => catalog,
        };
        let (catalog, unknown_windows) = catalog.with_windows(&self.windows);
        if !unknown_windows.is_empty() {
            log::warn!(
                "kiosk.toml window names departments the new catalog does not have: {}",
                unknown_windows.join(", ")
            );
        }
        if !unknown.is_empty() {
            log::warn!(
                "kiosk.toml consult names departments the new catalog does not have: {}",
                unknown.join(", ")
            );
        }
        self.catalog = catalog;
        true
    }
    pub fn card(&self) -> &CardState {
        &self.card
    }
    pub fn consent_given(&self) -> bool {
        self.consent
    }
    pub fn bundle(&self) -> Option<&str> {
        self.bundle.as_deref()
    }
    pub fn answers(&self) -> &Answers {
        &self.answers
    }
    pub fn wiped_for_idle(&self) -> bool {
        self.wiped_for_idle
    }
    pub fn reader_problem(&self) -> Option<&str> {
        self.reader_problem.as_deref()
    }
    pub fn elderly(&self) -> bool {
        self.elderly
    }
    pub fn application(&self) -> Option<&Application> {
        self.apply.as_ref()
    }
    pub fn editing(&self) -> Option<&FieldPath> {
        self.editing.as_ref()
    }
    pub fn reveal_ids(&self) -> bool {
        self.reveal_ids
    }

    /// The eye button pressed (`true`) or let go: identity numbers show in
    /// full only while it is held.
    pub fn hold_reveal_ids(&mut self, held: bool) {
        self.touch();
        self.reveal_ids = held && matches!(self.page, Page::Form | Page::Review);
    }
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    pub fn done(&self) -> Option<&Done> {
        self.done.as_ref()
    }
    pub fn print_status(&self) -> &PrintStatus {
        &self.print_status
    }
    pub fn offline(&self) -> bool {
        self.offline
    }
    pub fn outbox(&self) -> Option<&Arc<Outbox>> {
        self.outbox.as_ref()
    }

    /// The platform went away or came back (from the uplink's state).
    pub fn set_offline(&mut self, offline: bool) {
        self.offline = offline;
    }

    /// The devices' health after a change (from the device manager).
    pub fn set_device_health(&mut self, health: BTreeMap<DeviceId, Health>) {
        let could = self.can_reprint();
        self.devices = health;
        // Paper back while the receipt page waits: give the applicant the
        // page's whole time again to see and tap 补打回执.
        if !could
            && self.can_reprint()
            && let Some(d) = self.done.as_mut()
        {
            d.left = DONE_LINGER;
        }
    }

    /// 补打回执 is offered: the receipt page shows a receipt that failed to
    /// print, and the printer is ready again (paper refilled, jam cleared).
    pub fn can_reprint(&self) -> bool {
        self.page == Page::Done
            && matches!(self.print_status, PrintStatus::Failed(_))
            && matches!(self.devices.get(&DeviceId::Printer), Some(Health::Ok))
            && self
                .done
                .as_ref()
                .is_some_and(|d| !d.receipt_jobs.is_empty())
    }

    /// 补打回执: the receipt (and commitment) again, to the printer.
    pub fn reprint_receipt(&mut self) {
        self.touch();
        if !self.can_reprint() {
            return;
        }
        let jobs = self
            .done
            .as_ref()
            .map(|d| d.receipt_jobs.clone())
            .unwrap_or_default();
        for job in jobs {
            self.queue_print(job);
        }
        self.print_status = PrintStatus::Printing;
    }

    pub fn device_health(&self) -> &BTreeMap<DeviceId, Health> {
        &self.devices
    }

    /// Whether the scanner can read codes now: false when it is reported
    /// missing, failing or not configured (pages then ask for typing).
    pub fn scanner_ready(&self) -> bool {
        !matches!(
            self.devices.get(&DeviceId::Scanner),
            Some(Health::Missing(_) | Health::Degraded(_))
        )
    }

    /// 长者模式 on or off (the next visitor starts in the standard size).
    pub fn toggle_elderly(&mut self) {
        self.touch();
        self.elderly = !self.elderly;
    }

    // ---- Welcome and the ID card ----

    /// "开始办理" on the welcome page.
    pub fn start(&mut self) {
        self.touch();
        self.wiped_for_idle = false;
        self.check_service();
        if self.page == Page::Welcome {
            self.page = Page::CardRead;
        }
    }

    /// A valid card was read. Putting a card down on the welcome page starts
    /// the visit too; a card placed later in the visit is ignored (the
    /// visit belongs to whoever started it).
    pub fn card_placed(&mut self, card: CardData) {
        if matches!(self.page, Page::Welcome | Page::CardRead) && !self.consent {
            self.touch();
            self.wiped_for_idle = false;
            self.card = CardState::Read(Box::new(card));
            self.page = Page::CardRead;
        }
    }

    /// A card was read but cannot be used (expired, unreadable).
    pub fn card_rejected(&mut self, message: impl Into<String>) {
        if matches!(self.page, Page::Welcome | Page::CardRead) && !self.consent {
            self.touch();
            self.wiped_for_idle = false;
            self.card = CardState::Rejected(message.into());
            self.page = Page::CardRead;
        }
    }

    /// The card was lifted before the applicant agreed: forget it.
    pub fn card_removed(&mut self) {
        if self.page == Page::CardRead && matches!(self.card, CardState::Read(_)) && !self.consent {
            self.card = CardState::Waiting;
        }
    }

    /// 个人信息授权: the applicant agrees that the card's data prefill the form.
    pub fn consent(&mut self) {
        self.touch();
        if self.page == Page::CardRead && matches!(self.card, CardState::Read(_)) {
            self.consent = true;
            self.page = Page::BundleChoice;
        }
    }

    /// Go on without a card (none at hand, expired, or consent declined):
    /// nothing read from a card is kept.
    pub fn continue_without_card(&mut self) {
        self.touch();
        if self.page == Page::CardRead {
            self.card = CardState::Skipped;
            self.consent = false;
            self.page = Page::BundleChoice;
        }
    }

    /// Reader trouble (shown as a banner; the visit goes on without a card).
    pub fn reader_lost(&mut self, reason: impl Into<String>) {
        self.reader_problem = Some(reason.into());
    }
    pub fn reader_back(&mut self) {
        self.reader_problem = None;
    }

    /// The card data, only once the applicant has agreed to its use.
    pub fn consented_card(&self) -> Option<&CardData> {
        match (&self.card, self.consent) {
            (CardState::Read(c), true) => Some(c),
            _ => None,
        }
    }

    // ---- Bundle and questionnaire ----

    pub fn choose_bundle(&mut self, code: &str) {
        self.touch();
        if self.page != Page::BundleChoice || self.catalog.bundle(code).is_none() {
            return;
        }
        // Answers belong to one bundle's questions; a different bundle starts
        // afresh, the same one keeps them.
        if self.bundle.as_deref() != Some(code) {
            self.answers.clear();
        }
        self.bundle = Some(code.to_string());
        self.cursor = 0;
        self.settle();
    }

    /// The question on screen, with the option to preselect: the earlier
    /// answer when the applicant came back, else the catalog's default.
    pub fn question(&self) -> Option<(QuestionView, String, usize)> {
        if self.page != Page::Questionnaire {
            return None;
        }
        let bundle = self.catalog.bundle(self.bundle.as_deref()?)?;
        let applying = guide::applying_questions(bundle, &self.answers);
        let (q, answer) = applying.get(self.cursor)?;
        let selected = answer.map_or_else(|| q.default_option().id.clone(), str::to_string);
        let view = QuestionView {
            id: q.id.clone(),
            text: q.text.clone(),
            hint: q.hint.clone(),
            options: q.options.clone(),
            step: self.cursor + 1,
        };
        Some((view, selected, applying.len()))
    }

    /// Answers the question on screen and moves on.
    pub fn answer(&mut self, option: &str) {
        self.touch();
        let Some((q, _, _)) = self.question() else {
            return;
        };
        if !q.options.iter().any(|o| o.id == option) {
            return;
        }
        self.answers.insert(q.id, option.to_string());
        self.cursor += 1;
        self.settle();
    }

    /// Shows the cursor's question, or the outcome once every applying
    /// question is answered or a referral applies.
    fn settle(&mut self) {
        let Some(code) = self.bundle.clone() else {
            return;
        };
        let Some(bundle) = self.catalog.bundle(&code) else {
            return;
        };
        let applying_len = guide::applying_questions(bundle, &self.answers).len();
        match guide::step(&self.catalog, &code, &self.answers) {
            Ok(Outcome::Referral { .. }) => {
                // Keep the cursor on the question whose answer referred.
                self.cursor = self.cursor.saturating_sub(1);
                self.page = Page::Referral;
            }
            Ok(_) if self.cursor < applying_len => self.page = Page::Questionnaire,
            Ok(Outcome::Notice { .. }) => self.page = Page::Notice,
            Ok(Outcome::Question { question }) => {
                // Defensive: an unanswered question before the cursor.
                self.cursor = question.step - 1;
                self.page = Page::Questionnaire;
            }
            Err(e) => {
                log::error!("guide refused the kiosk's own answers: {e}");
                self.answers.clear();
                self.cursor = 0;
                self.page = Page::Questionnaire;
            }
        }
    }

    /// 上一步: the previous question (its answer and all later ones that
    /// still apply are kept), or back to the bundles from the first one.
    pub fn back(&mut self) {
        self.touch();
        match self.page {
            Page::Questionnaire if self.cursor > 0 => self.cursor -= 1,
            Page::Questionnaire => self.page = Page::BundleChoice,
            // The cursor is past the last question on a notice and on the
            // question that triggered a referral (see `settle`).
            Page::Notice => {
                self.cursor = self.cursor.saturating_sub(1);
                self.page = Page::Questionnaire;
            }
            Page::Referral => self.page = Page::Questionnaire,
            Page::BundleChoice => {
                self.page = Page::CardRead;
                if !matches!(self.card, CardState::Read(_)) {
                    self.card = CardState::Waiting;
                }
                self.consent = false;
            }
            Page::CardRead => self.wipe(),
            Page::Form => {
                self.set_editing(None);
                self.message = None;
                let first = self.apply.as_mut().is_none_or(|a| !a.previous_section());
                if first {
                    // The form stays: coming back to it keeps what was typed.
                    self.page = Page::Notice;
                }
            }
            Page::Materials => {
                self.message = None;
                self.page = Page::Form;
            }
            Page::Review => {
                self.message = None;
                self.page = Page::Materials;
            }
            // The case is queued: there is no way back into it.
            Page::Welcome | Page::Done => {}
            Page::StaffPin | Page::Staff | Page::OutOfService | Page::Query | Page::QueryResult => {
                self.staff_back()
            }
        }
    }

    /// 重新选择: back to the bundles with no answers.
    pub fn start_over(&mut self) {
        self.touch();
        if matches!(
            self.page,
            Page::Questionnaire
                | Page::Referral
                | Page::Notice
                | Page::Form
                | Page::Materials
                | Page::Review
        ) {
            self.apply = None;
            self.set_editing(None);
            self.message = None;
            self.answers.clear();
            self.bundle = None;
            self.cursor = 0;
            self.page = Page::BundleChoice;
        }
    }

    /// The outcome of the finished questionnaire.
    pub fn notice(&self) -> Option<Notice> {
        if self.page != Page::Notice {
            return None;
        }
        match guide::step(&self.catalog, self.bundle.as_deref()?, &self.answers) {
            Ok(Outcome::Notice { notice }) => Some(*notice),
            _ => None,
        }
    }

    pub fn referral(&self) -> Option<ReferralView> {
        if self.page != Page::Referral {
            return None;
        }
        match guide::step(&self.catalog, self.bundle.as_deref()?, &self.answers) {
            Ok(Outcome::Referral { referral }) => Some(referral),
            _ => None,
        }
    }

    /// "办理完成" / "结束": the visit ends and everything personal goes.
    pub fn finish(&mut self) {
        self.wipe();
    }

    // ---- Printing ----

    /// 打印告知单 on the notice page.
    pub fn print_notice(&mut self) {
        self.touch();
        let Some(notice) = self.notice() else {
            return;
        };
        let payload = match qr_payload::encode_notice(&self.catalog, &notice, &self.notice_key) {
            Ok(p) => p,
            Err(e) => {
                log::error!("notice QR: {e}");
                self.print_status = PrintStatus::Failed("告知单暂时无法打印".into());
                return;
            }
        };
        let today = crate::visit::submission::today_cst()
            .format("%Y-%m-%d")
            .to_string();
        self.queue_print(StoredJob {
            key: format!("notice-{}", notice.bundle.code),
            kind: DocumentKind::Notice,
            document: notice_document(&notice, &payload, &today),
        });
    }

    pub(super) fn queue_print(&mut self, job: StoredJob) {
        self.print_jobs.push(job);
        self.print_status = PrintStatus::Printing;
    }

    /// The documents waiting for the printer (the glue sends them).
    pub fn take_print_jobs(&mut self) -> Vec<StoredJob> {
        std::mem::take(&mut self.print_jobs)
    }

    /// The printer finished (or could not): `Err` says why, in Chinese.
    pub fn print_finished(&mut self, result: Result<(), super::PrintFailure>) {
        self.staff_printed(&result);
        self.print_status = match result {
            Ok(()) => PrintStatus::Printed,
            Err(why) => PrintStatus::Failed(why.to_string()),
        };
    }

    // ---- The merged form ----

    /// 我要申请 on the notice page: the merged form, prefilled from the card
    /// when the applicant agreed to its use.
    pub fn apply(&mut self) {
        self.touch();
        let Some(notice) = self.notice() else {
            return;
        };
        // Coming back to the form after looking at the notice again keeps
        // what was typed, unless changed answers changed the notice.
        let same = self.apply.as_ref().is_some_and(|a| {
            serde_json::to_value(a.notice()).ok() == serde_json::to_value(&notice).ok()
        });
        if !same {
            let applicant = Applicant {
                card: self.consented_card().cloned(),
                licence: None,
            };
            self.apply = Some(Application::new(&self.catalog, notice, applicant));
        }
        self.message = None;
        self.page = Page::Form;
    }

    /// A field was tapped: the keyboard or picker edits it.
    pub fn edit(&mut self, path: FieldPath) {
        self.touch();
        if self.page == Page::Form && self.apply.as_ref().is_some_and(|a| a.kind(&path).is_some()) {
            self.set_editing(Some(path));
        }
    }

    /// 完成 on the keyboard or picker.
    pub fn edit_done(&mut self) {
        self.touch();
        self.set_editing(None);
    }

    /// Which field the keyboard or picker is on. The one it leaves counts
    /// as left: its problems show from now on, never while it is typed.
    fn set_editing(&mut self, editing: Option<FieldPath>) {
        if let Some(old) = self.editing.take()
            && Some(&old) != editing.as_ref()
            && let Some(a) = self.apply.as_mut()
        {
            a.leave(&old);
        }
        self.editing = editing;
    }

    /// A value typed or picked.
    pub fn set_field(&mut self, path: &FieldPath, text: &str) {
        self.touch();
        if self.page != Page::Form {
            return;
        }
        if let Some(a) = self.apply.as_mut() {
            a.set_text(path, text);
        }
        self.recount_problems();
    }

    /// The problems banner follows the page as it is fixed.
    fn recount_problems(&mut self) {
        if self.page != Page::Form {
            return;
        }
        if let Some(n) = self.apply.as_ref().and_then(Application::open_problems) {
            self.message = Some(problems_banner(n));
        }
    }

    /// A code from the scanner on a form page: a business licence's QR
    /// fills the unified social credit code field(s) of the form.
    pub fn scanned(&mut self, data: &str) -> bool {
        self.touch();
        if self.page == Page::Query {
            return self.query_scanned(data);
        }
        if self.page != Page::Form {
            return false;
        }
        // One classification of scans for the whole kiosk: the driver's.
        let code = match onevisit_drivers::scanner::classify(data) {
            ScanKind::SocialCreditCode { code, .. } => code.to_string(),
            ScanKind::InvalidSocialCreditCode { error, .. } => {
                self.message = Some(format!(
                    "扫到的统一社会信用代码有误（{error}），请对准执照右上角的二维码再扫一次"
                ));
                return false;
            }
            _ => {
                self.message =
                    Some("扫到的不是营业执照二维码，请对准执照右上角的二维码再扫一次".into());
                return false;
            }
        };
        let Some(a) = self.apply.as_mut() else {
            return false;
        };
        let targets: Vec<FieldPath> = a
            .form()
            .fields()
            .filter(|f| {
                matches!(
                    f.shape,
                    crate::form::merged::ShapeView::Kind(
                        crate::form::kind::FieldKind::SocialCreditCode
                    )
                )
            })
            .map(|f| FieldPath::scalar(&f.id))
            .collect();
        if targets.is_empty() {
            self.message = Some("这次申请不需要填写统一社会信用代码".into());
            return false;
        }
        for t in &targets {
            a.set_text(t, &code);
        }
        a.want_licence(&code);
        self.message = Some(format!("已从营业执照填入统一社会信用代码 {code}"));
        true
    }

    /// The credit code whose licence data the glue should ask the platform
    /// for now (after a licence scan on the form), once.
    pub fn take_licence_lookup(&mut self) -> Option<String> {
        self.apply.as_mut()?.take_licence_lookup()
    }

    /// The platform's answer on the scanned licence `uscc`: `Ok(Some)` fills
    /// every `licence.*` field the applicant has not typed and says which;
    /// `Ok(None)` (not held) and `Err` (not reached) say to copy from the
    /// licence. An answer for an earlier scan or an ended visit is dropped.
    pub fn licence_found(
        &mut self,
        uscc: &str,
        answer: Result<Option<crate::applicant::LicenceData>, crate::platform::PlatformError>,
    ) {
        let Some(a) = self.apply.as_mut() else {
            return;
        };
        if !a.awaits_licence(uscc) {
            return;
        }
        match answer {
            Ok(Some(licence)) if licence.uscc == uscc => {
                let filled = a.learn_licence(&self.catalog, licence);
                if self.page == Page::Form {
                    self.message = Some(if filled.is_empty() {
                        format!("已从营业执照填入统一社会信用代码 {uscc}")
                    } else {
                        format!("已按营业执照调取并填好：{}，请核对", filled.join("、"))
                    });
                }
                self.recount_problems();
            }
            Ok(_) => {
                a.licence_not_found();
                if self.page == Page::Form {
                    self.message = Some(format!(
                        "已填入统一社会信用代码 {uscc}；平台没有这张执照的信息，其他项请照执照填写"
                    ));
                }
            }
            Err(e) => {
                log::info!("licence lookup failed: {e}");
                a.licence_not_found();
                if self.page == Page::Form {
                    self.message = Some(format!(
                        "已填入统一社会信用代码 {uscc}；暂时连不上平台，其他项请照执照填写"
                    ));
                }
            }
        }
    }

    pub fn add_record(&mut self, field: &str) {
        self.touch();
        if let Some(a) = self.apply.as_mut()
            && !a.add_record(field)
        {
            self.message = Some("名单已满，不能再添加".into());
        }
    }

    /// A one-tap offer taken (用身份证上的地址, 同住所).
    pub fn accept_offer(&mut self, path: &FieldPath) {
        self.touch();
        if self.page != Page::Form {
            return;
        }
        self.set_editing(None);
        if let Some(a) = self.apply.as_mut() {
            a.accept_offer(path);
        }
        self.recount_problems();
    }

    /// 同申请人 on one record of a list.
    pub fn accept_record_offer(&mut self, field: &str, index: usize) {
        self.touch();
        if self.page != Page::Form {
            return;
        }
        self.set_editing(None);
        if let Some(a) = self.apply.as_mut() {
            a.accept_record_offer(field, index);
        }
        self.recount_problems();
    }

    pub fn remove_record(&mut self, field: &str, index: usize) {
        self.touch();
        self.set_editing(None);
        if let Some(a) = self.apply.as_mut() {
            a.remove_record(field, index);
        }
        self.recount_problems();
    }

    /// 下一步 on a form page.
    pub fn form_next(&mut self) {
        self.touch();
        self.set_editing(None);
        let Some(a) = self.apply.as_mut() else {
            return;
        };
        if self.page != Page::Form {
            return;
        }
        let last = a.at_last_section();
        match a.next_section() {
            Err(n) => self.message = Some(problems_banner(n)),
            Ok(()) if last => {
                self.message = None;
                self.page = Page::Materials;
            }
            Ok(()) => self.message = None,
        }
    }

    /// 容缺 on or off for one material.
    pub fn toggle_later(&mut self, material: &str) {
        self.touch();
        if self.page == Page::Materials
            && let Some(a) = self.apply.as_mut()
        {
            a.toggle_later(material);
        }
    }

    /// 拍照 (`replace` = `None`) or 重拍 page `replace` (0-based) of a
    /// material, on the materials page: opens the capture screen (the
    /// UI shows it while [`Self::capturing`] is `Some`). A refusal is
    /// shown in the banner.
    pub fn begin_capture(&mut self, material: &str, replace: Option<usize>) {
        self.touch();
        if self.page != Page::Materials {
            return;
        }
        if let Some(a) = self.apply.as_mut()
            && let Err(e) = a.begin_capture(material, replace)
        {
            self.message = Some(e.to_string());
        }
    }

    /// The capture the screen is taking now, if it is open.
    pub fn capturing(&self) -> Option<&super::materials::CaptureTarget> {
        match self.page {
            Page::Materials => self.apply.as_ref()?.capturing(),
            _ => None,
        }
    }

    /// A finished page from the capture screen. Returns the material's
    /// page count, or `None` when no capture was open (the visit ended, or
    /// the material is now held as 电子证照): the page is dropped.
    pub fn page_captured(&mut self, page: super::materials::CapturedPage) -> Option<usize> {
        self.touch();
        if self.page != Page::Materials {
            return None;
        }
        match self.apply.as_mut()?.page_captured(page) {
            Ok(n) => Some(n),
            Err(e) => {
                self.message = Some(e.to_string());
                None
            }
        }
    }

    /// 完成 / 取消 on the capture screen.
    pub fn end_capture(&mut self) {
        self.touch();
        if let Some(a) = self.apply.as_mut() {
            a.end_capture();
        }
    }

    /// 删除 page `index` (0-based) of a material.
    pub fn remove_page(&mut self, material: &str, index: usize) {
        self.touch();
        if self.page == Page::Materials
            && let Some(a) = self.apply.as_mut()
            && let Err(e) = a.remove_page(material, index)
        {
            self.message = Some(e.to_string());
        }
    }

    /// 同意调取 (`true`) / 不同意 on the materials page's 电子证照 prompt.
    pub fn answer_lookup_consent(&mut self, agree: bool) {
        self.touch();
        if self.page == Page::Materials
            && let Some(a) = self.apply.as_mut()
        {
            a.answer_lookup_consent(agree);
        }
    }

    /// The 电子证照 lookup to run now (ID number, material ids), once; the
    /// glue runs it on a thread and answers [`Self::elicences_found`].
    pub fn take_elicence_lookup(&mut self) -> Option<(String, Vec<String>)> {
        self.apply.as_mut()?.take_elicence_lookup()
    }

    /// The platform's answer to the 电子证照 lookup (`Err`: not reached;
    /// everything is captured as usual). Dropped when the visit ended.
    pub fn elicences_found(
        &mut self,
        answer: Result<Vec<super::materials::HeldLicence>, crate::platform::PlatformError>,
    ) {
        let Some(a) = self.apply.as_mut() else {
            return;
        };
        match answer {
            Ok(found) => a.elicences_found(found),
            Err(e) => {
                log::info!("电子证照 lookup failed: {e}");
                a.elicence_lookup_failed();
            }
        }
    }

    /// 下一步 on the materials page.
    pub fn materials_next(&mut self) {
        self.touch();
        if self.page == Page::Materials {
            if let Some(a) = self.apply.as_mut() {
                a.end_capture();
            }
            self.page = Page::Review;
        }
    }

    /// 修改 on the review page: back to a form section.
    pub fn review_edit(&mut self, section: usize) {
        self.touch();
        if self.page == Page::Review
            && let Some(a) = self.apply.as_mut()
        {
            a.go_to_section(section);
            self.page = Page::Form;
        }
    }

    pub fn toggle_declaration(&mut self) {
        self.touch();
        if self.page == Page::Review
            && let Some(a) = self.apply.as_mut()
        {
            a.toggle_declaration();
        }
    }

    /// 确认提交: the case is built, checked and written to the outbox; only
    /// then is there a receipt number, and the receipt prints.
    pub fn submit(&mut self) {
        self.touch();
        if self.page != Page::Review {
            return;
        }
        let (Some(a), Some(bundle)) = (self.apply.as_ref(), self.bundle.as_deref()) else {
            return;
        };
        if !a.declared() {
            self.message = Some("请先阅读并勾选“本人承诺”".into());
            return;
        }
        let (mut sub, pages) = match a.submission_with_pages(&self.catalog, bundle, &self.answers) {
            Ok(s) => s,
            Err(e) => {
                self.message = Some(e.to_string());
                return;
            }
        };
        let Some(outbox) = self.outbox.as_ref() else {
            self.message = Some(format!(
                "本机暂时不能保存申请，请{}",
                self.catalog.staff_window().go_to()
            ));
            return;
        };
        let receipt = match outbox.enqueue(&mut sub, &pages) {
            Ok(r) => r,
            Err(e) => {
                log::error!("outbox refused a submission: {e}");
                self.message = Some(e.user_message(&self.catalog.staff_window()));
                return;
            }
        };
        let kiosk_id = outbox.kiosk_id().to_string();
        let notice = a.notice();
        let now = crate::calendar::now_local();
        let post = sub
            .form
            .iter()
            .any(|(k, v)| k.ends_with("licence_delivery") && v == "post");
        let delivery = if post {
            Delivery::Post
        } else {
            Delivery::WindowPickup {
                window: notice.combined_window.clone(),
            }
        };
        let data = ReceiptData::from_notice(
            notice,
            a.applicant(),
            &receipt,
            &kiosk_id,
            now,
            delivery,
            &self.catalog.holidays,
        )
        .with_received(notice, &sub);
        let later = a.later_names();
        let deadline = a.later_deadline();
        let mut jobs = vec![StoredJob {
            key: receipt.clone(),
            kind: DocumentKind::Receipt,
            document: receipt_document(&data),
        }];
        for (template, document) in a.signing_documents(&receipt) {
            jobs.push(StoredJob {
                key: receipt.clone(),
                kind: DocumentKind::Signing(template),
                document,
            });
        }
        if let Some(document) = a.notification_commitment(&receipt) {
            jobs.push(StoredJob {
                key: receipt.clone(),
                kind: DocumentKind::NotificationCommitment,
                document,
            });
        }
        if !later.is_empty() {
            jobs.push(StoredJob {
                key: receipt.clone(),
                kind: DocumentKind::Commitment,
                document: commitment_document(&CommitmentData {
                    receipt_no: receipt.clone(),
                    bundle_code: notice.bundle.code.clone(),
                    bundle_name: notice.bundle.name.clone(),
                    missing: later.clone(),
                    deadline,
                    deadline_warning: a.later_deadline_warning(),
                    signed_on: now.date(),
                    applicant_name: data.applicant_name.clone(),
                    applicant_id: data.applicant_id.clone(),
                }),
            });
        }
        self.done = Some(Done {
            receipt,
            bundle_name: notice.bundle.name.clone(),
            window: format!("{}“{}”", notice.hall, notice.combined_window),
            deadline: (!later.is_empty()).then(|| deadline.format("%Y-%m-%d").to_string()),
            later,
            score: None,
            reason: None,
            rated: false,
            left: DONE_LINGER,
            receipt_jobs: jobs.clone(),
        });
        // What was typed has done its job: it is in the (sealed) outbox.
        self.apply = None;
        self.set_editing(None);
        self.message = None;
        for job in jobs {
            self.queue_print(job);
        }
        self.page = Page::Done;
    }

    // ---- 好差评 ----

    /// A score from 5 (非常满意) to 1 (非常不满意).
    pub fn rate(&mut self, score: u8) {
        self.touch();
        if let Some(d) = self.done.as_mut()
            && !d.rated
            && (1..=5).contains(&score)
        {
            d.score = Some(score);
            if score > 2 {
                d.reason = None;
            }
        }
    }

    pub fn rate_reason(&mut self, reason: &str) {
        self.touch();
        if let Some(d) = self.done.as_mut()
            && !d.rated
            && RATING_REASONS.contains(&reason)
        {
            d.reason = Some(reason.to_string());
        }
    }

    /// 提交评价: queued for the platform with the case.
    pub fn send_rating(&mut self) {
        self.touch();
        let Some(d) = self.done.as_mut() else {
            return;
        };
        let Some(score) = d.score.filter(|_| !d.rated) else {
            return;
        };
        if score <= 2 && d.reason.is_none() {
            self.message = Some("请选择不满意的原因，帮助我们改进".into());
            return;
        }
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        match outbox.enqueue_rating(&d.receipt, score, d.reason.as_deref().unwrap_or("")) {
            Ok(()) => {
                d.rated = true;
                self.message = Some("感谢您的评价！".into());
            }
            Err(e) => {
                log::warn!("rating not queued: {e}");
                self.message = Some(e.user_message(&self.catalog.staff_window()));
            }
        }
    }

    // ---- Idle ----

    /// Any tap: the applicant is still there.
    pub fn touch(&mut self) {
        self.idle = Duration::ZERO;
        if let Some(d) = self.done.as_mut() {
            d.left = DONE_LINGER;
        }
    }

    /// Time passes with no tap. Returns true when this tick wiped the
    /// session.
    pub fn tick(&mut self, elapsed: Duration) -> bool {
        self.staff_tick();
        if matches!(self.page, Page::Welcome | Page::OutOfService) {
            self.idle = Duration::ZERO;
            return false;
        }
        if self.page == Page::Done {
            // The done page has its own countdown instead of "还在吗？".
            let left = self.done.as_ref().map_or(Duration::ZERO, |d| d.left);
            if left <= elapsed {
                self.wipe();
                return true;
            }
            if let Some(d) = self.done.as_mut() {
                d.left = left - elapsed;
            }
            return false;
        }
        self.idle += elapsed;
        if self.idle >= self.idle_limit + self.countdown {
            self.wipe();
            self.wiped_for_idle = true;
            return true;
        }
        false
    }

    /// Whole seconds left on "还在吗？", when it shows.
    pub fn idle_countdown(&self) -> Option<u64> {
        if matches!(self.page, Page::Welcome | Page::Done | Page::OutOfService)
            || self.idle < self.idle_limit
        {
            return None;
        }
        let left = (self.idle_limit + self.countdown).saturating_sub(self.idle);
        Some(left.as_secs_f64().ceil() as u64)
    }

    /// Forgets the visit: card data, consent, bundle, answers. The reader's
    /// state (not personal) stays.
    pub fn wipe(&mut self) {
        self.page = Page::Welcome;
        self.card = CardState::Waiting;
        self.consent = false;
        self.bundle = None;
        self.answers = Answers::new();
        self.cursor = 0;
        self.idle = Duration::ZERO;
        self.wiped_for_idle = false;
        self.elderly = false;
        self.apply = None;
        self.set_editing(None);
        self.reveal_ids = false;
        self.message = None;
        self.done = None;
        // Jobs not yet taken hold masked data only, but they belong to the
        // visit: a wiped visit prints nothing more.
        self.print_jobs.clear();
        self.print_status = PrintStatus::Idle;
        self.help = None;
        self.speech.forget();
        self.staff_wipe();
    }
}

/// The form page's banner: what is left on this page, or that it is done.
fn problems_banner(n: usize) -> String {
    match n {
        0 => "本页已填好，请点“下一页”".into(),
        n => format!("本页还有 {n} 处需要填写或修改，请看红色提示"),
    }
}
