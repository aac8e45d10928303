//! The applying half of a visit through the session controller, for every
//! bundle: the form filled, materials chosen, declaration, submit into a
//! real SQLite outbox; then the queued case is read back as the uplink
//! would send it. Plus the rules that block a submission.

use crate::common::visit;

use onevisit_core::catalog::Catalog;
use onevisit_core::form::merged::ShapeView;
use onevisit_core::form::validate::validate;
use onevisit_core::outbox::{Outbox, now_ms};
use onevisit_core::print::DocumentKind;
use onevisit_core::visit::application::{FieldPath, Provision};
use onevisit_core::visit::session::{Page, PrintStatus, SessionController};
use onevisit_core::visit::submission::Submission;
use std::sync::Arc;
use std::time::Duration;
use visit::{fill_form, fill_section, to_notice};

fn kiosk(dir: &std::path::Path) -> (SessionController, Arc<Outbox>) {
    let outbox = Arc::new(Outbox::open(&dir.join("outbox.db"), "K0101", &[7u8; 32]).unwrap());
    let c = SessionController::new(Catalog::load_default().unwrap()).with_outbox(outbox.clone());
    (c, outbox)
}

/// What the uplink would send for the only queued case.
fn queued_case(outbox: &Outbox) -> Submission {
    let jobs = outbox.claim_due(now_ms() + 1_000, 10).unwrap();
    let case = jobs
        .iter()
        .find(|j| j.receipt.contains("K0101"))
        .expect("a queued job");
    serde_json::from_slice(case.payload.as_ref().expect("decrypts")).unwrap()
}

