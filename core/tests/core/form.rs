//! The merged form: built from a notice, prefilled, validated, and turned
//! into one application per item.

use onevisit_core::applicant::{Applicant, PrefillSource};
use onevisit_core::catalog::Catalog;
use onevisit_core::form::{self, CheckedValue, FormValues, InputValue};
use onevisit_core::guide::{self, Answers, Notice, Outcome};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        onevisit_core::catalog::load_dir(&crate::common::repo_root().join("catalog")).unwrap()
    })
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(crate::common::repo_root().join("tests/fixtures").join(name)).unwrap()
}

fn notice(answers_toml: &str) -> Box<Notice> {
    let answers: Answers = toml::from_str(answers_toml).unwrap();
    match guide::step(catalog(), "B01", &answers).unwrap() {
        Outcome::Notice { notice } => notice,
        other => panic!("expected a notice, got {}", other.status()),
    }
}

fn applicant(name: &str) -> Applicant {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn values() -> FormValues {
    toml::from_str(&fixture("b01-values.toml")).unwrap()
}

#[test]
fn shared_fields_appear_once_with_every_item_s_own_name() {
    let n = notice(&fixture("b01-answers.toml"));
    let f = form::build_form(catalog(), &n, &applicant("applicant.json"));
    let ids: Vec<&str> = f.fields().map(|f| f.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "a field appears twice: {ids:?}");
    let name = f.field("F01").unwrap();
    assert_eq!(
        name.used_by,
        [
            (
                "company_registration".to_string(),
                "名称（自主申报）".to_string()
            ),
            (
                "food_business_licence".to_string(),
                "经营者名称".to_string()
            )
        ]
    );
    // Sections in the order an applicant understands, items' own last.
    let sections: Vec<&str> = f.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(sections[0], "applicant");
    assert!(sections.contains(&"item:company_registration"));
    assert_eq!(
        f.sections.last().unwrap().title,
        "事项专项：食品经营许可核发"
    );
}

#[test]
fn the_credit_code_is_not_asked_when_this_visit_registers_the_business() {
    let n = notice(&fixture("b01-answers.toml"));
    let f = form::build_form(catalog(), &n, &applicant("applicant.json"));
    assert!(f.field("F02").is_none());
}

#[test]
fn id_card_data_is_prefilled_and_marked() {
    let n = notice(&fixture("b01-answers.toml"));
    let f = form::build_form(catalog(), &n, &applicant("applicant.json"));
    let name = f.field("F04").unwrap().prefilled.clone().unwrap();
    assert_eq!(name.value, "张晓梅");
    assert_eq!(name.source, PrefillSource::IdCard);
    assert_eq!(
        f.field("F05").unwrap().prefilled.as_ref().unwrap().value,
        "410902198503120026"
    );
    // Nothing personal is prefilled without a card: only what the
    // questionnaire and the bundle settle.
    let blank = form::build_form(catalog(), &n, &Applicant::default());
    assert!(
        blank
            .fields()
            .all(|f| f.prefilled.as_ref().is_none_or(|p| matches!(
                p.source,
                PrefillSource::Questionnaire | PrefillSource::Bundle
            )))
    );
}

#[test]
fn an_existing_licence_prefills_the_business_fields() {
    let n = notice("new_entity = \"existing\"\nlodging = \"no\"\nconstruction = \"no\"\n");
    let f = form::build_form(catalog(), &n, &applicant("applicant-licensed.json"));
    let uscc = f
        .field("F02")
        .expect("asked when no registration in this visit");
    assert_eq!(uscc.prefilled.as_ref().unwrap().value, "91410902MA44XYW12K");
    assert_eq!(
        uscc.prefilled.as_ref().unwrap().source,
        PrefillSource::Licence
    );
    assert_eq!(
        f.field("F01").unwrap().prefilled.as_ref().unwrap().value,
        "濮阳市华龙区建国餐饮有限公司"
    );
}

#[test]
fn a_valid_form_generates_one_application_per_item_under_each_department_s_names() {
    let n = notice(&fixture("b01-answers.toml"));
    let f = form::build_form(catalog(), &n, &applicant("applicant.json"));
    let checked = form::validate_form(&f, &values()).unwrap_or_else(|e| panic!("{e:?}"));
    let apps = form::applications(catalog(), &n, &f, &checked);
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[0].item, "company_registration");
    assert_eq!(apps[0].department_name, "区市场监管局");
    let get = |app: usize, name: &str| {
        apps[app]
            .fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .value
            .clone()
    };
    let text = |v: CheckedValue| serde_json::to_value(v).unwrap();
    assert_eq!(
        text(get(0, "名称（自主申报）")),
        "濮阳市华龙区晓梅餐饮有限公司"
    );
    assert_eq!(text(get(1, "经营者名称")), "濮阳市华龙区晓梅餐饮有限公司");
    // The ID card's name went into both applications without retyping.
    assert_eq!(text(get(0, "法定代表人姓名")), "张晓梅");
    assert_eq!(text(get(1, "法定代表人（负责人）")), "张晓梅");
    assert_eq!(
        text(get(1, "经营项目")),
        serde_json::json!(["hot_food", "cold_food"])
    );
    let shareholders = text(get(0, "股东（出资人）"));
    assert_eq!(shareholders[0]["subscribed"], "50");
    // Fields follow the department's own order.
    assert_eq!(apps[0].fields[0].name, "名称（自主申报）");
}

