//! Headless Slint: every bundle's visit through the UI's own callbacks
//! (the ones its buttons call) from the card to the done page: the card
//! is placed on the simulated SAM reader and read by the kiosk's own
//! device wiring (`start_devices`; its events handed to the kiosk on this
//! thread, as `post` does on a kiosk), values put in through the
//! controller as the keyboard and pickers would; asserts
//! the outbox entry, the printed receipt, what the screen shows, and that
//! nothing personal stays in any global once the visit is over. One
//! event-loop test per file (the backend is process-wide).

use crate::common::visit;

use crate::common::sample_card;
use onevisit::wiring::services::{DeviceOpeners, DeviceSinks, serial, start_devices};
use onevisit_core::catalog::Catalog;
use onevisit_core::outbox::Outbox;
use onevisit_core::print::{DocumentKind, StoredJob};
use onevisit_core::visit::session::Page as CPage;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::sam::ReaderEvent;
use onevisit_drivers::sim::sam::{SamSimulator, SimOptions, TestCard};
use onevisit_ui::{
    AppState, AppWindow, ApplyState, BundleState, CardState, DoneState, FormState, KeyboardState,
    Kiosk, OutcomeState, Page, QuestionState, SessionController,
};
use slint::{ComponentHandle, Model};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// Time passes second by second, as the kiosk's 1 s idle timer sees it.
fn seconds(n: u64) {
    for _ in 0..n {
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
    }
}

/// Hands the reader's events to the kiosk until one matches `wanted`.
fn deliver_until(kiosk: &Kiosk, events: &Receiver<ReaderEvent>, wanted: fn(&ReaderEvent) -> bool) {
    loop {
        let e = events
            .recv_timeout(Duration::from_secs(20))
            .expect("the reader reports within 20 s");
        let done = wanted(&e);
        kiosk.reader_event(e);
        if done {
            return;
        }
    }
}

fn strings<M: Model<Data = slint::SharedString>>(m: &M) -> Vec<String> {
    m.iter().map(|s| s.to_string()).collect()
}

/// Every string the applying globals hold, for the wipe check.
fn personal_strings(w: &AppWindow) -> String {
    let f = w.global::<FormState>();
    let a = w.global::<ApplyState>();
    let d = w.global::<DoneState>();
    let k = w.global::<KeyboardState>();
    let mut all = vec![
        d.get_receipt().to_string(),
        k.get_text().to_string(),
        k.get_compose().to_string(),
        w.global::<CardState>().get_greeting_name().to_string(),
    ];
    all.extend(
        f.get_rows()
            .iter()
            .map(|r| format!("{} {}", r.label, r.value)),
    );
    all.extend(
        a.get_review()
            .iter()
            .map(|r| format!("{} {}", r.label, r.value)),
    );
    all.extend(strings(&d.get_next_steps()));
    all.join("|")
}

