//! Headless UI: the keyboard's 手写 tab on a form field, written on with
//! real pointer events (press, moves, release) as a finger would: the
//! kiosk opens Chinese fields on 手写 in 长者模式 and on 拼音 otherwise,
//! the strokes are drawn, the recognizer is opened on the first stroke
//! (not before), at least eight candidates come back with the right one in
//! the top five, a tap types it, 撤销一笔 and 重写 work, and a tab the
//! applicant picked holds for the visit's next field but not for the next
//! applicant. One event-loop test per file.

use crate::common::visit;

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_drivers::handwriting::{Ink, samples};
use onevisit_ui::{AppWindow, FormState, KeyboardState, Kiosk, RowKind, SessionController};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, Model};
use std::time::Duration;

use crate::ui::{find, tap};

/// A Chinese field on the form's first page (filled from the card).
const NAME: &str = "法定代表人（负责人）姓名";

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

/// Writes `ink` (drawn on its own pad size) on the kiosk's pad, scaled to
/// the pad's size on screen, one stroke after another.
fn write(window: &AppWindow, ink: &Ink) {
    let pad = find(window, "手写板");
    let (origin, size) = (pad.absolute_position(), pad.size());
    let at = |[x, y]: [f64; 2]| {
        LogicalPosition::new(
            origin.x + (x / f64::from(ink.width)) as f32 * size.width,
            origin.y + (y / f64::from(ink.height)) as f32 * size.height,
        )
    };
    let w = window.window();
    let button = PointerEventButton::Left;
    for stroke in &ink.strokes {
        let first = at(stroke[0]);
        w.dispatch_event(WindowEvent::PointerMoved { position: first });
        w.dispatch_event(WindowEvent::PointerPressed {
            position: first,
            button,
        });
        for &p in &stroke[1..] {
            mock_elapsed_time(Duration::from_millis(8));
            w.dispatch_event(WindowEvent::PointerMoved { position: at(p) });
        }
        let last = at(*stroke.last().unwrap());
        w.dispatch_event(WindowEvent::PointerReleased {
            position: last,
            button,
        });
        mock_elapsed_time(Duration::from_millis(60));
    }
    settle();
}

fn candidates(state: &KeyboardState) -> Vec<String> {
    state
        .get_written_rows()
        .iter()
        .flat_map(|row| row.iter().map(String::from).collect::<Vec<_>>())
        .collect()
}

fn tabs(state: &KeyboardState) -> Vec<(String, bool)> {
    state
        .get_tabs()
        .iter()
        .map(|t| (t.label.to_string(), t.on))
        .collect()
}

/// Opens the keyboard on the form field whose label starts with `label`.
fn edit(window: &AppWindow, label: &str) {
    let form = window.global::<FormState>();
    let rows: Vec<_> = form.get_rows().iter().collect();
    let row = rows
        .iter()
        .find(|r| r.kind == RowKind::Field && r.label.starts_with(label))
        .unwrap_or_else(|| {
            let labels: Vec<_> = rows.iter().map(|r| r.label.to_string()).collect();
            panic!("no field {label} on this page: {labels:?}")
        });
    form.invoke_edit(row.path.clone());
    settle();
}

fn to_form(kiosk: &Kiosk, elderly: bool) {
    kiosk.update(|c| {
        c.wipe();
        if c.elderly() != elderly {
            c.toggle_elderly();
        }
        visit::to_notice(c, "B01");
        c.apply();
    });
    settle();
}

