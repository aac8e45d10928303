//! Everything the loader checks beyond "it parses": references, duplicate
//! ids, questions and options that lead nowhere, items no path selects,
//! cycles, and — by walking every answer path — that every path ends in a
//! notice with items or a referral.

use super::flow;
use super::kind::FieldKind;
use super::load::{Parsed, Problems};
use super::model::*;
use super::{Catalog, FieldShape};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The global questions every bundle must use with exactly these options.
pub const GLOBAL_QUESTIONS: &[(&str, &[&str])] = &[
    ("new_entity", &["new", "existing"]),
    (
        "entity_type",
        &["company", "branch", "partnership", "other"],
    ),
    ("food_on_site", &["yes", "no"]),
    ("lodging", &["yes", "no"]),
    ("construction", &["yes", "no"]),
    ("special_building", &["yes", "no"]),
    ("eia_report", &["yes", "no"]),
];

/// Prefill sources an applicant record can provide (see `crate::applicant`).
pub const PREFILL_SOURCES: &[&str] = &[
    "card.name",
    "card.gender",
    "card.ethnicity",
    "card.birth_date",
    "card.address",
    "card.id_number",
    "card.issuing_authority",
    "card.valid_from",
    "card.valid_to",
    "card.document_type",
    "licence.name",
    "licence.uscc",
    "licence.legal_representative",
    "licence.address",
    "licence.scope",
    "licence.entity_type",
];

fn duplicates<'a>(
    ids: impl Iterator<Item = (usize, &'a Ref)>,
    what: &str,
    problems: &mut Problems,
) {
    let mut seen = HashSet::new();
    for (file, id) in ids {
        if !seen.insert(id.get_ref().clone()) {
            problems.at_ref(
                file,
                id,
                format!("{what} id 重复 (duplicate id): {}", id.get_ref()),
            );
        }
    }
}

pub(super) fn check(p: &Parsed, c: &Catalog, problems: &mut Problems) {
    duplicates(
        p.departments.iter().map(|d| (p.departments_file, &d.id)),
        "部门",
        problems,
    );
    duplicates(
        p.sections.iter().map(|s| (p.fields_file, &s.id)),
        "分组",
        problems,
    );
    duplicates(
        p.materials.iter().map(|m| (p.materials_file, &m.id)),
        "材料",
        problems,
    );
    duplicates(p.items.iter().map(|(f, i)| (*f, &i.code)), "事项", problems);
    duplicates(
        p.bundles.iter().map(|(f, b)| (*f, &b.code)),
        "一件事",
        problems,
    );
    duplicates(
        p.global_questions
            .iter()
            .filter_map(|q| q.id.as_ref().map(|id| (p.questions_file, id))),
        "问题",
        problems,
    );
    if p.meta.version.trim().is_empty() || p.meta.joint_limit_days == 0 {
        problems.in_file(p.meta_file, "version 不能为空，joint_limit_days 须大于 0");
    }
    check_names(p, problems);
    super::limits::check_lengths(p, problems);
    check_fields(p, c, problems);
    check_materials(p, c, problems);
    check_items(p, c, problems);
    check_consult(p, problems);
    check_holidays(p, problems);
    if p.meta.rongque_days == 0 {
        problems.in_file(p.meta_file, "rongque_days 须大于 0（容缺补交的工作日数）");
    }
    check_global_questions(p, problems);
    check_item_cycles(p, c, problems);
    super::check_reuse::check_reuse(p, c, problems);
    for (file, bundle) in &p.bundles {
        check_bundle(*file, bundle, c, problems);
    }
}

/// Department names (and aliases) must be unambiguous, since the source
/// table and hall staff refer to departments by name.
fn check_names(p: &Parsed, problems: &mut Problems) {
    let mut names: HashMap<&str, &str> = HashMap::new();
    for d in &p.departments {
        for n in std::iter::once(&d.name).chain(&d.aliases) {
            if let Some(other) = names.insert(n, d.id.get_ref()) {
                problems.at_ref(
                    p.departments_file,
                    &d.id,
                    format!("部门名称“{n}”同时属于 {other} 和 {}", d.id.get_ref()),
                );
            }
        }
    }
}