pub fn every_bundle_through_the_ui_to_a_printed_receipt_then_nothing_stays() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox =
        Arc::new(Outbox::open(&dir.path().join("o.sqlite3"), "K0101", &[3u8; 32]).unwrap());
    let catalog = Catalog::load_default().unwrap();
    let codes: Vec<String> = catalog
        .bundles
        .iter()
        .map(|b| b.code().to_string())
        .collect();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(catalog).with_outbox(outbox.clone()),
    );
    let printed: Rc<RefCell<Vec<StoredJob>>> = Rc::default();
    let sink = printed.clone();
    kiosk.set_print_handler(move |jobs| sink.borrow_mut().extend(jobs));
    let app = window.global::<AppState>();

    // The simulated SAM reader, supervised as on a kiosk.
    let sam = SamSimulator::start(SimOptions::default()).unwrap();
    let (reader_tx, reader_rx) = std::sync::mpsc::channel();
    let _devices = start_devices(
        DeviceOpeners {
            reader: Some(serial(sam.path(), 115_200)),
            scanner: None,
            printer: None,
            camera: None,
            paper: PaperWidth::Mm80,
            reader_poll: Duration::from_millis(100),
        },
        DeviceSinks {
            reader: Box::new(move |e| reader_tx.send(e).is_ok()),
            scanned: Box::new(|_| true),
            health: Box::new(|_| true),
        },
    )
    .unwrap();

    // The platform is down: the banner says the case waits on this kiosk.
    kiosk.set_offline(true);
    assert!(app.get_offline());

    for code in &codes {
        printed.borrow_mut().clear();
        sam.control().place(TestCard::Resident);
        deliver_until(&kiosk, &reader_rx, |e| {
            matches!(e, ReaderEvent::CardPlaced(_))
        });
        assert_eq!(app.get_page(), Page::CardRead, "{code}");
        window.global::<CardState>().invoke_consent();
        window.global::<BundleState>().invoke_choose(code.into());
        let q = window.global::<QuestionState>();
        while app.get_page() == Page::Questionnaire {
            let selected = q.get_options().iter().find(|o| o.selected).unwrap().id;
            q.invoke_answer(selected);
        }
        assert_eq!(app.get_page(), Page::Notice, "{code}");
        window.global::<OutcomeState>().invoke_apply();
        assert_eq!(app.get_page(), Page::Form);
        let form = window.global::<FormState>();

        // The first page refuses to go on while required fields are empty,
        // and says so under the fields.
        if kiosk
            .controller()
            .application()
            .unwrap()
            .all_errors()
            .iter()
            .any(|e| {
                let a = kiosk.controller();
                let s = &a.application().unwrap().form().sections[0];
                s.fields.iter().any(|f| f.id == e.field)
            })
        {
            form.invoke_next();
            assert!(form.get_message().contains("需要填写或修改"), "{code}");
            assert!(
                form.get_rows().iter().any(|r| !r.error.is_empty()),
                "{code}"
            );
        }
        for _ in 0..20 {
            if app.get_page() != Page::Form {
                break;
            }
            kiosk.update(|c| {
                visit::fill_section(c);
            });
            assert!(form.get_rows().iter().all(|r| r.error.is_empty()), "{code}");
            form.invoke_next();
        }
        assert_eq!(
            app.get_page(),
            Page::Materials,
            "{code}: {}",
            form.get_message()
        );
        let apply = window.global::<ApplyState>();
        assert!(apply.get_materials().row_count() > 0);
        apply.invoke_materials_next();
        assert_eq!(app.get_page(), Page::Review);
        assert!(apply.get_review().row_count() > 0);
        apply.invoke_submit();
        assert_eq!(app.get_page(), Page::Review, "the declaration comes first");
        assert!(apply.get_message().contains("本人承诺"));
        apply.invoke_toggle_declaration();
        apply.invoke_submit();
        assert_eq!(
            app.get_page(),
            Page::Done,
            "{code}: {}",
            apply.get_message()
        );

        let done = window.global::<DoneState>();
        let receipt = done.get_receipt().to_string();
        let view = outbox.lookup(&receipt).unwrap().expect("in the outbox");
        assert_eq!(&view.bundle, code);
        let jobs = printed.borrow().clone();
        assert_eq!(jobs[0].kind, DocumentKind::Receipt);
        assert_eq!(jobs[0].key, receipt);
        assert!(
            serde_json::to_string(&jobs[0].document)
                .unwrap()
                .contains(&receipt)
        );

        // Out of paper: the number stays, and the page says what to do.
        kiosk.print_finished(Err(onevisit_core::visit::PrintFailure::PaperOut));
        assert!(done.get_print_failed());
        assert!(done.get_print_status().contains("补打"));

        done.invoke_rate(2);
        assert!(done.get_ask_reason());
        done.invoke_reason("设备故障".into());
        done.invoke_send_rating();
        assert!(done.get_rated(), "{code}: {}", done.get_message());

        // 45 s later the kiosk is back on the welcome page, empty.
        seconds(46);
        sam.control().remove();
        deliver_until(&kiosk, &reader_rx, |e| {
            matches!(e, ReaderEvent::CardRemoved)
        });
        assert_eq!(kiosk.controller().page(), CPage::Welcome, "{code}");
        assert_eq!(app.get_page(), Page::Welcome);
        let left = personal_strings(&window);
        assert!(
            left.replace('|', "").trim().is_empty(),
            "{code}: left on screen: {left}"
        );
    }
    assert_eq!(outbox.receipts().unwrap().len(), codes.len());

    // The keyboard types into a field and is gone after an idle wipe.
    kiosk.update(|c| {
        c.card_placed(sample_card());
        c.consent();
        c.choose_bundle("B01");
        while let Some((_, s, _)) = c.question() {
            c.answer(&s);
        }
        c.apply();
    });
    let typed_field = kiosk.controller().application().unwrap().form().sections[0]
        .fields
        .iter()
        .find(|f| {
            f.prefilled.is_none()
                && matches!(
                    f.shape,
                    onevisit_core::form::merged::ShapeView::Kind(
                        onevisit_core::form::kind::FieldKind::Mobile
                    )
                )
        })
        .map(|f| f.id.clone());
    if let Some(id) = typed_field {
        window.global::<FormState>().invoke_edit(id.clone().into());
        let keys = window.global::<KeyboardState>();
        assert!(keys.get_visible());
        for d in "13903930001".chars() {
            keys.invoke_key(d.to_string().into());
        }
        let text = kiosk
            .controller()
            .application()
            .unwrap()
            .text(&onevisit_core::visit::application::FieldPath::scalar(&id));
        assert_eq!(text, "13903930001");
    }
    seconds(80);
    assert_eq!(app.get_page(), Page::Welcome);
    assert!(!window.global::<KeyboardState>().get_visible());
    let left = personal_strings(&window);
    assert!(left.replace('|', "").trim().is_empty(), "left: {left}");
}
