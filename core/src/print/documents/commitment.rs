//! The 容缺 commitment (容缺受理承诺书): the applicant promises to supply
//! the missing non-key materials by a deadline, and the case is accepted
//! now. Printed for signature; its QR reopens the case.

use crate::print::layout::{Block, Document};
use crate::print::qr_payload::receipt_payload;
use chrono::NaiveDate;
use onevisit_drivers::ids::{mask_id_text, mask_name};

/// What the commitment shows.
#[derive(Clone, PartialEq, Eq)]
pub struct CommitmentData {
    pub receipt_no: String,
    pub bundle_code: String,
    pub bundle_name: String,
    /// Missing materials (names), all non-key.
    pub missing: Vec<String>,
    pub deadline: NaiveDate,
    /// Set when a year the deadline runs into has no holiday schedule.
    pub deadline_warning: Option<String>,
    pub signed_on: NaiveDate,
    pub applicant_name: String,
    pub applicant_id: String,
}

impl std::fmt::Debug for CommitmentData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitmentData")
            .field("receipt_no", &self.receipt_no)
            .field("missing", &self.missing)
            .field("applicant_name", &mask_name(&self.applicant_name))
            .finish_non_exhaustive()
    }
}

/// The commitment document.
pub fn commitment_document(c: &CommitmentData) -> Document {
    let mut d = Document::default();
    d.title("容缺受理承诺书");
    d.separator();
    d.field("受理编号", &c.receipt_no);
    d.field("一件事", format!("{} {}", c.bundle_code, c.bundle_name));
    // Without a card read, the lines are left for handwriting.
    let or_blank = |s: String| {
        if s.is_empty() {
            "______________".into()
        } else {
            s
        }
    };
    d.field("申请人", or_blank(mask_name(&c.applicant_name)));
    d.field("证件号码", or_blank(mask_id_text(&c.applicant_id)));
    d.separator();
    d.heading("暂缺材料（非关键材料，可容缺受理）");
    for (n, m) in c.missing.iter().enumerate() {
        d.item(format!("{}.", n + 1), m);
    }
    d.field("补交期限", format!("{} 前", c.deadline.format("%Y-%m-%d")));
    if let Some(w) = &c.deadline_warning {
        d.para(format!("注意：{w}。"));
    }
    d.separator();
    d.heading("本人承诺");
    d.para("本人申请容缺受理，承诺所填信息和已交材料真实、有效，并在上述期限内补交暂缺材料。");
    d.para("逾期未补交或补交材料不符合要求的，同意按不予许可（终止办理）处理，已作出的决定可依法撤销，相关责任由本人承担。");
    d.feed(1);
    d.para("申请人签名：______________");
    d.para(format!("日期：{}", c.signed_on.format("%Y 年 %m 月 %d 日")));
    d.qr(
        receipt_payload(&c.receipt_no),
        "补交材料时出示，扫码打开本件",
    );
    d.push(Block::Cut);
    d
}