fn check_fields(p: &Parsed, c: &Catalog, problems: &mut Problems) {
    let sections: HashSet<&str> = p.sections.iter().map(|s| s.id.get_ref().as_str()).collect();
    for f in &p.shared_fields {
        if let Some(s) = &f.section
            && !sections.contains(s.get_ref().as_str())
        {
            problems.at_ref(
                p.fields_file,
                s,
                format!("未知的分组 (unknown section) {}", s.get_ref()),
            );
        }
    }
    let mut all_defs: Vec<(usize, &FieldDef)> =
        p.shared_fields.iter().map(|f| (p.fields_file, f)).collect();
    for (file, item) in &p.items {
        all_defs.extend(item.own_fields.iter().map(|f| (*file, f)));
    }
    for (file, def) in all_defs {
        for producer in &def.produced_by {
            if c.item(producer.get_ref()).is_none() {
                problems.at_ref(
                    file,
                    producer,
                    format!("未知的事项 (unknown item) {}", producer.get_ref()),
                );
            }
        }
        for d in std::iter::once(def).chain(&def.record) {
            if let Some(src) = &d.prefill
                && !PREFILL_SOURCES.contains(&src.as_str())
            {
                problems.at_ref(
                    file,
                    &d.id,
                    format!(
                        "未知的预填来源 (unknown prefill) {src}；可用：{}",
                        PREFILL_SOURCES.join(", ")
                    ),
                );
            }
        }
    }
    for field in c.fields.values() {
        if let FieldShape::Scalar(
            FieldKind::Choice { options } | FieldKind::MultiChoice { options },
        ) = &field.shape
        {
            let mut ids = HashSet::new();
            if options.len() < 2 || !options.iter().all(|o| ids.insert(o.id.as_str())) {
                let file = field_file(p, &field.id);
                problems.in_file(file, format!("字段 {} 的选项应至少两个且不重复", field.id));
            }
        }
    }
}

fn field_file(p: &Parsed, id: &str) -> usize {
    id.split_once('.')
        .and_then(|(code, _)| p.items.iter().find(|(_, i)| i.code.get_ref() == code))
        .map_or(p.fields_file, |(f, _)| *f)
}

fn check_materials(p: &Parsed, c: &Catalog, problems: &mut Problems) {
    for m in &p.materials {
        for producer in &m.produced_by {
            if c.item(producer.get_ref()).is_none() {
                problems.at_ref(
                    p.materials_file,
                    producer,
                    format!("未知的事项 (unknown item) {}", producer.get_ref()),
                );
            }
        }
        match m.source {
            MaterialSource::EarlierItem if m.produced_by.is_empty() => problems.at_ref(
                p.materials_file,
                &m.id,
                format!(
                    "材料 {} 来源为 earlier_item，须写 produced_by",
                    m.id.get_ref()
                ),
            ),
            MaterialSource::EarlierItem => {}
            _ if !m.produced_by.is_empty() => problems.at_ref(
                p.materials_file,
                &m.id,
                format!(
                    "材料 {} 只有来源为 earlier_item 时才能写 produced_by",
                    m.id.get_ref()
                ),
            ),
            _ => {}
        }
        // A drafted document is generated from the form; a shared copy is
        // one the applicant would otherwise bring.
        if m.template.is_some() && m.source != MaterialSource::Form {
            problems.at_ref(
                p.materials_file,
                &m.id,
                format!(
                    "材料 {} 写了 template，来源须为 form (template needs source = \"form\")",
                    m.id.get_ref()
                ),
            );
        }
        if m.shared.is_some()
            && !matches!(
                m.source,
                MaterialSource::EarlierItem | MaterialSource::Own | MaterialSource::ThirdParty
            )
        {
            problems.at_ref(
                p.materials_file,
                &m.id,
                format!(
                    "材料 {} 写了 shared，来源须为 earlier_item、own 或 third_party",
                    m.id.get_ref()
                ),
            );
        }
    }
    // A material nobody uses is a sign of a typo somewhere else.
    let used: HashSet<&str> = p
        .items
        .iter()
        .flat_map(|(_, i)| i.materials.iter().map(|m| m.material.get_ref().as_str()))
        .collect();
    for m in &p.materials {
        if !used.contains(m.id.get_ref().as_str()) {
            problems.at_ref(
                p.materials_file,
                &m.id,
                format!("材料 {} 没有任何事项使用 (unused material)", m.id.get_ref()),
            );
        }
    }
}

