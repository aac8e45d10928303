//! The merged form (一表申请): one form for all of a notice's items, each
//! shared field asked once, prefilled from the ID card and an existing
//! licence, and from it one application per item with that department's
//! own field names.

pub use super::reuse::Prefilled;
use super::reuse::{Known, Offer, prune_offers};
use super::validate::{FieldError, FieldValue, validate};
use crate::applicant::Applicant;
use crate::catalog::{Catalog, Field, FieldShape};
use crate::guide::Notice;
use serde::Serialize;
use std::collections::BTreeMap;

/// One field of the merged form, with every item that uses it.
#[derive(Debug, Clone, Serialize)]
pub struct FormField {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    pub required: bool,
    /// `kind` for a scalar field; `records` for a list of records.
    #[serde(flatten)]
    pub shape: ShapeView,
    /// (item code, that item's name for this field)
    pub used_by: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefilled: Option<Prefilled>,
    /// A one-tap choice, when the value is not certain enough to prefill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered: Option<Offer>,
    /// Shown only while these fields hold these values (field id → value).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub show_if: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeView {
    Kind(super::kind::FieldKind),
    Records {
        fields: Vec<FormField>,
        min: usize,
        max: usize,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct FormSection {
    pub id: String,
    pub title: String,
    pub fields: Vec<FormField>,
}

/// The one form for a notice.
#[derive(Debug, Clone, Serialize)]
pub struct MergedForm {
    pub bundle: String,
    pub items: Vec<String>,
    pub sections: Vec<FormSection>,
}

impl MergedForm {
    pub fn fields(&self) -> impl Iterator<Item = &FormField> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, id: &str) -> Option<&FormField> {
        self.fields().find(|f| f.id == id)
    }

    /// What a scalar field holds now: entered, else prefilled.
    pub fn current<'a>(&'a self, values: &'a FormValues, id: &str) -> Option<&'a str> {
        match values.get(id) {
            Some(InputValue::Text(t)) => Some(t),
            Some(InputValue::Records(_)) => None,
            None => self.field(id)?.prefilled.as_ref().map(|p| p.value.as_str()),
        }
    }

    /// Whether the form's answers so far hold `condition` (field id →
    /// value); a condition on a field not on this form never holds, so a
    /// field or material that depends on it stays out.
    pub fn holds(&self, values: &FormValues, condition: &BTreeMap<String, String>) -> bool {
        condition
            .iter()
            .all(|(id, want)| self.current(values, id) == Some(want.as_str()))
    }

    /// Whether the answers so far rule `condition` out: some field it
    /// names has been answered otherwise. An unanswered field rules
    /// nothing out, so a material stays listed until the form says it
    /// does not apply.
    pub fn rules_out(&self, values: &FormValues, condition: &BTreeMap<String, String>) -> bool {
        condition.iter().any(|(id, want)| {
            self.current(values, id)
                .is_some_and(|v| !v.trim().is_empty() && v != want)
        })
    }

    /// Whether the field is on the form for these values (see `show_if`).
    pub fn shown(&self, field: &FormField, values: &FormValues) -> bool {
        self.holds(values, &field.show_if)
    }
}

/// `key` names the field as the bundle's `[form]` table does: its id, or
/// `field/subfield` inside a list of records.
fn view(field: &Field, key: &str, required: bool, known: &Known) -> FormField {
    let shape = match &field.shape {
        FieldShape::Scalar(kind) => ShapeView::Kind(kind.clone()),
        FieldShape::Records { fields, min, max } => ShapeView::Records {
            fields: fields
                .iter()
                .map(|f| view(f, &format!("{key}/{}", f.id), f.required, known))
                .collect(),
            min: *min,
            max: *max,
        },
    };
    let prefilled = known.prefilled(field, key);
    let offered = match (&prefilled, &field.offer_record) {
        (Some(_), _) => None,
        (None, Some(label)) => Some(Offer {
            label: label.clone(),
            value: None,
            source: super::reuse::OfferSource::Record,
        }),
        (None, None) => known.offered(field, key),
    };
    FormField {
        id: field.id.clone(),
        label: field.label.clone(),
        hint: field.hint.clone(),
        required,
        shape,
        used_by: Vec::new(),
        prefilled,
        offered,
        show_if: field.show_if.clone(),
    }
}

/// Builds the merged form for a notice.
pub fn build_form(catalog: &Catalog, notice: &Notice, applicant: &Applicant) -> MergedForm {
    build_form_on(catalog, notice, applicant, crate::calendar::today())
}

/// [`build_form`] as of a given day (offers such as 经营期限 start today).
pub fn build_form_on(
    catalog: &Catalog,
    notice: &Notice,
    applicant: &Applicant,
    today: chrono::NaiveDate,
) -> MergedForm {
    let known = Known {
        applicant,
        answers: &notice.answers,
        bundle: catalog.bundle(&notice.bundle.code).map(|b| &b.def.form),
        today,
    };
    let in_notice = |code: &str| notice.items.iter().any(|i| i.code == code);
    let mut by_section: BTreeMap<String, Vec<FormField>> = BTreeMap::new();
    let mut order: Vec<String> = catalog
        .sections
        .iter()
        .map(|s| s.id.get_ref().clone())
        .collect();
    for ni in &notice.items {
        let Some(item) = catalog.item(&ni.code) else {
            continue;
        };
        for use_ in &item.fields {
            let own = format!("{}.{}", ni.code, use_.field.get_ref());
            let Some(field) = catalog
                .fields
                .get(&own)
                .or_else(|| catalog.fields.get(use_.field.get_ref()))
            else {
                continue;
            };
            // A value another item of this visit produces (the credit code
            // from registration) is not asked for.
            if field.produced_by.iter().any(|p| in_notice(p)) {
                continue;
            }
            let required = use_.required.unwrap_or(field.required);
            let label = use_.label.clone().unwrap_or_else(|| field.label.clone());
            let list = by_section.entry(field.section.clone()).or_default();
            if let Some(existing) = list.iter_mut().find(|f| f.id == field.id) {
                existing.required |= required;
                existing.used_by.push((ni.code.clone(), label));
            } else {
                let mut f = view(field, &field.id, required, &known);
                f.used_by.push((ni.code.clone(), label));
                list.push(f);
            }
            if !order.contains(&field.section) {
                order.push(field.section.clone());
            }
        }
    }
    let sections = order
        .into_iter()
        .filter_map(|id| {
            let fields = by_section.remove(&id)?;
            Some(FormSection {
                title: catalog.section_title(&id),
                id,
                fields,
            })
        })
        .collect();
    let mut form = MergedForm {
        bundle: notice.bundle.code.clone(),
        items: notice.items.iter().map(|i| i.code.clone()).collect(),
        sections,
    };
    prune_offers(&mut form);
    form
}

/// What an applicant entered: text per field, or records for a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum InputValue {
    Text(String),
    Records(Vec<BTreeMap<String, String>>),
}

