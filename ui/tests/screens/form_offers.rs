//! Headless UI: the form's one-tap offers (issue 18). On a B01 visit with
//! the card read, 住所 offers the card's address, 经营场所 then offers
//! 住所, and 登记联络员 offers 同申请人, each a button on the row that
//! fills the value in one tap; 办理方式 本人办理 keeps 委托代理人 off the page.

use crate::common::visit;

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::visit::application::FieldPath;
use onevisit_ui::{AppWindow, FormState, Kiosk, SessionController};
use slint::{ComponentHandle, Model};
use std::time::Duration;

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

fn tap(window: &AppWindow, label: &str) {
    settle();
    let button = ElementHandle::find_by_accessible_label(window, label)
        .next()
        .unwrap_or_else(|| panic!("no button {label:?} on the page"));
    button.invoke_accessible_default_action();
    settle();
}

fn value_of(form: &FormState, path: &str) -> String {
    form.get_rows()
        .iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("no row {path}"))
        .value
        .to_string()
}

/// Goes on to the section holding `field`, filling what blocks the way.
fn go_to_section_of(kiosk: &std::rc::Rc<Kiosk>, field: &str) {
    for _ in 0..10 {
        let here = {
            let c = kiosk.controller();
            let a = c.application().unwrap();
            a.form().sections[a.section_index()]
                .fields
                .iter()
                .any(|f| f.id == field)
        };
        if here {
            return;
        }
        kiosk.update(|c| {
            visit::fill_section(c);
            c.form_next();
        });
    }
    panic!("no section holds {field}");
}

pub fn one_tap_offers_fill_the_card_s_address_the_same_address_and_same_as_applicant() {
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
    kiosk.update(|c| {
        visit::to_notice(c, "B01");
        c.apply();
        c.set_field(&FieldPath::scalar("F06"), "13903930001");
    });
    let card = kiosk
        .controller()
        .application()
        .unwrap()
        .applicant()
        .card
        .clone()
        .unwrap();
    let card_address = card.address.clone().unwrap();
    let form = window.global::<FormState>();

    go_to_section_of(&kiosk, "F07");
    assert_eq!(value_of(&form, "F07"), "");
    tap(&window, "一键填写：用身份证上的地址");
    assert_eq!(value_of(&form, "F07"), card_address);
    // The offer goes once the field holds a value.
    assert!(
        ElementHandle::find_by_accessible_label(&window, "一键填写：用身份证上的地址")
            .next()
            .is_none()
    );

    go_to_section_of(&kiosk, "F08");
    tap(&window, "一键填写：同住所（注册地址）");
    assert_eq!(value_of(&form, "F08"), card_address);

    go_to_section_of(&kiosk, "F22");
    tap(&window, "一键填写：同申请人（本人做联络员）");
    let name = value_of(&form, "F22#0#name");
    assert_eq!(name, card.name);
    assert_eq!(value_of(&form, "F22#0#mobile"), "13903930001");
    // 本人办理 in one tap; the agent's record never shows.
    tap(&window, "一键填写：本人办理");
    assert!(
        form.get_rows()
            .iter()
            .all(|r| r.list != "F13" && !r.path.starts_with("F13"))
    );
    kiosk.update(|c| c.set_field(&FieldPath::scalar("by_agent"), "agent"));
    settle();
    assert!(
        form.get_rows()
            .iter()
            .any(|r| r.list == "F13" || r.path.starts_with("F13"))
    );
}