fn check_items(p: &Parsed, c: &Catalog, problems: &mut Problems) {
    for (file, item) in &p.items {
        let file = *file;
        let stem = p_file_stem(problems, file);
        if stem.as_deref() != Some(item.code.get_ref().as_str()) {
            problems.at_ref(
                file,
                &item.code,
                format!(
                    "事项 {} 应写在 items/{}.toml 中",
                    item.code.get_ref(),
                    item.code.get_ref()
                ),
            );
        }
        if c.department(item.department.get_ref()).is_none() {
            problems.at_ref(
                file,
                &item.department,
                format!(
                    "未知的部门 (unknown department) {}",
                    item.department.get_ref()
                ),
            );
        }
        let mut seen = HashSet::new();
        for m in &item.materials {
            if !c.materials.contains_key(m.material.get_ref()) {
                problems.at_ref(
                    file,
                    &m.material,
                    format!("未知的材料 (unknown material) {}", m.material.get_ref()),
                );
            }
            if !seen.insert(m.material.get_ref()) {
                problems.at_ref(
                    file,
                    &m.material,
                    format!("材料 {} 在本事项中重复", m.material.get_ref()),
                );
            }
            if m.copies == 0 {
                problems.at_ref(
                    file,
                    &m.material,
                    "份数至少为 1 (copies must be at least 1)",
                );
            }
        }
        if item.materials.is_empty() {
            problems.at_ref(
                file,
                &item.code,
                "事项没有任何材料 (item lists no materials)",
            );
        }
        let mut seen = HashSet::new();
        for f in &item.fields {
            let name = f.field.get_ref();
            let own = format!("{}.{}", item.code.get_ref(), name);
            if !c.fields.contains_key(name) && !c.fields.contains_key(&own) {
                problems.at_ref(file, &f.field, format!("未知的字段 (unknown field) {name}"));
            }
            if !seen.insert(name.clone()) {
                problems.at_ref(file, &f.field, format!("字段 {name} 在本事项中重复"));
            }
        }
        for own in &item.own_fields {
            if !item
                .fields
                .iter()
                .any(|f| f.field.get_ref() == own.id.get_ref())
            {
                problems.at_ref(
                    file,
                    &own.id,
                    format!("自有字段 {} 没有列入本事项的 field", own.id.get_ref()),
                );
            }
        }
        if item.fields.is_empty() {
            problems.at_ref(
                file,
                &item.code,
                "事项没有任何表单字段 (item has no form fields)",
            );
        }
        if item.time_limit.statutory.days.is_none() {
            problems.at_ref(
                file,
                &item.code,
                "事项没有时限 (item without a time limit)：写 statutory.days（即办写 0）；查不到法定时限的写估算并标 verified = false",
            );
        }
        check_no_zero_working_days(file, item, problems);
        check_process(file, item, problems);
    }
}

/// A notice never says "0 个工作日" (即办 says it): no text of an item
/// that reaches the notice may say so.
fn check_no_zero_working_days(file: usize, item: &Item, problems: &mut Problems) {
    let t = &item.time_limit;
    let texts = [
        Some(&t.statutory.text),
        t.promised.as_ref().map(|l| &l.text),
    ]
    .into_iter()
    .flatten()
    .chain(item.conditions.iter().map(|c| &c.text))
    .chain(std::iter::once(&item.fee.text))
    .chain(item.note.iter())
    .chain(
        item.process
            .iter()
            .flat_map(|s| [Some(&s.name), s.time.as_ref(), s.detail.as_ref()])
            .flatten(),
    );
    for text in texts {
        if crate::guide::says_zero_working_days(text) {
            problems.at_ref(
                file,
                &item.code,
                format!("“{text}”写了 0 个工作日：当场办结写“即办” (say 即办, not 0 working days)"),
            );
        }
    }
}

/// 办理流程: each step named, named once, its words not blank.
fn check_process(file: usize, item: &Item, problems: &mut Problems) {
    let mut seen = HashSet::new();
    for step in &item.process {
        if step.name.trim().is_empty() {
            problems.at_ref(
                file,
                &item.code,
                "办理流程的步骤须有名称 (process step without a name)",
            );
        } else if !seen.insert(step.name.trim()) {
            problems.at_ref(
                file,
                &item.code,
                format!("办理流程的步骤“{}”重复", step.name),
            );
        }
        for (what, text) in [("time", &step.time), ("detail", &step.detail)] {
            if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                problems.at_ref(
                    file,
                    &item.code,
                    format!("办理流程“{}”的 {what} 为空：删去或写明", step.name),
                );
            }
        }
    }
}

