//! The catalog's legal facts, pinned over the shipped `catalog/` folder:
//! one test per correction of issue 15 (each checked against the law; see
//! docs/catalog.md, "Corrections"), so a later edit cannot quietly undo it.

use onevisit_core::catalog::kind::FieldKind;
use onevisit_core::catalog::{Catalog, FieldDef, Item};
use onevisit_core::guide::{self, Answers, Notice, Outcome};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = crate::common::repo_root().join("catalog");
        onevisit_core::catalog::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn item(code: &str) -> &'static Item {
    catalog()
        .item(code)
        .unwrap_or_else(|| panic!("no item {code}"))
}

fn notice(bundle: &str, pairs: &[(&str, &str)]) -> Box<Notice> {
    let answers: Answers = pairs
        .iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect();
    match guide::step(catalog(), bundle, &answers).unwrap() {
        Outcome::Notice { notice } => notice,
        other => panic!("{bundle} {pairs:?}: not a notice: {}", other.to_text()),
    }
}

fn codes(n: &Notice) -> Vec<&str> {
    n.items.iter().map(|i| i.code.as_str()).collect()
}

fn material_ids(item: &Item) -> Vec<&str> {
    item.materials
        .iter()
        .map(|m| m.material.get_ref().as_str())
        .collect()
}

/// The option labels of a choice field, or of a list's subfield.
fn choice_labels(field: &FieldDef, sub: Option<&str>) -> Vec<String> {
    let f = match sub {
        Some(s) => field
            .record
            .iter()
            .find(|r| r.id.get_ref() == s)
            .unwrap_or_else(|| panic!("no subfield {s}")),
        None => field,
    };
    match f.kind.as_ref().expect("a kind").resolve().unwrap() {
        FieldKind::Choice { options } | FieldKind::MultiChoice { options } => {
            options.into_iter().map(|o| o.label).collect()
        }
        other => panic!("not a choice: {other:?}"),
    }
}

fn own_field<'a>(item: &'a Item, id: &str) -> &'a FieldDef {
    item.own_fields
        .iter()
        .find(|f| f.id.get_ref() == id)
        .unwrap_or_else(|| panic!("{} has no field {id}", item.code.get_ref()))
}

const B08_DISTRICT: [(&str, &str); 2] = [("b08_toxic", "no"), ("b08_storage", "no")];

#[test]
fn b08_a_change_of_premises_mode_or_scope_is_a_new_application_not_a_change() {
    // 《危险化学品经营许可证管理办法》第十七条.
    let mut answers = B08_DISTRICT.to_vec();
    answers.extend([
        ("b08_application", "change"),
        ("b08_change_what", "premises_scope"),
    ]);
    let n = notice("B08", &answers);
    assert_eq!(codes(&n), ["hazchem_business_licence_new"]);
    let why = n
        .explanations
        .iter()
        .find(|e| e.item == "hazchem_business_licence_change")
        .expect("the notice says why it is not a change");
    assert!(why.text.contains("第十七条") && why.text.contains("重新办理"));

    let mut answers = B08_DISTRICT.to_vec();
    answers.extend([
        ("b08_application", "change"),
        ("b08_change_what", "registered"),
    ]);
    let n = notice("B08", &answers);
    assert_eq!(codes(&n), ["hazchem_business_licence_change"]);
    assert!(n.explanations.is_empty());
}

#[test]
fn b08_the_change_form_offers_only_what_article_14_allows_to_change() {
    let change = item("hazchem_business_licence_change");
    let labels = choice_labels(own_field(change, "changes"), Some("what"));
    assert_eq!(labels, ["企业名称", "主要负责人", "注册地址"]);
    let note = change.note.as_deref().unwrap();
    assert!(
        note.contains("第十四条") && note.contains("第十七条"),
        "{note}"
    );
    assert_eq!(change.time_limit.statutory.days, Some(10));
}

