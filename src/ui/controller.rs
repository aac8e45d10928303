//! The visit's state machine, in plain Rust: what page is showing, what the
//! applicant has told the kiosk, and when an abandoned session is wiped.
//! No Slint here, so every transition is tested without a display; the
//! glue (`super::glue`) only mirrors this state into the UI.

use crate::applicant::CardData;
use crate::catalog::Catalog;
use crate::guide::{self, Answers, Notice, Outcome, QuestionView, ReferralView};
use std::time::Duration;

/// After this long without a tap, the kiosk asks "还在吗？".
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// How long "还在吗？" waits before the session is wiped.
pub const DEFAULT_COUNTDOWN: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Welcome,
    CardRead,
    BundleChoice,
    Questionnaire,
    Referral,
    Notice,
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
    page: Page,
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
    wiped_for_idle: bool,
    /// Reader trouble for the banner; not personal.
    reader_problem: Option<String>,
    /// 长者模式: larger text and targets, for this visit only.
    elderly: bool,
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
        }
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
            Page::Welcome => {}
        }
    }

    /// 重新选择: back to the bundles with no answers.
    pub fn start_over(&mut self) {
        self.touch();
        if matches!(
            self.page,
            Page::Questionnaire | Page::Referral | Page::Notice
        ) {
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

    // ---- Idle ----

    /// Any tap: the applicant is still there.
    pub fn touch(&mut self) {
        self.idle = Duration::ZERO;
    }

    /// Time passes with no tap. Returns true when this tick wiped the
    /// session.
    pub fn tick(&mut self, elapsed: Duration) -> bool {
        if self.page == Page::Welcome {
            self.idle = Duration::ZERO;
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
        if self.page == Page::Welcome || self.idle < self.idle_limit {
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
    }
}
