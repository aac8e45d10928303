//! The notice (一次告知单): everything an applicant needs, told once.

use super::Answers;
use crate::catalog::{
    Basis, Catalog, CatalogVersion, Fact, Item, Limit, LoadedBundle, MaterialDef, MaterialForm,
    MaterialSource, ProcessStep, Template, condition_holds,
};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub bundle: BundleRef,
    pub catalog_version: CatalogVersion,
    /// The answers that shaped this notice, in the order asked.
    pub answers: Vec<AnswerRecord>,
    pub lead_department: DepartmentView,
    pub hall: String,
    /// Where the applicant hands in everything at once.
    pub combined_window: String,
    pub items: Vec<NoticeItem>,
    /// Each material once, with every item it serves.
    pub materials: Vec<NoticeMaterial>,
    /// What the applicant still needs that is handled elsewhere.
    pub elsewhere: Vec<crate::catalog::Elsewhere>,
    /// Why an item of the source table is not (or only partly) required.
    pub explanations: Vec<Explanation>,
    pub schedule: Schedule,
    /// Where to go in the hall, in order.
    pub directions: Vec<String>,
    /// 咨询电话: the lead department's, then each item's department's, once.
    pub consult: Vec<ConsultLine>,
}

/// One department's consultation phone and hours, as the notice shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultLine {
    pub department: String,
    pub department_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// False until the hall sets the phone (kiosk.toml) or a source confirms
    /// it: shown with （待核实）.
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerRecord {
    pub question: String,
    pub question_text: String,
    pub option: String,
    pub option_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView {
    pub id: String,
    pub name: String,
    pub full_name: String,
    pub window: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeItem {
    pub code: String,
    pub name: String,
    /// The department's id; `department_name` is how the source names it.
    pub department: String,
    pub department_name: String,
    pub department_full_name: String,
    pub window: String,
    pub level: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_note: Option<String>,
    pub statutory_limit: Limit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promised_limit: Option<Limit>,
    pub fee: Fact,
    pub basis: Vec<Basis>,
    pub conditions: Vec<Fact>,
    pub output: String,
    /// 办理流程 after the window, in order (empty: not yet in the catalog).
    pub process: Vec<ProcessStep>,
    /// 告知承诺制, when a list allows it for this item: the second route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment_route: Option<crate::catalog::CommitmentRoute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Items of this notice whose output this item needs first.
    pub after: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeMaterial {
    pub id: String,
    pub name: String,
    /// The item codes it serves.
    pub items: Vec<String>,
    pub form: MaterialForm,
    pub form_label: String,
    pub copies: u32,
    /// A key material must be there at intake; a non-key one may be
    /// supplied later under 容缺 with a written promise.
    pub key: bool,
    pub rongque_eligible: bool,
    /// Whether the key/容缺 status is confirmed for this hall.
    pub key_verified: bool,
    pub source: MaterialSource,
    /// Whether the applicant brings it, signs what the kiosk drafts, or
    /// hands in nothing (一套材料: bring only what only the applicant has).
    pub handling: Handling,
    /// For a document the kiosk drafts for signature: which one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
    /// The source in words for the applicant.
    pub source_label: String,
    /// For a material produced by an item of this notice: that item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_by: Option<String>,
    /// When only some applicants need it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only_when: Vec<String>,
    /// Form answers that decide it (see `MaterialUse::only_when_form`);
    /// empty when some item of the notice needs it whatever the form says.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub only_when_form: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the applicant does about a material of the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// The kiosk generates it from the merged form (an application form,
    /// or a standard document such as the 章程): “本机生成，签字即可”.
    Generated,
    /// Nothing to hand in: the kiosk reads it (ID card), the platform
    /// holds it (电子营业执照), or an item of this visit produces it.
    NotSubmitted,
    /// The applicant brings it (own papers, or a third party's).
    Bring,
}

impl Handling {
    fn of(def: &MaterialDef, produced_here: bool) -> Handling {
        match def.source {
            MaterialSource::Form => Handling::Generated,
            MaterialSource::IdCard => Handling::NotSubmitted,
            MaterialSource::EarlierItem if produced_here => Handling::NotSubmitted,
            _ if def.shared.is_some() => Handling::NotSubmitted,
            _ => Handling::Bring,
        }
    }
}

impl Notice {
    /// The materials the applicant must bring on this path whatever the
    /// form says: neither generated here, nor read, shared or produced in
    /// this visit, nor needed only in some cases (委托, 前置审批). What the
    /// issue's goal counts (B01 typical ≤ 2, every typical ≤ 4, any ≤ 8).
    pub fn to_bring(&self) -> Vec<&NoticeMaterial> {
        self.materials
            .iter()
            .filter(|m| {
                m.handling == Handling::Bring
                    && m.only_when.is_empty()
                    && m.only_when_form.is_empty()
            })
            .collect()
    }
}

impl NoticeItem {
    /// Where the item is examined, as the applicant reads it on screen and
    /// in the notice's steps: "区市场监管局：市场监管窗口（3号窗口）". The
    /// window's own name carries brackets, so the department is not put in
    /// brackets around it (that read "区市场监管局（市场监管窗口（3号窗口））").
    pub fn department_at_window(&self) -> String {
        format!("{}：{}", self.department_name, self.window)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub item: String,
    pub item_name: String,
    /// The department as the source table lists it for this bundle.
    pub listed_department: String,
    pub text: String,
}

/// The expected overall time: items that need another item's output run
/// after it, the others in parallel, and joint handling has a legal cap.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    /// Items in stages: every item of a stage can start once the previous
    /// stages are done.
    pub stages: Vec<Vec<String>>,
    /// Longest chain of statutory limits, in working days.
    pub statutory_days: u32,
    /// Longest chain using the hall's promised limits where known.
    pub expected_days: u32,
    /// Items whose time limit is not known (counted as 0).
    pub unknown_limits: Vec<String>,
    pub joint_limit_days: u32,
    pub joint_extension_days: u32,
    /// True when the chain is longer than the joint handling cap, so the cap
    /// is what binds the departments.
    pub capped: bool,
}

impl Notice {
    /// The overall time in two sentences (expected days, or that limits are
    /// not published; then the joint-handling cap), worded once for the
    /// screen, the text notice and the printed notice.
    pub fn schedule_sentences(&self) -> [String; 2] {
        let sc = &self.schedule;
        let expected = if sc.unknown_limits.len() == self.items.len() {
            "各事项的办理时限尚未公布，请到窗口确认。".to_string()
        } else {
            let partly = if sc.unknown_limits.is_empty() {
                ""
            } else {
                "已公布时限的事项"
            };
            // 即办 is said as 即办, never "0 个工作日".
            if sc.statutory_days == 0 {
                format!("{partly}即办：材料齐全、符合条件的当场办结。")
            } else if sc.expected_days == 0 {
                format!(
                    "{partly}预计即办；按法定时限最长 {} 个工作日。",
                    sc.statutory_days
                )
            } else {
                format!(
                    "{partly}预计 {} 个工作日内办结；按法定时限最长 {} 个工作日。",
                    sc.expected_days, sc.statutory_days
                )
            }
        };
        let cap = format!(
            "联合办理时限不超过 {} 日，经批准可延长 {} 日{}。",
            sc.joint_limit_days,
            sc.joint_extension_days,
            if sc.capped {
                "（本件按此上限办理）"
            } else {
                ""
            }
        );
        [expected, cap]
    }
}

pub(crate) fn build_notice(
    catalog: &Catalog,
    bundle: &LoadedBundle,
    effective: &Answers,
) -> Notice {
    let codes = super::selected_items(bundle, effective);
    let items: Vec<&Item> = codes.iter().filter_map(|c| catalog.item(c)).collect();
    let materials = merge_materials(catalog, &items, effective);
    let after = dependencies(catalog, &items);
    let notice_items: Vec<NoticeItem> = items
        .iter()
        .map(|item| {
            notice_item(
                catalog,
                item,
                after.get(item.code.get_ref()).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let lead = department_view(catalog, bundle.def.lead_department.get_ref());
    let schedule = schedule(catalog, &items, &after);
    let explanations = bundle
        .def
        .listings
        .iter()
        .filter(|l| l.explanation.is_some() && condition_holds(&l.explain_when, effective))
        .map(|l| Explanation {
            item: l.item.get_ref().clone(),
            item_name: catalog
                .item(l.item.get_ref())
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            listed_department: l.department.clone(),
            text: l.explanation.clone().unwrap_or_default(),
        })
        .collect();
    let elsewhere = bundle
        .def
        .elsewhere
        .iter()
        .filter(|e| condition_holds(&e.when, effective))
        .cloned()
        .collect();
    let answers = bundle
        .questions
        .iter()
        .filter_map(|q| {
            let a = effective.get(&q.id)?;
            let opt = q.option(a)?;
            Some(AnswerRecord {
                question: q.id.clone(),
                question_text: q.text.clone(),
                option: opt.id.clone(),
                option_label: opt.label.clone(),
            })
        })
        .collect();
    let directions = directions(catalog, &lead, &notice_items, &materials);
    let consult = consult_lines(catalog, &lead, &notice_items);
    Notice {
        bundle: BundleRef {
            code: bundle.code().to_string(),
            name: bundle.def.name.clone(),
        },
        catalog_version: catalog.version.clone(),
        answers,
        lead_department: lead,
        hall: catalog.meta.hall.clone(),
        combined_window: catalog.meta.combined_window.clone(),
        items: notice_items,
        materials,
        elsewhere,
        explanations,
        schedule,
        directions,
        consult,
    }
}

fn consult_lines(
    catalog: &Catalog,
    lead: &DepartmentView,
    items: &[NoticeItem],
) -> Vec<ConsultLine> {
    let mut out: Vec<ConsultLine> = Vec::new();
    let ids = std::iter::once(lead.id.as_str()).chain(items.iter().map(|i| i.department.as_str()));
    for id in ids {
        if out.iter().any(|c| c.department == id) {
            continue;
        }
        let (name, consult) = match catalog.department(id) {
            Some(d) => (d.name.clone(), d.consult.clone()),
            None => (id.to_string(), Default::default()),
        };
        out.push(ConsultLine {
            department: id.to_string(),
            department_name: name,
            verified: consult.is_verified(),
            phone: consult.phone,
            hours: consult.hours,
        });
    }
    out
}

fn department_view(catalog: &Catalog, id: &str) -> DepartmentView {
    match catalog.department(id) {
        Some(d) => DepartmentView {
            id: id.to_string(),
            name: d.name.clone(),
            full_name: d.full_name.clone(),
            window: catalog.window_of(id),
        },
        None => DepartmentView {
            id: id.to_string(),
            name: id.to_string(),
            full_name: id.to_string(),
            window: String::new(),
        },
    }
}

fn notice_item(catalog: &Catalog, item: &Item, after: Vec<String>) -> NoticeItem {
    let dept = department_view(catalog, item.department.get_ref());
    NoticeItem {
        code: item.code.get_ref().clone(),
        name: item.name.clone(),
        department: dept.id,
        department_name: dept.name,
        department_full_name: dept.full_name,
        window: dept.window,
        level: item.level.clone(),
        level_note: item.level_note.clone(),
        statutory_limit: item.time_limit.statutory.clone(),
        promised_limit: item.time_limit.promised.clone(),
        fee: item.fee.clone(),
        basis: item.basis.clone(),
        conditions: item.conditions.clone(),
        output: item.output.clone(),
        process: item.process.clone(),
        commitment_route: item.commitment_route.clone(),
        note: item.note.clone(),
        after,
    }
}

/// Item code → codes of the notice's items whose output it needs.
fn dependencies(catalog: &Catalog, items: &[&Item]) -> BTreeMap<String, Vec<String>> {
    let in_notice = |code: &str| items.iter().any(|i| i.code.get_ref() == code);
    let mut out = BTreeMap::new();
    for item in items {
        let mut deps: Vec<String> = Vec::new();
        for use_ in &item.materials {
            let Some(m) = catalog.materials.get(use_.material.get_ref()) else {
                continue;
            };
            for producer in &m.produced_by {
                let p = producer.get_ref();
                if p != item.code.get_ref() && in_notice(p) && !deps.iter().any(|d| d == p) {
                    deps.push(p.clone());
                }
            }
        }
        out.insert(item.code.get_ref().clone(), deps);
    }
    out
}

fn merge_materials(catalog: &Catalog, items: &[&Item], effective: &Answers) -> Vec<NoticeMaterial> {
    let mut out: Vec<NoticeMaterial> = Vec::new();
    for item in items {
        for use_ in item
            .materials
            .iter()
            .filter(|u| condition_holds(&u.only_when_answers, effective))
        {
            let id = use_.material.get_ref();
            let Some(def) = catalog.materials.get(id) else {
                continue;
            };
            if let Some(existing) = out.iter_mut().find(|m| m.id == *id) {
                existing.items.push(item.code.get_ref().clone());
                existing.form = existing.form.merge(use_.form);
                existing.form_label = existing.form.label().to_string();
                existing.copies = existing.copies.max(use_.copies);
                existing.key |= use_.key;
                existing.rongque_eligible = !existing.key;
                existing.key_verified &= use_.key_verified.is_verified();
                if existing.only_when_form != use_.only_when_form {
                    existing.only_when_form.clear();
                }
                if let Some(w) = &use_.only_when
                    && !existing.only_when.contains(w)
                {
                    existing.only_when.push(w.clone());
                }
                continue;
            }
            let produced_by = def
                .produced_by
                .iter()
                .map(|p| p.get_ref())
                .find(|p| items.iter().any(|i| i.code.get_ref() == *p))
                .cloned();
            let handling = Handling::of(def, produced_by.is_some());
            let source_label = source_label(catalog, def, produced_by.as_deref());
            out.push(NoticeMaterial {
                id: id.clone(),
                name: def.name.clone(),
                items: vec![item.code.get_ref().clone()],
                form: use_.form,
                form_label: use_.form.label().to_string(),
                copies: use_.copies,
                key: use_.key,
                rongque_eligible: !use_.key,
                key_verified: use_.key_verified.is_verified(),
                source: def.source,
                handling,
                template: def.template,
                source_label,
                produced_by,
                only_when: use_.only_when.iter().cloned().collect(),
                only_when_form: use_.only_when_form.clone(),
                note: def.note.clone(),
            });
        }
    }
    out
}

fn source_label(catalog: &Catalog, def: &MaterialDef, produced_by: Option<&str>) -> String {
    let issuer = def.issuer.as_deref();
    let produced = produced_by.and_then(|c| catalog.item(c));
    if let (Some(shared), None) = (&def.shared, produced) {
        let mark = if shared.verified.is_verified() {
            ""
        } else {
            "（待核实）"
        };
        return format!("平台共享{}，无需提交{mark}", shared.name);
    }
    match def.source {
        MaterialSource::Form => "本机生成，签字即可".into(),
        MaterialSource::IdCard => "本机读取身份证，无需提交".into(),
        MaterialSource::EarlierItem => match (produced, issuer) {
            (Some(item), _) => format!("由本次办理的“{}”产生，无需提交", item.name),
            (None, Some(who)) => format!("请携带已取得的文书（由{who}出具）"),
            (None, None) => "您已持有，请携带（可共享核验的免交）".into(),
        },
        MaterialSource::Own => "请您自备".into(),
        MaterialSource::ThirdParty => match issuer {
            Some(who) => format!("需由{who}出具"),
            None => "需由第三方机构出具".into(),
        },
    }
}

fn limit_days(limit: &Limit) -> Option<u32> {
    limit.days
}

fn schedule(catalog: &Catalog, items: &[&Item], after: &BTreeMap<String, Vec<String>>) -> Schedule {
    // Longest path over the dependency DAG (the loader rejects cycles); the
    // notice has at most a handful of items, so a simple fixpoint is enough.
    let mut stage: BTreeMap<String, usize> = BTreeMap::new();
    let mut statutory: BTreeMap<String, u32> = BTreeMap::new();
    let mut expected: BTreeMap<String, u32> = BTreeMap::new();
    let mut unknown = Vec::new();
    for item in items {
        if item.time_limit.statutory.days.is_none() {
            unknown.push(item.code.get_ref().clone());
        }
    }
    for _ in 0..=items.len() {
        for item in items {
            let code = item.code.get_ref();
            let deps = after.get(code).map(Vec::as_slice).unwrap_or_default();
            let s = deps
                .iter()
                .map(|d| stage.get(d).copied().unwrap_or(0) + 1)
                .max()
                .unwrap_or(0);
            let own_statutory = limit_days(&item.time_limit.statutory).unwrap_or(0);
            let own_expected = item
                .time_limit
                .promised
                .as_ref()
                .and_then(limit_days)
                .unwrap_or(own_statutory);
            let before = |m: &BTreeMap<String, u32>| {
                deps.iter()
                    .map(|d| m.get(d).copied().unwrap_or(0))
                    .max()
                    .unwrap_or(0)
            };
            let st = before(&statutory) + own_statutory;
            let ex = before(&expected) + own_expected;
            stage.insert(code.clone(), s);
            statutory.insert(code.clone(), st);
            expected.insert(code.clone(), ex);
        }
    }
    let stage_count = stage.values().copied().max().map_or(0, |m| m + 1);
    let stages = (0..stage_count)
        .map(|s| {
            items
                .iter()
                .map(|i| i.code.get_ref().clone())
                .filter(|c| stage.get(c) == Some(&s))
                .collect()
        })
        .collect();
    let statutory_days = statutory.values().copied().max().unwrap_or(0);
    let cap = catalog.meta.joint_limit_days;
    Schedule {
        stages,
        statutory_days,
        expected_days: expected.values().copied().max().unwrap_or(0).min(cap),
        unknown_limits: unknown,
        joint_limit_days: cap,
        joint_extension_days: catalog.meta.joint_extension_days,
        capped: statutory_days > cap,
    }
}

fn directions(
    catalog: &Catalog,
    lead: &DepartmentView,
    items: &[NoticeItem],
    materials: &[NoticeMaterial],
) -> Vec<String> {
    let mut out = vec![format!(
        "带齐下列材料，到{}“{}”一次提交，由牵头部门{}统一受理。",
        catalog.meta.hall, catalog.meta.combined_window, lead.name
    )];
    if materials.iter().any(|m| m.rongque_eligible) {
        out.push("标有“可容缺”的材料暂时没有也能先受理，签署承诺书后在约定期限内补交。".into());
    }
    let mut windows: Vec<String> = Vec::new();
    for i in items {
        let w = i.department_at_window();
        if !windows.contains(&w) {
            windows.push(w);
        }
    }
    out.push(format!(
        "各部门审核窗口（如需当面核验）：{}。",
        windows.join("；")
    ));
    out
}
