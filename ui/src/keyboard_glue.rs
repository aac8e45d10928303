//! Mirrors a [`Keyboard`] into the `KeyboardState` global and forwards the
//! keyboard's callbacks to it. A form page calls [`KeyboardBinding::open`]
//! when a field is tapped and hears every change of the field's text; 完成
//! closes the keyboard and hands over the final text.
//!
//! Like `glue::Kiosk`, every callback ends in a full rewrite of the global
//! from the engine, so the screen cannot show what the engine does not hold.

use super::keyboard::{Keyboard, Layout};
use super::{AppWindow, KeyCap, KeyboardState};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::rc::Rc;

type TextHandler = Rc<dyn Fn(String)>;

/// The open field: its engine and who listens to it.
struct Session {
    keyboard: Rc<RefCell<Keyboard>>,
    label: String,
    on_change: TextHandler,
    on_done: TextHandler,
}

/// The keyboard of one window. Cheap to clone: clones share the state.
#[derive(Clone)]
pub struct KeyboardBinding {
    window: slint::Weak<AppWindow>,
    session: Rc<RefCell<Option<Session>>>,
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
    pub fn open(
        &self,
        layout: Layout,
        initial_text: &str,
        max_len: Option<usize>,
        on_change: impl Fn(String) + 'static,
        on_done: impl Fn(String) + 'static,
    ) {
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
        self.refresh();
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
        state.on_switch_layout(edit(|k| {
            k.toggle_layout();
        }));
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
            state.set_rows(ModelRc::default());
            state.set_page_info(SharedString::new());
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
        let words: Vec<SharedString> = k
            .page_candidates()
            .iter()
            .map(|c| c.text.as_str().into())
            .collect();
        state.set_candidates(ModelRc::new(VecModel::from(words)));
        state.set_page_info(if k.page_count() > 1 {
            format!("{}/{}", k.page() + 1, k.page_count()).into()
        } else {
            SharedString::new()
        });
        state.set_has_prev_page(k.has_prev_page());
        state.set_has_next_page(k.has_next_page());
        state.set_chinese(layout == Layout::Pinyin);
        state.set_can_switch(k.can_switch_layout());
        state.set_can_shift(layout == Layout::Latin);
        state.set_shift(k.shift());
        state.set_can_space(matches!(layout, Layout::Latin | Layout::Pinyin));
    }
}