pub fn writing_a_character_on_the_pad_types_it() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()),
    );
    kiosk.set_handwriting_inline(true);
    let state = window.global::<KeyboardState>();

    // 长者模式: a Chinese field opens on 手写, the pad empty and unread.
    to_form(&kiosk, true);
    edit(&window, NAME);
    assert!(state.get_visible());
    assert_eq!(state.get_layout_name(), "手写");
    assert_eq!(
        tabs(&state),
        [
            ("拼音".into(), false),
            ("手写".into(), true),
            ("英文".into(), false)
        ]
    );
    assert!(state.get_pad_empty());
    assert!(
        !kiosk.handwriting_loaded(),
        "the model is opened on first use"
    );
    assert!(
        !find(&window, "撤销一笔")
            .accessible_enabled()
            .unwrap_or(true)
    );
    tap(&window, "清空");
    assert_eq!(state.get_text(), "");

    // 十, written stroke by stroke: drawn, read, at least eight candidates.
    write(&window, &samples::ink("十").unwrap());
    assert!(kiosk.handwriting_loaded());
    assert!(!state.get_pad_empty());
    assert_eq!(
        state.get_ink_path().matches('M').count(),
        2,
        "two strokes drawn: {}",
        state.get_ink_path()
    );
    let words = candidates(&state);
    assert!(words.len() >= 8, "{words:?}");
    assert!(words.iter().take(5).any(|w| w == "十"), "{words:?}");
    assert_eq!(state.get_pad_status(), "", "no error, not still reading");

    // 撤销一笔 leaves the first stroke (一), read again; 重写 empties it.
    tap(&window, "撤销一笔");
    settle();
    assert_eq!(state.get_ink_path().matches('M').count(), 1);
    assert!(
        candidates(&state).iter().take(5).any(|w| w == "一"),
        "{:?}",
        candidates(&state)
    );
    tap(&window, "重写");
    settle();
    assert!(state.get_pad_empty());
    assert!(candidates(&state).is_empty());
    assert_eq!(state.get_ink_path(), "");

    // Write 中 and tap it: the field has it, the pad is ready for more.
    write(&window, &samples::ink("中").unwrap());
    let words = candidates(&state);
    assert!(words.iter().take(5).any(|w| w == "中"), "{words:?}");
    tap(&window, "中");
    settle();
    assert_eq!(state.get_text(), "中");
    assert!(state.get_pad_empty());
    write(&window, &samples::ink("王").unwrap());
    tap(&window, "王");
    settle();
    assert_eq!(state.get_text(), "中王");
    // Digits stay on the 手写 tab.
    tap(&window, "8");
    assert_eq!(state.get_text(), "中王8");
    tap(&window, "完成");
    settle();
    let row = window
        .global::<FormState>()
        .get_rows()
        .iter()
        .find(|r| r.label.starts_with(NAME))
        .unwrap();
    assert_eq!(row.value, "中王8", "what was written is the field's value");

    // The applicant picks 拼音: the visit's next Chinese field opens on it.
    edit(&window, NAME);
    tap(&window, "拼音");
    settle();
    assert_eq!(state.get_layout_name(), "拼音");
    assert!(
        ElementHandle::find_by_accessible_label(&window, "手写板")
            .next()
            .is_none(),
        "no pad on the pinyin tab"
    );
    tap(&window, "完成");
    edit(&window, NAME);
    assert_eq!(state.get_layout_name(), "拼音", "the chosen tab holds");
    tap(&window, "完成");

    // The next applicant starts again from the mode's own tab.
    to_form(&kiosk, true);
    kiosk.update(|c| c.wipe());
    settle();
    to_form(&kiosk, true);
    edit(&window, NAME);
    assert_eq!(state.get_layout_name(), "手写");
    tap(&window, "完成");

    // Standard mode opens on 拼音; 手写 is one tap away and works the same.
    to_form(&kiosk, false);
    edit(&window, NAME);
    assert_eq!(state.get_layout_name(), "拼音");
    tap(&window, "手写");
    settle();
    write(&window, &samples::ink("大").unwrap());
    assert!(
        candidates(&state).iter().take(5).any(|w| w == "大"),
        "{:?}",
        candidates(&state)
    );
    // Closing the field forgets the ink with the text.
    kiosk.update(|c| c.wipe());
    settle();
    assert!(!state.get_visible());
    assert_eq!(state.get_ink_path(), "");
    assert!(candidates(&state).is_empty());
}
