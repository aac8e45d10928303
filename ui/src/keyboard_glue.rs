//! Mirrors a [`Keyboard`] into the `KeyboardState` global and forwards the
//! keyboard's callbacks to it. A form page calls [`KeyboardBinding::open`]
//! when a field is tapped and hears every change of the field's text; 完成
//! closes the keyboard and hands over the final text.
//!
//! Like `glue::Kiosk`, every callback ends in a full rewrite of the global
//! from the engine, so the screen cannot show what the engine does not hold
//! (one exception: a finger moving on the handwriting pad only redraws the
//! ink, dozens of times a second).
//!
//! Handwriting: each finished stroke sends the pad's ink to the
//! `handwriting` thread ([`HandwritingWorker`], started on the first
//! stroke); its reading comes back on the UI thread and becomes the
//! candidates if the ink has not changed since.

use super::handwriting_worker::{self, HandwritingWorker, Reading};
use super::keyboard::{Keyboard, Layout, TEXT_LAYOUTS, WRITTEN_PER_ROW};
use super::{AppWindow, KeyCap, KeyboardState, LayoutTab};
use onevisit_drivers::handwriting::{Ink, Recognizer};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

thread_local! {
    // Where readings from the handwriting thread go (the posted closure
    // must be Send; the binding is not). One keyboard per window, one
    // window per kiosk process.
    static READINGS_TO: RefCell<Option<WeakBinding>> = const { RefCell::new(None) };
}

type TextHandler = Rc<dyn Fn(String)>;

/// The open field: its engine and who listens to it.
struct Session {
    keyboard: Rc<RefCell<Keyboard>>,
    label: String,
    on_change: TextHandler,
    on_done: TextHandler,
}

/// The handwriting side of the keyboard: the reader and what it is doing.
#[derive(Default)]
struct Hand {
    /// Counts ink changes; a reading for an older one is dropped.
    generation: Cell<u64>,
    worker: RefCell<Option<HandwritingWorker>>,
    /// Tests read on the UI thread (the testing backend runs no event loop
    /// to post readings back to).
    inline: Cell<bool>,
    inline_recognizer: RefCell<Option<Recognizer>>,
    /// "正在识别…" or why the pad cannot be read; empty otherwise.
    status: RefCell<String>,
    /// The Chinese tab the applicant last chose in this visit.
    preferred: Cell<Option<Layout>>,
    /// Which tab a Chinese field opens with when none was chosen.
    elderly: Cell<bool>,
}

/// The keyboard of one window. Cheap to clone: clones share the state.
#[derive(Clone)]
pub struct KeyboardBinding {
    window: slint::Weak<AppWindow>,
    session: Rc<RefCell<Option<Session>>>,
    hand: Rc<Hand>,
}

struct WeakBinding {
    window: slint::Weak<AppWindow>,
    session: Weak<RefCell<Option<Session>>>,
    hand: Weak<Hand>,
}

impl WeakBinding {
    fn upgrade(&self) -> Option<KeyboardBinding> {
        Some(KeyboardBinding {
            window: self.window.clone(),
            session: self.session.upgrade()?,
            hand: self.hand.upgrade()?,
        })
    }
}

impl KeyboardBinding {
    /// Wires `KeyboardState`'s callbacks; the keyboard stays hidden until
    /// [`KeyboardBinding::open`]. The window's callbacks keep the binding's
    /// state alive, so handlers passed to `open` should hold the window
    /// weakly (`as_weak`), or the window never drops.
    pub fn new(window: &AppWindow) -> KeyboardBinding {
        let binding = KeyboardBinding {
            window: window.as_weak(),
            session: Rc::new(RefCell::new(None)),
            hand: Rc::new(Hand::default()),
        };
        binding.install_callbacks(&window.global::<KeyboardState>());
        binding.refresh();
        binding
    }

    /// Shows the keyboard for a field holding `initial_text`. `on_change`
    /// hears the field's text after each change (not the pinyin being
    /// composed); `on_done` hears the final text when 完成 is tapped, after
    /// the keyboard has closed. Opening another field replaces this one
    /// without calling its `on_done`.
    ///
    /// A Chinese field (`Layout::Pinyin` from `keyboard_for`) opens on the
    /// tab the applicant last chose in this visit, else on 手写 in 长者模式
    /// and 拼音 otherwise.
    pub fn open(
        &self,
        layout: Layout,
        initial_text: &str,
        max_len: Option<usize>,
        on_change: impl Fn(String) + 'static,
        on_done: impl Fn(String) + 'static,
    ) {
        let layout = if layout.chinese() {
            self.hand
                .preferred
                .get()
                .unwrap_or(if self.hand.elderly.get() {
                    Layout::Handwriting
                } else {
                    Layout::Pinyin
                })
        } else {
            layout
        };
        self.hand.status.borrow_mut().clear();
        *self.session.borrow_mut() = Some(Session {
            keyboard: Rc::new(RefCell::new(Keyboard::new(layout, initial_text, max_len))),
            label: String::new(),
            on_change: Rc::new(on_change),
            on_done: Rc::new(on_done),
        });
        self.refresh();
    }

