//! Headless UI: each typed field of every bundle's form opens the keyboard
//! its kind needs (digits for phones, letters and digits for a
//! shareholder's 证件号码, pinyin for names) under the field's own label,
//! not its group's; a field's problem shows once it is left, never while it
//! is typed; the page's problems banner counts down as they are fixed; and
//! the date picker's year steps by 1 and by 10, within the screen in
//! 长者模式 too; a tap on a date or a choice while the keyboard is up
//! closes it, so the picker is not hidden under it; and the 下面还有 hint
//! steps aside while the keyboard is up.
//! One event-loop test per file.

use crate::common::visit;

use i_slint_backend_testing::{ElementQuery, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::form::input::input_for;
use onevisit_core::form::kind::FieldKind;
use onevisit_core::form::merged::ShapeView;
use onevisit_ui::SessionController;
use onevisit_ui::{AppState, AppWindow, FormState, KeyboardState, Kiosk, Page, RowKind};
use slint::{ComponentHandle, Model};
use std::time::Duration;

use crate::ui;

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

fn text_on_screen(window: &AppWindow, needle: &str) -> bool {
    let needle = needle.to_string();
    ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(move |e| e.accessible_label().is_some_and(|l| l.contains(&needle)))
        .find_first()
        .is_some()
}

/// The kind of the field at `path` (`F06`, `F22#0#id_number`).
fn kind_of(kiosk: &Kiosk, path: &str) -> Option<FieldKind> {
    let c = kiosk.controller();
    let a = c.application()?;
    let mut parts = path.split('#');
    let id = parts.next()?;
    let sub = parts.nth(1);
    let field = a
        .form()
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.id == id)?;
    match (&field.shape, sub) {
        (ShapeView::Kind(k), None) => Some(k.clone()),
        (ShapeView::Records { fields, .. }, Some(sub)) => fields
            .iter()
            .find(|f| f.id == sub)
            .and_then(|f| match &f.shape {
                ShapeView::Kind(k) => Some(k.clone()),
                ShapeView::Records { .. } => None,
            }),
        _ => None,
    }
}

pub fn each_field_gets_its_keyboard_its_label_and_its_errors_in_time() {
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
    let mut checked = Vec::new();
    for b in Catalog::load_default().unwrap().bundles.iter() {
        checked.extend(keyboards_of(&window, &kiosk, b.code()));
    }
    // The ones the applicant met wrong before.
    let layout_of = |label: &str| {
        checked
            .iter()
            .find(|(l, _)| l.starts_with(label))
            .map(|(_, k)| k.as_str())
            .unwrap_or_else(|| panic!("no field {label} met"))
    };
    assert_eq!(layout_of("法定代表人（负责人）移动电话"), "数字");
    assert_eq!(layout_of("联系电话"), "数字");
    assert_eq!(layout_of("证件号码（自然人填身份证号"), "英文");
    assert_eq!(layout_of("主体名称"), "拼音");

    errors_wait_for_the_field_to_be_left(&window, &kiosk);
    years_step_by_one_and_by_ten(&window, &kiosk);
    a_picker_closes_the_keyboard(&window, &kiosk);
}