#[test]
fn b08_renewal_asks_for_the_materials_of_article_9_and_has_a_time_limit() {
    // 办法第十八条: 延期申请书 and 第九条's documents (those of a first application).
    let renewal = item("hazchem_business_licence_renewal");
    let new = item("hazchem_business_licence_new");
    let have = material_ids(renewal);
    for m in material_ids(new) {
        if m == "hazchem_new_application" {
            continue;
        }
        assert!(have.contains(&m), "renewal lacks {m} (第九条)");
    }
    assert!(have.contains(&"hazchem_renewal_application"));
    assert!(have.contains(&"hazchem_original_licence"));
    let limit = &renewal.time_limit.statutory;
    assert_eq!(limit.days, Some(30));
    assert!(limit.text.contains("有效期满前"), "{}", limit.text);
    assert!(
        renewal
            .basis
            .iter()
            .any(|b| b.articles.as_deref().is_some_and(|a| a.contains("第十八")))
    );
}

#[test]
fn otc_b_staff_are_examined_at_city_level_free_of_charge_within_a_time_limit() {
    let otc = item("otc_b_staff_qualification");
    assert_eq!(otc.level, "设区的市级");
    let note = otc.level_note.as_deref().unwrap();
    assert!(note.contains("濮阳市市场监督管理局") && note.contains("第十五条"));
    assert!(otc.fee.text.starts_with("不收费") && otc.fee.text.contains("第五十八条"));
    assert!(otc.fee.verified.is_verified());
    assert_eq!(otc.time_limit.statutory.days, Some(20));
}

#[test]
fn b13_medical_device_filing_goes_to_the_city_level_department() {
    // 《医疗器械经营监督管理办法》(2022) 第二十一条.
    let b13 = catalog().bundle("B13").unwrap();
    let device = b13
        .def
        .elsewhere
        .iter()
        .find(|e| e.name.contains("第二类医疗器械"))
        .unwrap();
    assert!(device.go_to.starts_with("濮阳市市场监督管理局"));
    assert!(device.go_to.contains("第二十一条"));
    assert!(!device.go_to.contains("区市场监管局"));
}

#[test]
fn b10_says_why_a_gym_needs_no_hygiene_licence_with_article_8_and_the_2012_decision() {
    let n = notice(
        "B10",
        &[
            ("new_entity", "new"),
            ("entity_type", "company"),
            ("b10_pool", "no"),
            ("food_on_site", "yes"),
            ("construction", "no"),
        ],
    );
    let why = n
        .explanations
        .iter()
        .find(|e| e.item == "public_place_hygiene_licence")
        .unwrap();
    assert!(why.text.contains("第八条"), "{}", why.text);
    assert!(why.text.contains("国发〔2012〕52号"), "{}", why.text);
    // 第二条 does list 体育场（馆）: the old wording said it did not.
    assert!(!why.text.contains("不属于"), "{}", why.text);
}

#[test]
fn b11_never_lists_the_food_licence_it_requires_under_explanations() {
    let b11 = catalog().bundle("B11").unwrap();
    for p in guide::enumerate(catalog(), b11) {
        let Outcome::Notice { notice } = &p.outcome else {
            continue;
        };
        assert!(codes(notice).contains(&"food_business_licence"));
        for e in &notice.explanations {
            assert!(
                !codes(notice).contains(&e.item.as_str()),
                "{:?}: {} is required and also 'explained'",
                p.answers,
                e.item
            );
        }
    }
}

#[test]
fn the_public_place_hygiene_licence_asks_for_the_business_licence_and_health_certificates() {
    let m = material_ids(item("public_place_hygiene_licence"));
    assert!(m.contains(&"business_licence"));
    assert!(m.contains(&"staff_health_certificates"));
    let health = &catalog().materials["staff_health_certificates"];
    assert!(health.name.contains("健康合格"));
}

#[test]
fn the_food_production_licence_names_every_provincial_category() {
    let note = item("food_production_licence").level_note.clone().unwrap();
    let b12 = catalog().bundle("B12").unwrap();
    let referral = &b12.def.referrals[0].reason;
    for category in [
        "保健食品",
        "特殊医学用途配方食品",
        "婴幼儿配方食品",
        "婴幼儿辅助食品",
        "食盐",
    ] {
        assert!(note.contains(category), "level note lacks {category}");
        assert!(referral.contains(category), "B12 referral lacks {category}");
    }
}

