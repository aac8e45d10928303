//! The loader refuses a broken catalog with every error, each with file
//! and line; the shipped catalog passes.

use crate::common::copy_dir;
use onevisit_core::catalog::{CatalogError, load_dir};
use std::path::PathBuf;

fn shipped() -> PathBuf {
    crate::common::repo_root().join("catalog")
}

/// A copy of the shipped catalog with one file edited.
fn broken(
    file: &str,
    edit: impl FnOnce(String) -> String,
) -> (tempfile::TempDir, Vec<CatalogError>) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit must change {file}");
    std::fs::write(&path, edited).unwrap();
    let errors = load_dir(dir.path())
        .expect_err("a broken catalog must be refused")
        .0;
    (dir, errors)
}

/// The 1-based line of the first occurrence of `needle` in a shipped file.
fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(shipped().join(file)).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {file}"));
    text[..at].matches('\n').count() + 1
}

fn assert_has(errors: &[CatalogError], file: &str, line: usize, fragment: &str) {
    assert!(
        errors
            .iter()
            .any(|e| e.file.ends_with(file) && e.line == line && e.message.contains(fragment)),
        "expected {file}:{line} “{fragment}” among:\n{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_shipped_catalog_is_valid() {
    let c = load_dir(&shipped()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.bundles.len(), 13);
    assert_eq!(c.items.len(), 18);
    assert_eq!(c.version.content_hash.len(), 16);
    assert_eq!(c.version.declared, c.meta.version);
    for name in [
        "区市场监管局",
        "区卫生健康委",
        "区卫健委",
        "濮阳市公安局华龙区分局",
        "区农业农村局",
        "区发改委",
        "区民政局",
        "濮阳市生态环境局华龙区分局",
        "区住建局",
        "区应急管理局",
    ] {
        assert!(c.department_by_name(name).is_some(), "{name}");
    }
    assert_eq!(
        c.department_by_name("区卫健委").unwrap().id.get_ref(),
        c.department_by_name("区卫生健康委").unwrap().id.get_ref()
    );
}

#[test]
fn the_content_hash_changes_with_any_edit() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    let before = load_dir(dir.path()).unwrap().version;
    let path = dir.path().join("departments.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("华龙区住房和城乡建设局", "华龙区住房和城乡建设局（改）"),
    )
    .unwrap();
    let after = load_dir(dir.path()).unwrap().version;
    assert_eq!(before.declared, after.declared);
    assert_ne!(before.content_hash, after.content_hash);
}

#[test]
fn a_syntax_error_is_located() {
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        t.replacen("name = \"开办餐馆、饭店\"", "name = \"开办餐馆、饭店", 1)
    });
    assert_has(
        &errors,
        "bundles/B01.toml",
        line_of("bundles/B01.toml", "name = \"开办餐馆"),
        "",
    );
}

#[test]
fn an_unknown_department_is_located() {
    let (_d, errors) = broken("items/food_business_licence.toml", |t| {
        t.replacen("department = \"market\"", "department = \"markt\"", 1)
    });
    let line = line_of(
        "items/food_business_licence.toml",
        "department = \"market\"",
    );
    assert_has(
        &errors,
        "items/food_business_licence.toml",
        line,
        "未知的部门 (unknown department) markt",
    );
}

#[test]
fn unknown_items_materials_and_fields_are_reported() {
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        t.replacen(
            "items = [\"food_business_licence\"]",
            "items = [\"food_licence\"]",
            1,
        )
    });
    assert_has(
        &errors,
        "bundles/B01.toml",
        line_of("bundles/B01.toml", "items = [\"food_business_licence\"]"),
        "未知的事项 (unknown item) food_licence",
    );
    let (_d, errors) = broken("items/food_business_licence.toml", |t| {
        t.replacen("ref = \"food_layout\"", "ref = \"food_layuot\"", 1)
    });
    assert_has(
        &errors,
        "items/food_business_licence.toml",
        line_of("items/food_business_licence.toml", "ref = \"food_layout\""),
        "未知的材料",
    );
    let (_d, errors) = broken("items/food_business_licence.toml", |t| {
        t.replacen("ref = \"F08\"", "ref = \"F88\"", 1)
    });
    assert_has(
        &errors,
        "items/food_business_licence.toml",
        line_of("items/food_business_licence.toml", "ref = \"F08\""),
        "未知的字段 (unknown field) F88",
    );
}

#[test]
fn duplicate_ids_are_reported() {
    let (_d, errors) = broken("departments.toml", |t| {
        t.replacen("id = \"police\"", "id = \"health\"", 1)
    });
    assert_has(
        &errors,
        "departments.toml",
        line_of("departments.toml", "id = \"police\""),
        "id 重复 (duplicate id): health",
    );
}