/// Field id → what was entered.
pub type FormValues = BTreeMap<String, InputValue>;

/// A checked value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CheckedValue {
    Value(FieldValue),
    Records(Vec<BTreeMap<String, FieldValue>>),
}

/// One problem with the form, in words for the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormError {
    pub field: String,
    pub label: String,
    /// 0-based record index, for a list of records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subfield: Option<String>,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.record {
            Some(n) => write!(f, "{} 第{}条：{}", self.label, n + 1, self.message),
            None => write!(f, "{}：{}", self.label, self.message),
        }
    }
}

fn error(
    field: &FormField,
    record: Option<usize>,
    sub: Option<&FormField>,
    code: &str,
    message: String,
) -> FormError {
    let label = match sub {
        Some(s) => format!("{}·{}", field.label, s.label),
        None => field.label.clone(),
    };
    FormError {
        field: field.id.clone(),
        label,
        record,
        subfield: sub.map(|s| s.id.clone()),
        code: code.to_string(),
        message,
    }
}

fn field_error(
    field: &FormField,
    record: Option<usize>,
    sub: Option<&FormField>,
    e: &FieldError,
) -> FormError {
    error(field, record, sub, e.code(), e.to_string())
}

/// Checks one scalar; `Ok(None)` for an optional field left empty.
fn check_scalar(
    kind: &super::kind::FieldKind,
    text: &str,
    required: bool,
) -> Result<Option<FieldValue>, FieldError> {
    match validate(kind, text) {
        Ok(v) => Ok(Some(v)),
        Err(FieldError::Empty) if !required => Ok(None),
        Err(e) => Err(e),
    }
}

