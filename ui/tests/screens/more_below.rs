//! Headless UI: a list that goes on below its bottom edge says so
//! (下面还有 ▼), and a tap on it scrolls down, until the end is in view
//! and the hint is gone; in landscape it sits in the button row under
//! the list, covering none of it. Checked on the bundle tiles in 长者模式 (three
//! columns of 13 do not fit), on the notice, and on a list that fits,
//! which shows no hint. One event-loop test per file.

use i_slint_backend_testing::ElementHandle;
use onevisit_core::catalog::Catalog;
use onevisit_ui::{AppState, AppWindow, Kiosk, Page, SessionController, Theme};
use slint::ComponentHandle;
use std::time::Duration;

use crate::common::{self, visit};
use crate::ui;

const HINT: &str = "下面还有，点这里往下看";

fn settle() {
    for _ in 0..5 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(20));
    }
}

/// The hints on screen (a page has at most one list).
fn hints(window: &AppWindow) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(window, HINT).collect()
}

/// Bottom edge of the element labelled `label`, in window coordinates;
/// None when it is not there (the testing backend leaves out elements
/// wholly outside their list's clip).
fn bottom_of(window: &AppWindow, label: &str) -> Option<f32> {
    let e = ElementHandle::find_by_accessible_label(window, label).next()?;
    Some(e.absolute_position().y + e.size().height)
}

/// Taps the hint until it is gone; returns the taps it took.
fn page_down_to_the_end(window: &AppWindow, what: &str) -> usize {
    let mut taps = 0;
    while let Some(hint) = hints(window).into_iter().next() {
        let p = hint.absolute_position();
        let s = hint.size();
        assert!(
            s.height >= 88.0 * 0.99 && p.y + s.height <= 1080.5,
            "{what}: hint too small or off screen: {p:?} {s:?}"
        );
        hint.mock_single_click(slint::platform::PointerEventButton::Left);
        settle();
        taps += 1;
        assert!(taps <= 10, "{what}: the hint never goes away");
    }
    taps
}

pub fn a_list_that_goes_on_says_so_and_scrolls_on_a_tap() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    window.show().unwrap();
    let catalog = Catalog::load_default().unwrap();
    let last_bundle = catalog.bundles.last().unwrap().def.name.clone();
    let kiosk = Kiosk::new(window.clone_strong(), SessionController::new(catalog));

    // 长者模式: 13 tiles in 3 columns run below the screen.
    kiosk.update(|c| {
        c.toggle_elderly();
        c.start();
        c.card_placed(common::sample_card());
        c.consent();
    });
    settle();
    assert_eq!(window.global::<AppState>().get_page(), Page::BundleChoice);
    assert!(window.global::<Theme>().get_elderly());
    assert_eq!(hints(&window).len(), 1, "长者模式 bundles: no hint");
    let back = ui::find(&window, "上一步").absolute_position().y;
    // In landscape it sits in the button row, under the list: over the
    // list it hid the last row's offer or 修改 button.
    let hint_y = hints(&window)[0].absolute_position().y;
    assert!(
        hint_y >= back - 1.0,
        "the hint covers the list: at y {hint_y}, the buttons at {back}"
    );
    assert!(
        bottom_of(&window, &last_bundle).is_none_or(|b| b > back),
        "the last tile is below the list before scrolling"
    );
    let taps = page_down_to_the_end(&window, "bundles");
    assert!(taps >= 1);
    assert!(
        bottom_of(&window, &last_bundle).is_some_and(|b| b <= back),
        "after the hint's taps the last tile is in view"
    );

    // The notice of B07 (the longest) scrolls too.
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, "B07");
    });
    settle();
    assert_eq!(hints(&window).len(), 1, "长者模式 notice: no hint");
    page_down_to_the_end(&window, "notice");

    // Standard mode: 13 tiles in 4 columns fit; no hint at all.
    kiosk.update(|c| {
        c.wipe();
        if c.elderly() {
            c.toggle_elderly();
        }
        c.start();
        c.card_placed(common::sample_card());
        c.consent();
    });
    settle();
    assert_eq!(window.global::<AppState>().get_page(), Page::BundleChoice);
    let back = ui::find(&window, "上一步").absolute_position().y;
    assert!(
        bottom_of(&window, &last_bundle).is_some_and(|b| b <= back),
        "standard mode shows every tile at once"
    );
    assert!(hints(&window).is_empty(), "a hint on a list that fits");
}
