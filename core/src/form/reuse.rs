//! Reuse before asking (一表申请's "共享数据自行复用"): what the kiosk
//! already knows about a field before the applicant types it. A field is
//! either *prefilled* (the value is certain: the ID card, an existing
//! licence, the questionnaire's answer, the bundle itself) or *offered*
//! (a value the applicant very likely means, accepted with one tap: the
//! card's address for 住所, 住所 for 经营场所, "同申请人" for a list of
//! people). Everything else is typed, and [`TypingCount`] counts it.

use super::merged::{FormField, FormValues, InputValue, MergedForm, ShapeView};
use crate::applicant::{Applicant, PrefillSource};
use crate::catalog::Field;
use crate::catalog::model::{BundleForm, OfferDef};
use crate::guide::AnswerRecord;
use chrono::NaiveDate;
use serde::Serialize;

/// A value taken from what the kiosk knows, marked with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prefilled {
    pub value: String,
    pub source: PrefillSource,
}

/// A one-tap choice beside a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// The button's words (用身份证上的地址, 同住所, 同申请人).
    pub label: String,
    /// The value, when it is known as the form is built (card, licence,
    /// fixed text); `None` when it is another field's value, known once
    /// the applicant has entered it, or a whole record (see the subfields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub source: OfferSource,
}

/// Where an offer's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferSource {
    IdCard,
    Licence,
    /// Another field of this form, by id.
    Field(String),
    /// A fixed suggestion of the catalog (经营期限 长期).
    Catalog,
    /// A whole record: each subfield's own offer at once.
    Record,
}

/// What a form is built from, besides the catalog's fields.
pub(super) struct Known<'a> {
    pub applicant: &'a Applicant,
    pub answers: &'a [AnswerRecord],
    pub bundle: Option<&'a BundleForm>,
    pub today: NaiveDate,
}

impl Known<'_> {
    /// `key` is the field's id, or `field/subfield` for a record's field.
    pub fn prefilled(&self, field: &Field, key: &str) -> Option<Prefilled> {
        if let Some((value, source)) = field
            .prefill
            .as_deref()
            .and_then(|k| self.applicant.prefill(k))
        {
            return Some(Prefilled { value, source });
        }
        if let Some(rule) = &field.from_answer
            && let Some(answer) = self
                .answers
                .iter()
                .find(|a| a.question == *rule.question.get_ref())
            && let Some(value) = rule.values.get(&answer.option)
        {
            return Some(Prefilled {
                value: value.clone(),
                source: PrefillSource::Questionnaire,
            });
        }
        let value = self.bundle?.prefill.get(key)?;
        Some(Prefilled {
            value: value.clone(),
            source: PrefillSource::Bundle,
        })
    }

    /// The bundle's offer wins over the field's own: it knows the case.
    pub fn offered(&self, field: &Field, key: &str) -> Option<Offer> {
        let def = self
            .bundle
            .and_then(|b| b.offer.get(key))
            .or(field.offer.as_ref())?;
        self.resolve(def)
    }

    fn resolve(&self, def: &OfferDef) -> Option<Offer> {
        let label = def.label.clone();
        if let Some(text) = &def.value {
            let value = expand_dates(text, self.today);
            return Some(Offer {
                label,
                value: Some(value),
                source: OfferSource::Catalog,
            });
        }
        let from = def.from.as_deref()?;
        if from.starts_with("card.") || from.starts_with("licence.") {
            let (value, source) = self.applicant.prefill(from)?;
            let source = match source {
                PrefillSource::Licence => OfferSource::Licence,
                _ => OfferSource::IdCard,
            };
            return Some(Offer {
                label,
                value: Some(value),
                source,
            });
        }
        Some(Offer {
            label,
            value: None,
            source: OfferSource::Field(from.to_string()),
        })
    }
}

/// A fixed offer's date words: `{today}` is the visit's date; `{today+5y}`
/// the last day within five years of it (a company's shareholders must
/// pay in within five years of its founding, 《公司法》第四十七条).
pub fn expand_dates(text: &str, today: NaiveDate) -> String {
    let within_five_years = today
        .checked_add_months(chrono::Months::new(60))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    text.replace("{today}", &today.format("%Y-%m-%d").to_string())
        .replace(
            "{today+5y}",
            &within_five_years.format("%Y-%m-%d").to_string(),
        )
}

/// Drops offers of another field's value when that field is not on this
/// form (an item not in the notice), and a record's offer when none of its
/// subfields is offered any more: a button that fills nothing is a trap.
pub(super) fn prune_offers(form: &mut MergedForm) {
    let present: Vec<String> = form.fields().map(|f| f.id.clone()).collect();
    let keep = |o: &Option<Offer>| match o {
        Some(Offer {
            source: OfferSource::Field(id),
            ..
        }) => present.contains(id),
        _ => true,
    };
    for field in form.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        if !keep(&field.offered) {
            field.offered = None;
        }
        if let ShapeView::Records { fields, .. } = &mut field.shape {
            for sub in fields.iter_mut() {
                if !keep(&sub.offered) {
                    sub.offered = None;
                }
            }
            if !fields.iter().any(|s| s.offered.is_some()) {
                field.offered = None;
            }
        }
    }
}

/// How much of a form the applicant has to type, counting each required
/// subfield of each required record (a list that must have one record
/// counts its subfields once), so that the number is what a person types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TypingCount {
    pub required: usize,
    pub prefilled: usize,
    pub offered: usize,
    pub typed: usize,
}

/// The values of the typical path: every offer with a known value taken
/// (本人办理, 没有前置审批), which decides the fields `show_if` shows.
pub fn typical_values(form: &MergedForm) -> FormValues {
    form.fields()
        .filter_map(|f| {
            let value = f.offered.as_ref()?.value.clone()?;
            Some((f.id.clone(), InputValue::Text(value)))
        })
        .collect()
}

/// The required fields of the typical path.
fn typical_fields(form: &MergedForm) -> impl Iterator<Item = &FormField> {
    let typical = typical_values(form);
    form.fields()
        .filter(move |f| f.required && form.shown(f, &typical))
}

impl TypingCount {
    pub fn of(form: &MergedForm) -> TypingCount {
        let mut count = TypingCount::default();
        for field in typical_fields(form) {
            match &field.shape {
                ShapeView::Kind(_) => count.add(field),
                ShapeView::Records { fields, min, .. } => {
                    for _ in 0..(*min).max(1) {
                        for sub in fields.iter().filter(|s| s.required) {
                            count.add(sub);
                        }
                    }
                }
            }
        }
        count
    }

    fn add(&mut self, field: &FormField) {
        self.required += 1;
        if field.prefilled.is_some() {
            self.prefilled += 1;
        } else if field.offered.is_some() {
            self.offered += 1;
        } else {
            self.typed += 1;
        }
    }
}

/// The fields (and `field/subfield`s) a person must type, by label: what
/// the per-bundle table in docs/form-reuse.md lists.
pub fn typed_fields(form: &MergedForm) -> Vec<String> {
    let mut out = Vec::new();
    for field in typical_fields(form) {
        match &field.shape {
            ShapeView::Kind(_) => {
                if field.prefilled.is_none() && field.offered.is_none() {
                    out.push(field.label.clone());
                }
            }
            ShapeView::Records { fields, .. } => {
                for sub in fields.iter().filter(|s| s.required) {
                    if sub.prefilled.is_none() && sub.offered.is_none() {
                        out.push(format!("{}·{}", field.label, sub.label));
                    }
                }
            }
        }
    }
    out
}