#[test]
fn every_bundle_from_card_to_receipt_lands_in_the_outbox() {
    let catalog = Catalog::load_default().unwrap();
    for bundle in catalog.bundles.iter().map(|b| b.code().to_string()) {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, outbox) = kiosk(dir.path());
        to_notice(&mut c, &bundle);
        let items: Vec<String> = c
            .notice()
            .unwrap()
            .items
            .iter()
            .map(|i| i.code.clone())
            .collect();
        let typed = fill_form(&mut c);

        // One 容缺 promise where a non-key material allows it.
        let later = c
            .application()
            .unwrap()
            .materials()
            .into_iter()
            .find(|m| m.may_come_later)
            .map(|m| m.id);
        if let Some(m) = &later {
            c.toggle_later(m);
        }
        let form = c.application().unwrap().form().clone();
        // The notice's drafted documents (一套材料), in print order.
        let templates: Vec<onevisit_core::catalog::Template> =
            onevisit_core::catalog::Template::ALL
                .into_iter()
                .filter(|t| {
                    c.application()
                        .unwrap()
                        .materials()
                        .iter()
                        .any(|m| catalog.materials[&m.id].template == Some(*t))
                })
                .collect();
        c.materials_next();
        assert_eq!(c.page(), Page::Review);
        c.submit();
        assert_eq!(
            c.page(),
            Page::Review,
            "{bundle}: submitted without the declaration"
        );
        assert!(c.message().unwrap().contains("本人承诺"));
        c.toggle_declaration();
        c.submit();
        assert_eq!(c.page(), Page::Done, "{bundle}: {:?}", c.message());
        let done = c.done().unwrap().clone();
        assert!(done.receipt.starts_with("K0101"), "{}", done.receipt);

        // The receipt number exists only because the case is on disk.
        let view = outbox.lookup(&done.receipt).unwrap().expect("queued");
        assert_eq!(view.bundle, bundle);
        assert_eq!(view.items, items);
        let sub = queued_case(&outbox);
        assert_eq!(sub.receipt, done.receipt);
        assert_eq!(sub.item_codes(), items, "{bundle}");
        let card = sub
            .applicant
            .card
            .as_ref()
            .expect("the card's data travels");
        assert_eq!(card.id_number, visit_card_id());
        // Every typed value travels, exactly as the validator checked it.
        for (path, value) in typed.iter().filter(|(p, _)| p.record.is_none()) {
            let sent = sub
                .form
                .get(&path.field)
                .unwrap_or_else(|| panic!("{bundle}: {} typed but not sent", path.field));
            let Some(ShapeView::Kind(kind)) = form.field(&path.field).map(|f| &f.shape) else {
                panic!("{bundle}: {} is not a scalar", path.field);
            };
            let expected = serde_json::to_value(validate(kind, value).unwrap()).unwrap();
            assert_eq!(sent, &expected, "{bundle}: {}", path.field);
        }
        let lists: Vec<&String> = typed
            .iter()
            .filter(|(p, _)| p.record.is_some())
            .map(|(p, _)| &p.field)
            .collect();
        for list in lists {
            assert!(sub.form[list].is_array(), "{bundle}: {list} sent as a list");
        }
        assert_eq!(sub.rongque.len(), usize::from(later.is_some()), "{bundle}");

        // The receipt (and a commitment when something comes later) print.
        let jobs = c.take_print_jobs();
        let kinds: Vec<DocumentKind> = jobs.iter().map(|j| j.kind).collect();
        let mut expected = vec![DocumentKind::Receipt];
        expected.extend(templates.iter().map(|t| DocumentKind::Signing(*t)));
        if items.iter().any(|i| {
            catalog
                .item(i)
                .is_some_and(|item| item.commitment_route.is_some())
        }) {
            expected.push(DocumentKind::NotificationCommitment);
        }
        if later.is_some() {
            expected.push(DocumentKind::Commitment);
        }
        assert_eq!(kinds, expected, "{bundle}");
        assert!(jobs.iter().all(|j| j.key == done.receipt));
        let receipt_text = serde_json::to_string(&jobs[0].document).unwrap();
        assert!(receipt_text.contains(&done.receipt));
        assert!(
            !receipt_text.contains(&visit_card_id()),
            "the receipt masks the ID number"
        );
        assert_eq!(c.print_status(), &PrintStatus::Printing);
        c.print_finished(Ok(()));
        assert_eq!(c.print_status(), &PrintStatus::Printed);

        // 好差评, then the page goes home by itself and forgets the visit.
        c.rate(5);
        c.send_rating();
        assert!(c.done().unwrap().rated, "{bundle}: {:?}", c.message());
        assert!(!c.tick(Duration::from_secs(44)));
        assert!(c.tick(Duration::from_secs(2)));
        assert_eq!(c.page(), Page::Welcome);
        assert!(c.done().is_none() && c.application().is_none() && c.consented_card().is_none());
    }
}

fn visit_card_id() -> String {
    crate::common::sample_card().id_number
}

#[test]
fn invalid_input_is_explained_and_blocks_the_next_page() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _outbox) = kiosk(dir.path());
    to_notice(&mut c, "B01");
    c.apply();
    let a = c.application().unwrap();
    // The card's name is prefilled and marked; nothing is shown as wrong yet.
    let prefilled: Vec<FieldPath> = a
        .form()
        .fields()
        .filter(|f| f.prefilled.is_some())
        .map(|f| FieldPath::scalar(&f.id))
        .collect();
    assert!(!prefilled.is_empty());
    assert!(prefilled.iter().all(|p| a.prefilled_from(p).is_some()));
    let errors = a.all_errors();
    assert!(!errors.is_empty());
    let first = &a.form().sections[0].fields[0];
    assert!(
        a.shown_error(&FieldPath::scalar(&first.id), &errors)
            .is_none()
    );

    // 下一页 on an incomplete page stays and shows why.
    c.form_next();
    assert_eq!(c.page(), Page::Form);
    assert_eq!(c.application().unwrap().section_index(), 0);
    assert!(
        c.message().unwrap().contains("处需要填写或修改"),
        "{:?}",
        c.message()
    );

    // A wrong mobile number gets the validator's own words.
    let mobile = c
        .application()
        .unwrap()
        .form()
        .fields()
        .find(|f| {
            matches!(
                f.shape,
                onevisit_core::form::merged::ShapeView::Kind(
                    onevisit_core::form::kind::FieldKind::Mobile
                )
            )
        })
        .map(|f| FieldPath::scalar(&f.id))
        .expect("B01 asks for a mobile number");
    c.set_field(&mobile, "23800138000");
    let a = c.application().unwrap();
    let shown = a
        .shown_error(&mobile, &a.all_errors())
        .expect("shown once typed");
    assert!(shown.contains("以1开头"), "{shown}");

    // Filled in, the pages go on; the wrong mobile number still blocks its
    // own page when reached.
    let mut guard = 0;
    while c.page() == Page::Form && guard < 20 {
        guard += 1;
        fill_section(&mut c);
        c.form_next();
    }
    assert_eq!(c.page(), Page::Form, "the bad mobile number must block");
    assert!(c.message().is_some());
    c.set_field(&mobile, "13903930001");
    for _ in 0..20 {
        if c.page() != Page::Form {
            break;
        }
        fill_section(&mut c);
        c.form_next();
    }
    assert_eq!(c.page(), Page::Materials);
}

