//! The visit's state machine without Slint: every page transition.

use crate::common::sample_card;
use onevisit_core::catalog::Catalog;
use onevisit_core::visit::session::{CardState, Page, SessionController};
use std::time::Duration;

fn controller() -> SessionController {
    SessionController::new(Catalog::load_default().expect("catalog loads"))
}

/// Card placed and agreed to: on the bundle page.
fn at_bundles() -> SessionController {
    let mut c = controller();
    c.card_placed(sample_card());
    c.consent();
    assert_eq!(c.page(), Page::BundleChoice);
    c
}

fn question_id(c: &SessionController) -> String {
    c.question().expect("a question on screen").0.id
}

fn selected(c: &SessionController) -> String {
    c.question().expect("a question on screen").1
}

#[test]
fn start_then_card_greets_and_consent_leads_to_bundles() {
    let mut c = controller();
    assert_eq!(c.page(), Page::Welcome);
    c.start();
    assert_eq!(c.page(), Page::CardRead);
    assert!(matches!(c.card(), CardState::Waiting));
    c.card_placed(sample_card());
    assert!(matches!(c.card(), CardState::Read(_)));
    assert!(c.consented_card().is_none(), "no use before consent");
    c.consent();
    assert_eq!(c.page(), Page::BundleChoice);
    assert_eq!(c.consented_card().unwrap().name, sample_card().name);
}

#[test]
fn a_card_on_the_welcome_page_starts_the_visit() {
    let mut c = controller();
    c.card_placed(sample_card());
    assert_eq!(c.page(), Page::CardRead);
    c.card_removed();
    assert!(
        matches!(c.card(), CardState::Waiting),
        "lifted before consent: forgotten"
    );
}

#[test]
fn expired_card_is_explained_and_the_visit_goes_on_without_it() {
    let mut c = controller();
    c.card_rejected("证件已过有效期");
    assert_eq!(c.page(), Page::CardRead);
    assert!(matches!(c.card(), CardState::Rejected(m) if m.contains("过有效期")));
    c.consent();
    assert_eq!(c.page(), Page::CardRead, "nothing to agree to");
    c.continue_without_card();
    assert_eq!(c.page(), Page::BundleChoice);
    assert!(c.consented_card().is_none());
}

#[test]
fn a_card_placed_mid_visit_does_not_replace_the_applicant() {
    let mut c = at_bundles();
    c.card_rejected("x");
    assert_eq!(c.page(), Page::BundleChoice);
    assert!(c.consented_card().is_some());
}

#[test]
fn b01_questions_one_by_one_with_defaults_to_the_notice() {
    let mut c = at_bundles();
    c.choose_bundle("B01");
    assert_eq!(c.page(), Page::Questionnaire);
    assert_eq!(question_id(&c), "new_entity");
    assert_eq!(selected(&c), "new", "the catalog's default is preselected");
    assert_eq!(c.question().unwrap().0.step, 1);
    for (q, a) in [
        ("new_entity", "new"),
        ("entity_type", "company"),
        ("lodging", "no"),
        ("construction", "no"),
    ] {
        assert_eq!(question_id(&c), q);
        c.answer(a);
    }
    assert_eq!(c.page(), Page::Notice);
    let notice = c.notice().expect("notice");
    assert_eq!(notice.bundle.code, "B01");
    let names: Vec<&str> = notice.items.iter().map(|i| i.name.as_str()).collect();
    assert!(
        names.iter().any(|n| n.contains("食品经营许可")),
        "{names:?}"
    );
}

#[test]
fn back_keeps_later_answers_that_still_apply() {
    let mut c = at_bundles();
    c.choose_bundle("B01");
    for a in ["new", "company", "yes", "no"] {
        c.answer(a);
    }
    assert_eq!(c.page(), Page::Notice);
    c.back();
    assert_eq!(question_id(&c), "construction");
    assert_eq!(selected(&c), "no", "the earlier answer, not the default");
    c.back();
    c.back();
    assert_eq!(question_id(&c), "entity_type");
    c.back();
    assert_eq!(question_id(&c), "new_entity");
    // Change the first answer: entity_type no longer applies, lodging keeps
    // its "yes" (not the default "no").
    c.answer("existing");
    assert_eq!(question_id(&c), "lodging");
    assert_eq!(selected(&c), "yes");
    c.answer("yes");
    c.answer("no");
    assert_eq!(c.page(), Page::Notice);
    // Back from the first question returns to the bundles.
    c.start_over();
    assert_eq!(c.page(), Page::BundleChoice);
    assert!(c.answers().is_empty());
}

