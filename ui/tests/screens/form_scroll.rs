//! Headless UI: tapping a field low on a long form page opens the docked
//! keyboard over the bottom of the screen; the page scrolls so the field
//! being edited stays in view above the keyboard, in both modes, and 完成
//! moves nothing. One event-loop test per file (the backend is
//! process-wide).

use crate::common::visit;

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_ui::{
    AppWindow, FormState, KeyboardState, Kiosk, Page, RowKind, SessionController, Theme,
};
use slint::{ComponentHandle, Model};
use std::time::Duration;

use crate::ui;

const HEIGHT: f32 = 1080.0;

/// The on-screen rectangle (top, bottom) of the row labelled `label`
/// (a row scrolled wholly out of the list's view is not found).
fn row_span(window: &AppWindow, label: &str) -> (f32, f32) {
    let row = ElementHandle::find_by_accessible_label(window, label)
        .next()
        .unwrap_or_else(|| panic!("no row labelled {label:?} in view"));
    let top = row.absolute_position().y;
    (top, top + row.size().height)
}

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

pub fn the_field_being_edited_scrolls_into_view_above_the_keyboard() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, HEIGHT));
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()),
    );
    // The longest first form page among the bundles.
    let form = window.global::<FormState>();
    let mut best: Option<(String, usize)> = None;
    for b in Catalog::load_default().unwrap().bundles.iter() {
        let code = b.code().to_string();
        kiosk.update(|c| {
            c.wipe();
            visit::to_notice(c, &code);
            c.apply();
        });
        let n = form.get_rows().row_count();
        if best.as_ref().is_none_or(|(_, m)| n > *m) {
            best = Some((code, n));
        }
    }
    let (code, _) = best.unwrap();
    for elderly in [false, true] {
        window.global::<Theme>().set_elderly(elderly);
        the_last_field_moves_above_the_keyboard(&window, &kiosk, &code, elderly);
    }
}

/// Opens `code`'s first form page and edits its last plain field, which
/// starts below the keyboard's top edge: it must end up wholly above the
/// keyboard as it is really laid out in this mode, and 完成 must not move
/// anything on the page.
fn the_last_field_moves_above_the_keyboard(
    window: &AppWindow,
    kiosk: &Kiosk,
    code: &str,
    elderly: bool,
) {
    let mode = if elderly { "长者模式" } else { "标准" };
    let form = window.global::<FormState>();
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, code);
        c.apply();
    });
    assert_eq!(
        window.global::<onevisit_ui::AppState>().get_page(),
        Page::Form
    );
    settle();

    // The last plain field of the page, below the keyboard's top edge.
    let last = form
        .get_rows()
        .iter()
        .filter(|r| r.kind == RowKind::Field && !r.in_record)
        .last()
        .expect("a field");
    let label = last.label.to_string();
    assert_eq!(
        form.get_rows()
            .iter()
            .filter(|r| r.label == last.label)
            .count(),
        1,
        "{label} is not unique on the page"
    );
    let (_, bottom_before) = row_span(window, &label);

    form.invoke_edit(last.path.clone());
    settle();
    let keyboard = window.global::<KeyboardState>();
    assert!(keyboard.get_visible(), "the keyboard opens for {label}");
    // Where the keyboard really begins: its own height, which its 完成 key
    // lies within.
    let keyboard_top = HEIGHT - keyboard.get_docked_height();
    let done = ui::find(window, "完成");
    assert!(
        done.absolute_position().y >= keyboard_top && keyboard_top < HEIGHT - 300.0,
        "{mode}: keyboard from {keyboard_top}, 完成 at {}",
        done.absolute_position().y
    );
    assert!(
        bottom_before > keyboard_top,
        "{mode} {code}: the test needs a field the keyboard would cover ({bottom_before} ≤ {keyboard_top})"
    );
    let (top, bottom) = row_span(window, &label);
    assert!(
        top >= 0.0 && bottom <= keyboard_top,
        "{mode} {code} {label}: row at {top}..{bottom}, keyboard from {keyboard_top}"
    );

    // 完成 closes the keyboard and nothing on the page moves: the next tap
    // lands where the applicant sees the field.
    let in_view: Vec<(String, f32)> = form
        .get_rows()
        .iter()
        .filter(|r| r.kind == RowKind::Field && !r.in_record)
        .filter_map(|r| {
            let e = ElementHandle::find_by_accessible_label(window, &r.label).next()?;
            let y = e.absolute_position().y;
            (y >= 0.0 && y + e.size().height <= keyboard_top).then(|| (r.label.to_string(), y))
        })
        .collect();
    assert!(!in_view.is_empty());
    ui::tap(window, "完成");
    settle();
    assert!(!keyboard.get_visible());
    for (label, y) in &in_view {
        let (after, _) = row_span(window, label);
        assert_eq!(*y, after, "{mode}: {label} moved after 完成");
    }

    // A field already in view does not move the page.
    let first = form
        .get_rows()
        .iter()
        .find(|r| r.kind == RowKind::Field)
        .unwrap();
    let first_label = first.label.to_string();
    // As a new visit does: through the notice, so the form page is new.
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, code);
    });
    settle();
    kiosk.update(|c| c.apply());
    settle();
    let (still_top, _) = row_span(window, &first_label);
    form.invoke_edit(first.path.clone());
    settle();
    let (after_top, _) = row_span(window, &first_label);
    assert_eq!(
        still_top, after_top,
        "{mode}: an in-view field does not scroll"
    );
    keyboard.invoke_done();
    settle();
}
