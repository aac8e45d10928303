//! Mirrors staff mode, the out-of-service screen and 办件查询 (state in
//! `crate::staff_mode`, owned by the controller) into the `StaffState` and
//! `ProgressState` globals, and forwards their callbacks. Like the rest of
//! the glue, every property is rewritten from the controller on each
//! refresh, so a wipe leaves nothing behind.
//!
//! The kiosk's run function wires it with [`Kiosk::with_staff`] (the
//! desk, gate, outbox, query…), and optionally
//! [`Kiosk::set_staff_reset_handler`] (重置终端 reinitialises devices).
//! Queries run on a `progress-query` thread (blocking on the uplink Link's
//! runtime, the kiosk's only one) and come back
//! through `slint::invoke_from_event_loop`; [`Kiosk::set_query_inline`]
//! runs them on the calling thread instead (tests, demos).

use super::glue::{Kiosk, model, sync_model};
use super::{ProgressRow, ProgressState, StaffRow, StaffState};
use crate::controller::{Page as CPage, SessionController};
use crate::staff_mode::{PendingQuery, TextField, overview_rows};
use onevisit_core::progress::{ProgressAnswer, ProgressQuery, ProgressSource};
use slint::{ComponentHandle, SharedString};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;

thread_local! {
    // The UI thread's kiosk, for query answers coming back from a worker
    // thread (the posted closure must be Send; the kiosk is not).
    static QUERY_KIOSK: RefCell<Weak<Kiosk>> = const { RefCell::new(Weak::new()) };
}

/// Staff-mode hooks the kiosk's run function may set.
#[derive(Default)]
pub struct StaffHooks {
    reset: RefCell<Option<Box<dyn Fn()>>>,
    inline_queries: Cell<bool>,
}

impl Kiosk {
    /// Gives the kiosk its staff desk, PIN gate, outbox and query service.
    /// The out-of-service flag is checked at once (a kiosk taken out of
    /// service stays so across a restart).
    pub fn with_staff(self: &Rc<Self>, services: crate::staff_mode::StaffServices) {
        QUERY_KIOSK.with(|k| *k.borrow_mut() = Rc::downgrade(self));
        self.event(|c| c.attach_staff(services));
    }

    /// What 重置终端 does besides wiping the session (reinitialise the
    /// devices).
    pub fn set_staff_reset_handler(&self, handler: impl Fn() + 'static) {
        *self.staff_hooks.reset.borrow_mut() = Some(Box::new(handler));
    }

    /// Runs progress queries and licence lookups on the UI thread (tests);
    /// by default they run on a worker thread.
    pub fn set_query_inline(&self, inline: bool) {
        self.staff_hooks.inline_queries.set(inline);
        self.licence.inline.set(inline);
    }

    /// Reads handwriting on the UI thread (tests: the testing backend runs
    /// no event loop to post the `handwriting` thread's answers to).
    pub fn set_handwriting_inline(&self, inline: bool) {
        self.keyboard.set_handwriting_inline(inline);
    }

    /// Writes `ink` on the open keyboard's 手写 tab (screenshots, demo).
    pub fn write_on_pad(&self, ink: &onevisit_drivers::handwriting::Ink) {
        self.keyboard.write_ink(ink);
    }

    /// Whether the handwriting model has been opened yet.
    pub fn handwriting_loaded(&self) -> bool {
        self.keyboard.handwriting_loaded()
    }

    /// A query's answer (on the UI thread).
    pub fn query_answered(&self, ticket: u64, answer: ProgressAnswer) {
        self.event(|c| c.query_answered(ticket, answer));
    }

