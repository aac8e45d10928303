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

use crate::catalog::{AnswerLookup, Catalog, GroupKind, LoadedBundle, Question, condition_holds};
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
pub fn applying_questions<'b, 'a>(
    bundle: &'b LoadedBundle,
    answers: &'a Answers,
) -> Vec<(&'b Question, Option<&'a str>)> {
    // Borrowed pairs, not a map of clones: the loader walks every path of
    // every bundle through here, so allocation per step would dominate.
    let mut effective: Vec<(&str, &str)> = Vec::with_capacity(bundle.questions.len());
    let mut out = Vec::with_capacity(bundle.questions.len());
    for q in &bundle.questions {
        if !condition_holds(&q.ask_if, effective.as_slice()) {
            continue;
        }
        let answer = answers.get(&q.id).map(String::as_str);
        if let Some(a) = answer {
            effective.push((q.id.as_str(), a));
        }
        out.push((q, answer));
    }
    out
}

/// The answers that count: those to applying questions.
pub fn effective_answers(bundle: &LoadedBundle, answers: &Answers) -> Answers {
    applying_questions(bundle, answers)
        .into_iter()
        .filter_map(|(q, a)| a.map(|a| (q.id.clone(), a.to_string())))
        .collect()
}

/// The items the effective answers select, in catalog order of the groups,
/// each once.
pub fn selected_items<A: AnswerLookup + ?Sized>(
    bundle: &LoadedBundle,
    effective: &A,
) -> Vec<String> {
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
                    .and_then(|q| effective.answer(q.get_ref()))
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

/// Where the questionnaire stands, before anything is built for display.
enum Position<'b, 'a> {
    /// The next question to ask, and its 1-based step number.
    Ask(&'b Question, usize),
    Referral(&'b crate::catalog::Referral),
    /// Every applying question is answered: these are the answers that count.
    Done(Vec<(&'b str, &'a str)>),
}

fn position<'b, 'a>(bundle: &'b LoadedBundle, answers: &'a Answers) -> Position<'b, 'a> {
    let applying = applying_questions(bundle, answers);
    let effective: Vec<(&str, &str)> = applying
        .iter()
        .filter_map(|(q, a)| a.map(|a| (q.id.as_str(), a)))
        .collect();
    // A referral ends the questionnaire as soon as its answers are given:
    // there is no point asking more about a case handled elsewhere.
    if let Some(r) = bundle
        .def
        .referrals
        .iter()
        .find(|r| condition_holds(&r.when, effective.as_slice()))
    {
        return Position::Referral(r);
    }
    if let Some(pos) = applying.iter().position(|(_, a)| a.is_none()) {
        return Position::Ask(applying[pos].0, pos + 1);
    }
    Position::Done(effective)
}

/// [`step`] for answers already known to be valid.
pub fn step_checked(catalog: &Catalog, bundle: &LoadedBundle, answers: &Answers) -> Outcome {
    match position(bundle, answers) {
        Position::Referral(r) => Outcome::Referral {
            referral: ReferralView {
                reason: r.reason.clone(),
                go_to: r.go_to.clone(),
            },
        },
        Position::Ask(q, step) => Outcome::Question {
            question: QuestionView {
                id: q.id.clone(),
                text: q.text.clone(),
                hint: q.hint.clone(),
                options: q.options.clone(),
                step,
            },
        },
        Position::Done(effective) => {
            let effective: Answers = effective
                .into_iter()
                .map(|(q, a)| (q.to_string(), a.to_string()))
                .collect();
            Outcome::Notice {
                notice: Box::new(build_notice(catalog, bundle, &effective)),
            }
        }
    }
}

/// One answer path and the items it selects (`None`: a referral), without
/// building notices: what the loader walks to check a catalog quickly.
#[derive(Debug, Clone)]
pub struct PathSelection {
    pub answers: Vec<(String, String)>,
    pub items: Option<Vec<String>>,
}

/// Every distinct answer path of a bundle with the items it selects.
pub fn enumerate_selections(bundle: &LoadedBundle) -> Vec<PathSelection> {
    fn walk(
        bundle: &LoadedBundle,
        answers: &mut Answers,
        trail: &mut Vec<(String, String)>,
        out: &mut Vec<PathSelection>,
    ) {
        match position(bundle, answers) {
            Position::Ask(q, _) => {
                for opt in &q.options {
                    answers.insert(q.id.clone(), opt.id.clone());
                    trail.push((q.id.clone(), opt.id.clone()));
                    walk(bundle, answers, trail, out);
                    trail.pop();
                    answers.remove(&q.id);
                }
            }
            Position::Referral(_) => out.push(PathSelection {
                answers: trail.clone(),
                items: None,
            }),
            Position::Done(effective) => out.push(PathSelection {
                answers: trail.clone(),
                items: Some(selected_items(bundle, effective.as_slice())),
            }),
        }
    }
    let mut out = Vec::new();
    walk(bundle, &mut Answers::new(), &mut Vec::new(), &mut out);
    out
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