/// 咨询: a phone is digits with the usual separators; hours are not blank.
fn check_consult(p: &Parsed, problems: &mut Problems) {
    for d in &p.departments {
        if let Err(why) = consult_problem(&d.consult) {
            problems.at_ref(
                p.departments_file,
                &d.id,
                format!("部门 {} 的咨询电话：{why}", d.id.get_ref()),
            );
        }
    }
}

/// Why a consult entry cannot be shown, if it cannot (also used for
/// kiosk.toml's `[consult]`).
pub fn consult_problem(c: &super::Consult) -> Result<(), String> {
    if let Some(phone) = &c.phone
        && !super::limits::valid_phone(phone)
    {
        return Err(format!(
            "“{phone}”不像电话号码（数字、“-”、空格、“转”，最多 {} 个字）",
            super::limits::CONSULT_PHONE
        ));
    }
    if let Some(hours) = &c.hours {
        let n = hours.chars().count();
        if hours.trim().is_empty() || n > super::limits::CONSULT_HOURS {
            return Err(format!(
                "时间“{hours}”须为 1 到 {} 个字",
                super::limits::CONSULT_HOURS
            ));
        }
    }
    Ok(())
}

fn p_file_stem(problems: &Problems, file: usize) -> Option<String> {
    problems.files[file]
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}

fn check_global_questions(p: &Parsed, problems: &mut Problems) {
    let defined: HashMap<&str, &QuestionDef> = p
        .global_questions
        .iter()
        .filter_map(|q| q.id.as_ref().map(|id| (id.get_ref().as_str(), q)))
        .collect();
    for (id, options) in GLOBAL_QUESTIONS {
        match defined.get(id) {
            None => problems.in_file(p.questions_file, format!("缺少全局问题 {id}")),
            Some(q) => {
                let got: Vec<&str> = q.options.iter().map(|o| o.id.get_ref().as_str()).collect();
                if got != *options {
                    problems.at_ref(
                        p.questions_file,
                        q.id.as_ref().expect("keyed by id"),
                        format!(
                            "全局问题 {id} 的选项应为 {}，实为 {}",
                            options.join(" | "),
                            got.join(" | ")
                        ),
                    );
                }
            }
        }
    }
    for q in &p.global_questions {
        check_question_def(p.questions_file, q, problems);
    }
}

fn check_question_def(file: usize, q: &QuestionDef, problems: &mut Problems) {
    let Some(id) = &q.id else { return };
    if q.text.as_deref().unwrap_or("").trim().is_empty() {
        problems.at_ref(file, id, format!("问题 {} 缺少 text", id.get_ref()));
    }
    if q.options.len() < 2 {
        problems.at_ref(file, id, format!("问题 {} 至少要有两个选项", id.get_ref()));
    }
    let defaults = q.options.iter().filter(|o| o.default).count();
    if defaults != 1 && q.uses.is_none() {
        problems.at_ref(
            file,
            id,
            format!(
                "问题 {} 须恰有一个默认选项 (exactly one default)，实有 {defaults} 个",
                id.get_ref()
            ),
        );
    }
    let mut seen = HashSet::new();
    for o in &q.options {
        if !seen.insert(o.id.get_ref()) {
            problems.at_ref(file, &o.id, format!("选项 {} 重复", o.id.get_ref()));
        }
        if o.label.trim().is_empty() || o.hint.trim().is_empty() {
            problems.at_ref(
                file,
                &o.id,
                format!("选项 {} 须有 label 和 hint", o.id.get_ref()),
            );
        }
    }
}

/// Items that need another item's output must not, through a chain, need
/// their own: such a cycle would make the schedule impossible.
fn check_item_cycles(p: &Parsed, c: &Catalog, problems: &mut Problems) {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for item in &c.items {
        let deps = graph.entry(item.code.get_ref()).or_default();
        for m in &item.materials {
            if let Some(def) = c.materials.get(m.material.get_ref()) {
                deps.extend(
                    def.produced_by
                        .iter()
                        .map(|r| r.get_ref().as_str())
                        .filter(|d| *d != item.code.get_ref()),
                );
            }
        }
    }
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        state: &mut HashMap<&'a str, u8>,
        trail: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match state.get(node) {
            Some(1) => {
                let start = trail.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle = trail[start..].to_vec();
                cycle.push(node);
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(node, 1);
        trail.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, trail) {
                return Some(c);
            }
        }
        trail.pop();
        state.insert(node, 2);
        None
    }
    let mut state = HashMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut state, &mut Vec::new()) {
            let file = p
                .items
                .iter()
                .find(|(_, i)| i.code.get_ref() == cycle[0])
                .map_or(p.materials_file, |(f, _)| *f);
            problems.in_file(
                file,
                format!("事项之间循环依赖 (dependency cycle): {}", cycle.join(" → ")),
            );
            return;
        }
    }
}

