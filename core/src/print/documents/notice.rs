//! The notice checklist (一次告知单) on paper: the same sections as
//! `Notice::to_text` (`Notice::sections`), laid out for a receipt printer,
//! with the signed QR that reopens it.

use crate::guide::Notice;
use crate::guide::chinese_number;
use crate::print::layout::{Block, Document};

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
    d.para(notice.items_line());
    for (n, section) in notice.sections().iter().enumerate() {
        d.separator();
        d.heading(format!("{}、{}", chinese_number(n + 1), section.title));
        for e in &section.entries {
            d.para(e.heading());
            if let Some(b) = e.badge_text() {
                d.item("  ", format!("【{b}】"));
            }
            for line in &e.lines {
                d.item("  ", line);
            }
        }
    }
    d.separator();
    d.field("目录版本", notice.catalog_version.to_string());
    d.field("打印日期", printed_on);
    d.qr(qr_payload, "在任一自助机或窗口扫码，可重新打开本告知单");
    d.push(Block::Cut);
    d
}
