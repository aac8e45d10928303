//! The guide: a progressive questionnaire (递进式问卷) that ends in one
//! precise notice (一次告知单) or a referral.
//!
//! The guide is stateless: the answers so far are the whole state. That
//! makes "change an earlier answer" trivial and safe: answers to questions
//! that no longer apply are kept by the caller but ignored here, and come
//! back into force if the applicant changes their mind again.

mod notice;
mod sections;
mod text;

pub use notice::*;
pub use sections::*;

// The questionnaire's semantics live with the catalog (its loader checks
// every path); the guide builds what the screen and notice show from them.
pub use crate::catalog::flow::{
    Answers, PathSelection, applying_questions, effective_answers, enumerate_selections,
    selected_items,
};
use crate::catalog::flow::{Position, position};

use crate::catalog::{Catalog, LoadedBundle};
use serde::Serialize;

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
    /// Nothing of this 一件事 is needed on this path (see
    /// `catalog::Referral::nothing_needed`).
    pub nothing_needed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<crate::catalog::Basis>,
}

impl ReferralView {
    /// The referral's headline, on screen, on paper and aloud: that the
    /// applicant needs nothing here, or that the kiosk cannot serve the case.
    pub fn title(&self) -> &'static str {
        if self.nothing_needed {
            "您的情况不需要在本机办理任何事项"
        } else {
            "本机不能办理您的情况"
        }
    }

    /// What introduces `go_to`: where to go, or what is left to do.
    pub fn where_label(&self) -> &'static str {
        if self.nothing_needed {
            "接下来："
        } else {
            "请前往："
        }
    }
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

/// The typical path through a bundle: every question answered with its
/// default option (the catalog marks the most common answer), first option
/// when none is marked. Returns the answers and where they lead; what the
/// form-reuse table in docs/form-reuse.md counts.
pub fn typical_path(
    catalog: &Catalog,
    bundle_code: &str,
) -> Result<(Answers, Outcome), GuideError> {
    let mut answers = Answers::new();
    loop {
        match step(catalog, bundle_code, &answers)? {
            Outcome::Question { question } => {
                let option = question
                    .options
                    .iter()
                    .find(|o| o.default)
                    .or(question.options.first())
                    .map(|o| o.id.clone())
                    .unwrap_or_default();
                answers.insert(question.id, option);
            }
            end => return Ok((answers, end)),
        }
    }
}

/// [`step`] for answers already known to be valid.
pub fn step_checked(catalog: &Catalog, bundle: &LoadedBundle, answers: &Answers) -> Outcome {
    match position(bundle, answers) {
        Position::Referral(r) => Outcome::Referral {
            referral: ReferralView {
                reason: r.reason.clone(),
                go_to: r.go_to.clone(),
                nothing_needed: r.nothing_needed,
                basis: r.basis.clone(),
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
