//! The notice checklist (一次告知单) on paper: the same content as
//! `Notice::to_text`, laid out for a receipt printer, with the signed QR
//! that reopens it.

use crate::catalog::Verified;
use crate::guide::Notice;
use crate::print::layout::{Block, Document};

fn mark(v: &Verified) -> &'static str {
    if v.is_verified() {
        ""
    } else {
        "（待核实）"
    }
}

fn names(notice: &Notice, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| {
            notice
                .items
                .iter()
                .find(|i| &i.code == c)
                .map_or(c.as_str(), |i| i.name.as_str())
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The notice checklist. `qr_payload` comes from
/// [`crate::print::qr_payload::encode_notice`]; `printed_on` is the date
/// shown with the catalog version (`YYYY-MM-DD`).
pub fn notice_document(notice: &Notice, qr_payload: &str, printed_on: &str) -> Document {
    let mut d = Document::default();
    d.title("一次告知单");
    d.centered(format!("{} {}", notice.bundle.code, notice.bundle.name));
    d.separator();
    d.field(
        "牵头部门",
        format!(
            "{}（{}）",
            notice.lead_department.name, notice.lead_department.full_name
        ),
    );
    d.field(
        "提交窗口",
        format!("{}“{}”", notice.hall, notice.combined_window),
    );
    if !notice.answers.is_empty() {
        d.heading("您的情况");
        for a in &notice.answers {
            d.item("·", format!("{}：{}", a.question_text, a.option_label));
        }
    }
    d.separator();
    d.heading(format!("需要办理的事项（{}项）", notice.items.len()));
    for (n, i) in notice.items.iter().enumerate() {
        d.item(format!("{}.", n + 1), &i.name);
        d.field(
            "  部门",
            format!("{}（{}），{}", i.department_name, i.level, i.window),
        );
        let mut limit = format!(
            "法定{}{}",
            i.statutory_limit.text,
            mark(&i.statutory_limit.verified)
        );
        if let Some(p) = &i.promised_limit {
            limit.push_str(&format!("；承诺{}{}", p.text, mark(&p.verified)));
        }
        d.field("  时限", limit);
        if let Some(note) = &i.level_note {
            d.field("  层级", note);
        }
        d.field("  收费", format!("{}{}", i.fee.text, mark(&i.fee.verified)));
        let basis: Vec<String> = i
            .basis
            .iter()
            .map(|b| match &b.articles {
                Some(a) => format!("{}{}", b.law, a),
                None => b.law.clone(),
            })
            .collect();
        if !basis.is_empty() {
            d.field("  依据", basis.join("；"));
        }
        d.field("  取得", &i.output);
        if !i.after.is_empty() {
            d.field("  需先办结", names(notice, &i.after));
        }
        if let Some(note) = &i.note {
            d.field("  提示", note);
        }
    }
    d.separator();
    d.heading("材料清单（每份材料只交一次）");
    for (n, m) in notice.materials.iter().enumerate() {
        let flag = if m.key { "必交" } else { "可容缺" };
        let unverified = if m.key_verified {
            ""
        } else {
            "（待核实）"
        };
        d.item(
            format!("{}.", n + 1),
            format!("{}【{}{}】", m.name, flag, unverified),
        );
        d.field("  形式", format!("{} {}份", m.form_label, m.copies));
        d.field("  来源", &m.source_label);
        d.field("  用于", names(notice, &m.items));
        if !m.only_when.is_empty() {
            d.field("  仅当", m.only_when.join("；"));
        }
    }
    if !notice.explanations.is_empty() {
        d.separator();
        d.heading("说明");
        for e in &notice.explanations {
            d.item(
                "·",
                format!(
                    "{}（原清单列于{}）：{}",
                    e.item_name, e.listed_department, e.text
                ),
            );
        }
    }
    if !notice.elsewhere.is_empty() {
        d.separator();
        d.heading("还需另行办理（不在本“一件事”内）");
        for e in &notice.elsewhere {
            let mut t = format!("{}：{}", e.name, e.go_to);
            if let Some(n) = &e.note {
                t.push_str(&format!("（{n}）"));
            }
            d.item("·", t);
        }
    }
    d.separator();
    d.heading("办理时间");
    let sc = &notice.schedule;
    for (n, stage) in sc.stages.iter().enumerate() {
        d.item(format!("第{}步", n + 1), names(notice, stage));
    }
    for sentence in notice.schedule_sentences() {
        d.para(sentence);
    }
    if !sc.unknown_limits.is_empty() {
        d.field("时限待确认", names(notice, &sc.unknown_limits));
    }
    d.separator();
    d.heading("怎么办");
    for dir in &notice.directions {
        d.item("·", dir);
    }
    d.separator();
    d.field("目录版本", notice.catalog_version.to_string());
    d.field("打印日期", printed_on);
    d.qr(qr_payload, "在任一自助机或窗口扫码，可重新打开本告知单");
    d.push(Block::Cut);
    d
}