#[test]
fn invalid_values_give_every_error_in_chinese() {
    let n = notice(&fixture("b01-answers.toml"));
    let f = form::build_form(catalog(), &n, &applicant("applicant.json"));
    let mut v = values();
    v.insert("F06".into(), InputValue::Text("1390393".into()));
    v.remove("F08");
    v.insert("F0l".into(), InputValue::Text("typo".into()));
    if let Some(InputValue::Records(rows)) = v.get_mut("company_registration.officers") {
        rows[1].insert("id_number".into(), "410902199001011239".into());
    }
    let errors = form::validate_form(&f, &v).unwrap_err();
    let find = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .unwrap_or_else(|| panic!("{field}: {errors:?}"))
    };
    assert!(
        find("F06").message.contains("11位"),
        "{}",
        find("F06").message
    );
    assert_eq!(find("F08").code, "form.required");
    assert_eq!(find("F08").message, "此项必填");
    assert_eq!(find("F0l").code, "form.unknown_field");
    let officer = find("company_registration.officers");
    assert_eq!(officer.record, Some(1));
    assert_eq!(officer.subfield.as_deref(), Some("id_number"));
    assert!(officer.message.contains("校验位"), "{}", officer.message);
    assert!(
        officer
            .to_string()
            .starts_with("董事、监事、经理·身份证号码 第2条："),
        "{officer}"
    );
    assert_eq!(errors.len(), 4, "{errors:?}");
}

#[test]
fn an_empty_list_that_is_required_is_refused() {
    let n = notice(&fixture("b01-answers.toml"));
    let f = form::build_form(catalog(), &n, &applicant("applicant.json"));
    let mut v = values();
    v.insert(
        "company_registration.shareholders".into(),
        InputValue::Records(vec![]),
    );
    let errors = form::validate_form(&f, &v).unwrap_err();
    assert_eq!(errors[0].code, "form.too_few_records");
    assert_eq!(errors[0].message, "至少填写1条");
}

#[test]
fn a_foreigner_s_permanent_residence_card_prefills_a_valid_identity_number() {
    let n = notice(&fixture("b01-answers.toml"));
    let mut applicant = applicant("applicant.json");
    let card = applicant.card.as_mut().unwrap();
    card.document_type = onevisit_core::applicant::DocumentType::ForeignPermanent;
    card.name = "JOHN SMITH".into();
    card.id_number = "USA110079061501".into();
    card.ethnicity = None;
    let f = form::build_form(catalog(), &n, &applicant);
    assert_eq!(
        f.field("id_document_type")
            .unwrap()
            .prefilled
            .as_ref()
            .unwrap()
            .value,
        "foreign_permanent"
    );
    let mut v = values();
    // The card's holder is not the shareholder of the fixture: keep the
    // test about the identity number only.
    v.remove("company_registration.shareholders");
    let errors = form::validate_form(&f, &v).unwrap_err();
    assert!(errors.iter().all(|e| e.field != "F05"), "{errors:?}");
    assert!(errors.iter().all(|e| e.field != "F04"), "{errors:?}");
}

#[test]
fn every_card_the_reader_takes_prefills_valid_identity_fields() {
    use onevisit_core::applicant::CardData;
    use onevisit_drivers::sim::sam::TestCard;
    let n = notice(&fixture("b01-answers.toml"));
    for card in [
        TestCard::Resident,
        TestCard::Permanent,
        TestCard::HkMacauTaiwan,
        TestCard::Foreign2017,
        TestCard::Foreign2023,
    ] {
        let applicant = Applicant {
            card: Some(CardData::from(&card.record())),
            licence: None,
        };
        let f = form::build_form(catalog(), &n, &applicant);
        let errors = form::validate_form(&f, &values()).err().unwrap_or_default();
        for id in ["F04", "F05", "id_document_type", "applicant_birth_date"] {
            if f.field(id).is_some() {
                assert!(
                    errors.iter().all(|e| e.field != id),
                    "{card:?} {id}: {errors:?}"
                );
            }
        }
        assert!(f.field("F05").unwrap().prefilled.is_some(), "{card:?}");
    }
}