/// Every typed row of `code`'s form, page by page: the keyboard it opens
/// and the label it shows. Returns (label, layout name) of each.
fn keyboards_of(window: &AppWindow, kiosk: &Kiosk, code: &str) -> Vec<(String, String)> {
    let form = window.global::<FormState>();
    let keys = window.global::<KeyboardState>();
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, code);
        c.apply();
    });
    let mut met = Vec::new();
    while window.global::<AppState>().get_page() == Page::Form {
        // Lists get their records first, so their subfields are rows.
        kiosk.update(|c| {
            visit::fill_section(c);
        });
        let rows: Vec<_> = form
            .get_rows()
            .iter()
            .filter(|r| r.kind == RowKind::Field)
            .collect();
        for row in rows {
            let Some(kind) = kind_of(kiosk, &row.path) else {
                panic!("{code}: no field at {}", row.path)
            };
            form.invoke_edit(row.path.clone());
            settle();
            let at = format!("{code} {} ({})", row.label, row.path);
            match input_for(&kind) {
                Some((layout, _)) => {
                    assert!(keys.get_visible(), "{at}: no keyboard");
                    assert_eq!(keys.get_layout_name(), layout.label(), "{at}");
                    assert_eq!(keys.get_field_label(), row.label, "{at}: keyboard label");
                    met.push((row.label.to_string(), layout.label().to_string()));
                    ui::tap(window, "完成");
                }
                None => {
                    assert!(!keys.get_visible(), "{at}: a picker's field opened keys");
                    form.invoke_edit_done();
                }
            }
            settle();
        }
        let before = form.get_section();
        form.invoke_next();
        settle();
        assert!(
            window.global::<AppState>().get_page() != Page::Form || form.get_section() != before,
            "{code}: stuck on page {before}: {}",
            form.get_message()
        );
    }
    met
}

/// B01's 移动电话 typed key by key: no problem on screen while typing; the
/// problem once 完成 leaves it; 下一页 stops with the banner's count,
/// which changes to 已填好 as soon as the number is right.
fn errors_wait_for_the_field_to_be_left(window: &AppWindow, kiosk: &Kiosk) {
    let form = window.global::<FormState>();
    let keys = window.global::<KeyboardState>();
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, "B01");
        c.apply();
    });
    settle();
    let phone = form
        .get_rows()
        .iter()
        .find(|r| r.label.contains("移动电话"))
        .expect("the mobile field on B01's first page");
    form.invoke_edit(phone.path.clone());
    settle();
    let key_top = 1080.0 - keys.get_docked_height();
    let press = |k: &str| {
        let key = i_slint_backend_testing::ElementHandle::find_by_accessible_label(window, k)
            .find(|e| e.absolute_position().y >= key_top - 0.5)
            .unwrap_or_else(|| panic!("no key {k}"));
        key.mock_single_click(slint::platform::PointerEventButton::Left);
        settle();
    };
    for k in ["1", "3", "9"] {
        press(k);
        assert!(
            !text_on_screen(window, "11位"),
            "a problem shown while still typing"
        );
    }
    ui::tap(window, "完成");
    settle();
    assert!(text_on_screen(window, "11位"), "the problem once left");

    ui::tap(window, "下一页");
    settle();
    let count = form.get_message().to_string();
    assert!(count.contains("本页还有"), "{count}");
    assert!(text_on_screen(window, "本页还有"), "the banner on screen");
    form.invoke_edit(phone.path.clone());
    settle();
    for k in "03930001".chars() {
        press(&k.to_string());
    }
    ui::tap(window, "完成");
    settle();
    assert!(!text_on_screen(window, "11位"), "fixed: no problem left");
    assert_ne!(
        form.get_message().as_str(),
        count,
        "the banner follows the fix"
    );
    assert!(
        text_on_screen(window, "本页已填好") || !text_on_screen(window, &count),
        "the banner on screen follows: {}",
        form.get_message()
    );
}

