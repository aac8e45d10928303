//! Headless UI: identity numbers are masked on every screen that shows
//! them (the form's prefilled 身份证件号码, a shareholder's 证件号码, the
//! review page) and show in full only while the applicant holds the eye
//! button; let go, and they are masked again. One event-loop test per file.

use crate::common::{sample_card, visit};

use i_slint_backend_testing::{ElementHandle, ElementQuery, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_ui::{AppState, AppWindow, Kiosk, Page, SessionController};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition};
use std::time::Duration;

const EYE: &str = "按住查看完整号码";

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

/// Whether any element on screen reads `needle` (texts, values).
fn on_screen(window: &AppWindow, needle: &str) -> bool {
    let needle = needle.to_string();
    ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(move |e| {
            e.accessible_label().is_some_and(|l| l.contains(&needle))
                || e.accessible_value().is_some_and(|v| v.contains(&needle))
        })
        .find_first()
        .is_some()
}

/// Presses the first eye button and keeps holding it.
fn hold(window: &AppWindow, eye: &ElementHandle) -> LogicalPosition {
    let p = eye.absolute_position();
    let s = eye.size();
    let at = LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0);
    window
        .window()
        .dispatch_event(WindowEvent::PointerMoved { position: at });
    window.window().dispatch_event(WindowEvent::PointerPressed {
        position: at,
        button: PointerEventButton::Left,
    });
    settle();
    at
}

fn let_go(window: &AppWindow, at: LogicalPosition) {
    window
        .window()
        .dispatch_event(WindowEvent::PointerReleased {
            position: at,
            button: PointerEventButton::Left,
        });
    settle();
}

/// Holding shows `full` and hides `masked`; letting go, the other way.
fn eye_reveals(window: &AppWindow, full: &str, masked: &str, what: &str) {
    assert!(
        !on_screen(window, full),
        "{what}: the full number on screen"
    );
    assert!(on_screen(window, masked), "{what}: no masked number");
    let eye = ElementHandle::find_by_accessible_label(window, EYE)
        .next()
        .unwrap_or_else(|| panic!("{what}: no eye button"));
    let at = hold(window, &eye);
    assert!(on_screen(window, full), "{what}: held, the full number");
    assert!(!on_screen(window, masked), "{what}: held, still masked");
    let_go(window, at);
    assert!(!on_screen(window, full), "{what}: let go, still in full");
    assert!(
        on_screen(window, masked),
        "{what}: let go, not masked again"
    );
}

pub fn identity_numbers_are_masked_and_shown_only_while_the_eye_is_held() {
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
    let id = sample_card().id_number;
    let masked = onevisit_core::ids::mask_id_text(&id);
    assert_ne!(id, masked);

    // The form's first page: the applicant's own number, from the card.
    kiosk.update(|c| {
        visit::to_notice(c, "B01");
        c.apply();
    });
    settle();
    assert_eq!(window.global::<AppState>().get_page(), Page::Form);
    eye_reveals(&window, &id, &masked, "form");

    // The review page: every number the form holds (the applicant's, and
    // the shareholders' 同申请人 copies).
    kiosk.update(|c| {
        visit::fill_form(c);
        c.materials_next();
    });
    settle();
    assert_eq!(window.global::<AppState>().get_page(), Page::Review);
    eye_reveals(&window, &id, &masked, "review");

    // Held while the page changes: nothing stays revealed.
    let eye = ElementHandle::find_by_accessible_label(&window, EYE)
        .next()
        .unwrap();
    let _at = hold(&window, &eye);
    assert!(on_screen(&window, &id));
    kiosk.update(|c| c.wipe());
    settle();
    assert!(!kiosk.controller().reveal_ids(), "a wipe ends the reveal");
}
