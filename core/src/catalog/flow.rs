//! A bundle's questionnaire as data, walked: which questions apply given
//! the answers, where the walk stands (ask, refer, done), which items the
//! answers select, and every answer path. The loader's check walks every
//! path through here; the guide builds the screens and the notice on it.
//! (It lived in the guide, which made catalog and guide import each other.)

use super::{AnswerLookup, GroupKind, LoadedBundle, Question, condition_holds};
use std::collections::BTreeMap;

/// Question id → option id.
pub type Answers = BTreeMap<String, String>;

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

/// Where the questionnaire stands, before anything is built for display.
pub(crate) enum Position<'b, 'a> {
    /// The next question to ask, and its 1-based step number.
    Ask(&'b Question, usize),
    Referral(&'b crate::catalog::Referral),
    /// Every applying question is answered: these are the answers that count.
    Done(Vec<(&'b str, &'a str)>),
}

pub(crate) fn position<'b, 'a>(bundle: &'b LoadedBundle, answers: &'a Answers) -> Position<'b, 'a> {
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
