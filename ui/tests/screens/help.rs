//! Headless UI: 呼叫工作人员 on every applicant screen, in both modes and
//! both orientations, inside the screen; a tap records the call with its
//! screen on the staff desk and tells the applicant staff are coming; the
//! staff screen lists the call and 已到场处理呼叫 answers it; staff pages
//! have no help button. One event-loop test per file.

use crate::common::{sample_card, visit};
use crate::ui::{find, tap};

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::staff::{ManualClock, PaperSettings, StaffDesk, hash_pin};
use onevisit_core::visit::help::STAFF_COMING;
use onevisit_core::visit::staff_mode::GESTURE_TAPS;
use onevisit_ui::{AppState, AppWindow, Kiosk, SessionController, StaffServices, StaffState};
use slint::{ComponentHandle, Model};
use std::sync::Arc;
use std::time::Duration;

const PIN: &str = "246810";

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

type Drive = fn(&mut SessionController);

/// Every applicant page, by what staff call it.
fn pages() -> Vec<(&'static str, Drive)> {
    vec![
        ("欢迎页", |_| {}),
        ("读取身份证", |c| c.start()),
        ("选择要办的事", |c| {
            c.card_placed(sample_card());
            c.consent();
        }),
        ("回答问题", |c| {
            c.card_placed(sample_card());
            c.consent();
            c.choose_bundle("B01");
        }),
        ("一次告知单", |c| visit::to_notice(c, "B01")),
        ("填写申请表", |c| {
            visit::to_notice(c, "B01");
            c.apply();
        }),
        ("材料清单", |c| {
            visit::to_notice(c, "B01");
            c.apply();
            visit::fill_form(c);
        }),
        ("确认提交", |c| {
            visit::to_notice(c, "B01");
            c.apply();
            visit::fill_form(c);
            c.materials_next();
        }),
        ("办件查询", |c| c.query_open()),
    ]
}

pub fn the_help_button_is_on_every_screen_and_reaches_staff() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let desk = StaffDesk::open(dir.path(), PaperSettings::default(), clock).unwrap();
    let gate = desk.gate(Some(&hash_pin(PIN).unwrap())).unwrap();
    let outbox = Arc::new(crate::common::outbox(dir.path()));
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()).with_outbox(outbox.clone()),
    );
    kiosk.with_staff(StaffServices::new(desk.clone(), gate, outbox));
    let app = window.global::<AppState>();

    for portrait in [false, true] {
        let (w, h) = if portrait {
            (1080.0, 1920.0)
        } else {
            (1920.0, 1080.0)
        };
        window.window().set_size(slint::LogicalSize::new(w, h));
        kiosk.set_portrait(portrait);
        for elderly in [false, true] {
            for (screen, drive) in pages() {
                kiosk.update(|c| {
                    c.wipe();
                    if elderly {
                        c.toggle_elderly();
                    }
                    drive(c);
                });
                settle();
                let at = format!("{screen} (portrait {portrait}, elderly {elderly})");
                assert_eq!(kiosk.controller().page().label(), screen, "{at}");
                let button = find(&window, "呼叫工作人员");
                let (p, size) = (button.absolute_position(), button.size());
                assert!(
                    p.x >= 0.0 && p.y >= 0.0 && p.x + size.width <= w && p.y + size.height <= h,
                    "{at}: the button leaves the screen: {p:?} {size:?}"
                );
                assert!(size.height >= 60.0, "{at}: a target, not a label");
            }
        }
    }
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    kiosk.set_portrait(false);

    // A tap on the form page: recorded with its screen, answered on screen.
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, "B01");
        c.apply();
    });
    settle();
    assert!(desk.help_requests().unwrap().is_empty());
    tap(&window, "呼叫工作人员");
    settle();
    assert_eq!(app.get_help_message(), STAFF_COMING);
    assert!(find(&window, STAFF_COMING).accessible_label().is_some());
    let calls = desk.help_requests().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].screen, "填写申请表");
    tap(&window, "知道了");
    settle();
    assert_eq!(app.get_help_message(), "");
    assert_eq!(
        kiosk.controller().page().label(),
        "填写申请表",
        "the visit goes on where it was"
    );

    // Staff: the call is on the staff screen; 已到场处理呼叫 answers it.
    kiosk.update(|c| c.wipe());
    let staff = window.global::<StaffState>();
    for _ in 0..GESTURE_TAPS {
        staff.invoke_corner_tap();
    }
    settle();
    assert!(
        ElementHandle::find_by_accessible_label(&window, "呼叫工作人员")
            .next()
            .is_none(),
        "no help button on the staff PIN pad"
    );
    for d in PIN.chars() {
        staff.invoke_pin_key(d.to_string().into());
    }
    staff.invoke_pin_ok();
    settle();
    assert_eq!(app.get_page(), onevisit_ui::Page::Staff, "staff mode open");
    let alerts: Vec<String> = staff.get_alerts().iter().map(String::from).collect();
    assert!(
        alerts
            .iter()
            .any(|a| a.contains("在“填写申请表”页呼叫工作人员")),
        "{alerts:?}"
    );
    assert!(
        ElementHandle::find_by_accessible_label(&window, "呼叫工作人员")
            .next()
            .is_none(),
        "no help button in staff mode"
    );
    tap(&window, "已到场处理呼叫（1）");
    settle();
    assert!(desk.help_requests().unwrap().is_empty());
    assert_eq!(staff.get_message(), "已处理 1 个呼叫");
    assert_eq!(staff.get_help_calls(), 0);
}
