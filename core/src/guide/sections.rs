//! The one structure of a notice (issue 15.3): 办理条件 → 需要带的材料 →
//! 办理步骤 → 时限与收费 → 结果 → 咨询电话. [`Notice::sections`] words
//! every line once; the text notice, the printed notice, the speech script
//! and the notice page only lay the sections out.

use super::Notice;
use crate::catalog::{Limit, UNVERIFIED};
use serde::Serialize;

/// The six sections, in the one order every renderer keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Conditions,
    Materials,
    Steps,
    TimeAndFee,
    Result,
    Consult,
}

impl SectionKind {
    pub const ORDER: [SectionKind; 6] = [
        SectionKind::Conditions,
        SectionKind::Materials,
        SectionKind::Steps,
        SectionKind::TimeAndFee,
        SectionKind::Result,
        SectionKind::Consult,
    ];

    pub fn title(self) -> &'static str {
        match self {
            SectionKind::Conditions => "办理条件",
            SectionKind::Materials => "需要带的材料",
            SectionKind::Steps => "办理步骤",
            SectionKind::TimeAndFee => "时限与收费",
            SectionKind::Result => "结果",
            SectionKind::Consult => "咨询电话",
        }
    }
}

/// One section: its title and its entries.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub kind: SectionKind,
    pub title: &'static str,
    pub entries: Vec<Entry>,
}

impl Section {
    /// What the speech script says of this section after its title: each
    /// entry's spoken words; materials grouped by 必交 / 可容缺 (a long
    /// list said once per group, not once per material); departments with
    /// the same phone line said together. `brief` says of each item's
    /// conditions only how many there are (a long notice must still be
    /// heard to its end: the screen and the paper have them all).
    pub fn spoken(&self, brief: bool) -> String {
        match self.kind {
            SectionKind::Materials => self.grouped(|e| {
                let mut name = e.head.clone();
                if !e.said.is_empty() {
                    name.push_str(&format!("（{}）", e.said.join("，")));
                }
                (e.badge_text().unwrap_or_default(), name)
            }),
            SectionKind::Consult => self.grouped(|e| (e.said.join("，"), e.head.clone())),
            SectionKind::Conditions if brief => {
                let said: Vec<String> = self
                    .entries
                    .iter()
                    .map(|e| match e.number {
                        Some(n) => format!("第{n}项，{}，{} 条", e.head, e.said.len()),
                        None => e.head.clone(),
                    })
                    .collect();
                format!("{}；详见屏幕或打印的告知单", said.join("；"))
            }
            SectionKind::Steps if brief => {
                // Items with the same steps said together.
                let (general, items) = self.entries.split_at(self.general_entries());
                let mut said: Vec<String> = general.iter().map(Entry::spoken).collect();
                let items = Section {
                    kind: SectionKind::Consult,
                    title: self.title,
                    entries: items.to_vec(),
                };
                said.push(items.grouped(|e| (e.said.join("，"), e.head.clone())));
                said.join("；")
            }
            SectionKind::Result if brief => {
                let outputs: Vec<String> = self
                    .entries
                    .iter()
                    .filter_map(|e| e.said.first())
                    .map(|l| l.trim_start_matches("办结后取得：").to_string())
                    .collect();
                format!("办结后取得：{}", outputs.join("、"))
            }
            SectionKind::TimeAndFee if brief => {
                // Each item's statutory limit; the fees, alike for most
                // items, said once per fee.
                let (items, total) = self.entries.split_at(self.entries.len().saturating_sub(1));
                let mut said: Vec<String> = items
                    .iter()
                    .map(|e| {
                        format!(
                            "{}，{}",
                            e.head,
                            e.said.first().cloned().unwrap_or_default()
                        )
                    })
                    .collect();
                let fees = Section {
                    kind: SectionKind::Consult,
                    title: self.title,
                    entries: items.to_vec(),
                };
                said.push(
                    fees.grouped(|e| (e.said.last().cloned().unwrap_or_default(), e.head.clone())),
                );
                said.extend(total.iter().map(Entry::spoken));
                said.join("；")
            }
            _ => {
                let said: Vec<String> = self.entries.iter().map(Entry::spoken).collect();
                said.join("；")
            }
        }
    }

