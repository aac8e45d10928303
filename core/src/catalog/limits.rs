//! How long the catalog's texts may be, in characters. The screens are
//! tested with every text at these lengths (the stress catalog of the
//! UI's layout test, `ui/tests/screens/layout.rs`), in standard and
//! 长者模式, landscape and portrait; a longer text could spill out of its
//! tile or button, so the loader refuses it and says how long it may be.
//! Each limit is the longest text of its kind in today's catalog, or a
//! little above: the stress catalog puts that longest text everywhere.

use super::load::{Parsed, Problems};

/// Bundle name on its tile and as a page title (today: 9, 开办危险化学品企业).
pub const BUNDLE_NAME: usize = 10;
/// The tile's one-line summary (today: 39).
pub const BUNDLE_DESCRIPTION: usize = 40;
/// Department name, as "牵头：…" on a tile and in the notice (today: 13).
pub const DEPARTMENT_NAME: usize = 13;
/// Item (approval) name in the notice (today: 24).
pub const ITEM_NAME: usize = 24;
/// Material name in the notice and the materials page (today: 36).
pub const MATERIAL_NAME: usize = 36;
/// Field label on the form (today: 22).
pub const FIELD_LABEL: usize = 22;
/// Form section title (today: 14).
pub const SECTION_TITLE: usize = 14;
/// A question (today: 49).
pub const QUESTION_TEXT: usize = 50;
/// An answer option's label (today: 17, in B08 and B12).
pub const OPTION_LABEL: usize = 17;

/// A 办理流程 step's name (受理, 现场核查, 统一发证).
pub const PROCESS_STEP_NAME: usize = 8;
/// A step's time in words (当场, 10个工作日内，可延长5个工作日).
pub const PROCESS_STEP_TIME: usize = 20;
/// A step's one line of detail.
pub const PROCESS_STEP_DETAIL: usize = 40;
/// A consultation phone as dialled (0393-8888888 转 123).
pub const CONSULT_PHONE: usize = 24;
/// A department's consultation hours (工作日 9:00—12:00，13:30—17:30).
pub const CONSULT_HOURS: usize = 30;

/// A phone number as a hall writes it: digits, and "-", spaces, "转",
/// "、" or "/" between them; at most [`CONSULT_PHONE`] characters.
pub fn valid_phone(phone: &str) -> bool {
    let t = phone.trim();
    !t.is_empty()
        && t == phone
        && t.chars().count() <= CONSULT_PHONE
        && t.chars().any(|c| c.is_ascii_digit())
        && t.starts_with(|c: char| c.is_ascii_digit())
        && t.ends_with(|c: char| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '转' | '、' | '/'))
}

fn check(problems: &mut Problems, file: usize, what: &str, text: &str, max: usize) {
    let n = text.chars().count();
    if n > max {
        problems.in_file(
            file,
            format!("{what}“{text}”有 {n} 个字，屏幕上最多能放 {max} 个字，请缩短"),
        );
    }
}

pub(super) fn check_lengths(p: &Parsed, problems: &mut Problems) {
    for d in &p.departments {
        check(
            problems,
            p.departments_file,
            "部门名称",
            &d.name,
            DEPARTMENT_NAME,
        );
    }
    for s in &p.sections {
        check(
            problems,
            p.fields_file,
            "表格分节标题",
            &s.title,
            SECTION_TITLE,
        );
    }
    for f in &p.shared_fields {
        check(problems, p.fields_file, "字段名称", &f.label, FIELD_LABEL);
    }
    for m in &p.materials {
        check(
            problems,
            p.materials_file,
            "材料名称",
            &m.name,
            MATERIAL_NAME,
        );
    }
    for q in &p.global_questions {
        if let Some(t) = &q.text {
            check(problems, p.questions_file, "问题", t, QUESTION_TEXT);
        }
        for o in &q.options {
            check(problems, p.questions_file, "选项", &o.label, OPTION_LABEL);
        }
    }
    for (file, item) in &p.items {
        check(problems, *file, "事项名称", &item.name, ITEM_NAME);
        for step in &item.process {
            check(
                problems,
                *file,
                "办理流程步骤",
                &step.name,
                PROCESS_STEP_NAME,
            );
            if let Some(t) = &step.time {
                check(problems, *file, "办理流程时间", t, PROCESS_STEP_TIME);
            }
            if let Some(t) = &step.detail {
                check(problems, *file, "办理流程说明", t, PROCESS_STEP_DETAIL);
            }
        }
        for f in &item.own_fields {
            check(problems, *file, "字段名称", &f.label, FIELD_LABEL);
        }
        for f in &item.fields {
            if let Some(l) = &f.label {
                check(problems, *file, "字段名称", l, FIELD_LABEL);
            }
        }
    }
    for (file, b) in &p.bundles {
        check(problems, *file, "一件事名称", &b.name, BUNDLE_NAME);
        check(
            problems,
            *file,
            "一件事简介",
            &b.description,
            BUNDLE_DESCRIPTION,
        );
        for q in &b.questions {
            if let Some(t) = &q.text {
                check(problems, *file, "问题", t, QUESTION_TEXT);
            }
            for o in &q.options {
                check(problems, *file, "选项", &o.label, OPTION_LABEL);
            }
        }
    }
}