/// Every reference in a condition names a question asked before `limit`
/// (questions are asked in file order, so a condition on a later question
/// would be a cycle) and one of its options.
fn check_condition(
    file: usize,
    cond: &Condition,
    questions: &[super::Question],
    limit: usize,
    problems: &mut Problems,
) {
    for (q, allowed) in cond {
        match questions.iter().position(|x| x.id == *q.get_ref()) {
            None => problems.at_ref(file, q, format!("未知的问题 (unknown question) {}", q.get_ref())),
            Some(pos) if pos >= limit => problems.at_ref(
                file,
                q,
                format!("条件引用了问题 {}，它不在此问题之前提出 (condition on a later question: cycle)", q.get_ref()),
            ),
            Some(pos) => {
                if !allowed.is_well_formed() {
                    problems.at(file, allowed.span(), "条件的值应为选项 id 或选项 id 列表");
                }
                for o in allowed.options() {
                    if questions[pos].option(o).is_none() {
                        problems.at(file, allowed.span(), format!("问题 {} 没有选项 {o}", q.get_ref()));
                    }
                }
            }
        }
    }
}

fn check_bundle(file: usize, b: &Bundle, c: &Catalog, problems: &mut Problems) {
    let Some(bundle) = c.bundle(b.code.get_ref()) else {
        return;
    };
    let stem = p_file_stem(problems, file);
    if stem.as_deref() != Some(b.code.get_ref().as_str()) {
        problems.at_ref(
            file,
            &b.code,
            format!(
                "一件事 {} 应写在 bundles/{}.toml 中",
                b.code.get_ref(),
                b.code.get_ref()
            ),
        );
    }
    if c.department(b.lead_department.get_ref()).is_none() {
        problems.at_ref(
            file,
            &b.lead_department,
            format!("未知的牵头部门 {}", b.lead_department.get_ref()),
        );
    }
    let qs = &bundle.questions;
    let mut seen = HashSet::new();
    for (n, (def, q)) in b.questions.iter().zip(qs).enumerate() {
        if !seen.insert(q.id.clone()) {
            problems.at_ref(
                file,
                def.id.as_ref().or(def.uses.as_ref()).expect("resolved"),
                format!("问题 {} 重复", q.id),
            );
        }
        if def.uses.is_none() {
            if GLOBAL_QUESTIONS.iter().any(|(g, _)| *g == q.id) {
                problems.at_ref(
                    file,
                    def.id.as_ref().expect("resolved"),
                    format!("{} 是全局问题，请写 use = \"{}\"", q.id, q.id),
                );
            }
            check_question_def(file, def, problems);
        }
        check_condition(file, &def.ask_if, qs, n, problems);
    }
    let all = qs.len();
    let item_exists = |r: &Ref, problems: &mut Problems| {
        if c.item(r.get_ref()).is_none() {
            problems.at_ref(
                file,
                r,
                format!("未知的事项 (unknown item) {}", r.get_ref()),
            );
        }
    };
    for g in &b.groups {
        check_condition(file, &g.when, qs, all, problems);
        g.items.iter().for_each(|i| item_exists(i, problems));
        match g.kind {
            GroupKind::OneOf => {
                if !g.items.is_empty() {
                    problems.in_file(file, "one_of 组用 choose 列事项，不写 items");
                }
                match &g.decided_by {
                    None => problems.in_file(file, "one_of 组没有 decided_by：没有问题决定选哪一项 (one-of group no question decides)"),
                    Some(q) => match bundle.question(q.get_ref()) {
                        None => problems.at_ref(file, q, format!("未知的问题 {}", q.get_ref())),
                        Some(question) => {
                            for (opt, item) in &g.choose {
                                if question.option(opt.get_ref()).is_none() {
                                    problems.at_ref(file, opt, format!("问题 {} 没有选项 {}", q.get_ref(), opt.get_ref()));
                                }
                                item_exists(item, problems);
                            }
                        }
                    },
                }
                if g.choose.len() < 2 {
                    problems.in_file(file, "one_of 组至少要有两个可选事项");
                }
            }
            GroupKind::Conditional if g.when.is_empty() => {
                problems.in_file(file, "conditional 组须有 when 条件（否则请用 always）");
            }
            _ => {
                if g.decided_by.is_some() || !g.choose.is_empty() {
                    problems.in_file(file, "只有 one_of 组才能写 decided_by / choose");
                }
                if g.items.is_empty() {
                    problems.in_file(file, "组内没有事项 (group lists no items)");
                }
            }
        }
    }
    for r in &b.referrals {
        check_condition(file, &r.when, qs, all, problems);
        if r.when.is_empty() {
            problems.in_file(file, "转办 (referral) 须有 when 条件");
        }
    }
    for e in &b.elsewhere {
        check_condition(file, &e.when, qs, all, problems);
    }
    // Material conditions live in item files but name this bundle's
    // questions: an item used by this bundle may only ask about questions
    // the bundle asks (else the material would silently never apply).
    let used_items: HashSet<&str> = b
        .groups
        .iter()
        .flat_map(|g| g.items.iter().chain(g.choose.values()))
        .map(|r| r.get_ref().as_str())
        .collect();
    for code in used_items {
        let Some(item) = c.item(code) else { continue };
        for m in item
            .materials
            .iter()
            .filter(|m| !m.only_when_answers.is_empty())
        {
            for q in m.only_when_answers.keys() {
                if bundle.question(q.get_ref()).is_none() {
                    problems.at_ref(
                        file,
                        &b.code,
                        format!("事项 {code} 的材料 {} 的 only_when_answers 引用了本件事未提出的问题 {}", m.material.get_ref(), q.get_ref()),
                    );
                }
            }
        }
    }
    for l in &b.listings {
        item_exists(&l.item, problems);
        check_condition(file, &l.explain_when, qs, all, problems);
        if c.department_by_name(&l.department).is_none() {
            problems.at_ref(
                file,
                &l.item,
                format!("源表部门“{}”不是已知部门名称或别名", l.department),
            );
        }
    }
    check_options_lead_somewhere(file, b, qs, problems);
    if problems.errors.is_empty() {
        // Only walk paths over a catalog whose references are sound.
        check_paths(file, b, bundle, c, problems);
    }
}

