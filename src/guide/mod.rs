//! The guide: a progressive questionnaire (递进式问卷) that ends in one
//! precise notice (一次告知单) or a referral.
//!
//! The guide is stateless: the answers so far are the whole state. That
//! makes "change an earlier answer" trivial and safe: answers to questions
//! that no longer apply are kept by the caller but ignored here, and come
//! back into force if the applicant changes their mind again.

mod notice;
mod text;

pub use notice::*;

use crate::catalog::{Catalog, GroupKind, LoadedBundle, Question, condition_holds};
use serde::Serialize;
use std::collections::BTreeMap;

/// Question id → option id.
pub type Answers = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuideError {
    #[error("没有编号为 {0} 的“一件事” (unknown bundle); `onevisit guide --list` 列出全部")]
    UnknownBundle(String),
    #[error("{bundle} 没有问题 {question} (unknown question)")]
    UnknownQuestion { bundle: String, question: String },
    #[error("问题 {question} 没有选项 {option}；可选：{valid} (unknown option)")]
    UnknownOption {
        question: String,
        option: String,
        valid: String,
    },
}

/// A question to show, with its options.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    pub options: Vec<crate::catalog::AnswerOption>,
    /// 1-based position among the questions asked on this path so far.
    pub step: usize,
}

/// "Not handled here, go to ...".
#[derive(Debug, Clone, Serialize)]
pub struct ReferralView {
    pub reason: String,
    #[serde(rename = "where")]
    pub go_to: String,
}

/// What the guide says next.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Question { question: QuestionView },
    Notice { notice: Box<Notice> },
    Referral { referral: ReferralView },
}

impl Outcome {
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Question { .. } => "question",
            Outcome::Notice { .. } => "notice",
            Outcome::Referral { .. } => "referral",
        }
    }
}

/// Checks every answer names a question of the bundle and one of its
/// options, so a typo is an error rather than a silently different notice.
pub fn check_answers(bundle: &LoadedBundle, answers: &Answers) -> Result<(), GuideError> {
    for (q, a) in answers {
        let question = bundle
            .question(q)
            .ok_or_else(|| GuideError::UnknownQuestion {
                bundle: bundle.code().to_string(),
                question: q.clone(),
            })?;
        if question.option(a).is_none() {
            return Err(GuideError::UnknownOption {
                question: q.clone(),
                option: a.clone(),
                valid: question
                    .options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
            });
        }
    }
    Ok(())
}

/// The questions that apply given the answers, in order, each with its
/// answer if given. A question applies when its `ask_if` holds on the
/// answers to the applying questions before it.
pub fn applying_questions<'b>(
    bundle: &'b LoadedBundle,
    answers: &Answers,
) -> Vec<(&'b Question, Option<String>)> {
    let mut effective = Answers::new();
    let mut out = Vec::new();
    for q in &bundle.questions {
        if !condition_holds(&q.ask_if, &effective) {
            continue;
        }
        let answer = answers.get(&q.id).cloned();
        if let Some(a) = &answer {
            effective.insert(q.id.clone(), a.clone());
        }
        out.push((q, answer));
    }
    out
}

/// The answers that count: those to applying questions.
pub fn effective_answers(bundle: &LoadedBundle, answers: &Answers) -> Answers {
    applying_questions(bundle, answers)
        .into_iter()
        .filter_map(|(q, a)| a.map(|a| (q.id.clone(), a)))
        .collect()
}

/// The items the effective answers select, in catalog order of the groups,
/// each once.
pub fn selected_items(bundle: &LoadedBundle, effective: &Answers) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |code: &str| {
        if !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    };
    for g in &bundle.def.groups {
        if !g.when.is_empty() && !condition_holds(&g.when, effective) {
            continue;
        }
        match g.kind {
            GroupKind::Always | GroupKind::Conditional => {
                g.items.iter().for_each(|i| push(i.get_ref()));
            }
            GroupKind::OneOf => {
                let chosen = g
                    .decided_by
                    .as_ref()
                    .and_then(|q| effective.get(q.get_ref()))
                    .and_then(|a| g.choose.iter().find(|(opt, _)| opt.get_ref() == a))
                    .map(|(_, item)| item.get_ref().as_str());
                if let Some(code) = chosen {
                    push(code);
                }
            }
        }
    }
    out
}

/// The next step for a bundle given the answers so far.
pub fn step(
    catalog: &Catalog,
    bundle_code: &str,
    answers: &Answers,
) -> Result<Outcome, GuideError> {
    let bundle = catalog
        .bundle(bundle_code)
        .ok_or_else(|| GuideError::UnknownBundle(bundle_code.to_string()))?;
    check_answers(bundle, answers)?;
    Ok(step_checked(catalog, bundle, answers))
}

/// [`step`] for answers already known to be valid.
pub fn step_checked(catalog: &Catalog, bundle: &LoadedBundle, answers: &Answers) -> Outcome {
    let applying = applying_questions(bundle, answers);
    let effective: Answers = applying
        .iter()
        .filter_map(|(q, a)| a.clone().map(|a| (q.id.clone(), a)))
        .collect();
    // A referral ends the questionnaire as soon as its answers are given:
    // there is no point asking more about a case handled elsewhere.
    if let Some(r) = bundle
        .def
        .referrals
        .iter()
        .find(|r| condition_holds(&r.when, &effective))
    {
        return Outcome::Referral {
            referral: ReferralView {
                reason: r.reason.clone(),
                go_to: r.go_to.clone(),
            },
        };
    }
    if let Some(pos) = applying.iter().position(|(_, a)| a.is_none()) {
        let q = applying[pos].0;
        return Outcome::Question {
            question: QuestionView {
                id: q.id.clone(),
                text: q.text.clone(),
                hint: q.hint.clone(),
                options: q.options.clone(),
                step: pos + 1,
            },
        };
    }
    Outcome::Notice {
        notice: Box::new(build_notice(catalog, bundle, &effective)),
    }
}

/// One complete answer path and where it ends.
#[derive(Debug, Clone, Serialize)]
pub struct PathOutcome {
    /// (question id, option id) in the order asked.
    pub answers: Vec<(String, String)>,
    pub outcome: Outcome,
}

/// Every distinct answer path of a bundle, depth first in option order.
pub fn enumerate(catalog: &Catalog, bundle: &LoadedBundle) -> Vec<PathOutcome> {
    let mut out = Vec::new();
    let mut trail = Vec::new();
    walk(catalog, bundle, &mut Answers::new(), &mut trail, &mut out);
    out
}

fn walk(
    catalog: &Catalog,
    bundle: &LoadedBundle,
    answers: &mut Answers,
    trail: &mut Vec<(String, String)>,
    out: &mut Vec<PathOutcome>,
) {
    match step_checked(catalog, bundle, answers) {
        Outcome::Question { question } => {
            for opt in &question.options {
                answers.insert(question.id.clone(), opt.id.clone());
                trail.push((question.id.clone(), opt.id.clone()));
                walk(catalog, bundle, answers, trail, out);
                trail.pop();
                answers.remove(&question.id);
            }
        }
        outcome => out.push(PathOutcome {
            answers: trail.clone(),
            outcome,
        }),
    }
}