/// B01's first date (a shareholder's 出资期限): the year picker's 10-year
/// buttons move the year by ten, the 1-year ones by one, and all of them
/// lie inside the window in both modes.
fn years_step_by_one_and_by_ten(window: &AppWindow, kiosk: &Kiosk) {
    let form = window.global::<FormState>();
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, "B01");
        c.apply();
    });
    settle();
    let date_row = loop {
        kiosk.update(|c| {
            visit::fill_section(c);
        });
        let date = form.get_rows().iter().find(|r| {
            r.kind == RowKind::Field && matches!(kind_of(kiosk, &r.path), Some(FieldKind::Date))
        });
        if let Some(row) = date {
            break row;
        }
        let before = form.get_section();
        form.invoke_next();
        settle();
        assert!(
            window.global::<AppState>().get_page() == Page::Form && form.get_section() != before,
            "B01 has no date field on its form"
        );
    };
    for elderly in [false, true] {
        window.global::<onevisit_ui::Theme>().set_elderly(elderly);
        form.invoke_edit(date_row.path.clone());
        settle();
        let year = form.get_date_start_year();
        for label in ["增加10年", "减少10年", "增加年", "减少年"] {
            let b = ui::find(window, label);
            let (p, size) = (b.absolute_position(), b.size());
            assert!(
                p.x >= 0.0
                    && p.y >= 0.0
                    && p.x + size.width <= 1920.5
                    && p.y + size.height <= 1080.5,
                "{label} outside the screen (长者模式 {elderly}): {p:?} {size:?}"
            );
        }
        ui::tap(window, "增加10年");
        settle();
        assert_eq!(form.get_date_start_year(), year + 10, "＋10");
        ui::tap(window, "减少年");
        settle();
        assert_eq!(form.get_date_start_year(), year + 9, "－1");
        ui::tap(window, "减少10年");
        ui::tap(window, "减少10年");
        settle();
        assert_eq!(form.get_date_start_year(), year - 11, "－10 twice");
        ui::tap(window, "完成");
        settle();
    }
    window.global::<onevisit_ui::Theme>().set_elderly(false);
}

/// B01 in 长者模式, page by page: on the first page whose list goes on
/// below, 下面还有 shows until the keyboard opens for a typed field, then
/// not (the room above the keyboard is the field's); on the first page with
/// a typed field and a date or a choice, a tap on the date or choice while
/// the keyboard is up closes the keyboard and shows its picker.
fn a_picker_closes_the_keyboard(window: &AppWindow, kiosk: &Kiosk) {
    let form = window.global::<FormState>();
    let keys = window.global::<KeyboardState>();
    window.global::<onevisit_ui::Theme>().set_elderly(true);
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, "B01");
        c.apply();
    });
    settle();
    let (mut hint_checked, mut picker_checked) = (false, false);
    while !(hint_checked && picker_checked) {
        kiosk.update(|c| {
            visit::fill_section(c);
        });
        settle();
        let rows: Vec<_> = form
            .get_rows()
            .iter()
            .filter(|r| r.kind == RowKind::Field)
            .collect();
        let typed = rows
            .iter()
            .find(|r| kind_of(kiosk, &r.path).is_some_and(|k| input_for(&k).is_some()));
        let picked = rows
            .iter()
            .find(|r| kind_of(kiosk, &r.path).is_some_and(|k| input_for(&k).is_none()));
        if let Some(typed) = typed {
            if !hint_checked && text_on_screen(window, "下面还有") {
                form.invoke_edit(typed.path.clone());
                settle();
                assert!(keys.get_visible(), "{}: keyboard", typed.label);
                assert!(
                    !text_on_screen(window, "下面还有"),
                    "the hint covers the room above the keyboard"
                );
                ui::tap(window, "完成");
                settle();
                hint_checked = true;
            }
            if let (false, Some(picked)) = (picker_checked, picked) {
                form.invoke_edit(typed.path.clone());
                settle();
                assert!(keys.get_visible(), "{}: keyboard", typed.label);
                form.invoke_edit(picked.path.clone());
                settle();
                assert!(
                    !keys.get_visible(),
                    "{} left the keyboard over its picker",
                    picked.label
                );
                assert!(
                    form.get_date_visible() || form.get_picker_visible(),
                    "{}: no picker",
                    picked.label
                );
                form.invoke_edit_done();
                settle();
                picker_checked = true;
            }
        }
        let before = form.get_section();
        form.invoke_next();
        settle();
        assert!(
            hint_checked && picker_checked
                || window.global::<AppState>().get_page() == Page::Form
                    && form.get_section() != before,
            "B01's form ended: hint checked {hint_checked}, picker checked {picker_checked}"
        );
    }
    window.global::<onevisit_ui::Theme>().set_elderly(false);
}
