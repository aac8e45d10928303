//! Plain-text rendering of the guide's outcomes, for the CLI, the
//! reviewed snapshots and staff.

use super::{Notice, Outcome};
use crate::catalog::Verified;
use std::fmt::Write;

fn mark(v: &Verified) -> &'static str {
    if v.is_verified() {
        ""
    } else {
        "（待核实）"
    }
}

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
                format!(
                    "本机不能办理：{}\n请前往：{}\n",
                    referral.reason, referral.go_to
                )
            }
            Outcome::Notice { notice } => notice.to_text(),
        }
    }
}

impl Notice {
    /// An item's name by code (codes are for machines, names for people).
    fn item_names(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| {
                self.items
                    .iter()
                    .find(|i| &i.code == c)
                    .map_or(c.as_str(), |i| i.name.as_str())
            })
            .collect::<Vec<_>>()
            .join("、")
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
        let _ = writeln!(s, "\n需要办理的事项（{}项）：", self.items.len());
        for (n, i) in self.items.iter().enumerate() {
            let _ = writeln!(s, "{}. {}", n + 1, i.name);
            let _ = writeln!(
                s,
                "   部门：{}（{}），{}",
                i.department_name, i.level, i.window
            );
            if let Some(note) = &i.level_note {
                let _ = writeln!(s, "   层级说明：{note}");
            }
            let _ = writeln!(
                s,
                "   法定时限：{}{}",
                i.statutory_limit.text,
                mark(&i.statutory_limit.verified)
            );
            if let Some(p) = &i.promised_limit {
                let _ = writeln!(s, "   承诺时限：{}{}", p.text, mark(&p.verified));
            }
            let _ = writeln!(s, "   收费：{}{}", i.fee.text, mark(&i.fee.verified));
            let basis: Vec<String> = i
                .basis
                .iter()
                .map(|b| match &b.articles {
                    Some(a) => format!("{}{}", b.law, a),
                    None => b.law.clone(),
                })
                .collect();
            let _ = writeln!(s, "   依据：{}", basis.join("；"));
            let _ = writeln!(s, "   办结后取得：{}", i.output);
            if !i.after.is_empty() {
                let _ = writeln!(
                    s,
                    "   需在以下事项办结后办理：{}",
                    self.item_names(&i.after)
                );
            }
            if let Some(note) = &i.note {
                let _ = writeln!(s, "   提示：{note}");
            }
        }
        let _ = writeln!(s, "\n材料清单（每份材料只交一次）：");
        for (n, m) in self.materials.iter().enumerate() {
            let flag = if m.key { "必交" } else { "可容缺" };
            let verified = if m.key_verified {
                ""
            } else {
                "（容缺与否待核实）"
            };
            let _ = writeln!(
                s,
                "{:>2}. {} —— {} {}份，{}{}",
                n + 1,
                m.name,
                m.form_label,
                m.copies,
                flag,
                verified
            );
            let _ = writeln!(s, "    来源：{}", m.source_label);
            let _ = writeln!(s, "    用于：{}", self.item_names(&m.items));
            if !m.only_when.is_empty() {
                let _ = writeln!(s, "    仅在以下情况需要：{}", m.only_when.join("；"));
            }
        }
        if !self.explanations.is_empty() {
            let _ = writeln!(s, "\n说明：");
            for e in &self.explanations {
                let _ = writeln!(
                    s,
                    "  · {}（原清单列于{}）：{}",
                    e.item_name, e.listed_department, e.text
                );
            }
        }
        if !self.elsewhere.is_empty() {
            let _ = writeln!(s, "\n您还需要另行办理（不在本“一件事”内）：");
            for e in &self.elsewhere {
                let _ = write!(s, "  · {} —— {}", e.name, e.go_to);
                if let Some(n) = &e.note {
                    let _ = write!(s, "（{n}）");
                }
                s.push('\n');
            }
        }
        let sc = &self.schedule;
        let _ = writeln!(s, "\n办理时间：");
        for (n, stage) in sc.stages.iter().enumerate() {
            let _ = writeln!(s, "  第{}步（并联办理）：{}", n + 1, self.item_names(stage));
        }
        for sentence in self.schedule_sentences() {
            let _ = writeln!(s, "  {sentence}");
        }
        if !sc.unknown_limits.is_empty() {
            let _ = writeln!(
                s,
                "  时限未公布、待窗口确认：{}",
                self.item_names(&sc.unknown_limits)
            );
        }
        let _ = writeln!(s, "\n怎么办：");
        for d in &self.directions {
            let _ = writeln!(s, "  · {d}");
        }
        s
    }
}
