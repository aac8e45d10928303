//! Every answer path of every bundle, walked and checked against the
//! invariants of the reform: each path ends in a notice or a referral, a
//! notice lists each material once, every item of the source table is
//! reachable, and the text of every notice is kept as a reviewed snapshot
//! so that a catalog change shows up as a readable diff.

use onevisit_core::catalog::{Catalog, GroupKind, condition_holds};
use onevisit_core::guide::{self, Answers, Outcome};
use std::collections::HashSet;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = crate::common::repo_root().join("catalog");
        onevisit_core::catalog::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs
        .iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect()
}

#[test]
fn all_thirteen_bundles_in_source_order() {
    let codes: Vec<&str> = catalog().bundles.iter().map(|b| b.code()).collect();
    let expected: Vec<String> = (1..=13).map(|n| format!("B{n:02}")).collect();
    assert_eq!(codes, expected);
    let names: Vec<&str> = catalog()
        .bundles
        .iter()
        .map(|b| b.def.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "开办餐馆、饭店",
            "洗浴行业开设",
            "开办美容美发店",
            "开办农药经营公司",
            "开办养老机构",
            "开办游泳场馆",
            "开办诊所",
            "开办危险化学品企业",
            "开办养生馆",
            "开办健身馆",
            "开办茶馆",
            "开办食品生产企业",
            "开办药品零售企业",
        ]
    );
}

#[test]
fn every_path_ends_in_a_notice_with_items_or_a_referral() {
    for bundle in &catalog().bundles {
        let paths = guide::enumerate(catalog(), bundle);
        assert!(paths.len() >= 2, "{} has a single path", bundle.code());
        for p in &paths {
            match &p.outcome {
                Outcome::Notice { notice } => {
                    assert!(
                        !notice.items.is_empty(),
                        "{} {:?}: empty notice",
                        bundle.code(),
                        p.answers
                    );
                    assert_eq!(
                        notice.lead_department.id,
                        *bundle.def.lead_department.get_ref()
                    );
                    assert!(notice.schedule.expected_days <= notice.schedule.joint_limit_days);
                }
                Outcome::Referral { referral } => {
                    assert!(!referral.reason.is_empty() && !referral.go_to.is_empty());
                }
                Outcome::Question { .. } => panic!(
                    "{} {:?}: path stopped at a question",
                    bundle.code(),
                    p.answers
                ),
            }
        }
    }
}

#[test]
fn no_material_is_listed_twice_and_every_material_serves_an_item_of_the_notice() {
    for bundle in &catalog().bundles {
        for p in guide::enumerate(catalog(), bundle) {
            let Outcome::Notice { notice } = &p.outcome else {
                continue;
            };
            let mut seen = HashSet::new();
            let codes: HashSet<&str> = notice.items.iter().map(|i| i.code.as_str()).collect();
            for m in &notice.materials {
                assert!(
                    seen.insert(&m.id),
                    "{} {:?}: {} listed twice",
                    bundle.code(),
                    p.answers,
                    m.id
                );
                assert!(!m.items.is_empty());
                assert!(m.items.iter().all(|i| codes.contains(i.as_str())));
                assert_eq!(m.rongque_eligible, !m.key);
            }
        }
    }
}

#[test]
fn every_one_of_group_yields_exactly_one_item_when_it_applies() {
    for bundle in &catalog().bundles {
        for p in guide::enumerate(catalog(), bundle) {
            let Outcome::Notice { notice } = &p.outcome else {
                continue;
            };
            let effective: Answers = p.answers.iter().cloned().collect();
            let codes: HashSet<&str> = notice.items.iter().map(|i| i.code.as_str()).collect();
            for g in bundle
                .def
                .groups
                .iter()
                .filter(|g| g.kind == GroupKind::OneOf)
            {
                let chosen = g
                    .choose
                    .values()
                    .filter(|c| codes.contains(c.get_ref().as_str()))
                    .count();
                let applies = condition_holds(&g.when, &effective);
                assert_eq!(
                    chosen,
                    usize::from(applies),
                    "{} {:?}",
                    bundle.code(),
                    p.answers
                );
            }
        }
    }
}

