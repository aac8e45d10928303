//! The submission receipt (受理回执). What it prints about the applicant
//! is masked: name 张*梅, ID 410***********0026.

use crate::applicant::Applicant;
use crate::guide::Notice;
use crate::print::layout::{Block, Document};
use crate::print::qr_payload::receipt_payload;
use crate::visit::submission::Submission;
use chrono::{NaiveDate, NaiveDateTime};
use onevisit_drivers::ids::{mask_id_text, mask_name};
use serde::{Deserialize, Serialize};

/// How the certificates reach the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Delivery {
    /// Collected at a window of the hall.
    WindowPickup { window: String },
    /// Sent by post (EMS) to the address the applicant gave.
    Post,
}

/// One item on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptItem {
    pub name: String,
    pub department: String,
    pub window: String,
}

/// One material the kiosk received for the case: captured pages, or the
/// platform's 电子证照 used instead of paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMaterial {
    /// The material's name from the notice.
    pub name: String,
    pub received: Received,
}

/// How a material was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Received {
    /// This many pages captured at the kiosk and sent with the case.
    Pages { pages: u32 },
    /// Held by the platform as this 电子证照 (e.g. 不动产权证书).
    Elicence { title: String },
}

/// What the case hands in, in manifest order: each captured material with
/// its page count, then each 电子证照 used. Names come from the notice (the
/// id when the notice lacks it).
pub fn received_materials(notice: &Notice, sub: &Submission) -> Vec<ReceivedMaterial> {
    let name = |id: &str| {
        notice
            .materials
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut out: Vec<ReceivedMaterial> = sub
        .pages_per_material()
        .into_iter()
        .map(|(id, pages)| ReceivedMaterial {
            name: name(&id),
            received: Received::Pages {
                pages: pages as u32,
            },
        })
        .collect();
    out.extend(sub.elicences.iter().map(|l| ReceivedMaterial {
        name: name(&l.material),
        received: Received::Elicence {
            title: l.title.clone(),
        },
    }));
    out
}

/// Everything a receipt shows. The applicant's name and ID number are kept
/// whole here (the outbox needs them) and masked only when rendered.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptData {
    /// Opaque: the outbox decides its format.
    pub receipt_no: String,
    pub created_at: NaiveDateTime,
    pub kiosk_id: String,
    pub bundle_code: String,
    pub bundle_name: String,
    pub items: Vec<ReceiptItem>,
    pub lead_department: String,
    pub lead_window: String,
    /// Working days from the notice's schedule.
    pub expected_days: u32,
    pub expected_completion: NaiveDate,
    /// Set when a year the estimate runs into has no holiday schedule.
    pub completion_warning: Option<String>,
    pub delivery: Delivery,
    pub applicant_name: String,
    pub applicant_id: String,
    /// 收取材料: what was handed in with the case (empty: nothing captured,
    /// and the section is not printed).
    pub received: Vec<ReceivedMaterial>,
}

impl std::fmt::Debug for ReceiptData {
    /// Masked, so a `{:?}` in a log line cannot leak personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptData")
            .field("receipt_no", &self.receipt_no)
            .field("bundle_code", &self.bundle_code)
            .field("applicant_name", &mask_name(&self.applicant_name))
            .field("applicant_id", &mask_id_text(&self.applicant_id))
            .finish_non_exhaustive()
    }
}