#[test]
fn referral_page_then_back_to_the_question_that_referred() {
    let mut c = at_bundles();
    c.choose_bundle("B01");
    c.answer("new");
    c.answer("other");
    assert_eq!(c.page(), Page::Referral);
    let r = c.referral().expect("referral");
    assert!(r.go_to.contains("窗口"), "{}", r.go_to);
    c.back();
    assert_eq!(question_id(&c), "entity_type");
    assert_eq!(selected(&c), "other");
    c.answer("company");
    assert_eq!(question_id(&c), "lodging");
}

#[test]
fn back_from_the_first_question_and_from_the_bundles() {
    let mut c = at_bundles();
    c.choose_bundle("B02");
    c.back();
    assert_eq!(c.page(), Page::BundleChoice);
    c.back();
    assert_eq!(c.page(), Page::CardRead);
    assert!(!c.consent_given(), "consent is asked again");
    c.back();
    assert_eq!(c.page(), Page::Welcome);
    assert!(matches!(c.card(), CardState::Waiting));
}

#[test]
fn another_bundle_starts_afresh_the_same_keeps_answers() {
    let mut c = at_bundles();
    c.choose_bundle("B01");
    c.answer("existing");
    c.back();
    c.back();
    c.choose_bundle("B01");
    assert_eq!(selected(&c), "existing");
    c.back();
    c.choose_bundle("B03");
    assert!(c.answers().is_empty());
}

#[test]
fn finish_wipes_the_visit() {
    let mut c = at_bundles();
    c.choose_bundle("B01");
    B01.iter().for_each(|a| c.answer(a));
    c.finish();
    assert_wiped(&c);
    assert!(!c.wiped_for_idle());
}

const B01: [&str; 4] = ["new", "company", "no", "no"];

fn assert_wiped(c: &SessionController) {
    assert_eq!(c.page(), Page::Welcome);
    assert!(matches!(c.card(), CardState::Waiting));
    assert!(c.consented_card().is_none());
    assert!(!c.consent_given());
    assert!(c.bundle().is_none());
    assert!(c.answers().is_empty());
    assert!(c.question().is_none() && c.notice().is_none() && c.referral().is_none());
    assert!(!c.elderly());
}

#[test]
fn idle_asks_are_you_there_then_wipes() {
    let mut c = at_bundles();
    c.toggle_elderly();
    c.choose_bundle("B01");
    c.answer("new");
    c.tick(Duration::from_secs(59));
    assert_eq!(c.idle_countdown(), None);
    c.tick(Duration::from_secs(1));
    assert_eq!(c.idle_countdown(), Some(20));
    c.touch();
    assert_eq!(c.idle_countdown(), None, "a tap dismisses the prompt");
    for _ in 0..79 {
        assert!(!c.tick(Duration::from_secs(1)));
    }
    assert_eq!(c.idle_countdown(), Some(1));
    assert!(c.tick(Duration::from_secs(1)), "80 s without a tap wipes");
    assert_wiped(&c);
    assert!(c.wiped_for_idle());
    c.start();
    assert!(!c.wiped_for_idle());
}

#[test]
fn the_welcome_page_never_times_out() {
    let mut c = controller();
    assert!(!c.tick(Duration::from_secs(600)));
    assert_eq!(c.idle_countdown(), None);
}

#[test]
fn reader_trouble_is_a_banner_and_survives_a_wipe() {
    let mut c = controller();
    c.reader_lost("阅读器不可用");
    c.finish();
    assert_eq!(c.reader_problem(), Some("阅读器不可用"));
    c.reader_back();
    assert_eq!(c.reader_problem(), None);
}