    /// Names the open field on the keyboard ("姓名"), so the applicant
    /// knows what they are typing even when the keyboard hides the field.
    pub fn set_label(&self, label: &str) {
        if let Some(s) = self.session.borrow_mut().as_mut() {
            s.label = label.to_string();
        }
        self.refresh();
    }

    /// Hides the keyboard and forgets the field (and so whatever personal
    /// data was being typed): for leaving a page and for the idle wipe.
    /// Calls neither handler.
    pub fn close(&self) {
        self.session.borrow_mut().take();
        self.hand.status.borrow_mut().clear();
        self.bump_generation();
        self.refresh();
    }

    /// 长者模式 on or off: Chinese fields then open on 手写 (or 拼音).
    pub fn set_elderly(&self, elderly: bool) {
        self.hand.elderly.set(elderly);
    }

    /// A new applicant: the tab chosen by the last one is forgotten.
    pub fn forget_preference(&self) {
        self.hand.preferred.set(None);
    }

    /// Reads handwriting on the UI thread instead of the `handwriting`
    /// thread: for tests under Slint's testing backend, which runs no event
    /// loop for the thread's answers.
    pub fn set_handwriting_inline(&self, inline: bool) {
        self.hand.inline.set(inline);
    }

    /// Writes `ink` on the 手写 tab as a finger would (pen down, moves, up
    /// for each stroke), switching to the tab first: for the screenshots
    /// and the scripted demo, which have no finger. Tests use real pointer
    /// events instead.
    pub fn write_ink(&self, ink: &Ink) {
        if !self.with_keyboard(|k| {
            k.switch_layout(Layout::Handwriting) || k.layout() == Layout::Handwriting
        }) {
            return;
        }
        for stroke in &ink.strokes {
            let Some(&[x, y]) = stroke.first() else {
                continue;
            };
            self.with_keyboard(|k| k.pen_down(x, y, ink.width, ink.height));
            for &[x, y] in &stroke[1..] {
                self.with_keyboard(|k| k.pen_move(x, y));
            }
            if let Some(ink) = self.with_keyboard(Keyboard::pen_up) {
                self.read_ink(ink);
            }
        }
        self.refresh();
    }

    /// Whether the handwriting model has been opened (it is mapped on the
    /// first finished stroke, not before).
    pub fn handwriting_loaded(&self) -> bool {
        self.hand.inline_recognizer.borrow().is_some()
            || self
                .hand
                .worker
                .borrow()
                .as_ref()
                .is_some_and(HandwritingWorker::loaded)
    }

    pub fn is_open(&self) -> bool {
        self.session.borrow().is_some()
    }

    /// The open field's engine, for callers that need more than text (e.g.
    /// the current layout), or `None` when closed.
    pub fn keyboard(&self) -> Option<Rc<RefCell<Keyboard>>> {
        self.session.borrow().as_ref().map(|s| s.keyboard.clone())
    }

    /// The open field's text.
    pub fn text(&self) -> Option<String> {
        self.keyboard().map(|k| k.borrow().text().to_string())
    }

    fn install_callbacks(&self, state: &KeyboardState) {
        // Each callback: run the engine, mirror it, then tell the page if
        // the text changed. The page hears last, with no borrow held, so
        // it may call back in (even close the keyboard).
        let edit = |f: fn(&mut Keyboard)| {
            let me = self.clone();
            move || me.edit_with(f)
        };
        state.on_backspace(edit(|k| {
            k.backspace();
        }));
        state.on_clear(edit(Keyboard::clear));
        state.on_toggle_shift(edit(|k| {
            k.press(super::keyboard::Key::Shift);
        }));
        state.on_next_page(edit(|k| {
            k.next_page();
        }));
        state.on_prev_page(edit(|k| {
            k.prev_page();
        }));
        let me = self.clone();
        state.on_choose_layout(move |label| {
            let Some(to) = TEXT_LAYOUTS
                .into_iter()
                .find(|l| l.label() == label.as_str())
            else {
                return;
            };
            if to.chinese() {
                me.hand.preferred.set(Some(to));
            }
            me.bump_generation();
            me.hand.status.borrow_mut().clear();
            me.edit_with(|k| {
                k.switch_layout(to);
            });
        });
        let me = self.clone();
        state.on_pen_down(move |x, y, width, height| {
            let (w, h) = (
                width.round().max(1.0) as u32,
                height.round().max(1.0) as u32,
            );
            if me.with_keyboard(|k| k.pen_down(f64::from(x), f64::from(y), w, h)) {
                me.redraw_ink();
            }
        });
        let me = self.clone();
        state.on_pen_move(move |x, y| {
            if me.with_keyboard(|k| k.pen_move(f64::from(x), f64::from(y))) {
                me.redraw_ink();
            }
        });
        let me = self.clone();
        state.on_pen_up(move || {
            if let Some(ink) = me.with_keyboard(Keyboard::pen_up) {
                me.read_ink(ink);
            }
        });
        let me = self.clone();
        state.on_undo_stroke(move || match me.with_keyboard(Keyboard::undo_stroke) {
            Some(ink) => me.read_ink(ink),
            None => {
                me.bump_generation();
                me.hand.status.borrow_mut().clear();
                me.refresh();
            }
        });
        let me = self.clone();
        state.on_clear_pad(move || {
            me.bump_generation();
            me.hand.status.borrow_mut().clear();
            me.edit_with(Keyboard::clear_pad);
        });
        let me = self.clone();
        state.on_key(move |label| {
            me.edit_with(|k| {
                k.press_label(&label);
            })
        });
        let me = self.clone();
        state.on_candidate(move |i| {
            if let Ok(i) = usize::try_from(i) {
                me.edit_with(|k| {
                    k.choose_candidate(i);
                });
            }
        });
        let me = self.clone();
        state.on_done(move || me.done());
    }