impl ReceiptData {
    /// A receipt for a notice handed in at `created_at`.
    pub fn from_notice(
        notice: &Notice,
        applicant: &Applicant,
        receipt_no: &str,
        kiosk_id: &str,
        created_at: NaiveDateTime,
        delivery: Delivery,
        holidays: &crate::calendar::HolidaySchedule,
    ) -> Self {
        let (name, id) = applicant
            .card
            .as_ref()
            .map(|c| (c.name.clone(), c.id_number.clone()))
            .unwrap_or_default();
        let expected_days = notice.schedule.expected_days;
        let completion = holidays.add_working_days(created_at.date(), expected_days);
        Self {
            receipt_no: receipt_no.to_string(),
            created_at,
            kiosk_id: kiosk_id.to_string(),
            bundle_code: notice.bundle.code.clone(),
            bundle_name: notice.bundle.name.clone(),
            items: notice
                .items
                .iter()
                .map(|i| ReceiptItem {
                    name: i.name.clone(),
                    department: i.department_name.clone(),
                    window: i.window.clone(),
                })
                .collect(),
            lead_department: notice.lead_department.name.clone(),
            lead_window: format!("{}“{}”", notice.hall, notice.combined_window),
            expected_days,
            expected_completion: completion.date,
            completion_warning: completion.warning(),
            delivery,
            applicant_name: name,
            applicant_id: id,
            received: Vec::new(),
        }
    }

    /// The same receipt listing what `sub` hands in ([`received_materials`]).
    pub fn with_received(mut self, notice: &Notice, sub: &Submission) -> Self {
        self.received = received_materials(notice, sub);
        self
    }
}

/// The receipt.
pub fn receipt_document(r: &ReceiptData) -> Document {
    let mut d = Document::default();
    d.title("受理回执");
    d.centered("一件事一次办");
    d.separator();
    d.centered("受理编号");
    d.push(Block::Big {
        text: r.receipt_no.clone(),
    });
    d.field(
        "受理时间",
        r.created_at.format("%Y-%m-%d %H:%M").to_string(),
    );
    d.field("自助机", &r.kiosk_id);
    d.field("一件事", format!("{} {}", r.bundle_code, r.bundle_name));
    if !r.applicant_name.is_empty() {
        d.field("申请人", mask_name(&r.applicant_name));
    }
    if !r.applicant_id.is_empty() {
        d.field("证件号码", mask_id_text(&r.applicant_id));
    }
    d.separator();
    d.heading(format!("办理事项（{}项）", r.items.len()));
    for (n, i) in r.items.iter().enumerate() {
        d.item(format!("{}.", n + 1), &i.name);
        d.field("  承办", format!("{}，{}", i.department, i.window));
    }
    if !r.received.is_empty() {
        d.separator();
        let pages: u32 = r
            .received
            .iter()
            .map(|m| match m.received {
                Received::Pages { pages } => pages,
                Received::Elicence { .. } => 0,
            })
            .sum();
        d.heading(format!("收取材料（{}项，共{pages}页）", r.received.len()));
        for (n, m) in r.received.iter().enumerate() {
            let how = match &m.received {
                Received::Pages { pages } => format!("{pages}页"),
                Received::Elicence { title } => format!("已调取电子证照“{title}”"),
            };
            d.item(format!("{}.", n + 1), format!("{}：{how}", m.name));
        }
    }
    d.separator();
    d.field("牵头部门", &r.lead_department);
    d.field("咨询窗口", &r.lead_window);
    d.field(
        "预计办结",
        match &r.completion_warning {
            None => format!(
                "{}（{}个工作日，已按国务院节假日安排计算）",
                r.expected_completion.format("%Y-%m-%d"),
                r.expected_days
            ),
            Some(warning) => format!(
                "{}（{}个工作日；{warning}）",
                r.expected_completion.format("%Y-%m-%d"),
                r.expected_days
            ),
        },
    );
    let delivery = match &r.delivery {
        Delivery::WindowPickup { window } => format!("办结后凭本回执到{window}领取"),
        Delivery::Post => "办结后免费邮寄到您填写的地址".to_string(),
    };
    d.field("领取方式", delivery);
    d.para("已核发电子证照的，可在政务服务平台或小程序查看、下载。");
    d.qr(
        receipt_payload(&r.receipt_no),
        "扫码查询办理进度（自助机或窗口）",
    );
    d.separator();
    d.para("隐私提示：回执已隐去您的部分姓名和证件号码；请妥善保管，不要随意丢弃或拍照外传。");
    d.push(Block::Cut);
    d
}