#[test]
fn a_one_of_group_that_no_question_decides_is_reported() {
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        t.replacen("decided_by = \"entity_type\"\n", "", 1)
    });
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("没有问题决定选哪一项")),
        "{errors:?}"
    );
}

#[test]
fn an_option_that_leads_nowhere_is_reported() {
    // Without the referral, "other" entity types select no registration.
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        let start = t.find("[[referral]]").unwrap();
        let end = start + t[start..].find("[[elsewhere]]").unwrap();
        format!("{}{}", &t[..start], &t[end..])
    });
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("option leads nowhere")),
        "{errors:?}"
    );
}

#[test]
fn an_unreachable_item_is_reported() {
    // A condition no answer can meet: lodging=yes only when it is also "no".
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        t.replacen("when = { lodging = \"yes\" }", "when = { lodging = \"yes\", construction = \"yes\", special_building = \"no\", new_entity = \"existing\", entity_type = \"company\" }", 1)
    });
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("unreachable item")),
        "{errors:?}"
    );
}

#[test]
fn a_condition_on_a_later_question_is_a_cycle() {
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        t.replacen(
            "ask_if = { new_entity = \"new\" }",
            "ask_if = { construction = \"yes\" }",
            1,
        )
    });
    assert_has(
        &errors,
        "bundles/B01.toml",
        line_of("bundles/B01.toml", "ask_if = { new_entity = \"new\" }"),
        "cycle",
    );
}

#[test]
fn a_dependency_cycle_between_items_is_reported() {
    // Registration needing a licence that the food licence "produces",
    // while the food licence needs registration's licence: no order works.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} not in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "materials.toml",
        "produced_by = [\"company_registration\",",
        "produced_by = [\"food_business_licence\", \"company_registration\",",
    );
    edit(
        "items/company_registration.toml",
        "[[material]]\nref = \"articles_of_association\"",
        "[[material]]\nref = \"business_licence\"\nform = \"copy\"\nkey = true\n\n[[material]]\nref = \"articles_of_association\"",
    );
    let errors = load_dir(dir.path()).expect_err("a cycle must be refused").0;
    assert!(
        errors.iter().any(|e| e.message.contains("dependency cycle")
            && e.message.contains("company_registration")
            && e.message.contains("food_business_licence")),
        "{errors:?}"
    );
}

#[test]
fn global_questions_must_keep_their_option_ids() {
    let (_d, errors) = broken("questions.toml", |t| {
        t.replacen("id = \"existing\"", "id = \"old\"", 1)
    });
    assert!(
        errors.iter().any(|e| e
            .message
            .contains("全局问题 new_entity 的选项应为 new | existing")),
        "{errors:?}"
    );
}

#[test]
fn a_question_needs_exactly_one_default() {
    let (_d, errors) = broken("questions.toml", |t| t.replacen("default = true\n", "", 1));
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("exactly one default")),
        "{errors:?}"
    );
}

#[test]
fn a_missing_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    std::fs::remove_file(dir.path().join("materials.toml")).unwrap();
    let errors = load_dir(dir.path()).unwrap_err().0;
    assert!(errors[0].file.ends_with("materials.toml") && errors[0].message.contains("无法读取"));
}

