//! Headless UI: an abandoned visit asks "还在吗？", then is wiped from the
//! controller AND from every Slint property and model. Mock time drives the
//! kiosk's idle timer. One event-loop test per file.

use crate::common::{B01_ANSWERS, sample_card};
use i_slint_backend_testing::{ElementQuery, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::visit::session::CardState as Card;
use onevisit_ui::{
    AppState, AppWindow, CardState, CardView, Kiosk, OutcomeState, Page, QuestionState,
    SessionController, Theme,
};
use slint::{ComponentHandle, Model};
use std::time::Duration;

fn seconds(n: u64) {
    for _ in 0..n {
        mock_elapsed_time(Duration::from_secs(1));
    }
}

/// Every label in the element tree: what the screen shows.
fn labels(window: &AppWindow) -> Vec<String> {
    ElementQuery::from_root(window)
        .match_descendants()
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .filter(|l| !l.is_empty())
        .collect()
}

pub fn idle_prompt_then_wipe_leaves_no_personal_data_anywhere() {
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
    let card = sample_card();
    kiosk.update(|c| {
        c.card_placed(card.clone());
        c.consent();
        c.toggle_elderly();
        c.choose_bundle("B01");
        B01_ANSWERS.iter().for_each(|a| c.answer(a));
    });
    let app = window.global::<AppState>();
    let o = window.global::<OutcomeState>();
    assert_eq!(app.get_page(), Page::Notice);
    assert!(o.get_items().row_count() > 0);
    assert!(!window.global::<CardState>().get_greeting_name().is_empty());

    // 59 s: nothing; 60 s: "还在吗？" with 20 s to go.
    seconds(59);
    assert!(!app.get_idle_prompt());
    seconds(1);
    assert!(app.get_idle_prompt());
    assert_eq!(app.get_idle_seconds(), 20);
    assert!(labels(&window).iter().any(|l| l.contains("您还在吗")));
    // "我还在" keeps the visit.
    ElementQuery::from_root(&window)
        .match_descendants()
        .match_predicate(|e| e.accessible_label().as_deref() == Some("我还在，继续办理"))
        .find_first()
        .expect("the still-here button")
        .invoke_accessible_default_action();
    assert!(!app.get_idle_prompt());
    assert_eq!(app.get_page(), Page::Notice);

    // A tap that no control takes (here the page header's title) also
    // means someone is there: 50 s + 20 s later there is still no prompt.
    seconds(50);
    let at = slint::LogicalPosition::new(960.0, 48.0);
    let button = slint::platform::PointerEventButton::Left;
    let w = window.window();
    w.dispatch_event(slint::platform::WindowEvent::PointerPressed {
        position: at,
        button,
    });
    w.dispatch_event(slint::platform::WindowEvent::PointerReleased {
        position: at,
        button,
    });
    seconds(20);
    assert!(!app.get_idle_prompt(), "a bare tap resets the idle clock");
    assert_eq!(app.get_page(), Page::Notice, "and does nothing else");
    app.invoke_still_here();

    // Now nobody answers: 60 s + 20 s.
    seconds(79);
    assert!(app.get_idle_prompt());
    assert_eq!(app.get_idle_seconds(), 1);
    seconds(1);

    // The controller has forgotten everything…
    let c = kiosk.controller();
    assert_eq!(c.page(), onevisit_core::visit::session::Page::Welcome);
    assert!(matches!(c.card(), Card::Waiting));
    assert!(c.answers().is_empty() && c.bundle().is_none() && !c.consent_given());
    drop(c);

    // …and so has every property and model of the UI.
    assert_eq!(app.get_page(), Page::Welcome);
    assert!(!app.get_idle_prompt());
    assert!(app.get_wiped_for_idle());
    assert!(!window.global::<Theme>().get_elderly());
    let cs = window.global::<CardState>();
    assert_eq!(cs.get_view(), CardView::Waiting);
    assert!(cs.get_greeting_name().is_empty());
    assert!(cs.get_document().is_empty());
    assert!(cs.get_problem().is_empty());
    let q = window.global::<QuestionState>();
    assert!(q.get_bundle_name().is_empty() && q.get_text().is_empty() && q.get_hint().is_empty());
    assert_eq!((q.get_step(), q.get_total()), (0, 0));
    assert_eq!(q.get_options().row_count(), 0);
    assert!(o.get_bundle_name().is_empty() && o.get_lead().is_empty());
    assert!(o.get_window().is_empty() && o.get_time_summary().is_empty());
    assert!(o.get_referral_reason().is_empty() && o.get_referral_where().is_empty());
    assert_eq!(o.get_items().row_count(), 0);
    assert_eq!(o.get_materials().row_count(), 0);
    assert_eq!(o.get_directions().row_count(), 0);

    // Nothing on screen mentions the applicant.
    let masked = onevisit_core::ids::mask_name(&card.name);
    for label in labels(&window) {
        assert!(
            !label.contains(&masked) && !label.contains(&card.name),
            "{label}"
        );
        assert!(!label.contains(&card.id_number[..6]), "{label}");
    }
    assert!(labels(&window).iter().any(|l| l.contains("信息已全部清除")));
}
