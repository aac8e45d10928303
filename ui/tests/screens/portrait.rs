//! A portrait screen (1080×1920): the done page puts the 好差评 panel under
//! the receipt number instead of beside it, and the notice's buttons all
//! stay on screen. One event-loop test per file.

use crate::common::visit;

use onevisit_core::catalog::Catalog;
use onevisit_core::outbox::Outbox;
use onevisit_ui::{AppWindow, Kiosk, SessionController};
use slint::ComponentHandle;
use std::sync::Arc;

use crate::ui;
use ui::find;

pub fn portrait_stacks_what_landscape_puts_side_by_side() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox =
        Arc::new(Outbox::open(&dir.path().join("o.sqlite3"), "K0101", &[5u8; 32]).unwrap());
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()).with_outbox(outbox),
    );

    // The notice: in portrait every button is inside the 1080 px width.
    kiosk.set_portrait(true);
    window
        .window()
        .set_size(slint::LogicalSize::new(1080.0, 1920.0));
    kiosk.update(|c| visit::to_notice(c, "B01"));
    for label in [
        "上一步",
        "重新选择事项",
        "打印告知单",
        "结束办理",
        "我要申请",
    ] {
        let e = find(&window, label);
        let right = e.absolute_position().x + e.size().width;
        assert!(right <= 1080.0 + 0.5, "{label} ends at {right}");
        assert!(e.absolute_position().y + e.size().height <= 1920.0 + 0.5);
    }

    // The done page, portrait then landscape.
    kiosk.update(|c| {
        visit::fill_form(c);
        c.materials_next();
        c.toggle_declaration();
        c.submit();
    });
    let receipt = kiosk.controller().done().unwrap().receipt.clone();
    let number = format!("受理编号 {receipt}");
    let (n, r) = (find(&window, &number), find(&window, "非常满意"));
    assert!(
        r.absolute_position().y > n.absolute_position().y + n.size().height,
        "portrait: rating below the number"
    );
    kiosk.set_portrait(false);
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    let (n, r) = (find(&window, &number), find(&window, "非常满意"));
    assert!(
        r.absolute_position().x > n.absolute_position().x + 900.0,
        "landscape: rating beside the number"
    );
}
