//! Plain-text rendering of the guide's outcomes, for the CLI, the
//! reviewed snapshots and staff. The notice is its [`Notice::sections`].

use super::{Notice, Outcome, chinese_number};
use std::fmt::Write;

impl Outcome {
    /// The outcome in words, as a hall would print or read it.
    pub fn to_text(&self) -> String {
        match self {
            Outcome::Question { question } => {
                let mut s = format!("问题 {}：{}\n", question.step, question.text);
                if let Some(h) = &question.hint {
                    let _ = writeln!(s, "  说明：{h}");
                }
                for o in &question.options {
                    let d = if o.default { "（默认）" } else { "" };
                    let _ = writeln!(s, "  [{}] {}{} — {}", o.id, o.label, d, o.hint);
                }
                s
            }
            Outcome::Referral { referral } => {
                let mut s = format!(
                    "{}：{}\n{}{}\n",
                    referral.title(),
                    referral.reason,
                    referral.where_label(),
                    referral.go_to
                );
                if !referral.basis.is_empty() {
                    let _ = writeln!(s, "依据：{}", basis_text(&referral.basis));
                }
                s
            }
            Outcome::Notice { notice } => notice.to_text(),
        }
    }
}

impl Notice {
    /// What the notice is about, before its sections: the items by name.
    pub fn items_line(&self) -> String {
        let codes: Vec<String> = self.items.iter().map(|i| i.code.clone()).collect();
        format!(
            "需要办理的事项（{} 项）：{}",
            self.items.len(),
            self.item_names(&codes)
        )
    }

    /// The 一次告知单 as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "一次告知单：{} {}", self.bundle.code, self.bundle.name);
        let _ = writeln!(
            s,
            "牵头部门：{}（{}）",
            self.lead_department.name, self.lead_department.full_name
        );
        let _ = writeln!(s, "目录版本：{}", self.catalog_version);
        if !self.answers.is_empty() {
            let _ = writeln!(s, "\n您的情况：");
            for a in &self.answers {
                let _ = writeln!(s, "  · {} —— {}", a.question_text, a.option_label);
            }
        }
        let _ = writeln!(s, "\n{}", self.items_line());
        for (n, section) in self.sections().iter().enumerate() {
            let _ = writeln!(s, "\n{}、{}", chinese_number(n + 1), section.title);
            for e in &section.entries {
                let _ = writeln!(s, "  {}", e.heading());
                if let Some(b) = e.badge_text() {
                    let _ = writeln!(s, "     {b}");
                }
                for line in &e.lines {
                    let _ = writeln!(s, "     {line}");
                }
            }
        }
        s
    }
}

/// Laws with their articles, joined for one line.
fn basis_text(basis: &[crate::catalog::Basis]) -> String {
    basis
        .iter()
        .map(|b| {
            let law = match &b.articles {
                Some(a) => format!("{}{}", b.law, a),
                None => b.law.clone(),
            };
            format!("{law}{}", b.verified.mark())
        })
        .collect::<Vec<_>>()
        .join("；")
}
