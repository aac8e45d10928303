//! Headless Slint: 办件查询 through the UI's own callbacks and the
//! on-screen keyboard, against the reference platform on loopback and
//! against the kiosk's own outbox when offline; a wrong last-4 is "not
//! found"; a scanned receipt QR fills the number; the idle wipe leaves
//! nothing of the query in any global; a late answer is dropped. One
//! event-loop test per file.

use crate::common::*;
use onevisit_core::catalog::Catalog;
use onevisit_core::outbox::now_ms;
use onevisit_core::progress::{ProgressQuery, item_names, not_found};
use onevisit_core::staff::StaffWindow;
use onevisit_core::staff::{ManualClock, PaperSettings, StaffDesk};
use onevisit_core::visit::session::Page as CPage;
use onevisit_core::visit::staff_mode::TextField;
use onevisit_ui::{
    AppState, AppWindow, KeyboardState, Kiosk, Page, ProgressState, SessionController,
    StaffServices,
};
use slint::{ComponentHandle, Model};
use std::sync::Arc;
use std::time::Duration;

fn seconds(n: u64) {
    for _ in 0..n {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
}

fn staff_services(
    dir: &std::path::Path,
    outbox: &Arc<onevisit_core::outbox::Outbox>,
    query: ProgressQuery,
) -> StaffServices {
    let clock = Arc::new(ManualClock::new(now_ms()));
    let desk = StaffDesk::open(dir, PaperSettings::default(), clock).unwrap();
    let gate = desk.gate(None).unwrap();
    StaffServices::new(desk, gate, outbox.clone()).with_query(Arc::new(query))
}

/// Taps a field and types `text` on the keyboard, then 完成.
fn type_into(window: &AppWindow, field: &str, text: &str) {
    let p = window.global::<ProgressState>();
    p.invoke_edit(field.into());
    let keys = window.global::<KeyboardState>();
    assert!(keys.get_visible(), "keyboard for {field}");
    assert_eq!(p.get_editing(), field);
    keys.invoke_clear();
    for ch in text.chars() {
        keys.invoke_key(ch.to_ascii_lowercase().to_string().into());
    }
    keys.invoke_done();
    assert!(!keys.get_visible());
}

/// Every string the query globals hold.
fn query_strings(window: &AppWindow) -> String {
    let p = window.global::<ProgressState>();
    let k = window.global::<KeyboardState>();
    let mut all = vec![
        p.get_receipt().to_string(),
        p.get_last4().to_string(),
        p.get_message().to_string(),
        p.get_answer_receipt().to_string(),
        p.get_headline().to_string(),
        p.get_note().to_string(),
        p.get_source().to_string(),
        k.get_text().to_string(),
    ];
    all.extend(
        p.get_items()
            .iter()
            .map(|i| format!("{}{}{}", i.name, i.status, i.since)),
    );
    all.concat()
}

pub fn progress_query_online_offline_scanned_and_wiped() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let ob = Arc::new(outbox(dir.path()));
    let sent = ob.enqueue(&mut example(), &[]).unwrap();
    let rt = rt();
    drain(&rt, &uplink(ob.clone(), &srv.url()), 30);
    drop(rt);
    let waiting = ob.enqueue(&mut example(), &[]).unwrap();

    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()).with_outbox(ob.clone()),
    );
    kiosk.set_query_inline(true);
    let online = ProgressQuery::new(
        ob.clone(),
        Some(status_lookup(&srv.url(), Duration::from_secs(3))),
        item_names(catalog()),
        Arc::new(ManualClock::new(now_ms())),
    );
    kiosk.with_staff(staff_services(dir.path(), &ob, online));
    let app = window.global::<AppState>();
    let p = window.global::<ProgressState>();

    // Welcome → 办件查询; the keyboards: 英文 for the number, ID for the four.
    p.invoke_open();
    assert_eq!(app.get_page(), Page::Query);
    p.invoke_submit();
    assert!(p.get_message().contains("受理编号"), "{}", p.get_message());
    p.invoke_edit("last4".into());
    assert_eq!(
        window.global::<KeyboardState>().get_layout_name(),
        "证件号码"
    );
    type_into(&window, "receipt", &sent);
    assert_eq!(p.get_receipt().to_ascii_uppercase(), sent);
    p.invoke_submit();
    assert!(p.get_message().contains("后四位"), "{}", p.get_message());
    type_into(&window, "last4", "0026");
    assert_eq!(p.get_last4(), "0026");
    p.invoke_submit();
    assert_eq!(app.get_page(), Page::QueryResult, "{}", p.get_message());
    assert_eq!(p.get_answer_receipt(), sent);
    assert_eq!(p.get_headline(), "办理中");
    assert!(p.get_source().contains("政务服务平台"));
    let items: Vec<_> = p.get_items().iter().collect();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i.status == "已受理" && i.since.starts_with("自 ")),
        "{items:?}"
    );
    let want = item_names(catalog())["company_registration"].clone();
    assert!(items.iter().any(|i| i.name == want));
    // Nothing personal on the answer page.
    let shown = query_strings(&window);
    for secret in ["张晓梅", "410902198503120026", "0026"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    p.invoke_home();
    assert_eq!(app.get_page(), Page::Welcome);
    assert!(query_strings(&window).is_empty());

    // A wrong last-4 gets the unknown receipt's answer and stays.
    p.invoke_open();
    type_into(&window, "receipt", &sent);
    type_into(&window, "last4", "0027");
    p.invoke_submit();
    assert_eq!(app.get_page(), Page::Query);
    assert_eq!(p.get_message(), not_found(&StaffWindow::default()));
    assert!(p.get_last4().is_empty(), "the wrong four are not kept");

    // The receipt's QR code, scanned on this page, fills the number.
    kiosk.scanned("http://example.com/not-a-receipt");
    assert!(p.get_message().contains("不是受理回执"));
    kiosk.scanned(&onevisit_core::print::qr_payload::receipt_payload(&waiting));
    assert_eq!(p.get_receipt(), waiting);
    type_into(&window, "last4", "0026");
    p.invoke_submit();
    // Not sent yet: the kiosk's own record.
    assert_eq!(app.get_page(), Page::QueryResult, "{}", p.get_message());
    assert_eq!(p.get_headline(), "已保存在本机，尚未提交");
    assert!(p.get_source().contains("本机记录"));
    p.invoke_home();

    // Platform down: the sent case is answered from the outbox.
    srv.stop();
    let down = format!("http://127.0.0.1:{}/", free_port());
    let offline = ProgressQuery::new(
        ob.clone(),
        Some(status_lookup(&down, Duration::from_secs(2))),
        item_names(catalog()),
        Arc::new(ManualClock::new(now_ms())),
    );
    kiosk.with_staff(staff_services(dir.path(), &ob, offline));
    p.invoke_open();
    type_into(&window, "receipt", &sent);
    type_into(&window, "last4", "0026");
    p.invoke_submit();
    assert_eq!(app.get_page(), Page::QueryResult, "{}", p.get_message());
    assert_eq!(p.get_headline(), "已提交");
    assert!(p.get_note().contains("暂时无法连接"));
    p.invoke_home();

    // The idle timeout wipes a half-typed query, keyboard and all.
    p.invoke_open();
    type_into(&window, "receipt", &sent);
    p.invoke_edit("last4".into());
    window.global::<KeyboardState>().invoke_key("0".into());
    assert_eq!(p.get_last4(), "0");
    seconds(59);
    assert_eq!(app.get_page(), Page::Query);
    seconds(21);
    assert_eq!(app.get_page(), Page::Welcome);
    assert!(app.get_wiped_for_idle());
    assert!(!window.global::<KeyboardState>().get_visible());
    assert!(
        query_strings(&window).is_empty(),
        "{}",
        query_strings(&window)
    );
    assert!(kiosk.controller().staff().query().receipt.is_empty());

    // An answer that arrives after the page was wiped is dropped.
    kiosk.update(|c| {
        c.query_open();
        c.query_edit(TextField::QueryReceipt);
        c.typing_done(&sent);
        c.query_edit(TextField::QueryLast4);
        c.typing_done("0026");
        c.query_submit();
    });
    let mut taken = None;
    kiosk.update(|c| taken = c.take_query());
    let (pending, _) = taken.expect("a query to run");
    kiosk.update(SessionController::wipe);
    kiosk.query_answered(
        pending.ticket,
        onevisit_core::progress::ProgressAnswer::NotFound {
            message: not_found(&StaffWindow::default()),
        },
    );
    assert_eq!(kiosk.controller().page(), CPage::Welcome);
    assert!(query_strings(&window).is_empty());
}