    pub(super) fn install_staff_callbacks(self: &Rc<Self>) {
        let on = |f: fn(&mut SessionController)| {
            let weak: Weak<Kiosk> = Rc::downgrade(self);
            move || {
                if let Some(k) = weak.upgrade() {
                    k.update(f);
                }
            }
        };
        let staff = self.window().global::<StaffState>();
        staff.on_corner_tap(on(SessionController::corner_tap));
        staff.on_pin_delete(on(SessionController::pin_delete));
        staff.on_pin_ok(on(SessionController::pin_ok));
        staff.on_pin_cancel(on(SessionController::pin_cancel));
        let weak = Rc::downgrade(self);
        staff.on_pin_key(move |key| {
            if let Some(k) = weak.upgrade() {
                k.update(|c| c.pin_key(&key));
            }
        });
        let weak = Rc::downgrade(self);
        staff.on_action(move |action| {
            if let Some(k) = weak.upgrade() {
                k.staff_did(|c| c.staff_action(&action));
            }
        });
        let progress = self.window().global::<ProgressState>();
        progress.on_open(on(SessionController::query_open));
        progress.on_home(on(SessionController::wipe));
        let weak = Rc::downgrade(self);
        progress.on_edit(move |field| {
            if let Some(k) = weak.upgrade() {
                let field = match field.as_str() {
                    "receipt" => TextField::QueryReceipt,
                    "last4" => TextField::QueryLast4,
                    _ => return,
                };
                k.staff_did(|c| c.query_edit(field));
            }
        });
        let weak = Rc::downgrade(self);
        progress.on_submit(move || {
            if let Some(k) = weak.upgrade() {
                k.update(SessionController::query_submit);
                k.run_query();
            }
        });
    }

    /// Runs a staff or query action, then does what it asked of the glue:
    /// print, reinitialise devices, open the keyboard.
    fn staff_did(self: &Rc<Self>, f: impl FnOnce(&mut SessionController)) {
        self.update(f);
        self.send_print_jobs();
        if self.update_with(SessionController::take_reset_request) {
            self.keyboard.close();
            if let Some(reset) = self.staff_hooks.reset.borrow().as_ref() {
                reset();
            }
        }
        self.open_staff_keyboard();
    }

    pub(super) fn update_with<T>(&self, f: impl FnOnce(&mut SessionController) -> T) -> T {
        let mut out = None;
        // A follow-up of a tap already handled: not a touch of its own.
        self.event(|c| out = Some(f(c)));
        out.expect("update runs its closure")
    }

    /// Opens the keyboard for the field staff mode says is being typed.
    pub fn open_staff_keyboard(self: &Rc<Self>) {
        let Some((field, text)) = ({
            let c = self.controller();
            c.staff()
                .typing()
                .map(|f| (f, c.staff().typed(f).to_string()))
        }) else {
            return;
        };
        let (layout, max) = field.layout();
        let on_change = {
            let weak = Rc::downgrade(self);
            move |text: String| {
                if let Some(k) = weak.upgrade() {
                    k.update(|c| c.typed(&text));
                }
            }
        };
        let on_done = {
            let weak = Rc::downgrade(self);
            move |text: String| {
                if let Some(k) = weak.upgrade() {
                    k.update(|c| c.typing_done(&text));
                    k.send_print_jobs();
                }
            }
        };
        self.keyboard
            .open(layout, &text, Some(max), on_change, on_done);
        self.keyboard.set_label(field.label());
    }

