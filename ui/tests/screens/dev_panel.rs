//! Headless UI: the developer window's simulated-device strip sits beside
//! the kiosk's 1920×1080 area, never over its buttons (issue 18: the old
//! overlay covered 我要申请, 下一页 and the keyboard's 完成 row).

use crate::common::visit;

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::visit::application::FieldPath;
use onevisit_ui::{AppWindow, Kiosk, SessionController};
use slint::ComponentHandle;
use std::time::Duration;

const KIOSK_WIDTH: f32 = 1920.0;

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

/// (left, right) of every element labelled `label`.
fn spans(window: &AppWindow, label: &str) -> Vec<(f32, f32)> {
    ElementHandle::find_by_accessible_label(window, label)
        .map(|e| {
            let x = e.absolute_position().x;
            (x, x + e.size().width)
        })
        .collect()
}

fn assert_inside_kiosk(window: &AppWindow, label: &str) {
    let found = spans(window, label);
    assert!(!found.is_empty(), "no {label:?} on screen");
    for (left, right) in found {
        assert!(
            left >= 0.0 && right <= KIOSK_WIDTH,
            "{label:?} at {left}..{right} leaves the kiosk area"
        );
    }
}

pub fn the_simulated_device_strip_sits_beside_the_kiosk_area() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()),
    );
    kiosk.set_dev_card_handler(|_| {});
    // The developer window: the kiosk area plus the strip beside it.
    window
        .window()
        .set_size(slint::LogicalSize::new(KIOSK_WIDTH + 240.0, 1080.0));
    window.show().unwrap();
    settle();

    for dev in ["放测试身份证", "打印机缺纸", "装纸"] {
        for (left, _) in spans(&window, dev) {
            assert!(
                left >= KIOSK_WIDTH,
                "{dev} at {left} is over the kiosk area"
            );
        }
        assert!(!spans(&window, dev).is_empty(), "{dev} missing");
    }

    kiosk.update(|c| visit::to_notice(c, "B01"));
    settle();
    assert_inside_kiosk(&window, "我要申请");

    kiosk.update(|c| c.apply());
    settle();
    assert_inside_kiosk(&window, "下一页");

    // While the keyboard is docked the form's own nav row steps aside, so
    // the keyboard's 完成 row is the bottom row that must stay reachable.
    kiosk.update(|c| c.edit(FieldPath::scalar("F06")));
    kiosk.open_text_input();
    settle();
    assert_inside_kiosk(&window, "完成");
}