#[test]
fn every_item_of_the_source_table_is_selectable_in_its_bundle() {
    for bundle in &catalog().bundles {
        let reached: HashSet<String> = guide::enumerate(catalog(), bundle)
            .into_iter()
            .filter_map(|p| match p.outcome {
                Outcome::Notice { notice } => Some(notice.items.into_iter().map(|i| i.code)),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(!bundle.def.listings.is_empty());
        for l in &bundle.def.listings {
            assert!(
                reached.contains(l.item.get_ref()),
                "{}: {} never selected",
                bundle.code(),
                l.item.get_ref()
            );
            assert!(
                catalog().department_by_name(&l.department).is_some(),
                "{}: department {} unknown",
                bundle.code(),
                l.department
            );
        }
    }
}

#[test]
fn every_catalog_item_appears_in_some_bundle() {
    let listed: HashSet<&str> = catalog()
        .bundles
        .iter()
        .flat_map(|b| b.def.listings.iter().map(|l| l.item.get_ref().as_str()))
        .collect();
    // An item that is not a source-table row itself serves one: the
    // clinic filing is how the listed 医疗机构设置及执业登记 is done for a
    // clinic since 2022, and says so in its `source_name`.
    let listed_names: HashSet<&str> = catalog()
        .items
        .iter()
        .filter(|i| listed.contains(i.code.get_ref().as_str()))
        .map(|i| i.source_name.as_str())
        .collect();
    for item in &catalog().items {
        assert!(
            listed.contains(item.code.get_ref().as_str())
                || listed_names.contains(item.source_name.as_str()),
            "{} is in no bundle",
            item.code.get_ref()
        );
    }
}

#[test]
fn questions_offer_exactly_one_default_and_plain_hints() {
    for bundle in &catalog().bundles {
        for q in &bundle.questions {
            assert_eq!(
                q.options.iter().filter(|o| o.default).count(),
                1,
                "{} {}",
                bundle.code(),
                q.id
            );
            assert!(
                q.options
                    .iter()
                    .all(|o| !o.hint.is_empty() && !o.label.is_empty())
            );
        }
    }
}

#[test]
fn the_first_question_of_b01_is_whether_the_business_is_new() {
    let out = guide::step(catalog(), "B01", &Answers::new()).unwrap();
    let Outcome::Question { question } = out else {
        panic!("expected a question")
    };
    assert_eq!(question.id, "new_entity");
    assert_eq!(question.step, 1);
    let ids: Vec<&str> = question.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["new", "existing"]);
    assert!(question.options[0].default);
}

#[test]
fn changing_an_earlier_answer_keeps_later_answers_that_still_apply() {
    let full = answers(&[
        ("new_entity", "new"),
        ("entity_type", "partnership"),
        ("lodging", "no"),
        ("construction", "no"),
    ]);
    let codes = |a: &Answers| match guide::step(catalog(), "B01", a).unwrap() {
        Outcome::Notice { notice } => notice
            .items
            .iter()
            .map(|i| i.code.clone())
            .collect::<Vec<_>>(),
        other => panic!("expected a notice, got {}", other.status()),
    };
    assert_eq!(
        codes(&full),
        ["partnership_registration", "food_business_licence"]
    );
    // Switch to "already licensed": entity_type no longer applies, but the
    // later answers still do, so the notice is complete at once.
    let mut changed = full.clone();
    changed.insert("new_entity".into(), "existing".into());
    assert_eq!(codes(&changed), ["food_business_licence"]);
    // And back: the partnership answer was kept, not forgotten.
    changed.insert("new_entity".into(), "new".into());
    assert_eq!(codes(&changed), codes(&full));
}

#[test]
fn a_referral_ends_the_questionnaire_as_soon_as_it_applies() {
    let out = guide::step(
        catalog(),
        "B01",
        &answers(&[("new_entity", "new"), ("entity_type", "other")]),
    )
    .unwrap();
    let Outcome::Referral { referral } = out else {
        panic!("expected a referral")
    };
    assert!(referral.reason.contains("个体工商户"));
}

#[test]
fn invalid_answers_are_refused_with_the_valid_options() {
    let err = guide::step(catalog(), "B01", &answers(&[("new_entity", "maybe")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "问题 new_entity 没有选项 maybe；可选：new | existing (unknown option)"
    );
    let err = guide::step(catalog(), "B01", &answers(&[("colour", "red")])).unwrap_err();
    assert!(err.to_string().contains("B01 没有问题 colour"));
    let err = guide::step(catalog(), "B99", &Answers::new()).unwrap_err();
    assert!(err.to_string().contains("B99"));
}

#[test]
fn registration_output_runs_before_the_licences_that_need_it() {
    let out = guide::step(
        catalog(),
        "B01",
        &answers(&[
            ("new_entity", "new"),
            ("entity_type", "company"),
            ("lodging", "no"),
            ("construction", "no"),
        ]),
    )
    .unwrap();
    let Outcome::Notice { notice } = out else {
        panic!()
    };
    let food = notice
        .items
        .iter()
        .find(|i| i.code == "food_business_licence")
        .unwrap();
    assert_eq!(food.after, ["company_registration"]);
    assert_eq!(
        notice.schedule.stages,
        vec![
            vec!["company_registration".to_string()],
            vec!["food_business_licence".to_string()]
        ]
    );
    let licence = notice
        .materials
        .iter()
        .find(|m| m.id == "business_licence")
        .unwrap();
    assert_eq!(licence.produced_by.as_deref(), Some("company_registration"));
    assert!(licence.source_label.contains("由本次办理的"));
    // The explanation of the merged hygiene licence is shown, not dropped.
    assert!(
        notice
            .explanations
            .iter()
            .any(|e| e.item == "public_place_hygiene_licence")
    );
}

#[test]
fn text_notices_of_every_path_match_the_reviewed_snapshots() {
    for bundle in &catalog().bundles {
        let mut text = String::new();
        for (n, p) in guide::enumerate(catalog(), bundle).iter().enumerate() {
            let trail: Vec<String> = p.answers.iter().map(|(q, a)| format!("{q}={a}")).collect();
            text.push_str(&format!("==== 路径 {}: {}\n", n + 1, trail.join(" ")));
            // The content hash changes with every edit; the snapshot is
            // about content, so leave it out.
            let body = p
                .outcome
                .to_text()
                .replace(&catalog().version.content_hash, "<hash>");
            text.push_str(&body);
            text.push('\n');
        }
        insta::assert_snapshot!(format!("notices_{}", bundle.code()), text);
    }
}

/// Brackets inside brackets (（…（…）…）) are hard to read; the deepest
/// nesting of full-width brackets in `text`.
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '（' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[test]
fn where_each_item_is_examined_reads_without_nested_brackets() {
    assert_eq!(bracket_depth("区市场监管局（市场监管窗口（3号窗口））"), 2);
    for bundle in &catalog().bundles {
        for p in guide::enumerate(catalog(), bundle) {
            let Outcome::Notice { notice } = &p.outcome else {
                continue;
            };
            for i in &notice.items {
                let at = i.department_at_window();
                assert!(
                    at.contains(&i.department_name) && at.contains(&i.window),
                    "{at}"
                );
                assert!(bracket_depth(&at) <= 1, "{}: {at}", bundle.code());
            }
        }
    }
}