/// A question must decide something, and at most one of its options may be
/// the silent "otherwise": two options no rule mentions give the same
/// outcome, so one of them leads nowhere.
fn check_options_lead_somewhere(
    file: usize,
    b: &Bundle,
    qs: &[super::Question],
    problems: &mut Problems,
) {
    let mut mentioned: HashMap<String, HashSet<String>> = HashMap::new();
    let mut conditions: Vec<&Condition> = Vec::new();
    conditions.extend(b.questions.iter().map(|q| &q.ask_if));
    conditions.extend(b.referrals.iter().map(|r| &r.when));
    conditions.extend(b.elsewhere.iter().map(|e| &e.when));
    conditions.extend(b.listings.iter().map(|l| &l.explain_when));
    conditions.extend(b.groups.iter().map(|g| &g.when));
    for cond in conditions {
        for (q, allowed) in cond {
            let set = mentioned.entry(q.get_ref().clone()).or_default();
            set.extend(allowed.options().into_iter().map(str::to_string));
        }
    }
    for g in &b.groups {
        if let Some(q) = &g.decided_by {
            let set = mentioned.entry(q.get_ref().clone()).or_default();
            set.extend(g.choose.keys().map(|o| o.get_ref().clone()));
        }
    }
    for (def, q) in b.questions.iter().zip(qs) {
        let at = def.id.as_ref().or(def.uses.as_ref()).expect("resolved");
        let silent: Vec<&str> = q
            .options
            .iter()
            .map(|o| o.id.as_str())
            .filter(|o| !mentioned.get(&q.id).is_some_and(|s| s.contains(*o)))
            .collect();
        if silent.len() == q.options.len() {
            problems.at_ref(
                file,
                at,
                format!("问题 {} 不影响任何结果 (question decides nothing)", q.id),
            );
        } else if silent.len() > 1 {
            problems.at_ref(
                file,
                at,
                format!(
                    "问题 {} 的选项 {} 都没有规则引用，选哪个结果都一样 (options lead nowhere)",
                    q.id,
                    silent.join("、")
                ),
            );
        }
    }
}

