//! Reuse before asking: what the kiosk fills in or offers for one tap, so
//! the applicant types only what it cannot know (issue 18), and the form
//! answers that settle fields and materials once.

use onevisit_core::applicant::{Applicant, PrefillSource};
use onevisit_core::catalog::Catalog;
use onevisit_core::form::reuse::typed_fields;
use onevisit_core::form::{self, MergedForm, OfferSource, TypingCount};
use onevisit_core::guide::{self, Notice, Outcome};
use onevisit_core::visit::application::{Application, FieldPath};
use std::fmt::Write;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        onevisit_core::catalog::load_dir(&crate::common::repo_root().join("catalog")).unwrap()
    })
}

fn applicant() -> Applicant {
    let path = crate::common::repo_root().join("tests/fixtures/applicant.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn typical_notice(bundle: &str) -> Box<Notice> {
    match guide::typical_path(catalog(), bundle).unwrap().1 {
        Outcome::Notice { notice } => notice,
        other => panic!("{bundle}: the typical path ends in {}", other.status()),
    }
}

fn typical_form(bundle: &str) -> MergedForm {
    form::build_form(catalog(), &typical_notice(bundle), &applicant())
}

#[test]
fn a_restaurant_applicant_with_a_card_types_at_most_ten_fields() {
    let f = typical_form("B01");
    let count = TypingCount::of(&f);
    assert!(
        count.typed <= 10,
        "B01 leaves {} fields to type: {:?}",
        count.typed,
        typed_fields(&f)
    );
    // The questionnaire's 公司 and the bundle's 餐馆 are not asked again.
    let entity = f.field("F03").unwrap().prefilled.as_ref().unwrap();
    assert_eq!(
        (entity.value.as_str(), entity.source),
        ("llc", PrefillSource::Questionnaire)
    );
    let format = f
        .field("food_business_licence.business_format")
        .unwrap()
        .prefilled
        .as_ref()
        .unwrap();
    assert_eq!(
        (format.value.as_str(), format.source),
        ("catering", PrefillSource::Bundle)
    );
    // The card's address is offered for 住所; 经营场所 offers 住所; the
    // contact phone offers the mobile already entered.
    let home = f.field("F07").unwrap().offered.as_ref().unwrap();
    assert_eq!(home.source, OfferSource::IdCard);
    assert_eq!(
        home.value.as_deref(),
        Some("河南省濮阳市华龙区胜利路100号院3号楼2单元")
    );
    let premises = f.field("F08").unwrap().offered.as_ref().unwrap();
    assert_eq!(premises.source, OfferSource::Field("F07".into()));
    let phone = f.field("F12_phone").unwrap().offered.as_ref().unwrap();
    assert_eq!(phone.source, OfferSource::Field("F06".into()));
    // 同申请人 on every list of people the applicant usually is.
    for list in [
        "F22",
        "F16",
        "company_registration.shareholders",
        "company_registration.officers",
    ] {
        let field = f.field(list).unwrap();
        let offer = field
            .offered
            .as_ref()
            .unwrap_or_else(|| panic!("{list} has no 同申请人"));
        assert_eq!(offer.source, OfferSource::Record, "{list}");
        assert!(
            offer.label.starts_with("同申请人"),
            "{list}: {}",
            offer.label
        );
    }
}

#[test]
fn without_a_card_nothing_personal_is_offered() {
    let notice = typical_notice("B01");
    let f = form::build_form(catalog(), &notice, &Applicant::default());
    assert!(
        f.field("F07").unwrap().offered.is_none(),
        "no card, no card address"
    );
    let with_card = TypingCount::of(&typical_form("B01"));
    let without = TypingCount::of(&f);
    assert!(
        without.typed > with_card.typed + 2,
        "{without:?} vs {with_card:?}"
    );
}

#[test]
fn no_bundle_s_typical_path_leaves_more_than_fifteen_fields_to_type() {
    for bundle in catalog().bundles.iter().map(|b| b.code()) {
        let f = typical_form(bundle);
        let count = TypingCount::of(&f);
        assert!(
            count.typed <= 15,
            "{bundle}: {count:?} {:?}",
            typed_fields(&f)
        );
    }
}

/// The per-bundle table of docs/form-reuse.md, as the catalog makes it.
fn reuse_table() -> String {
    let mut out = String::from(
        "| 一件事 | 必填 | 已预填 | 一键可选 | 需要输入 | 需要输入的项 |\n|---|---:|---:|---:|---:|---|\n",
    );
    for b in &catalog().bundles {
        let f = typical_form(b.code());
        let c = TypingCount::of(&f);
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} | {} |",
            b.code(),
            b.def.name,
            c.required,
            c.prefilled,
            c.offered,
            c.typed,
            typed_fields(&f).join("、")
        );
    }
    out
}

