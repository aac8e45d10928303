//! One staff window: kiosk.toml's `staff_window` is the window every
//! sentence names — the notice on screen and on paper, the receipt, the
//! done page, the progress answer, the out-of-service screen and the
//! outbox-full message. Before, "综合受理窗口" was written into four
//! modules and the catalog's window into two others.

use crate::common::{self, visit};
use onevisit_core::catalog::Catalog;
use onevisit_core::outbox::OutboxError;
use onevisit_core::print::DocumentKind;
use onevisit_core::progress::{ProgressQuery, item_names};
use onevisit_core::staff::{ManualClock, StaffWindow};
use onevisit_core::visit::session::{Page, SessionController};
use std::sync::Arc;

fn document_text(doc: &onevisit_core::print::Document) -> String {
    serde_json::to_string(doc).unwrap()
}

#[test]
fn the_configured_window_is_named_on_screen_notice_receipt_and_progress() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(common::outbox(dir.path()));
    let mut c = SessionController::new(Catalog::load_default().unwrap())
        .with_outbox(outbox.clone())
        .with_staff_window(Some(StaffWindow::new("7")));
    let window = c.catalog().staff_window();
    assert_eq!(window.name(), "7号窗口");

    visit::to_notice(&mut c, "B01");
    // The notice on screen.
    assert_eq!(c.notice().unwrap().combined_window, "7号窗口");
    // The notice on paper.
    c.print_notice();
    let notice = c.take_print_jobs();
    assert_eq!(notice[0].kind, DocumentKind::Notice);
    assert!(document_text(&notice[0].document).contains("“7号窗口”"));

    visit::fill_form(&mut c);
    c.materials_next();
    c.toggle_declaration();
    c.submit();
    assert_eq!(c.page(), Page::Done, "{:?}", c.message());
    let done = c.done().unwrap().clone();
    assert!(done.window.ends_with("“7号窗口”"), "{}", done.window);
    let jobs = c.take_print_jobs();
    let receipt = jobs
        .iter()
        .find(|j| j.kind == DocumentKind::Receipt)
        .unwrap();
    let receipt_text = document_text(&receipt.document);
    assert!(receipt_text.contains("“7号窗口”"), "{receipt_text}");
    assert!(
        !receipt_text.contains("1号窗口"),
        "the catalog's window is replaced"
    );

    // The progress answer, built from the same catalog as the wiring does.
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let query = ProgressQuery::new(outbox.clone(), None, item_names(c.catalog()), clock)
        .with_staff_window(c.catalog().staff_window());
    let answer = query.query(&done.receipt, "0000");
    assert!(
        answer.message().contains("到7号窗口查询"),
        "{}",
        answer.message()
    );

    // The out-of-service screen and the outbox-full message.
    let desk = common::desk(dir.path(), Arc::new(ManualClock::new(1_800_000_000_000)));
    desk.set_out_of_service(window.as_configured()).unwrap();
    assert_eq!(
        desk.service_block(&outbox, &window).unwrap().as_deref(),
        Some("暂停服务，请到7号窗口办理")
    );
    let full = OutboxError::Full("disk full".into()).user_message(&window);
    assert!(full.contains("到7号窗口由工作人员办理"), "{full}");
}

#[test]
fn without_a_configured_window_the_catalog_names_it_everywhere() {
    let catalog = Catalog::load_default().unwrap();
    let window = catalog.staff_window();
    assert_eq!(window.name(), catalog.meta.combined_window);
    let c = SessionController::new(catalog.clone()).with_staff_window(None);
    assert_eq!(c.catalog().staff_window(), window);
    // A catalog update keeps the kiosk's own window.
    let mut c = SessionController::new(catalog.clone())
        .with_staff_window(Some(StaffWindow::new("综合受理")));
    assert!(c.replace_catalog(Catalog::load_default().unwrap()));
    assert_eq!(c.catalog().staff_window().name(), "综合受理窗口");
}