/// Walks every answer path: each must end in a referral or a notice with
/// at least one item, every active one-of group must yield exactly one
/// item, and every item the bundle lists must be reachable.
fn check_paths(
    file: usize,
    b: &Bundle,
    bundle: &super::LoadedBundle,
    c: &Catalog,
    problems: &mut Problems,
) {
    let paths = flow::enumerate_selections(bundle);
    let mut reached: HashSet<&str> = HashSet::new();
    let mut twice: HashSet<(String, String)> = HashSet::new();
    // Only built for an error message: the loader walks every path on
    // every load, so the happy path must not format anything.
    let trail = |answers: &[(String, String)]| {
        answers
            .iter()
            .map(|(q, a)| format!("{q}={a}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for path in &paths {
        let Some(items) = &path.items else { continue };
        if items.is_empty() {
            problems.at_ref(
                file,
                &b.code,
                format!(
                    "答案路径 [{}] 的告知单没有任何事项：应转办 (referral) 或补充事项",
                    trail(&path.answers)
                ),
            );
        }
        reached.extend(items.iter().map(String::as_str));
        let effective: Vec<(&str, &str)> = path
            .answers
            .iter()
            .map(|(q, a)| (q.as_str(), a.as_str()))
            .collect();
        check_listed_once(file, b, c, items, &effective, &mut twice, problems);
        for g in b.groups.iter().filter(|g| g.kind == GroupKind::OneOf) {
            if !condition_holds(&g.when, effective.as_slice()) {
                continue;
            }
            let decided_by = g.decided_by.as_ref().map_or("?", |q| q.get_ref().as_str());
            let answer = effective.as_slice().answer(decided_by);
            if !answer.is_some_and(|a| g.choose.keys().any(|o| o.get_ref() == a)) {
                problems.at_ref(
                    file,
                    &b.code,
                    format!(
                        "答案路径 [{}] 下 one_of 组（由 {decided_by} 决定）选不出事项：该选项没有去处 (option leads nowhere)",
                        trail(&path.answers)
                    ),
                );
            }
        }
    }
    let listed = b
        .groups
        .iter()
        .flat_map(|g| g.items.iter().chain(g.choose.values()))
        .chain(b.listings.iter().map(|l| &l.item));
    let mut reported = HashSet::new();
    for item in listed {
        if !reached.contains(item.get_ref().as_str()) && reported.insert(item.get_ref().clone()) {
            problems.at_ref(
                file,
                item,
                format!(
                    "没有任何答案路径会选中事项 {} (unreachable item)",
                    item.get_ref()
                ),
            );
        }
    }
}

/// A notice lists each material once: two materials of one path under
/// the same name would be one document asked for twice. Reported once per
/// pair of material ids.
fn check_listed_once(
    file: usize,
    b: &Bundle,
    c: &Catalog,
    items: &[String],
    effective: &[(&str, &str)],
    reported: &mut HashSet<(String, String)>,
    problems: &mut Problems,
) {
    let mut by_name: HashMap<&str, &str> = HashMap::new();
    for item in items.iter().filter_map(|code| c.item(code)) {
        for u in item
            .materials
            .iter()
            .filter(|u| condition_holds(&u.only_when_answers, effective))
        {
            let id = u.material.get_ref().as_str();
            let Some(m) = c.materials.get(id) else {
                continue;
            };
            let name = m.name.trim();
            match by_name.insert(name, id) {
                Some(other) if other != id => {
                    let pair = (other.min(id).to_string(), other.max(id).to_string());
                    if reported.insert(pair) {
                        problems.at_ref(
                            file,
                            &b.code,
                            format!(
                                "同一告知单把材料“{name}”列了两次（{other} 与 {id}）：合并为一种材料 (material listed twice on one path)"
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// The holiday schedule: each year once, its dates in that year, worked
/// days on weekends only.
fn check_holidays(p: &Parsed, problems: &mut Problems) {
    let Some((file, schedule)) = &p.holidays else {
        return;
    };
    let mut seen = HashSet::new();
    for y in &schedule.years {
        if !seen.insert(y.year) {
            problems.in_file(*file, format!("{}年的节假日安排写了两次", y.year));
        }
        if y.source.trim().is_empty() {
            problems.in_file(
                *file,
                format!("{}年的节假日安排须写 source（通知名称）", y.year),
            );
        }
        for problem in y.problems() {
            problems.in_file(*file, problem);
        }
    }
}
