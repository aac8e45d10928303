#![allow(dead_code)] // each UI test file uses its own part of these helpers
//! Finding and tapping elements of the headless kiosk window by their
//! accessible labels, shared by the Slint UI tests.

use i_slint_backend_testing::ElementHandle;
use onevisit_ui::AppWindow;
use slint::platform::PointerEventButton;

pub fn find(window: &AppWindow, label: &str) -> ElementHandle {
    ElementHandle::find_by_accessible_label(window, label)
        .next()
        .unwrap_or_else(|| panic!("no element labelled {label:?}"))
}

/// A real pointer tap at the element's centre (hit-testing included).
pub fn tap(window: &AppWindow, label: &str) {
    find(window, label).mock_single_click(PointerEventButton::Left);
}