#[test]
fn company_contributions_include_equity_and_claims() {
    // 《公司法》(2023) 第四十八条.
    let company = item("company_registration");
    let labels = choice_labels(own_field(company, "shareholders"), Some("method"));
    for l in ["货币", "实物", "知识产权", "土地使用权", "股权", "债权"] {
        assert!(labels.iter().any(|x| x == l), "{labels:?} lacks {l}");
    }
}

#[test]
fn every_item_has_a_statutory_time_limit_in_days() {
    for i in &catalog().items {
        let l = &i.time_limit.statutory;
        assert!(
            l.days.is_some(),
            "{} has no time limit: {}",
            i.code.get_ref(),
            l.text
        );
        assert!(!l.text.contains("请到窗口确认"), "{}", l.text);
    }
}

#[test]
fn every_fee_is_nil_or_names_its_legal_basis() {
    for i in &catalog().items {
        let fee = &i.fee.text;
        assert!(
            fee.starts_with("不收费") || fee.contains('《') || fee.contains("法第"),
            "{}: {fee}",
            i.code.get_ref()
        );
        assert!(!fee.contains("未知"), "{}: {fee}", i.code.get_ref());
    }
    // Licences cite 行政许可法第五十八条 for being free.
    for code in [
        "food_business_licence",
        "public_place_hygiene_licence",
        "hazchem_business_licence_new",
        "otc_b_staff_qualification",
    ] {
        assert!(item(code).fee.text.contains("第五十八条"), "{code}");
    }
}

#[test]
fn every_item_names_its_output() {
    for i in &catalog().items {
        assert!(!i.output.trim().is_empty(), "{}", i.code.get_ref());
    }
}

const B07_CLINIC: [(&str, &str); 6] = [
    ("b07_kind", "clinic"),
    ("b07_setter", "unit"),
    ("new_entity", "new"),
    ("entity_type", "company"),
    ("construction", "no"),
    ("eia_report", "no"),
];

#[test]
fn a_clinic_is_filed_on_the_spot_under_article_14_not_approved_in_30_days() {
    // 《医疗机构管理条例》(2022) 第十四条; 《中医药法》第十四条.
    let n = notice("B07", &B07_CLINIC);
    assert_eq!(codes(&n), ["company_registration", "clinic_filing"]);
    let clinic = n.items.iter().find(|i| i.code == "clinic_filing").unwrap();
    assert_eq!(clinic.statutory_limit.days, Some(0));
    assert!(clinic.basis.iter().any(|b| {
        b.law.contains("医疗机构管理条例")
            && b.articles
                .as_deref()
                .is_some_and(|a| a.contains("第十四条"))
    }));
    assert!(
        !clinic
            .basis
            .iter()
            .any(|b| b.articles.as_deref().is_some_and(|a| a.contains("十五")))
    );
    let why = n
        .explanations
        .iter()
        .find(|e| e.item == "medical_institution_registration")
        .expect("the notice says why the listed registration is a filing");
    assert!(why.text.contains("第十四条") && why.text.contains("备案"));
    // A TCM clinic in a 养生馆 is a filing too.
    let b09 = catalog().bundle("B09").unwrap();
    let tcm = b09
        .def
        .groups
        .iter()
        .find(|g| g.when.keys().any(|q| q.get_ref() == "b09_tcm"))
        .unwrap();
    assert_eq!(tcm.items[0].get_ref(), "clinic_filing");
}

#[test]
fn an_outpatient_department_keeps_the_45_day_registration() {
    let mut answers = B07_CLINIC.to_vec();
    answers[0] = ("b07_kind", "outpatient");
    let n = notice("B07", &answers);
    assert_eq!(
        codes(&n),
        ["company_registration", "medical_institution_registration"]
    );
    assert_eq!(
        item("medical_institution_registration")
            .time_limit
            .statutory
            .days,
        Some(45)
    );
    // A doctor alone cannot set up an outpatient department: a referral,
    // not a notice.
    let answers: Answers = [("b07_kind", "outpatient"), ("b07_setter", "individual")]
        .iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect();
    let out = guide::step(catalog(), "B07", &answers).unwrap();
    assert!(matches!(out, Outcome::Referral { .. }), "{}", out.to_text());
}