#[test]
fn key_materials_never_come_later_and_back_keeps_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, outbox) = kiosk(dir.path());
    to_notice(&mut c, "B01");
    let typed = fill_form(&mut c);
    let materials = c.application().unwrap().materials();
    let key = c
        .application()
        .unwrap()
        .notice()
        .materials
        .iter()
        .find(|m| m.key)
        .map(|m| m.id.clone())
        .expect("B01 has key materials");
    c.toggle_later(&key);
    let after = c.application().unwrap().materials();
    assert_eq!(
        materials, after,
        "a key material cannot be promised for later"
    );
    assert!(
        after
            .iter()
            .all(|m| !matches!(m.provision, Provision::Later(_)))
    );

    // Back to the form and forward again: nothing typed is lost.
    c.back();
    assert_eq!(c.page(), Page::Form);
    while c.page() == Page::Form && c.application().unwrap().section_index() > 0 {
        c.back();
    }
    c.back();
    assert_eq!(c.page(), Page::Notice);
    c.apply();
    let a = c.application().unwrap();
    for (path, value) in &typed {
        assert_eq!(&a.text(path), value, "{path:?}");
    }

    // Without an outbox entry there is no receipt number.
    for _ in 0..20 {
        if c.page() != Page::Form {
            break;
        }
        c.form_next();
    }
    assert_eq!(c.page(), Page::Materials);
    c.materials_next();
    c.toggle_declaration();
    drop(outbox);
    let (mut without, _) = (SessionController::new(Catalog::load_default().unwrap()), ());
    to_notice(&mut without, "B01");
    fill_form(&mut without);
    without.materials_next();
    without.toggle_declaration();
    without.submit();
    assert_eq!(without.page(), Page::Review);
    assert!(without.done().is_none());
    assert!(without.message().unwrap().contains("不能保存"));
}

#[test]
fn a_business_licence_scan_fills_the_credit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _o) = kiosk(dir.path());
    // B01 for an existing company asks for its credit code.
    c.start();
    c.card_placed(crate::common::sample_card());
    c.consent();
    c.choose_bundle("B01");
    let mut guard = 0;
    while let Some((q, selected, _)) = c.question() {
        guard += 1;
        assert!(guard < 20);
        let pick = if q.id == "new_entity" {
            q.options
                .iter()
                .find(|o| o.id != "new")
                .map(|o| o.id.clone())
                .unwrap_or(selected)
        } else {
            selected
        };
        c.answer(&pick);
    }
    if c.page() != Page::Notice {
        return; // the catalog refers existing entities elsewhere
    }
    c.apply();
    let uscc_field = c
        .application()
        .unwrap()
        .form()
        .fields()
        .find(|f| {
            matches!(
                f.shape,
                onevisit_core::form::merged::ShapeView::Kind(
                    onevisit_core::form::kind::FieldKind::SocialCreditCode
                )
            )
        })
        .map(|f| f.id.clone());
    let Some(field) = uscc_field else {
        // No credit code asked: a scan says so and changes nothing.
        assert!(!c.scanned("91350200776049653A"));
        return;
    };
    assert!(!c.scanned("hello"), "garbage fills nothing");
    assert!(c.message().unwrap().contains("不是营业执照"));
    // The driver's classification decides: a licence QR whose code fails
    // its check is named as such, not as "not a licence".
    assert!(!c.scanned("http://www.gsxt.gov.cn/index?uniscid=91350200776049653B"));
    assert!(
        c.message().unwrap().contains("统一社会信用代码有误"),
        "{:?}",
        c.message()
    );
    assert!(c.scanned("http://www.gsxt.gov.cn/index?uniscid=91350200776049653A&x=1"));
    assert_eq!(
        c.application().unwrap().text(&FieldPath::scalar(&field)),
        "91350200776049653A"
    );
}