    /// Runs `f` on the open field's engine (`T::default()` when closed).
    fn with_keyboard<T: Default>(&self, f: impl FnOnce(&mut Keyboard) -> T) -> T {
        let keyboard = self.keyboard();
        keyboard.map(|k| f(&mut k.borrow_mut())).unwrap_or_default()
    }

    fn bump_generation(&self) -> u64 {
        let next = self.hand.generation.get().wrapping_add(1);
        self.hand.generation.set(next);
        next
    }

    /// A stroke finished or was taken back: the pad is read again.
    fn read_ink(&self, ink: Ink) {
        let generation = self.bump_generation();
        *self.hand.status.borrow_mut() = "正在识别…".into();
        self.refresh();
        if self.hand.inline.get() {
            let reading = {
                let mut r = self.hand.inline_recognizer.borrow_mut();
                if r.is_none() {
                    match Recognizer::open_default() {
                        Ok(opened) => *r = Some(opened),
                        Err(e) => {
                            drop(r);
                            self.written(generation, Err(e.to_string()));
                            return;
                        }
                    }
                }
                r.as_ref().map(|r| handwriting_worker::read_with(r, &ink))
            };
            if let Some(reading) = reading {
                self.written(generation, reading);
            }
            return;
        }
        if self.hand.worker.borrow().is_none() {
            READINGS_TO.with(|to| *to.borrow_mut() = Some(self.downgrade()));
            let deliver = Box::new(|generation, reading: Reading| {
                let posted = slint::invoke_from_event_loop(move || {
                    let binding =
                        READINGS_TO.with(|to| to.borrow().as_ref().and_then(WeakBinding::upgrade));
                    if let Some(b) = binding {
                        b.written(generation, reading);
                    }
                });
                if let Err(e) = posted {
                    log::warn!("handwriting reading not delivered: {e}");
                }
            });
            match HandwritingWorker::spawn_default(deliver) {
                Ok(w) => *self.hand.worker.borrow_mut() = Some(w),
                Err(e) => {
                    log::error!("cannot start the handwriting thread: {e}");
                    *self.hand.status.borrow_mut() = "手写暂时不能用，请点“拼音”输入".into();
                    self.refresh();
                    return;
                }
            }
        }
        if let Some(w) = self.hand.worker.borrow().as_ref() {
            w.read(generation, ink);
        }
    }

    /// The reading of the ink of `generation` (on the UI thread). Dropped
    /// when the pad changed since, or the field closed.
    fn written(&self, generation: u64, reading: Reading) {
        if generation != self.hand.generation.get() || !self.is_open() {
            return;
        }
        match reading {
            Ok(words) => {
                self.hand.status.borrow_mut().clear();
                self.with_keyboard(|k| k.set_written(words));
            }
            Err(why) => {
                log::warn!("handwriting not read: {why}");
                *self.hand.status.borrow_mut() = why;
            }
        }
        self.refresh();
    }

    fn downgrade(&self) -> WeakBinding {
        WeakBinding {
            window: self.window.clone(),
            session: Rc::downgrade(&self.session),
            hand: Rc::downgrade(&self.hand),
        }
    }

    /// Only the ink: a moving finger must not rebuild every key.
    fn redraw_ink(&self) {
        let (Some(window), Some(k)) = (self.window.upgrade(), self.keyboard()) else {
            return;
        };
        let path = k.borrow().pad().path_commands();
        window.global::<KeyboardState>().set_ink_path(path.into());
    }