#[test]
fn the_documented_reuse_table_is_the_catalog_s() {
    let path = crate::common::repo_root().join("docs/form-reuse.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let (begin, end) = ("<!-- reuse-table:begin -->\n", "<!-- reuse-table:end -->");
    let table = reuse_table();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let (head, rest) = doc
            .split_once(begin)
            .expect("docs/form-reuse.md has the markers");
        let (_, tail) = rest.split_once(end).expect("end marker");
        std::fs::write(&path, format!("{head}{begin}{table}{end}{tail}")).unwrap();
        return;
    }
    let shown = doc
        .split_once(begin)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(t, _)| t)
        .expect("docs/form-reuse.md has the reuse-table markers");
    assert_eq!(
        shown, table,
        "docs/form-reuse.md is stale: run UPDATE_GOLDEN=1 cargo test -p onevisit-core --test core form_reuse"
    );
}

fn application(bundle: &str) -> Application {
    Application::new(catalog(), *typical_notice(bundle), applicant())
}

fn material_ids(a: &Application) -> Vec<String> {
    a.materials().into_iter().map(|m| m.id).collect()
}

#[test]
fn coming_in_person_drops_the_agent_s_form_and_its_authorisation() {
    let mut a = application("B01");
    let by_agent = FieldPath::scalar("by_agent");
    let agent = a.form().field("F13").unwrap().clone();
    // Until the form says how, the materials page keeps the conditional
    // material (nothing is dropped on a guess) and hides the agent's form.
    assert!(material_ids(&a).contains(&"agent_authorization".to_string()));
    assert!(!a.shown(&agent));
    assert!(a.accept_offer(&by_agent), "本人办理 is one tap");
    assert_eq!(a.text(&by_agent), "self");
    assert!(!material_ids(&a).contains(&"agent_authorization".to_string()));
    assert!(!a.shown(&agent));
    // 受委托代办: the agent's record is asked for, and required.
    a.set_text(&by_agent, "agent");
    assert!(a.shown(&agent));
    assert!(material_ids(&a).contains(&"agent_authorization".to_string()));
    assert!(
        a.all_errors().iter().any(|e| e.field == "F13"),
        "{:?}",
        a.all_errors()
    );
    // Back to 本人: the agent's record is neither checked nor sent.
    a.set_text(&by_agent, "self");
    assert!(!a.all_errors().iter().any(|e| e.field == "F13"));
}

#[test]
fn no_prior_approval_drops_the_prior_approval_document() {
    let mut a = application("B01");
    let path = FieldPath::scalar("pre_approval");
    assert!(material_ids(&a).contains(&"pre_approval".to_string()));
    assert!(a.accept_offer(&path));
    assert!(!material_ids(&a).contains(&"pre_approval".to_string()));
    a.set_text(&path, "has");
    assert!(material_ids(&a).contains(&"pre_approval".to_string()));
}

#[test]
fn an_offer_copying_another_field_waits_for_it_and_same_as_applicant_fills_a_record() {
    let mut a = application("B01");
    let premises = FieldPath::scalar("F08");
    assert_eq!(a.offer(&premises), None, "住所 is still empty");
    a.set_text(&FieldPath::scalar("F07"), "濮阳市华龙区胜利路100号");
    let (label, value) = a.offer(&premises).unwrap();
    assert_eq!(
        (label.as_str(), value.as_str()),
        ("同住所（注册地址）", "濮阳市华龙区胜利路100号")
    );
    assert!(a.accept_offer(&premises));
    assert_eq!(a.text(&premises), "濮阳市华龙区胜利路100号");

    a.set_text(&FieldPath::scalar("F06"), "13800000000");
    assert_eq!(
        a.accept_record_offer("F22", 0),
        3,
        "name, ID number and mobile"
    );
    assert_eq!(a.text(&FieldPath::in_record("F22", 0, "name")), "张晓梅");
    assert_eq!(
        a.text(&FieldPath::in_record("F22", 0, "id_number")),
        "410902198503120026"
    );
    assert_eq!(
        a.text(&FieldPath::in_record("F22", 0, "mobile")),
        "13800000000"
    );
    assert!(
        !a.all_errors().iter().any(|e| e.field == "F22"),
        "{:?}",
        a.all_errors()
    );
    // The keyboard is labelled with the subfield's own name, not the list's.
    assert_eq!(
        a.label(&FieldPath::in_record("F22", 0, "id_number"))
            .as_deref(),
        Some("身份证号码")
    );
    // A list without a record-wide offer refuses it.
    assert_eq!(a.accept_record_offer("F13", 0), 0);
}

#[test]
fn choosing_post_asks_for_the_mailing_address_offered_from_the_card() {
    let mut a = application("B01");
    let delivery = FieldPath::scalar("company_registration.licence_delivery");
    let address = a
        .form()
        .field("company_registration.mailing_address")
        .unwrap()
        .clone();
    assert!(a.accept_offer(&delivery));
    assert!(!a.shown(&address), "窗口领取 needs no address");
    a.set_text(&delivery, "post");
    assert!(a.shown(&address));
    let path = FieldPath::scalar("company_registration.mailing_address");
    assert!(a.all_errors().iter().any(|e| e.field == address.id));
    assert!(a.accept_offer(&path));
    assert_eq!(a.text(&path), "河南省濮阳市华龙区胜利路100号院3号楼2单元");
}
