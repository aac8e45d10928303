//! What each screen says (core::visit::speech) over whole visits: never
//! the applicant's name or identity number, whatever was typed; the
//! receipt page reads the number digit by digit and follows the printer.

use crate::common::{outbox, sample_card, visit};
use onevisit_core::catalog::Catalog;
use onevisit_core::visit::PrintFailure;
use onevisit_core::visit::session::{Page, SessionController};
use onevisit_core::visit::speech::spell;
use std::sync::Arc;

/// Everything said on the way through a B01 visit, screen by screen.
fn said_through_a_visit(c: &mut SessionController) -> Vec<String> {
    let mut said = vec![c.utterance().text];
    let mut note = |c: &SessionController| said.push(c.utterance().text);
    c.toggle_elderly();
    c.start();
    note(c);
    c.card_placed(sample_card());
    note(c);
    c.consent();
    note(c);
    c.choose_bundle("B01");
    while let Some((_, selected, _)) = c.question() {
        note(c);
        c.answer(&selected);
    }
    note(c);
    c.apply();
    note(c);
    // Problems shown, then every page filled as a person would.
    c.form_next();
    note(c);
    while c.page() == Page::Form {
        visit::fill_section(c);
        note(c);
        c.form_next();
        note(c);
    }
    c.materials_next();
    note(c);
    c.submit();
    note(c);
    c.toggle_declaration();
    c.submit();
    note(c);
    c.print_finished(Err(PrintFailure::PaperOut));
    note(c);
    c.print_finished(Ok(()));
    note(c);
    said
}

#[test]
fn a_whole_visit_never_says_the_name_or_the_id_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = SessionController::new(Catalog::load_default().unwrap())
        .with_outbox(Arc::new(outbox(dir.path())));
    let said = said_through_a_visit(&mut c);
    assert_eq!(c.page(), Page::Done, "{:?}", c.message());
    let card = sample_card();
    let typed = [
        visit::sample(&onevisit_core::form::kind::FieldKind::PersonName),
        visit::sample(&onevisit_core::form::kind::FieldKind::ResidentId),
    ];
    let last4 = &card.id_number[card.id_number.len() - 4..];
    for text in &said {
        assert!(!text.is_empty());
        assert!(!text.contains(&card.name), "the name: {text}");
        assert!(!text.contains(&card.id_number), "the ID number: {text}");
        assert!(!text.contains(last4), "part of the ID number: {text}");
        for t in &typed {
            assert!(!text.contains(t.as_str()), "a typed value {t}: {text}");
        }
        // Neither in digits nor spelled out (the receipt is spelled).
        assert!(!text.contains(&spell(&card.id_number)), "{text}");
    }
    let done = said.last().unwrap();
    assert!(
        done.contains(&spell(&c.done().unwrap().receipt)),
        "the receipt number, digit by digit: {done}"
    );
    assert!(done.contains("回执已打印，请从出纸口取走"), "{done}");
    let failed = &said[said.len() - 2];
    assert!(failed.contains("打印机缺纸"), "{failed}");
    assert!(
        said.iter().any(|t| t.contains("请先阅读并勾选“本人承诺”")),
        "the review page's message is said"
    );
}

#[test]
fn every_screen_of_every_bundle_fits_the_speech_engine() {
    let catalog = Catalog::load_default().unwrap();
    for b in &catalog.bundles {
        let mut c = SessionController::new(catalog.clone());
        visit::to_notice(&mut c, b.code());
        let t = c.utterance().text;
        assert!(
            t.chars().count() <= onevisit_drivers::speech::MAX_TEXT_CHARS,
            "{}: {} characters",
            b.code(),
            t.chars().count()
        );
        assert!(t.ends_with('。'), "{}: {t}", b.code());
    }
}