    /// How many entries of 办理步骤 come before the items' own (到哪里交,
    /// 先后顺序).
    fn general_entries(&self) -> usize {
        self.entries
            .iter()
            .take_while(|e| e.head == "到哪里交" || e.head == "先后顺序")
            .count()
    }

    /// Entries said as groups: `key` gives each entry's group words and
    /// its name; groups keep the order they first appear in.
    fn grouped(&self, key: impl Fn(&Entry) -> (String, String)) -> String {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for e in &self.entries {
            let (words, name) = key(e);
            match groups.iter_mut().find(|(w, _)| *w == words) {
                Some((_, names)) => names.push(name),
                None => groups.push((words, vec![name])),
            }
        }
        let said: Vec<String> = groups
            .into_iter()
            .map(|(words, names)| {
                if self.kind == SectionKind::Materials {
                    format!("{words}的 {} 份：{}", names.len(), names.join("、"))
                } else {
                    format!("{}：{words}", names.join("、"))
                }
            })
            .collect();
        said.join("；")
    }
}

/// Whether a material must be there at intake (必交) or may come later (可容缺).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    Required,
    Later,
}

impl Badge {
    pub fn label(self) -> &'static str {
        match self {
            Badge::Required => "必交",
            Badge::Later => "可容缺",
        }
    }
}

/// One entry of a section: a heading (an item, a material, a department)
/// and its lines, each a whole statement on a line of its own.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Items and materials are numbered (1-based) within their section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<usize>,
    pub head: String,
    /// For a material: 必交 or 可容缺 (with [`UNVERIFIED`] in `badge_text`
    /// while the hall has not confirmed it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<Badge>,
    pub lines: Vec<String>,
    /// What of `lines` is said aloud, shorter where reading has more (a
    /// step's name without its detail; not where a material comes from or
    /// the legal basis): a notice must be heard through in minutes.
    #[serde(skip)]
    pub said: Vec<String>,
    #[serde(skip)]
    badge_unverified: bool,
}

impl Entry {
    fn new(head: impl Into<String>, lines: Vec<String>) -> Entry {
        Entry {
            number: None,
            said: lines.clone(),
            head: head.into(),
            badge: None,
            lines,
            badge_unverified: false,
        }
    }

    fn numbered(mut self, n: usize) -> Entry {
        self.number = Some(n);
        self
    }

    /// The head as read on screen and paper: "1. 公司登记".
    pub fn heading(&self) -> String {
        match self.number {
            Some(n) => format!("{n}. {}", self.head),
            None => self.head.clone(),
        }
    }

    fn saying(mut self, said: Vec<String>) -> Entry {
        self.said = said;
        self
    }

    /// 必交 / 可容缺, with （待核实） when the hall has not confirmed it.
    pub fn badge_text(&self) -> Option<String> {
        self.badge.map(|b| {
            let mark = if self.badge_unverified {
                UNVERIFIED
            } else {
                ""
            };
            format!("{}{mark}", b.label())
        })
    }

    /// What the speech script says of this entry: its number in words, the
    /// head, the badge and the lines said aloud.
    pub fn spoken(&self) -> String {
        let head = match self.number {
            Some(n) => format!("第{n}项，{}", self.head),
            None => self.head.clone(),
        };
        let mut parts = vec![head];
        parts.extend(self.badge_text());
        parts.extend(self.said.iter().cloned());
        parts.join("，")
    }
}

/// 一 … 十 for the section numbers (there are six).
pub fn chinese_number(n: usize) -> &'static str {
    [
        "", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ]
    .get(n)
    .copied()
    .unwrap_or("")
}

/// Days as the applicant reads them: 即办 for none, never "0 个工作日".
pub fn days_told(days: u32) -> String {
    if days == 0 {
        "即办".into()
    } else {
        format!("{days} 个工作日")
    }
}

