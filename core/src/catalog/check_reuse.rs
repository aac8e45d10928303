//! Checks of the form's reuse rules (see `crate::form::reuse`): every
//! offer and questionnaire-settled value names something that exists and
//! is a value its field accepts, so a one-tap choice can never fill in
//! something the form then refuses.

use super::check::PREFILL_SOURCES;
use super::load::{Parsed, Problems};
use super::model::{Bundle, FieldDef, OfferDef};
use super::{Catalog, Field, FieldShape};

/// A fixed day for checking `{today}` offers: any real date will do.
fn sample_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a real date")
}

pub(super) fn check_reuse(p: &Parsed, c: &Catalog, problems: &mut Problems) {
    let mut defs: Vec<(usize, String, &FieldDef)> = p
        .shared_fields
        .iter()
        .map(|f| (p.fields_file, f.id.get_ref().clone(), f))
        .collect();
    for (file, item) in &p.items {
        for f in &item.own_fields {
            defs.push((
                *file,
                format!("{}.{}", item.code.get_ref(), f.id.get_ref()),
                f,
            ));
        }
    }
    for (file, id, def) in defs {
        let Some(field) = c.fields.get(&id) else {
            continue;
        };
        let subs = match &field.shape {
            FieldShape::Records { fields, .. } => fields.as_slice(),
            FieldShape::Scalar(_) => &[],
        };
        if let Some(offer) = &def.offer
            && let Some(e) = check_offer(&id, offer, field, c)
        {
            problems.at_ref(file, &def.id, e);
        }
        for (sub_def, sub) in def.record.iter().zip(subs) {
            if let Some(offer) = &sub_def.offer
                && let Some(e) = check_offer(&format!("{id}/{}", sub.id), offer, sub, c)
            {
                problems.at_ref(file, &sub_def.id, e);
            }
        }
        if def.offer_record.is_some() && !def.record.iter().any(|s| s.offer.is_some()) {
            problems.at_ref(
                file,
                &def.id,
                format!("字段 {id} 有 offer_record，但没有一个记录字段有 offer"),
            );
        }
        for (other, value) in &def.show_if {
            match c.fields.get(other) {
                None => problems.at_ref(
                    file,
                    &def.id,
                    format!("字段 {id} 的 show_if 引用了未知字段 {other}"),
                ),
                Some(f) => {
                    if let Err(e) = accepts(f, value) {
                        problems.at_ref(file, &def.id, format!("字段 {id} 的 show_if：{e}"));
                    }
                }
            }
        }
        if let Some(rule) = &def.from_answer {
            let Some(q) = p
                .global_questions
                .iter()
                .find(|q| q.id.as_ref().map(|i| i.get_ref()) == Some(rule.question.get_ref()))
            else {
                problems.at_ref(
                    file,
                    &rule.question,
                    format!(
                        "字段 {id} 的 from_answer 引用了未知问题 {}",
                        rule.question.get_ref()
                    ),
                );
                continue;
            };
            for (answer, value) in &rule.values {
                if !q.options.iter().any(|o| o.id.get_ref() == answer) {
                    problems.at_ref(
                        file,
                        &rule.question,
                        format!("字段 {id} 的 from_answer：问题没有选项 {answer}"),
                    );
                }
                if let Err(e) = accepts(field, value) {
                    problems.at_ref(
                        file,
                        &rule.question,
                        format!("字段 {id} 的 from_answer：{e}"),
                    );
                }
            }
        }
    }
    // A material decided by a form answer must name a field its own item
    // asks, or the condition could never hold and the material would
    // silently vanish.
    for (file, item) in &p.items {
        for m in &item.materials {
            for (other, value) in &m.only_when_form {
                let asked = item.fields.iter().any(|u| u.field.get_ref() == other);
                match c.fields.get(other) {
                    Some(f) if asked => {
                        if let Err(e) = accepts(f, value) {
                            problems.at_ref(*file, &m.material, format!("only_when_form：{e}"));
                        }
                    }
                    _ => problems.at_ref(
                        *file,
                        &m.material,
                        format!(
                            "材料 {} 的 only_when_form 引用了本事项不填的字段 {other}",
                            m.material.get_ref()
                        ),
                    ),
                }
            }
        }
    }
    for (file, b) in &p.bundles {
        check_bundle_form(*file, b, c, problems);
    }
}

fn check_bundle_form(file: usize, b: &Bundle, c: &Catalog, problems: &mut Problems) {
    for (key, value) in &b.form.prefill {
        match field_at(c, key) {
            None => problems.at_ref(file, &b.code, format!("[form] prefill 的字段 {key} 不存在")),
            Some(f) => {
                if let Err(e) = accepts(f, value) {
                    problems.at_ref(file, &b.code, format!("[form] prefill {key}：{e}"));
                }
            }
        }
    }
    for (key, offer) in &b.form.offer {
        match field_at(c, key) {
            None => problems.at_ref(file, &b.code, format!("[form] offer 的字段 {key} 不存在")),
            Some(f) => {
                if let Some(e) = check_offer(key, offer, f, c) {
                    problems.at_ref(file, &b.code, e);
                }
            }
        }
    }
}

/// The field at a `[form]` key: an id, or `id/subfield`.
fn field_at<'c>(c: &'c Catalog, key: &str) -> Option<&'c Field> {
    match key.split_once('/') {
        None => c.fields.get(key),
        Some((id, sub)) => match &c.fields.get(id)?.shape {
            FieldShape::Records { fields, .. } => fields.iter().find(|f| f.id == sub),
            FieldShape::Scalar(_) => None,
        },
    }
}

fn check_offer(key: &str, offer: &OfferDef, field: &Field, c: &Catalog) -> Option<String> {
    match (&offer.from, &offer.value) {
        (Some(_), Some(_)) | (None, None) => {
            Some(format!("字段 {key} 的 offer 须有 from 或 value 之一"))
        }
        (Some(from), None) => {
            let known = PREFILL_SOURCES.contains(&from.as_str()) || c.fields.contains_key(from);
            (!known)
                .then(|| format!("字段 {key} 的 offer 来源 {from} 既不是预填来源也不是已知字段"))
        }
        (None, Some(value)) => accepts(
            field,
            &crate::form::reuse::expand_dates(value, sample_day()),
        )
        .err()
        .map(|e| format!("字段 {key} 的 offer：{e}")),
    }
}

/// Whether the field takes `value` as typed (choice fields by option id).
fn accepts(field: &Field, value: &str) -> Result<(), String> {
    let FieldShape::Scalar(kind) = &field.shape else {
        return Err(format!("{} 是名单，不能预设一个值", field.id));
    };
    crate::form::validate::validate(kind, value)
        .map(|_| ())
        .map_err(|e| format!("“{value}”不是 {} 可接受的值：{e}", field.id))
}