    fn edit_with(&self, f: impl FnOnce(&mut Keyboard)) {
        let Some((keyboard, on_change)) = self
            .session
            .borrow()
            .as_ref()
            .map(|s| (s.keyboard.clone(), s.on_change.clone()))
        else {
            return;
        };
        let (before, after) = {
            let mut k = keyboard.borrow_mut();
            let before = k.text().to_string();
            f(&mut k);
            (before, k.text().to_string())
        };
        self.refresh();
        if before != after {
            on_change(after);
        }
    }

    /// 完成: pending pinyin goes in as typed, the keyboard closes, then the
    /// page hears the final text (and the change, if 完成 made one).
    fn done(&self) {
        let Some(session) = self.session.borrow_mut().take() else {
            return;
        };
        let (before, text) = {
            let mut k = session.keyboard.borrow_mut();
            let before = k.text().to_string();
            (before, k.finish().to_string())
        };
        self.refresh();
        if before != text {
            (session.on_change)(text.clone());
        }
        (session.on_done)(text);
    }

    /// Rewrites every property of `KeyboardState` from the engine.
    fn refresh(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let state = window.global::<KeyboardState>();
        let session = self.session.borrow();
        let Some(session) = session.as_ref() else {
            state.set_visible(false);
            // Nothing typed stays in the UI once the field is closed.
            state.set_text(SharedString::new());
            state.set_compose(SharedString::new());
            state.set_field_label(SharedString::new());
            state.set_candidates(ModelRc::default());
            state.set_written_rows(ModelRc::default());
            state.set_rows(ModelRc::default());
            state.set_pad_keys(ModelRc::default());
            state.set_page_info(SharedString::new());
            state.set_ink_path(SharedString::new());
            state.set_pad_status(SharedString::new());
            return;
        };
        let k = session.keyboard.borrow();
        let layout = k.layout();
        state.set_visible(true);
        state.set_field_label(session.label.as_str().into());
        state.set_layout_name(layout.label().into());
        state.set_text(k.text().into());
        state.set_compose(k.compose().into());
        let rows = k.rows();
        state.set_columns(rows.iter().map(Vec::len).max().unwrap_or(1) as i32);
        let rows: Vec<ModelRc<KeyCap>> = rows
            .into_iter()
            .map(|row| {
                let caps: Vec<KeyCap> = row
                    .into_iter()
                    .map(|label| KeyCap {
                        enabled: k.key_enabled(&label),
                        label: label.into(),
                    })
                    .collect();
                ModelRc::new(VecModel::from(caps))
            })
            .collect();
        state.set_rows(ModelRc::new(VecModel::from(rows)));
        let pad_keys: Vec<KeyCap> = k
            .pad_keys()
            .into_iter()
            .map(|label| KeyCap {
                enabled: k.key_enabled(&label),
                label: label.into(),
            })
            .collect();
        state.set_pad_keys(ModelRc::new(VecModel::from(pad_keys)));
        let words: Vec<SharedString> = k
            .page_candidates()
            .iter()
            .map(|c| c.text.as_str().into())
            .collect();
        let written: Vec<ModelRc<SharedString>> = if layout == Layout::Handwriting {
            words
                .chunks(WRITTEN_PER_ROW)
                .map(|row| ModelRc::new(VecModel::from(row.to_vec())))
                .collect()
        } else {
            Vec::new()
        };
        state.set_written_rows(ModelRc::new(VecModel::from(written)));
        state.set_written_per_row(WRITTEN_PER_ROW as i32);
        state.set_candidates(ModelRc::new(VecModel::from(words)));
        state.set_page_info(if k.page_count() > 1 {
            format!("{}/{}", k.page() + 1, k.page_count()).into()
        } else {
            SharedString::new()
        });
        state.set_has_prev_page(k.has_prev_page());
        state.set_has_next_page(k.has_next_page());
        state.set_chinese(layout == Layout::Pinyin);
        state.set_handwriting(layout == Layout::Handwriting);
        state.set_ink_path(k.pad().path_commands().into());
        state.set_pad_empty(k.pad().is_empty());
        state.set_pad_status(self.hand.status.borrow().as_str().into());
        let tabs: Vec<LayoutTab> = if k.can_switch_layout() {
            TEXT_LAYOUTS
                .iter()
                .map(|l| LayoutTab {
                    label: l.label().into(),
                    on: *l == layout,
                })
                .collect()
        } else {
            Vec::new()
        };
        state.set_tabs(ModelRc::new(VecModel::from(tabs)));
        state.set_can_switch(k.can_switch_layout());
        state.set_can_shift(layout == Layout::Latin);
        state.set_shift(k.shift());
        state.set_can_space(matches!(
            layout,
            Layout::Latin | Layout::Pinyin | Layout::Handwriting
        ));
    }
}
