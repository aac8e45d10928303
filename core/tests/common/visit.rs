#![allow(dead_code)] // each test file uses its own part of these helpers
//! Drives a whole visit through the session controller: default answers,
//! every form field filled with a valid value of its kind, one 容缺 promise
//! where the notice allows one. Shared by the controller and UI journeys.

use super::sample_card;
use onevisit_core::form::kind::FieldKind;
use onevisit_core::form::merged::ShapeView;
use onevisit_core::visit::application::FieldPath;
use onevisit_core::visit::session::{Page, SessionController};

/// A valid value of `kind` (labels help pick plausible text).
pub fn sample(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Text { max_chars } => {
            let t = "示例内容";
            t.chars().take(max_chars.unwrap_or(200).max(1)).collect()
        }
        FieldKind::PersonName => "王立新".into(),
        FieldKind::EntityName => "濮阳市华龙区示例服务有限公司".into(),
        FieldKind::Address => "河南省濮阳市华龙区胜利路188号".into(),
        FieldKind::ResidentId | FieldKind::IdentityNumber | FieldKind::PartyNumber => {
            "410902199001011238".into()
        }
        FieldKind::SocialCreditCode => "91350200776049653A".into(),
        FieldKind::Mobile => "13903930001".into(),
        FieldKind::Phone => "0393-8881234".into(),
        FieldKind::Email => "shenqing@example.cn".into(),
        FieldKind::PostalCode => "457000".into(),
        FieldKind::Date => "2027-03-01".into(),
        FieldKind::DateRange => "2026-12-01/长期".into(),
        FieldKind::Area => "120.5".into(),
        FieldKind::Money { .. } => "50".into(),
        FieldKind::Integer { min, max } => {
            let v = min.unwrap_or(1).max(1);
            max.map_or(v, |m| v.min(m)).to_string()
        }
        FieldKind::Choice { options } | FieldKind::MultiChoice { options } => options[0].id.clone(),
        FieldKind::YesNo => "no".into(),
    }
}

/// Answers every question with its preselected option up to the notice.
pub fn to_notice(c: &mut SessionController, bundle: &str) {
    c.start();
    c.card_placed(sample_card());
    c.consent();
    c.choose_bundle(bundle);
    while let Some((_, selected, _)) = c.question() {
        c.answer(&selected);
    }
    assert_eq!(c.page(), Page::Notice, "{bundle} did not reach a notice");
}

/// Every empty field of the current form section, filled; one record
/// added to each empty list. Returns the values set, by path.
pub fn fill_section(c: &mut SessionController) -> Vec<(FieldPath, String)> {
    let mut set = Vec::new();
    let a = c.application().expect("applying");
    let section = a.form().sections[a.section_index()].clone();
    for field in &section.fields {
        // As a person fills it: a field the answers so far hide (委托代理人
        // after 本人办理) is not on the page.
        if !c.application().unwrap().shown(field) {
            continue;
        }
        match &field.shape {
            ShapeView::Kind(kind) => {
                let path = FieldPath::scalar(&field.id);
                if c.application().unwrap().text(&path).is_empty() {
                    let v = sample(kind);
                    c.set_field(&path, &v);
                    set.push((path, v));
                }
            }
            ShapeView::Records { fields, .. } => {
                if c.application().unwrap().records(&field.id).is_empty() {
                    c.add_record(&field.id);
                }
                for sub in fields {
                    if let ShapeView::Kind(kind) = &sub.shape {
                        let path = FieldPath::in_record(&field.id, 0, &sub.id);
                        let v = sample(kind);
                        c.set_field(&path, &v);
                        set.push((path, v));
                    }
                }
            }
        }
    }
    set
}

/// From the notice to the review page, filling every section.
pub fn fill_form(c: &mut SessionController) -> Vec<(FieldPath, String)> {
    c.apply();
    assert_eq!(c.page(), Page::Form);
    let mut all = Vec::new();
    while c.page() == Page::Form {
        all.extend(fill_section(c));
        let before = c.application().unwrap().section_index();
        c.form_next();
        let after = c.application().map(|a| a.section_index());
        assert!(
            c.page() != Page::Form || after != Some(before),
            "stuck on section {before}: {:?}",
            c.message()
        );
    }
    assert_eq!(c.page(), Page::Materials);
    all
}