/// Validates every value against the form. Prefilled values count as
/// entered unless the applicant changed them. Unknown fields are errors:
/// a value that would silently be dropped is a value lost.
pub fn validate_form(
    form: &MergedForm,
    values: &FormValues,
) -> Result<BTreeMap<String, CheckedValue>, Vec<FormError>> {
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    for key in values.keys() {
        if form.field(key).is_none() {
            errors.push(FormError {
                field: key.clone(),
                label: key.clone(),
                record: None,
                subfield: None,
                code: "form.unknown_field".into(),
                message: "本表没有这一项，请检查字段名".into(),
            });
        }
    }
    // A field the form's own answers hide (委托代理人 after 本人办理) is
    // not validated and its values are not sent: the applicant said it
    // does not apply.
    for field in form.fields().filter(|f| form.shown(f, values)) {
        let given = values.get(&field.id).cloned().or_else(|| {
            field
                .prefilled
                .as_ref()
                .map(|p| InputValue::Text(p.value.clone()))
        });
        match (&field.shape, given) {
            (ShapeView::Kind(kind), Some(InputValue::Text(text))) => {
                match check_scalar(kind, &text, field.required) {
                    Ok(Some(v)) => {
                        out.insert(field.id.clone(), CheckedValue::Value(v));
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(field_error(field, None, None, &e)),
                }
            }
            (ShapeView::Kind(_), None) => {
                if field.required {
                    errors.push(error(field, None, None, "form.required", "此项必填".into()));
                }
            }
            (ShapeView::Kind(_), Some(InputValue::Records(_))) => {
                errors.push(error(
                    field,
                    None,
                    None,
                    "form.not_a_list",
                    "此项应填写一个值，不是名单".into(),
                ));
            }
            (ShapeView::Records { .. }, Some(InputValue::Text(_))) => {
                errors.push(error(
                    field,
                    None,
                    None,
                    "form.not_text",
                    "此项是名单，请逐条填写".into(),
                ));
            }
            (ShapeView::Records { fields, min, max }, given) => {
                let records = match given {
                    Some(InputValue::Records(r)) => r,
                    _ => Vec::new(),
                };
                let min = if field.required { (*min).max(1) } else { 0 };
                if records.len() < min {
                    errors.push(error(
                        field,
                        None,
                        None,
                        "form.too_few_records",
                        format!("至少填写{min}条"),
                    ));
                }
                if records.len() > *max {
                    errors.push(error(
                        field,
                        None,
                        None,
                        "form.too_many_records",
                        format!("最多填写{max}条"),
                    ));
                }
                let mut checked = Vec::new();
                for (n, rec) in records.iter().enumerate() {
                    let mut row = BTreeMap::new();
                    for key in rec.keys() {
                        if !fields.iter().any(|f| &f.id == key) {
                            errors.push(error(
                                field,
                                Some(n),
                                None,
                                "form.unknown_field",
                                format!("名单中没有“{key}”这一项"),
                            ));
                        }
                    }
                    for sub in fields {
                        let ShapeView::Kind(kind) = &sub.shape else {
                            continue;
                        };
                        let text = rec.get(&sub.id).map(String::as_str).unwrap_or("");
                        match check_scalar(kind, text, sub.required) {
                            Ok(Some(v)) => {
                                row.insert(sub.id.clone(), v);
                            }
                            Ok(None) => {}
                            Err(FieldError::Empty) => errors.push(error(
                                field,
                                Some(n),
                                Some(sub),
                                "form.required",
                                "此项必填".into(),
                            )),
                            Err(e) => errors.push(field_error(field, Some(n), Some(sub), &e)),
                        }
                    }
                    checked.push(row);
                }
                if !checked.is_empty() {
                    out.insert(field.id.clone(), CheckedValue::Records(checked));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One department's application, generated from the merged form: what the
/// platform receives for one item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemApplication {
    pub item: String,
    pub item_name: String,
    pub department: String,
    pub department_name: String,
    pub fields: Vec<ApplicationField>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationField {
    /// The department's own name for the field.
    pub name: String,
    /// The merged form's field id it was mapped from.
    pub field: String,
    pub value: CheckedValue,
}

/// Generates each item's application from the checked values, fields in
/// the department's own order and under its own names.
pub fn applications(
    catalog: &Catalog,
    notice: &Notice,
    form: &MergedForm,
    values: &BTreeMap<String, CheckedValue>,
) -> Vec<ItemApplication> {
    notice
        .items
        .iter()
        .map(|ni| {
            let uses = catalog
                .item(&ni.code)
                .map(|i| i.fields.as_slice())
                .unwrap_or_default();
            let fields = uses
                .iter()
                .filter_map(|u| {
                    let own = format!("{}.{}", ni.code, u.field.get_ref());
                    let f = form.field(&own).or_else(|| form.field(u.field.get_ref()))?;
                    let (_, name) = f.used_by.iter().find(|(code, _)| *code == ni.code)?;
                    Some(ApplicationField {
                        name: name.clone(),
                        field: f.id.clone(),
                        value: values.get(&f.id)?.clone(),
                    })
                })
                .collect();
            ItemApplication {
                item: ni.code.clone(),
                item_name: ni.name.clone(),
                department: ni.department.clone(),
                department_name: ni.department_name.clone(),
                fields,
            }
        })
        .collect()
}