#[test]
fn a_low_rating_needs_a_reason_and_is_queued_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, outbox) = kiosk(dir.path());
    to_notice(&mut c, "B02");
    fill_form(&mut c);
    c.materials_next();
    c.toggle_declaration();
    c.submit();
    let receipt = c.done().unwrap().receipt.clone();
    c.rate(1);
    c.send_rating();
    assert!(!c.done().unwrap().rated);
    assert!(c.message().unwrap().contains("原因"));
    c.rate_reason("not a reason");
    assert_eq!(c.done().unwrap().reason, None);
    c.rate_reason("等待时间长");
    c.send_rating();
    assert!(c.done().unwrap().rated);
    let view = outbox.lookup(&receipt).unwrap().unwrap();
    assert!(
        view.jobs.iter().any(|j| j["kind"] == "rating"),
        "{:?}",
        view.jobs
    );
    // Rated: the buttons do nothing more.
    c.rate(5);
    assert_eq!(c.done().unwrap().score, Some(1));
}

/// Problems show when the field is left (完成, another field) or on 下一页,
/// never while it is being typed.
#[test]
fn a_field_s_problem_shows_once_it_is_left_not_while_typing() {
    let mut c = SessionController::new(Catalog::load_default().unwrap());
    to_notice(&mut c, "B01");
    c.apply();
    let phone = FieldPath::scalar("F06");
    let shown = |c: &SessionController| {
        let a = c.application().unwrap();
        a.shown_error(&phone, &a.all_errors())
    };
    c.edit(phone.clone());
    c.set_field(&phone, "1");
    assert_eq!(shown(&c), None, "while typing");
    c.set_field(&phone, "139");
    assert_eq!(shown(&c), None, "still typing");
    c.edit_done();
    assert!(
        shown(&c).is_some_and(|e| e.contains("11位")),
        "{:?}",
        shown(&c)
    );
    // Fixed: the problem goes as soon as the value is right.
    c.edit(phone.clone());
    c.set_field(&phone, "13903930001");
    assert_eq!(shown(&c), None);
    // Moving on to another field leaves the first one too.
    let name = FieldPath::scalar("F01");
    c.edit(name.clone());
    c.set_field(&name, "濮");
    c.edit(phone.clone());
    let a = c.application().unwrap();
    assert!(a.shown_error(&name, &a.all_errors()).is_some());
}

/// The banner of a page that stopped on 下一页 counts down as problems are
/// fixed, and says when the page is done.
#[test]
fn the_problems_banner_counts_live() {
    let mut c = SessionController::new(Catalog::load_default().unwrap());
    to_notice(&mut c, "B01");
    c.apply();
    c.form_next();
    let first = c.message().unwrap().to_string();
    assert!(first.contains("本页还有 1 处"), "{first}");
    c.set_field(&FieldPath::scalar("F06"), "13903930001");
    assert_eq!(c.message(), Some("本页已填好，请点“下一页”"));
    c.set_field(&FieldPath::scalar("F06"), "139");
    assert!(c.message().unwrap().contains("本页还有 1 处"));
}