#[test]
fn the_individual_setters_condition_is_asked_not_printed_to_everyone() {
    for code in ["clinic_filing", "medical_institution_registration"] {
        for c in &item(code).conditions {
            assert!(!c.text.contains("个人设置"), "{code}: {}", c.text);
        }
    }
    let b07 = catalog().bundle("B07").unwrap();
    let setter = b07.questions.iter().find(|q| q.id == "b07_setter").unwrap();
    let individual = setter.option("individual").unwrap();
    assert!(individual.label.contains("5年"), "{}", individual.label);
}

#[test]
fn medical_forms_ask_the_ownership_form_in_a_field_of_their_own_not_f03() {
    // F03 is the entity's 主体类型 (有限责任公司 …), not a medical 所有制形式.
    for code in ["clinic_filing", "medical_institution_registration"] {
        let i = item(code);
        assert!(
            !i.fields.iter().any(|f| f.field.get_ref() == "F03"),
            "{code} still uses F03"
        );
        let ownership = own_field(i, "ownership");
        assert_eq!(ownership.label, "所有制形式");
        let labels = choice_labels(ownership, None);
        assert!(labels.iter().any(|l| l == "私人"), "{labels:?}");
        assert!(i.fields.iter().any(|f| f.field.get_ref() == "ownership"));
    }
}

/// Every "N号窗口" in `text`, with the few characters after it.
fn window_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("号窗口") {
        let before: String = text[..at].chars().rev().take(3).collect();
        if before.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(text[at..].chars().take(8).collect());
        }
    }
    out
}

#[test]
fn the_catalog_holds_departments_and_the_hall_its_windows() {
    // Issue 15.6: no window number is told unless the hall set it. The
    // catalog names none (departments, combined window, free text); every
    // notice of every path names the department with 审核窗口（待核实）.
    assert_eq!(window_numbers("市场监管窗口（3号窗口）").len(), 1);
    for d in &catalog().departments {
        assert!(d.window.is_none(), "{} still names a window", d.name);
    }
    assert!(
        !catalog()
            .meta
            .combined_window
            .contains(|c: char| c.is_ascii_digit())
    );
    let mut notices = 0;
    for bundle in &catalog().bundles {
        for p in guide::enumerate(catalog(), bundle) {
            let text = p.outcome.to_text();
            let bad = window_numbers(&text);
            assert!(bad.is_empty(), "{} {:?}: {bad:?}", bundle.code(), p.answers);
            if let Outcome::Notice { notice } = &p.outcome {
                for i in &notice.items {
                    assert_eq!(i.window, onevisit_core::catalog::WINDOW_UNKNOWN);
                    assert!(i.department_at_window().starts_with(&i.department_name));
                }
            }
            notices += 1;
        }
    }
    assert!(notices > 100, "{notices} paths");

    // The hall's kiosk.toml windows, through the session as the kiosk runs.
    let windows: std::collections::BTreeMap<String, onevisit_core::catalog::HallWindow> = [
        (
            "market".to_string(),
            onevisit_core::catalog::HallWindow {
                name: "市场监管窗口".into(),
                number: Some("3".into()),
            },
        ),
        (
            "nowhere".to_string(),
            onevisit_core::catalog::HallWindow {
                name: "不存在".into(),
                number: None,
            },
        ),
    ]
    .into_iter()
    .collect();
    let (c, unknown) =
        onevisit_core::visit::SessionController::new(catalog().clone()).with_windows(windows);
    assert_eq!(unknown, ["nowhere"]);
    let mut c = c;
    crate::common::visit::to_notice(&mut c, "B01");
    let notice = c.notice().expect("the B01 notice");
    let market = notice
        .items
        .iter()
        .find(|i| i.department == "market")
        .unwrap();
    assert_eq!(market.window, "市场监管窗口（3号窗口）");
    assert_eq!(
        market.department_at_window(),
        "区市场监管局：市场监管窗口（3号窗口）"
    );
}
