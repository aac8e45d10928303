//! Mirrors the [`SessionController`] into the Slint globals and forwards
//! the UI's callbacks to it. Every callback ends in [`Kiosk::refresh`], which
//! rewrites every property and model from the controller, so the UI cannot
//! hold anything the controller has forgotten (the idle wipe relies on it).

use super::keyboard_glue::KeyboardBinding;
use super::{
    AppState, AppWindow, BundleState, BundleTileData, CardState, CardView, MaterialRow,
    NoticeItemRow, OptionData, OutcomeState, Page, QuestionState, Theme,
};
use crate::controller::{CardState as Card, Page as CPage, PrintStatus, SessionController};
use onevisit_core::applicant::CardData;
use onevisit_core::guide::Notice;
use onevisit_core::ids::mask_name;
use onevisit_core::print::StoredJob;
use onevisit_drivers::idcard::CardError;
use onevisit_drivers::sam::ReaderEvent;
use slint::{ComponentHandle, Model, ModelRc, SharedString, Timer, TimerMode, VecModel};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

/// How often the idle clock advances. Timers (not wall-clock reads) drive
/// it so tests can use Slint's mock time.
pub const IDLE_TICK: Duration = Duration::from_secs(1);

/// What the developer panel's buttons do with the simulated reader.
type DevCardHandler = Box<dyn Fn(&str)>;
/// Takes documents to print; the outcome comes back through
/// [`Kiosk::print_finished`].
type PrintHandler = Box<dyn Fn(Vec<StoredJob>)>;

/// The running UI: window, controller and the idle timer.
pub struct Kiosk {
    window: AppWindow,
    controller: RefCell<SessionController>,
    idle_timer: Timer,
    dev_card: RefCell<Option<DevCardHandler>>,
    printer: RefCell<Option<PrintHandler>>,
    pub(super) keyboard: KeyboardBinding,
    pub(super) staff_hooks: super::glue_staff::StaffHooks,
    pub(super) licence: super::glue_licence::LicenceHook,
    pub(super) speech: super::glue_speech::SpeechHook,
    pub(super) capture: super::glue_capture::CaptureHook,
}

/// Bundle tiles per row: 4 in landscape, 3 in 长者模式; 2 and 1 on a
/// portrait screen.
fn bundle_columns(portrait: bool, elderly: bool) -> usize {
    match (portrait, elderly) {
        (false, false) => 4,
        (false, true) => 3,
        (true, false) => 2,
        (true, true) => 1,
    }
}

pub(super) fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

/// Shows `rows` in the list model `current`, changing only the rows that
/// differ, or hands a new model to `set` when `current` is not one of ours.
/// A full refresh runs on every touch (the idle clock is told the applicant
/// is still here); a new model would make its repeater rebuild every row,
/// destroying the very row a finger is pressing, and that tap would be lost.
pub(super) fn sync_model<T: Clone + PartialEq + 'static>(
    current: ModelRc<T>,
    rows: Vec<T>,
    set: impl FnOnce(ModelRc<T>),
) {
    let Some(shown) = current.as_any().downcast_ref::<VecModel<T>>() else {
        set(model(rows));
        return;
    };
    while shown.row_count() > rows.len() {
        shown.remove(shown.row_count() - 1);
    }
    for (index, row) in rows.into_iter().enumerate() {
        if index >= shown.row_count() {
            shown.push(row);
        } else if shown.row_data(index).as_ref() != Some(&row) {
            shown.set_row_data(index, row);
        }
    }
}