/// A time limit in the catalog's words, with 即办 in front when it is
/// done on the spot, and （待核实） when unconfirmed.
pub fn limit_told(limit: &Limit) -> String {
    let words = if limit.days == Some(0) && !limit.text.contains("即办") {
        format!("即办（{}）", limit.text)
    } else {
        limit.text.clone()
    };
    format!("{words}{}", limit.verified.mark())
}

/// True when `text` tells a time as "0 个工作日" (with or without the
/// space), which a notice never does: 即办 says it. "10 个工作日" is fine.
pub fn says_zero_working_days(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let unit: Vec<char> = "个工作日".chars().collect();
    (0..chars.len()).any(|i| {
        if !chars[i..].starts_with(&unit) {
            return false;
        }
        let mut j = i;
        while j > 0 && chars[j - 1] == ' ' {
            j -= 1;
        }
        j > 0 && chars[j - 1] == '0' && (j < 2 || !chars[j - 2].is_ascii_digit())
    })
}

impl Notice {
    /// The notice's six sections in their one order (see [`SectionKind`]).
    pub fn sections(&self) -> Vec<Section> {
        SectionKind::ORDER
            .iter()
            .map(|&kind| Section {
                kind,
                title: kind.title(),
                entries: match kind {
                    SectionKind::Conditions => self.condition_entries(),
                    SectionKind::Materials => self.material_entries(),
                    SectionKind::Steps => self.step_entries(),
                    SectionKind::TimeAndFee => self.time_entries(),
                    SectionKind::Result => self.result_entries(),
                    SectionKind::Consult => self.consult_entries(),
                },
            })
            .collect()
    }