/// Paper out while the receipt printed: once the printer is ready again
/// and the receipt page still shows, 补打回执 prints the same receipt.
#[test]
fn a_receipt_that_failed_to_print_can_be_reprinted_once_paper_is_back() {
    use onevisit_drivers::manager::{DeviceId, Health};
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _outbox) = kiosk(dir.path());
    to_notice(&mut c, "B01");
    fill_form(&mut c);
    c.materials_next();
    c.toggle_declaration();
    c.submit();
    assert_eq!(c.page(), Page::Done);
    let first = c.take_print_jobs();
    assert!(first.iter().any(|j| j.kind == DocumentKind::Receipt));
    let health = |h: Health| std::iter::once((DeviceId::Printer, h)).collect();
    c.set_device_health(health(Health::Degraded("缺纸".into())));
    c.print_finished(Err(onevisit_core::visit::PrintFailure::PaperOut));
    assert!(!c.can_reprint(), "no reprint while the paper is still out");
    c.reprint_receipt();
    assert!(c.take_print_jobs().is_empty());

    // Most of the page's time passes; paper is refilled.
    c.tick(Duration::from_secs(40));
    c.set_device_health(health(Health::Ok));
    assert!(c.can_reprint());
    // The page waits: its whole time again from the moment paper is back.
    assert!(
        !c.tick(Duration::from_secs(40)),
        "the page waited for the reprint"
    );
    assert_eq!(c.page(), Page::Done);
    c.reprint_receipt();
    assert_eq!(c.print_status(), &PrintStatus::Printing);
    let again = c.take_print_jobs();
    assert_eq!(again, first, "the same receipt, again");
    assert!(!c.can_reprint(), "offered once per failure");
    c.print_finished(Ok(()));
    assert_eq!(c.print_status(), &PrintStatus::Printed);
}

/// B01 for a business that already exists, on its form: the credit code
/// is asked, and 主体名称 and 住所 wait for the licence.
fn existing_restaurant_form(c: &mut SessionController) {
    c.start();
    c.card_placed(crate::common::sample_card());
    c.consent();
    c.choose_bundle("B01");
    while let Some((q, selected, _)) = c.question() {
        let pick = if q.id == "new_entity" {
            q.options.iter().find(|o| o.id != "new").unwrap().id.clone()
        } else {
            selected
        };
        c.answer(&pick);
    }
    assert_eq!(c.page(), Page::Notice, "{:?}", c.message());
    c.apply();
    assert_eq!(c.page(), Page::Form);
}

fn shop_licence(uscc: &str) -> onevisit_core::applicant::LicenceData {
    onevisit_core::platform::contract::SharedLicence {
        uscc: uscc.into(),
        name: "濮阳市华龙区老张餐饮有限公司".into(),
        legal_representative: "张三".into(),
        address: "河南省濮阳市华龙区胜利路1号".into(),
        scope: Some("餐饮服务".into()),
        entity_type: Some("llc".into()),
    }
    .into()
}