impl Kiosk {
    /// Wires `window` to `controller` and starts the idle clock.
    pub fn new(window: AppWindow, controller: SessionController) -> Rc<Kiosk> {
        let keyboard = KeyboardBinding::new(&window);
        let kiosk = Rc::new(Kiosk {
            keyboard,
            window,
            controller: RefCell::new(controller),
            idle_timer: Timer::default(),
            dev_card: RefCell::new(None),
            printer: RefCell::new(None),
            staff_hooks: Default::default(),
            licence: Default::default(),
            speech: Default::default(),
            capture: Default::default(),
        });
        kiosk.window.global::<Theme>().set_font_family(
            crate::fonts::screen_font_family()
                .unwrap_or_default()
                .into(),
        );
        kiosk.install_callbacks();
        let weak = Rc::downgrade(&kiosk);
        kiosk
            .idle_timer
            .start(TimerMode::Repeated, IDLE_TICK, move || {
                if let Some(k) = weak.upgrade() {
                    k.controller.borrow_mut().tick(IDLE_TICK);
                    k.refresh();
                }
            });
        kiosk.refresh_bundles();
        kiosk.refresh();
        kiosk
    }

    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    /// Read access for tests and the run loop.
    pub fn controller(&self) -> std::cell::Ref<'_, SessionController> {
        self.controller.borrow()
    }

    /// A tap: stops speech, runs `f` on the controller, then mirrors the
    /// result (and says the new screen, if 自动朗读 is on).
    pub fn update(&self, f: impl FnOnce(&mut SessionController)) {
        self.stop_speech();
        self.event(f);
    }

    /// Not a tap (a device, the printer, the platform): runs `f` on the
    /// controller and mirrors the result; speech goes on unless the screen
    /// changed.
    pub fn event(&self, f: impl FnOnce(&mut SessionController)) {
        f(&mut self.controller.borrow_mut());
        self.refresh();
    }

    /// A newly installed catalog, between visits: the controller takes it
    /// only on the welcome page; the bundle tiles follow. True if switched.
    pub fn replace_catalog(&self, catalog: onevisit_core::catalog::Catalog) -> bool {
        let switched = self.controller.borrow_mut().replace_catalog(catalog);
        if switched {
            self.refresh_bundles();
            self.refresh();
        }
        switched
    }

    /// What the developer panel's buttons do (place/remove a test card).
    pub fn set_dev_card_handler(&self, handler: impl Fn(&str) + 'static) {
        *self.dev_card.borrow_mut() = Some(Box::new(handler));
        self.window.global::<AppState>().set_dev_panel(true);
    }

    /// A portrait screen (1080×1920): pages stack what they would put
    /// side by side. Not personal: a wipe keeps it.
    pub fn set_portrait(&self, portrait: bool) {
        self.window.global::<Theme>().set_portrait(portrait);
        self.refresh_bundles();
    }

    /// Where documents go to be printed (a printer worker, a simulator).
    pub fn set_print_handler(&self, handler: impl Fn(Vec<StoredJob>) + 'static) {
        *self.printer.borrow_mut() = Some(Box::new(handler));
    }

    /// Hands the controller's print jobs to the printer.
    pub(super) fn send_print_jobs(&self) {
        let jobs = self.controller.borrow_mut().take_print_jobs();
        if jobs.is_empty() {
            return;
        }
        let sent = match self.printer.borrow().as_ref() {
            Some(print) => {
                print(jobs);
                true
            }
            None => false,
        };
        if !sent {
            self.print_finished(Err(onevisit_core::visit::PrintFailure::NoPrinter));
        }
    }

    /// The printer's answer for the last jobs (on the UI thread).
    pub fn print_finished(&self, result: Result<(), onevisit_core::visit::PrintFailure>) {
        self.event(|c| c.print_finished(result));
    }

    /// The platform's reachability, from the uplink (on the UI thread).
    pub fn set_offline(&self, offline: bool) {
        self.event(|c| c.set_offline(offline));
    }

    /// The devices' health after a change (on the UI thread): the staff
    /// screen shows it live; pages that offer scanning say to type when
    /// the scanner is gone.
    pub fn device_health(
        &self,
        health: std::collections::BTreeMap<
            onevisit_drivers::manager::DeviceId,
            onevisit_drivers::manager::Health,
        >,
    ) {
        self.event(|c| {
            c.set_device_health(health);
            if c.page() == crate::controller::Page::Staff {
                c.refresh_overview();
            }
        });
    }

    /// A code read by the scanner (on the UI thread).
    pub fn scanned(&self, data: &str) {
        self.update(|c| {
            c.scanned(data);
        });
        self.run_licence_lookup();
    }

    /// An event from the ID card reader (delivered on the UI thread).
    pub fn reader_event(&self, event: ReaderEvent) {
        self.event(|c| match event {
            ReaderEvent::CardPlaced(read) => c.card_placed(CardData::from(&read.record)),
            ReaderEvent::CardRejected(error) => c.card_rejected(rejection_message(&error)),
            ReaderEvent::CardRemoved => c.card_removed(),
            ReaderEvent::Error(e) => c.card_rejected(format!("证件没有读成功：{e}")),
            ReaderEvent::ReaderLost(_) => {
                c.reader_lost("身份证阅读器暂时不可用，可以选择“不用证件，继续”办理")
            }
            ReaderEvent::ReaderBack | ReaderEvent::Ready { .. } => c.reader_back(),
        });
    }

    fn install_callbacks(self: &Rc<Self>) {
        self.install_capture_callbacks();
        let app = self.window.global::<AppState>();
        let on = |f: fn(&mut SessionController)| {
            let weak: Weak<Kiosk> = Rc::downgrade(self);
            move || {
                if let Some(k) = weak.upgrade() {
                    k.update(f);
                }
            }
        };
        app.on_start(on(SessionController::start));
        app.on_back(on(SessionController::back));
        app.on_start_over(on(SessionController::start_over));
        app.on_finish(on(SessionController::finish));
        app.on_still_here(on(SessionController::touch));
        app.on_toggle_elderly(on(SessionController::toggle_elderly));
        app.on_call_staff(on(SessionController::call_staff));
        app.on_close_help(on(SessionController::close_help));
        let weak = Rc::downgrade(self);
        app.on_reveal_ids(move |held| {
            if let Some(k) = weak.upgrade() {
                k.update(|c| c.hold_reveal_ids(held));
            }
        });
        let weak = Rc::downgrade(self);
        app.on_dev_card(move |what| {
            if let Some(k) = weak.upgrade()
                && let Some(handler) = k.dev_card.borrow().as_ref()
            {
                handler(what.as_str());
            }
        });
        let weak = Rc::downgrade(self);
        let outcome = self.window.global::<OutcomeState>();
        outcome.on_print_notice(move || {
            if let Some(k) = weak.upgrade() {
                k.update(SessionController::print_notice);
                k.send_print_jobs();
            }
        });
        outcome.on_apply(on(SessionController::apply));
        self.install_apply_callbacks();
        self.install_staff_callbacks();
        self.install_speech_callbacks();
        let card = self.window.global::<CardState>();
        card.on_consent(on(SessionController::consent));
        card.on_without_card(on(SessionController::continue_without_card));
        let weak = Rc::downgrade(self);
        self.window.global::<BundleState>().on_choose(move |code| {
            if let Some(k) = weak.upgrade() {
                k.update(|c| c.choose_bundle(&code));
            }
        });
        let weak = Rc::downgrade(self);
        self.window
            .global::<QuestionState>()
            .on_answer(move |option| {
                if let Some(k) = weak.upgrade() {
                    k.update(|c| c.answer(&option));
                }
            });
    }

    /// The bundle tiles: catalog data, not personal; set at start, when
    /// the catalog changes between visits and when the number of tiles per
    /// row changes (长者模式, portrait); never on other taps, which would
    /// rebuild the tiles under the finger.
    fn refresh_bundles(&self) {
        let c = self.controller.borrow();
        let catalog = c.catalog();
        let tiles: Vec<BundleTileData> = catalog
            .bundles
            .iter()
            .map(|b| {
                let lead = catalog
                    .department(b.def.lead_department.get_ref())
                    .map_or_else(
                        || b.def.lead_department.get_ref().clone(),
                        |d| d.name.clone(),
                    );
                BundleTileData {
                    code: b.code().into(),
                    name: b.def.name.clone().into(),
                    description: b.def.description.clone().into(),
                    lead: format!("牵头：{lead}").into(),
                    approvals: format!("涉及 {} 项审批", b.def.listings.len()).into(),
                    icon: crate::icons::bundle_icon(b.code()),
                }
            })
            .collect();
        let state = self.window.global::<BundleState>();
        let columns = bundle_columns(self.window.global::<Theme>().get_portrait(), c.elderly());
        let rows: Vec<ModelRc<BundleTileData>> = tiles
            .chunks(columns)
            .map(|row| model(row.to_vec()))
            .collect();
        state.set_columns(columns as i32);
        state.set_rows(model(rows));
        state.set_bundles(model(tiles));
    }

    /// Rewrites every property and model from the controller.
    pub fn refresh(&self) {
        let c = self.controller.borrow();
        let w = &self.window;
        w.global::<Theme>().set_elderly(c.elderly());
        self.keyboard.set_elderly(c.elderly());
        let columns = bundle_columns(w.global::<Theme>().get_portrait(), c.elderly());
        if w.global::<BundleState>().get_columns() != columns as i32 {
            self.refresh_bundles();
        }
        if c.page() == CPage::Welcome {
            // A new applicant starts from the mode's own tab (手写 in 长者模式),
            // not from the one the last applicant picked.
            self.keyboard.forget_preference();
        }

        let app = w.global::<AppState>();
        app.set_page(match c.page() {
            CPage::Welcome => Page::Welcome,
            CPage::CardRead => Page::CardRead,
            CPage::BundleChoice => Page::BundleChoice,
            CPage::Questionnaire => Page::Questionnaire,
            CPage::Referral => Page::Referral,
            CPage::Notice => Page::Notice,
            CPage::Form => Page::Form,
            CPage::Materials => Page::Materials,
            CPage::Review => Page::Review,
            CPage::Done => Page::Done,
            CPage::StaffPin => Page::StaffPin,
            CPage::Staff => Page::Staff,
            CPage::OutOfService => Page::OutOfService,
            CPage::Query => Page::Query,
            CPage::QueryResult => Page::QueryResult,
        });
        app.set_offline(c.offline());
        app.set_banner(c.reader_problem().unwrap_or_default().into());
        app.set_wiped_for_idle(c.wiped_for_idle());
        app.set_help_message(c.help_message().unwrap_or_default().into());
        let countdown = c.idle_countdown();
        app.set_idle_prompt(countdown.is_some());
        app.set_idle_seconds(countdown.unwrap_or(0) as i32);

        let card = w.global::<CardState>();
        let (view, name, document, problem) = match c.card() {
            Card::Read(data) => (
                CardView::Read,
                greeting_name(data),
                document_name(data),
                String::new(),
            ),
            Card::Rejected(why) => (
                CardView::Rejected,
                String::new(),
                String::new(),
                why.clone(),
            ),
            Card::Waiting | Card::Skipped => (
                CardView::Waiting,
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        card.set_view(view);
        card.set_greeting_name(name.into());
        card.set_document(document.into());
        card.set_problem(problem.into());

        let q = w.global::<QuestionState>();
        let bundle_name: SharedString = c
            .bundle()
            .and_then(|b| c.catalog().bundle(b))
            .map(|b| b.def.name.clone())
            .unwrap_or_default()
            .into();
        match c.question() {
            Some((view, selected, total)) => {
                q.set_bundle_name(bundle_name.clone());
                q.set_text(view.text.into());
                q.set_hint(view.hint.unwrap_or_default().into());
                q.set_step(view.step as i32);
                q.set_total(total as i32);
                let options = view
                    .options
                    .iter()
                    .map(|o| OptionData {
                        id: o.id.clone().into(),
                        label: o.label.clone().into(),
                        hint: o.hint.clone().into(),
                        selected: o.id == selected,
                    })
                    .collect();
                sync_model(q.get_options(), options, |m| q.set_options(m));
            }
            None => {
                q.set_bundle_name(SharedString::new());
                q.set_text(SharedString::new());
                q.set_hint(SharedString::new());
                q.set_step(0);
                q.set_total(0);
                sync_model(q.get_options(), Vec::new(), |m| q.set_options(m));
            }
        }

        let o = w.global::<OutcomeState>();
        let referral = c.referral();
        o.set_referral_reason(
            referral
                .as_ref()
                .map(|r| r.reason.clone())
                .unwrap_or_default()
                .into(),
        );
        o.set_referral_where(referral.map(|r| r.go_to).unwrap_or_default().into());
        match c.notice() {
            Some(notice) => show_notice(&o, &notice),
            None => {
                o.set_bundle_name(if c.page() == CPage::Referral {
                    bundle_name
                } else {
                    SharedString::new()
                });
                o.set_lead(SharedString::new());
                o.set_window(SharedString::new());
                o.set_time_summary(SharedString::new());
                sync_model(o.get_items(), Vec::new(), |m| o.set_items(m));
                sync_model(o.get_materials(), Vec::new(), |m| o.set_materials(m));
                sync_model(o.get_directions(), Vec::new(), |m| o.set_directions(m));
            }
        }
        o.set_print_status(if c.page() == CPage::Notice {
            match c.print_status() {
                PrintStatus::Idle => SharedString::new(),
                PrintStatus::Printing => "正在打印…".into(),
                PrintStatus::Printed => "告知单已打印".into(),
                PrintStatus::Failed(why) => why.clone().into(),
            }
        } else {
            SharedString::new()
        });
        self.refresh_apply(&c);
        self.refresh_capture(&c);
        self.refresh_staff(&c);
        self.refresh_speech(&c);
        // The keyboard never outlives the field it edits (idle wipe, page
        // change, submit): what was being typed goes with it.
        if c.editing().is_none() && c.staff().typing().is_none() && self.keyboard.is_open() {
            self.keyboard.close();
        }
    }
}

fn show_notice(o: &OutcomeState, n: &Notice) {
    o.set_bundle_name(n.bundle.name.clone().into());
    o.set_lead(n.lead_department.name.clone().into());
    o.set_window(n.combined_window.clone().into());
    // The same two sentences the printed and the text notice carry.
    o.set_time_summary(n.schedule_sentences().concat().into());
    let name_of = |code: &str| {
        n.items
            .iter()
            .find(|i| i.code == code)
            .map_or(code.to_string(), |i| i.name.clone())
    };
    let items = n
        .items
        .iter()
        .map(|i| {
            let mut limit = format!("法定时限：{}", i.statutory_limit.text);
            if let Some(p) = &i.promised_limit {
                limit.push_str(&format!("；承诺时限：{}", p.text));
            }
            NoticeItemRow {
                name: i.name.clone().into(),
                department: i.department_at_window().into(),
                limit: limit.into(),
                after: if i.after.is_empty() {
                    SharedString::new()
                } else {
                    let names: Vec<String> = i.after.iter().map(|c| name_of(c)).collect();
                    format!("需在“{}”办结后办理", names.join("、")).into()
                },
            }
        })
        .collect();
    sync_model(o.get_items(), items, |m| o.set_items(m));
    let materials = n
        .materials
        .iter()
        .map(|m| MaterialRow {
            name: m.name.clone().into(),
            detail: format!("{} {} 份", m.form_label, m.copies).into(),
            source: m.source_label.clone().into(),
            // As in the printed notice: a non-key material may come later (容缺).
            rongque: !m.key,
        })
        .collect();
    sync_model(o.get_materials(), materials, |m| o.set_materials(m));
    let directions: Vec<SharedString> = n.directions.iter().map(|d| d.into()).collect();
    sync_model(o.get_directions(), directions, |m| o.set_directions(m));
}

/// 张*三: a greeting that does not show the whole name to passers-by.
fn greeting_name(card: &CardData) -> String {
    let name = if card.name.trim().is_empty() {
        card.english_name.as_deref().unwrap_or_default()
    } else {
        &card.name
    };
    mask_name(name)
}

fn document_name(card: &CardData) -> String {
    use onevisit_core::applicant::DocumentType::*;
    match card.document_type {
        Resident => "居民身份证",
        HmtResidence => "港澳台居民居住证",
        ForeignPermanent => "外国人永久居留身份证",
    }
    .to_string()
}

/// The applicant's words for a refused card; never the full number or
/// birth date.
pub fn rejection_message(error: &CardError) -> String {
    match error {
        CardError::Expired { valid_to, .. } => {
            format!("证件已过有效期（有效期至 {valid_to}）。请换一张有效证件。")
        }
        CardError::NotYetValid { valid_from, .. } => {
            format!("证件尚未生效（{valid_from} 起有效）。")
        }
        CardError::BadIdNumber { .. } => "证件号码校验未通过，这张证件可能已损坏。".into(),
        CardError::Text(_) => "证件信息无法识别，请把证件重新平放在读卡区。".into(),
    }
}