    /// Runs the query the controller asked for, inline or on a worker.
    fn run_query(self: &Rc<Self>) {
        let Some((pending, query)) = self.update_with(SessionController::take_query) else {
            return;
        };
        let unavailable = format!("本机暂时不能查询，{}", query.staff_window().ask_there());
        if self.staff_hooks.inline_queries.get() {
            let answer = run_blocking(&query, &pending);
            self.query_answered(pending.ticket, answer);
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("progress-query".into())
            .spawn(move || {
                let ticket = pending.ticket;
                let answer = run_blocking(&query, &pending);
                let posted = slint::invoke_from_event_loop(move || {
                    if let Some(k) = QUERY_KIOSK.with(|k| k.borrow().upgrade()) {
                        k.query_answered(ticket, answer);
                    }
                });
                if let Err(e) = posted {
                    log::warn!("progress query answer not delivered: {e}");
                }
            });
        if let Err(e) = spawned {
            log::error!("cannot start a query thread: {e}");
            let ticket = self.controller().staff().ticket();
            self.query_answered(
                ticket,
                ProgressAnswer::NotFound {
                    message: unavailable,
                },
            );
        }
    }

    /// Rewrites `StaffState` and `ProgressState` from the controller.
    pub(super) fn refresh_staff(&self, c: &SessionController) {
        let w = self.window();
        let s = c.staff();
        let staff = w.global::<StaffState>();
        let on_pin = c.page() == CPage::StaffPin;
        staff.set_pin_length(if on_pin { s.pin_len() as i32 } else { 0 });
        staff.set_pin_message(
            s.pin_message()
                .filter(|_| on_pin)
                .unwrap_or_default()
                .into(),
        );
        let on_staff = c.page() == CPage::Staff;
        let overview = s.overview().filter(|_| on_staff);
        let rows = |rs: &[crate::staff_mode::OverviewRow]| {
            model(
                rs.iter()
                    .map(|r| StaffRow {
                        label: r.label.as_str().into(),
                        value: r.value.as_str().into(),
                        problem: r.problem,
                    })
                    .collect(),
            )
        };
        match overview {
            Some(o) => {
                let [devices, outbox, system] = overview_rows(o);
                staff.set_devices(rows(&devices));
                staff.set_outbox(rows(&outbox));
                staff.set_system(rows(&system));
                let alerts: Vec<SharedString> = o.alerts.iter().map(|a| a.into()).collect();
                sync_model(staff.get_alerts(), alerts, |m| staff.set_alerts(m));
                staff.set_paused(o.out_of_service.is_some());
                staff.set_help_calls(o.help.len() as i32);
            }
            None => {
                sync_model(staff.get_devices(), Vec::new(), |m| staff.set_devices(m));
                sync_model(staff.get_outbox(), Vec::new(), |m| staff.set_outbox(m));
                sync_model(staff.get_system(), Vec::new(), |m| staff.set_system(m));
                sync_model(staff.get_alerts(), Vec::new(), |m| staff.set_alerts(m));
                staff.set_paused(false);
                staff.set_help_calls(0);
            }
        }
        staff.set_message(s.message().filter(|_| on_staff).unwrap_or_default().into());
        staff.set_block_message(
            s.block()
                .filter(|_| c.page() == CPage::OutOfService)
                .unwrap_or_default()
                .into(),
        );

        let p = w.global::<ProgressState>();
        let q = s.query();
        let on_query = c.page() == CPage::Query;
        let text = |t: &str| -> SharedString { if on_query { t.into() } else { "".into() } };
        p.set_receipt(text(&q.receipt));
        p.set_last4(text(&q.last4));
        p.set_editing(match s.typing().filter(|_| on_query) {
            Some(TextField::QueryReceipt) => "receipt".into(),
            Some(TextField::QueryLast4) => "last4".into(),
            _ => SharedString::new(),
        });
        p.set_instruction(
            if c.scanner_ready() {
                "请扫描回执上的二维码，或点击下方输入受理编号"
            } else {
                "扫码器暂时不能使用，请点击下方输入受理编号"
            }
            .into(),
        );
        p.set_waiting(on_query && q.waiting);
        p.set_message(text(q.message.as_deref().unwrap_or_default()));
        let view = match (&q.answer, c.page()) {
            (Some(ProgressAnswer::Found(v)), CPage::QueryResult) => Some(v),
            _ => None,
        };
        p.set_answer_receipt(view.map(|v| v.receipt.clone()).unwrap_or_default().into());
        p.set_headline(view.map(|v| v.headline.clone()).unwrap_or_default().into());
        p.set_source(
            match view.map(|v| v.source) {
                Some(ProgressSource::Platform) => "以上为政务服务平台的办理进度",
                Some(ProgressSource::Local) => "以上为本机记录（暂时查不到平台进度）",
                None => "",
            }
            .into(),
        );
        p.set_note(view.and_then(|v| v.note.clone()).unwrap_or_default().into());
        let items: Vec<ProgressRow> = view
            .map(|v| {
                v.items
                    .iter()
                    .map(|i| ProgressRow {
                        name: i.name.as_str().into(),
                        status: i.status.as_str().into(),
                        since: i
                            .since
                            .as_deref()
                            .map(|d| format!("自 {d}"))
                            .unwrap_or_default()
                            .into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        sync_model(p.get_items(), items, |m| p.set_items(m));
    }
}

/// One query. The query itself is synchronous: its platform lookup runs on
/// the uplink's runtime with a timeout, so this thread only waits.
fn run_blocking(query: &Arc<ProgressQuery>, p: &PendingQuery) -> ProgressAnswer {
    query.query(&p.receipt, &p.last4)
}
