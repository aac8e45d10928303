//! Headless UI: every page of the merged form carries its own section's
//! heading (not the previous one's), opens at its top with the heading
//! wholly in view even when the page before was scrolled down, and in
//! 长者模式 (landscape and portrait) the heading and the page number never
//! overlap. One event-loop test per file.

use crate::common::visit;

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_ui::{AppState, AppWindow, FormState, Kiosk, Page, SessionController, Theme};
use slint::{ComponentHandle, Model};
use std::time::Duration;

use crate::ui;

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

/// The on-screen box (x, y, w, h) of the one element labelled `label`;
/// fails when it is missing or drawn more than once.
fn only_box(window: &AppWindow, label: &str, what: &str) -> (f32, f32, f32, f32) {
    let found: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(window, label)
        .filter(|e| e.size().height > 0.0)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{what}: {label:?} drawn {} times",
        found.len()
    );
    let (p, s) = (found[0].absolute_position(), found[0].size());
    (p.x, p.y, s.width, s.height)
}

fn overlap(a: (f32, f32, f32, f32), b: (f32, f32, f32, f32)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

pub fn each_form_page_has_its_own_heading_at_its_top() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()),
    );
    for (elderly, portrait) in [(false, false), (true, false), (true, true)] {
        let (w, h) = if portrait {
            (1080.0, 1920.0)
        } else {
            (1920.0, 1080.0)
        };
        kiosk.set_portrait(portrait);
        window.window().set_size(slint::LogicalSize::new(w, h));
        window.global::<Theme>().set_elderly(elderly);
        for code in ["B01", "B07"] {
            walk_pages(&window, &kiosk, code, (w, h), elderly);
        }
    }
}

/// Pages through `code`'s form by its 下一页 button, scrolling each page
/// down first as a reader would, and checks each page's heading.
fn walk_pages(window: &AppWindow, kiosk: &Kiosk, code: &str, size: (f32, f32), elderly: bool) {
    let mode = format!(
        "{code} {} {}",
        if elderly { "长者模式" } else { "标准" },
        if size.0 < size.1 { "竖屏" } else { "横屏" }
    );
    let form = window.global::<FormState>();
    kiosk.update(|c| {
        c.wipe();
        visit::to_notice(c, code);
        c.apply();
    });
    let sections: Vec<(String, Vec<String>)> = {
        let c = kiosk.controller();
        let a = c.application().unwrap();
        a.form()
            .sections
            .iter()
            .map(|s| {
                let ids = s.fields.iter().map(|f| f.id.to_string()).collect();
                (s.title.to_string(), ids)
            })
            .collect()
    };
    let mut seen = 0;
    while window.global::<AppState>().get_page() == Page::Form {
        settle();
        let index = kiosk.controller().application().unwrap().section_index();
        let (title, ids) = &sections[index];
        let at = format!("{mode}, page {}", index + 1);

        // The rows shown belong to the section the heading names.
        let rows: Vec<_> = form.get_rows().iter().collect();
        assert!(!rows.is_empty(), "{at}: no rows");
        for r in &rows {
            let field = r.path.split('#').next().unwrap_or_default();
            assert!(
                field.is_empty() || ids.iter().any(|id| id == field),
                "{at}: row {} ({}) is not of section {title}",
                r.label,
                r.path
            );
        }
        assert_eq!(form.get_section_title(), title.as_str(), "{at}");

        // Drawn once, wholly on screen, clear of the page number; no other
        // section's heading on screen.
        let heading = only_box(window, title, &at);
        assert!(heading.1 >= 0.0, "{at}: heading starts above the screen");
        let number = format!("第 {} 页 / 共 {} 页", index + 1, sections.len());
        let number_box = only_box(window, &number, &at);
        assert!(
            !overlap(heading, number_box),
            "{at}: heading {heading:?} and page number {number_box:?} overlap"
        );
        assert!(
            heading.0 + heading.2 <= size.0 + 0.5 && number_box.0 + number_box.2 <= size.0 + 0.5,
            "{at}: heading or page number runs off the screen"
        );
        for (other, _) in sections.iter().filter(|(t, _)| t != title) {
            let drawn = ElementHandle::find_by_accessible_label(window, other)
                .filter(|e| e.size().height > 0.0)
                .count();
            assert_eq!(drawn, 0, "{at}: heading {other:?} of another page shown");
        }

        // Opened at the top: the first row starts just below the heading.
        assert_eq!(form.get_scroll_y(), 0.0, "{at}: page opened scrolled");
        let first = ElementHandle::find_by_accessible_label(window, &rows[0].label)
            .find(|e| e.size().height > 0.0)
            .unwrap_or_else(|| panic!("{at}: first row {} not in view", rows[0].label));
        assert!(
            first.absolute_position().y >= heading.1 + heading.3,
            "{at}: first row drawn over the heading"
        );

        // Read on: scroll down, fill the page, go on by the button.
        form.set_scroll_y(-400.0);
        settle();
        kiosk.update(|c| {
            visit::fill_section(c);
        });
        ui::tap(
            window,
            if index + 1 < sections.len() {
                "下一页"
            } else {
                "下一步：材料"
            },
        );
        settle();
        seen += 1;
        assert!(seen <= sections.len(), "{mode}: stuck on the form");
    }
    assert_eq!(seen, sections.len(), "{mode}: every page walked");
    assert_eq!(window.global::<AppState>().get_page(), Page::Materials);
}