#[test]
fn a_licence_scan_asks_the_platform_once_and_its_answer_fills_what_was_not_typed() {
    const USCC: &str = "91350200776049653A";
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _o) = kiosk(dir.path());
    existing_restaurant_form(&mut c);
    let field_labelled = |c: &SessionController, label: &str| {
        c.application()
            .unwrap()
            .form()
            .fields()
            .find(|f| f.label == label)
            .map(|f| FieldPath::scalar(&f.id))
            .unwrap_or_else(|| panic!("no field {label}"))
    };
    let name = field_labelled(&c, "主体名称");
    let address = field_labelled(&c, "住所（注册地址）");
    assert_eq!(c.application().unwrap().text(&name), "", "not known yet");
    // She typed the address herself before scanning.
    c.set_field(&address, "胜利路一号");

    assert_eq!(c.take_licence_lookup(), None, "no scan, no lookup");
    assert!(c.scanned(USCC));
    assert_eq!(c.take_licence_lookup().as_deref(), Some(USCC));
    assert_eq!(c.take_licence_lookup(), None, "asked once");

    // An answer for another code (an earlier scan) changes nothing.
    c.licence_found(
        "91110000100000000X",
        Ok(Some(shop_licence("91110000100000000X"))),
    );
    assert_eq!(c.application().unwrap().text(&name), "");

    c.licence_found(USCC, Ok(Some(shop_licence(USCC))));
    let a = c.application().unwrap();
    assert_eq!(a.text(&name), "濮阳市华龙区老张餐饮有限公司");
    assert_eq!(
        a.prefilled_from(&name),
        Some(onevisit_core::applicant::PrefillSource::Licence)
    );
    assert_eq!(a.text(&address), "胜利路一号", "what she typed stays");
    let said = c.message().unwrap();
    assert!(
        said.contains("主体名称") && said.contains("请核对"),
        "{said}"
    );
    assert!(!said.contains("住所"), "住所 was hers: {said}");

    // A second answer for the same scan is not awaited any more.
    let mut other = shop_licence(USCC);
    other.name = "别的名称".into();
    c.licence_found(USCC, Ok(Some(other)));
    assert_eq!(
        c.application().unwrap().text(&name),
        "濮阳市华龙区老张餐饮有限公司"
    );
}

#[test]
fn a_licence_the_platform_does_not_hold_or_cannot_answer_says_to_copy_it() {
    const USCC: &str = "91350200776049653A";
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _o) = kiosk(dir.path());
    existing_restaurant_form(&mut c);
    assert!(c.scanned(USCC));
    let uscc = c.take_licence_lookup().unwrap();
    c.licence_found(&uscc, Ok(None));
    assert!(
        c.message().unwrap().contains("平台没有这张执照"),
        "{:?}",
        c.message()
    );

    assert!(c.scanned(USCC));
    let uscc = c.take_licence_lookup().unwrap();
    c.licence_found(
        &uscc,
        Err(onevisit_core::platform::PlatformError::Retryable {
            reason: "timeout after 4 s".into(),
            retry_after: None,
        }),
    );
    assert!(
        c.message().unwrap().contains("连不上平台"),
        "{:?}",
        c.message()
    );
    // The credit code itself stays filled either way.
    let a = c.application().unwrap();
    let code = a
        .form()
        .fields()
        .find(|f| f.label == "统一社会信用代码")
        .unwrap();
    assert_eq!(a.text(&FieldPath::scalar(&code.id)), USCC);
}

#[test]
fn identity_numbers_are_masked_on_screen_unless_revealed_and_credit_codes_are_not() {
    use onevisit_core::form::kind::FieldKind;
    use onevisit_core::visit::application::screen_value;
    let id = crate::common::sample_card().id_number;
    let masked = onevisit_core::ids::mask_id_text(&id);
    assert_eq!(
        screen_value(&FieldKind::IdentityNumber, &id, false),
        (masked.clone(), true)
    );
    assert_eq!(
        screen_value(&FieldKind::IdentityNumber, &id, true),
        (id.clone(), true)
    );
    // A shareholder's number: a person's hides, a company's does not.
    assert_eq!(
        screen_value(&FieldKind::PartyNumber, &id, false),
        (masked, true)
    );
    assert_eq!(
        screen_value(&FieldKind::PartyNumber, "91350200776049653A", false),
        ("91350200776049653A".to_string(), false)
    );
    // Nothing typed yet: nothing to hide, no eye button.
    assert_eq!(
        screen_value(&FieldKind::IdentityNumber, "", false),
        (String::new(), false)
    );
    // Other kinds as displayed.
    assert_eq!(
        screen_value(&FieldKind::Phone, "13903930001", false),
        ("13903930001".to_string(), false)
    );
}