/// Reuse rules must name real sources and values the field accepts, or a
/// one-tap choice would fill in something the form then refuses.
#[test]
fn broken_offers_and_form_conditions_are_reported() {
    let messages = |errors: &[CatalogError]| {
        errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (_d, errors) = broken("fields.toml", |t| {
        t.replacen(
            "offer = { from = \"F07\", label",
            "offer = { from = \"F77\", label",
            1,
        )
    });
    assert!(
        messages(&errors).contains("F08 的 offer 来源 F77"),
        "{}",
        messages(&errors)
    );
    let (_d, errors) = broken("fields.toml", |t| {
        t.replacen(
            "offer = { value = \"self\"",
            "offer = { value = \"myself\"",
            1,
        )
    });
    assert!(
        messages(&errors).contains("by_agent 的 offer"),
        "{}",
        messages(&errors)
    );
    let (_d, errors) = broken("fields.toml", |t| {
        t.replacen(
            "show_if = { by_agent = \"agent\" }",
            "show_if = { by_agnet = \"agent\" }",
            1,
        )
    });
    assert!(
        messages(&errors).contains("show_if 引用了未知字段 by_agnet"),
        "{}",
        messages(&errors)
    );
    let (_d, errors) = broken("fields.toml", |t| {
        t.replacen(
            "values = { company = \"llc\"",
            "values = { company = \"lcc\"",
            1,
        )
    });
    assert!(
        messages(&errors).contains("F03 的 from_answer"),
        "{}",
        messages(&errors)
    );
    let (_d, errors) = broken("items/food_business_licence.toml", |t| {
        t.replacen(
            "only_when_form = { by_agent = \"agent\" }",
            "only_when_form = { pre_approval = \"has\" }",
            1,
        )
    });
    assert!(
        messages(&errors).contains("本事项不填的字段 pre_approval"),
        "{}",
        messages(&errors)
    );
    let (_d, errors) = broken("bundles/B01.toml", |t| {
        t.replacen("= \"catering\"", "= \"bakery\"", 1)
    });
    assert!(
        messages(&errors).contains("[form] prefill food_business_licence.business_format"),
        "{}",
        messages(&errors)
    );
}

#[test]
fn a_name_longer_than_the_screens_allow_is_refused_with_its_limit() {
    use onevisit_core::catalog::limits::{BUNDLE_NAME, DEPARTMENT_NAME};
    let long_name = "开办".repeat(BUNDLE_NAME);
    let (_dir, errors) = broken("bundles/B01.toml", |t| {
        t.replacen(
            "name = \"开办餐馆、饭店\"",
            &format!("name = \"{long_name}\""),
            1,
        )
    });
    assert!(
        errors.iter().any(|e| e.file.ends_with("bundles/B01.toml")
            && e.message.contains(&long_name)
            && e.message.contains(&format!("最多能放 {BUNDLE_NAME} 个字"))),
        "{errors:?}"
    );
    let (_dir, errors) = broken("departments.toml", |t| {
        t.replacen(
            "name = \"区市场监管局\"",
            "name = \"华龙区市场监督管理局食品安全监督管理科\"",
            1,
        )
    });
    assert!(
        errors.iter().any(|e| e
            .message
            .contains(&format!("最多能放 {DEPARTMENT_NAME} 个字"))),
        "{errors:?}"
    );
}

#[test]
fn process_steps_are_named_once_and_consult_phones_are_phones() {
    let file = "items/company_registration.toml";
    let (_d, errors) = broken(file, |t| {
        t.replacen("name = \"审查登记\"", "name = \"受理\"", 1)
            .replacen(
                "detail = \"纸质执照与电子营业执照具有同等法律效力\"",
                "detail = \" \"",
                1,
            )
    });
    assert_has(&errors, file, 1, "办理流程的步骤“受理”重复");
    assert_has(&errors, file, 1, "办理流程“签发营业执照”的 detail 为空");
    let (_d, errors) = broken(file, |t| {
        t.replacen(
            "name = \"统一发证\"",
            "name = \"统一发证并邮寄送达申请人\"",
            1,
        )
    });
    assert_has(
        &errors,
        file,
        0,
        "办理流程步骤“统一发证并邮寄送达申请人”有 12 个字",
    );
    let dept = "departments.toml";
    let (_d, errors) = broken(dept, |t| {
        t.replacen(
            "full_name = \"华龙区市场监督管理局\"\n",
            "full_name = \"华龙区市场监督管理局\"\nconsult = { phone = \"请拨打0393\", hours = \"工作日\" }\n",
            1,
        )
    });
    assert_has(
        &errors,
        dept,
        7,
        "部门 market 的咨询电话：“请拨打0393”不像电话号码",
    );
    // A step needs a name: serde says so, with the line.
    let (_d, errors) = broken(file, |t| t.replacen("name = \"统一发证\"\n", "", 1));
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("missing field `name`")),
        "{errors:?}"
    );
}

#[test]
fn an_item_without_a_time_limit_is_refused() {
    let file = "items/food_business_licence.toml";
    let (_dir, errors) = broken(file, |t| {
        t.replace("statutory = { days = 10, text", "statutory = { text")
    });
    assert_has(
        &errors,
        file,
        line_of(file, "code = "),
        "item without a time limit",
    );
}

#[test]
fn an_item_that_says_zero_working_days_is_refused() {
    // On the spot is 即办; "0 个工作日" reads as a mistake to an applicant.
    let file = "items/food_business_licence.toml";
    let (_dir, errors) = broken(file, |t| {
        t.replacen(
            "statutory = { days = 10, text = \"",
            "statutory = { days = 10, text = \"预计 0 个工作日；",
            1,
        )
    });
    assert_has(
        &errors,
        file,
        line_of(file, "code = "),
        "say 即办, not 0 working days",
    );
}

#[test]
fn a_material_listed_twice_on_one_path_is_refused() {
    // Two materials under one name: the B01 notice would ask for 营业执照 twice.
    let (_dir, errors) = broken("materials.toml", |t| {
        t.replace("name = \"食品经营许可申请书\"", "name = \"营业执照\"")
    });
    assert_has(
        &errors,
        "bundles/B01.toml",
        line_of("bundles/B01.toml", "code = "),
        "material listed twice on one path",
    );
}