    /// Item names by code, joined with 、 (codes are for machines).
    pub fn item_names(&self, codes: &[String]) -> String {
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

    fn condition_entries(&self) -> Vec<Entry> {
        let mut out: Vec<Entry> = self
            .items
            .iter()
            .enumerate()
            .map(|(n, i)| {
                let mut lines: Vec<String> = i
                    .conditions
                    .iter()
                    .map(|c| format!("{}{}", c.text, c.verified.mark()))
                    .collect();
                let said = lines.clone();
                let basis: Vec<String> = i
                    .basis
                    .iter()
                    .map(|b| {
                        let law = match &b.articles {
                            Some(a) => format!("{}{}", b.law, a),
                            None => b.law.clone(),
                        };
                        format!("{law}{}", b.verified.mark())
                    })
                    .collect();
                if !basis.is_empty() {
                    lines.push(format!("依据：{}", basis.join("；")));
                }
                if let Some(route) = &i.commitment_route {
                    lines.push(format!(
                        "办理方式：可选一般程序（按上述时限审查后决定），或告知承诺（{}）{}",
                        route.time,
                        route.verified.mark()
                    ));
                    lines.push(format!("告知承诺：{}", route.meaning));
                    let rb: Vec<String> = route
                        .basis
                        .iter()
                        .map(|b| {
                            format!(
                                "{}{}{}",
                                b.law,
                                b.articles.as_deref().unwrap_or(""),
                                b.verified.mark()
                            )
                        })
                        .collect();
                    lines.push(format!("告知承诺依据：{}", rb.join("；")));
                }
                if let Some(note) = &i.level_note {
                    lines.push(format!("层级：{note}"));
                }
                if let Some(note) = &i.note {
                    lines.push(format!("提示：{note}"));
                }
                Entry::new(i.name.clone(), lines)
                    .numbered(n + 1)
                    .saying(said)
            })
            .collect();
        for e in &self.elsewhere {
            let mut lines = vec![e.go_to.clone()];
            lines.extend(e.note.clone());
            out.push(Entry::new(format!("还需另行办理：{}", e.name), lines));
        }
        for e in &self.explanations {
            out.push(Entry::new(
                format!(
                    "不需另办：{}（原清单列于{}）",
                    e.item_name, e.listed_department
                ),
                vec![e.text.clone()],
            ));
        }
        out
    }

    fn material_entries(&self) -> Vec<Entry> {
        self.materials
            .iter()
            .enumerate()
            .map(|(n, m)| {
                let mut lines = vec![format!("{} {} 份", m.form_label, m.copies)];
                if !m.only_when.is_empty() {
                    lines.push(format!("仅在以下情况需要：{}", m.only_when.join("；")));
                }
                let said = lines[1..].to_vec();
                lines.push(format!("来源：{}", m.source_label));
                lines.push(format!("用于：{}", self.item_names(&m.items)));
                let mut e = Entry::new(m.name.clone(), lines)
                    .numbered(n + 1)
                    .saying(said);
                e.badge = Some(if m.key { Badge::Required } else { Badge::Later });
                e.badge_unverified = !m.key_verified;
                e
            })
            .collect()
    }

    fn step_entries(&self) -> Vec<Entry> {
        // Said: where to hand in and what 容缺 means, not every window.
        let said = self.directions.iter().take(1).cloned().collect();
        let mut out = vec![Entry::new("到哪里交", self.directions.clone()).saying(said)];
        let stages = &self.schedule.stages;
        if stages.len() > 1 {
            out.push(Entry::new(
                "先后顺序",
                stages
                    .iter()
                    .enumerate()
                    .map(|(n, s)| format!("第{}步（并联办理）：{}", n + 1, self.item_names(s)))
                    .collect(),
            ));
        }
        for i in &self.items {
            let mut lines = vec![format!("办理部门：{}（{}）", i.department_name, i.level)];
            if i.process.is_empty() {
                lines.push(format!("具体步骤请到窗口咨询{UNVERIFIED}"));
            }
            for (k, step) in i.process.iter().enumerate() {
                let mut t = format!("{}. {}", k + 1, step.name);
                if let Some(time) = &step.time {
                    t.push_str(&format!("（{time}）"));
                }
                if let Some(d) = &step.detail {
                    t.push_str(&format!("：{d}"));
                }
                t.push_str(step.verified.mark());
                lines.push(t);
            }
            if !i.after.is_empty() {
                lines.push(format!("需在“{}”办结后办理", self.item_names(&i.after)));
            }
            let names: Vec<&str> = i.process.iter().map(|s| s.name.as_str()).collect();
            let said = if names.is_empty() {
                lines[1..].to_vec()
            } else {
                vec![names.join("、")]
            };
            out.push(Entry::new(i.name.clone(), lines).saying(said));
        }
        out
    }

    fn time_entries(&self) -> Vec<Entry> {
        let mut out: Vec<Entry> = self
            .items
            .iter()
            .map(|i| {
                let mut lines = vec![format!("法定时限：{}", limit_told(&i.statutory_limit))];
                if let Some(p) = &i.promised_limit {
                    lines.push(format!("承诺时限：{}", limit_told(p)));
                }
                lines.push(format!("收费：{}{}", i.fee.text, i.fee.verified.mark()));
                Entry::new(i.name.clone(), lines)
            })
            .collect();
        let mut total: Vec<String> = self.schedule_sentences().into();
        if !self.schedule.unknown_limits.is_empty() {
            total.push(format!(
                "时限未公布、待窗口确认：{}",
                self.item_names(&self.schedule.unknown_limits)
            ));
        }
        out.push(Entry::new("总时限", total));
        out
    }

    fn result_entries(&self) -> Vec<Entry> {
        self.items
            .iter()
            .map(|i| Entry::new(i.name.clone(), vec![format!("办结后取得：{}", i.output)]))
            .collect()
    }

    fn consult_entries(&self) -> Vec<Entry> {
        self.consult
            .iter()
            .map(|c| {
                let line = match &c.phone {
                    Some(phone) => {
                        let hours = c
                            .hours
                            .as_ref()
                            .map(|h| format!("（{h}）"))
                            .unwrap_or_default();
                        let mark = if c.verified { "" } else { UNVERIFIED };
                        format!("{phone}{hours}{mark}")
                    }
                    None => format!("电话{UNVERIFIED}，可到“{}”询问", self.combined_window),
                };
                Entry::new(c.department_name.clone(), vec![line])
            })
            .collect()
    }
}