/// One set of materials: a page photographed once serves every item that
/// needs the material; a 电子证照 the platform holds (looked up only after
/// consent) is never captured; 容缺 gives way to a capture; the case cites
/// every page by hash (material × page, with its items) and the outbox
/// holds each page's bytes once, sealed; a wipe forgets it all.
#[test]
fn pages_captured_once_serve_every_item_and_held_licences_replace_paper() {
    use onevisit_core::outbox::JobKind;
    use onevisit_core::visit::materials::{CapturedPage, HeldLicence};
    let dir = tempfile::tempdir().unwrap();
    let (mut c, outbox) = kiosk(dir.path());
    // The first bundle whose notice has a material two items need.
    let codes: Vec<String> = Catalog::load_default()
        .unwrap()
        .bundles
        .iter()
        .map(|b| b.code().to_string())
        .collect();
    let shared = codes
        .iter()
        .find_map(|b| {
            c.wipe();
            to_notice(&mut c, b);
            fill_form(&mut c);
            assert_eq!(c.page(), Page::Materials);
            c.application()
                .unwrap()
                .materials()
                .into_iter()
                .find(|m| m.may_capture && m.items.len() >= 2)
        })
        .expect("some bundle has a material two items need");
    let ms = c.application().unwrap().materials();
    let held = ms
        .iter()
        .find(|m| m.may_capture && m.id != shared.id)
        .expect("another material to hold")
        .id
        .clone();
    assert!(
        ms.iter()
            .filter(|m| matches!(m.provision, Provision::Automatic(_)))
            .all(|m| !m.may_capture),
        "what the kiosk makes is never photographed"
    );

    // 电子证照: asked after the card read, looked up once with consent.
    assert!(c.application().unwrap().asks_lookup_consent());
    assert_eq!(c.take_elicence_lookup(), None, "nothing before consent");
    c.answer_lookup_consent(true);
    let (id, asked) = c.take_elicence_lookup().expect("the lookup, once");
    assert_eq!(id, crate::common::sample_card().id_number);
    assert!(asked.contains(&shared.id) && asked.contains(&held));
    assert_eq!(c.take_elicence_lookup(), None);
    assert!(!c.application().unwrap().asks_lookup_consent());
    c.elicences_found(Ok(vec![HeldLicence {
        material: held.clone(),
        title: "不动产权证书".into(),
        licence_no: "豫(2024)濮阳市不动产权第0012345号".into(),
        issuer: "濮阳市自然资源和规划局".into(),
    }]));
    let m = |c: &SessionController, id: &str| {
        c.application()
            .unwrap()
            .materials()
            .into_iter()
            .find(|m| m.id == id)
            .unwrap()
    };
    assert_eq!(m(&c, &held).how(true), "已调取电子证照，无需提交");
    c.begin_capture(&held, None);
    assert!(c.capturing().is_none());
    assert!(
        c.message().unwrap().contains("电子证照"),
        "{:?}",
        c.message()
    );

    // Before its pages are taken a paper says it may be photographed,
    // where the kiosk has a camera.
    assert_eq!(m(&c, &shared.id).how(true), "拍照或带到窗口核验");
    assert_eq!(m(&c, &shared.id).how(false), "带到窗口核验");

    // Three pages, the second retaken.
    let page = |n: u8| CapturedPage::new(vec![0xFF, 0xD8, n, n, 0xFF, 0xD9], 1240, 1754);
    c.begin_capture(&shared.id, None);
    assert_eq!(c.capturing().unwrap().material, shared.id);
    for n in 1..=3 {
        assert_eq!(c.page_captured(page(n)), Some(n as usize));
    }
    c.end_capture();
    assert_eq!(c.page_captured(page(9)), None, "no capture open: dropped");
    c.begin_capture(&shared.id, Some(1));
    assert_eq!(c.page_captured(page(22)), Some(3));
    assert_eq!(m(&c, &shared.id).provision, Provision::Captured(3));
    assert_eq!(m(&c, &shared.id).how(true), "已拍 3 页");

    // 容缺 gives way to a capture, and a captured material is handed in.
    let later = c
        .application()
        .unwrap()
        .materials()
        .into_iter()
        .find(|m| m.may_come_later && m.id != shared.id)
        .map(|m| m.id);
    if let Some(later) = &later {
        c.toggle_later(later);
        assert!(matches!(m(&c, later).provision, Provision::Later(_)));
        c.begin_capture(later, None);
        // The same paper as page 1 of the shared material: sent once.
        assert_eq!(c.page_captured(page(1)), Some(1));
        c.end_capture();
        assert_eq!(m(&c, later).provision, Provision::Captured(1));
        c.toggle_later(later);
        assert_eq!(m(&c, later).provision, Provision::Captured(1));
    }

    c.materials_next();
    c.toggle_declaration();
    c.submit();
    assert_eq!(c.page(), Page::Done, "{:?}", c.message());
    let receipt = c.done().unwrap().receipt.clone();
    // The printed receipt lists what was received: material × pages, and
    // the 电子证照 used instead of paper.
    let printed: Vec<String> = c.done().unwrap().receipt_jobs[0]
        .document
        .blocks
        .iter()
        .filter_map(|b| match b {
            onevisit_core::print::Block::ListItem { text, .. } => Some(text.clone()),
            onevisit_core::print::Block::Heading { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let shared_line = format!("{}：3页", shared.name);
    assert!(printed.contains(&shared_line), "{printed:?}");
    assert!(
        printed
            .iter()
            .any(|t| t.ends_with("：已调取电子证照“不动产权证书”")),
        "{printed:?}"
    );
    let materials = 2 + usize::from(later.is_some());
    let pages = 3 + usize::from(later.is_some());
    assert!(
        printed.contains(&format!("收取材料（{materials}项，共{pages}页）")),
        "{printed:?}"
    );
    let jobs = outbox.claim_due(now_ms() + 1_000, 10).unwrap();
    assert_eq!(jobs.len(), 1, "one job per submission at a time");
    let first = &jobs[0];
    assert_eq!(first.kind, JobKind::Material, "pages go before the case");
    assert_eq!(first.key, page(1).sha256());
    assert_eq!(first.payload.as_deref(), Some(&page(1).jpeg()[..]));
    let view = outbox.lookup(&receipt).unwrap().unwrap();
    let material_jobs = view.jobs.iter().filter(|j| j["kind"] == "material").count();
    assert_eq!(material_jobs, 3, "three distinct pages: {:?}", view.jobs);

    // The manifest: material × page with the items, and the licence.
    outbox
        .record(&[(
            first.clone(),
            onevisit_core::outbox::JobOutcome::Accepted {
                result: serde_json::json!({}),
            },
        )])
        .unwrap();
    let mut sub = None;
    for _ in 0..5 {
        for j in outbox.claim_due(now_ms() + 1_000, 10).unwrap() {
            if j.kind == JobKind::Case {
                sub = Some(
                    serde_json::from_slice::<Submission>(j.payload.as_ref().unwrap()).unwrap(),
                );
            } else {
                outbox
                    .record(&[(
                        j,
                        onevisit_core::outbox::JobOutcome::Accepted {
                            result: serde_json::json!({}),
                        },
                    )])
                    .unwrap();
            }
        }
    }
    let sub = sub.expect("the case after the pages");
    let shared_refs: Vec<_> = sub
        .materials
        .iter()
        .filter(|r| r.material == shared.id)
        .collect();
    assert_eq!(shared_refs.len(), 3);
    assert_eq!(
        shared_refs.iter().map(|r| r.page).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(shared_refs[1].sha256, page(22).sha256());
    assert!(shared_refs.iter().all(|r| r.items == shared.items));
    assert_eq!(sub.elicences.len(), 1);
    assert_eq!(sub.elicences[0].material, held);
    assert!(
        sub.rongque
            .iter()
            .all(|r| Some(&r.material) != later.as_ref())
    );

    c.wipe();
    assert!(c.application().is_none(), "pages go with the visit");
}
