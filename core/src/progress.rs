//! 办件查询: the applicant's progress query at the kiosk.
//!
//! The applicant scans the receipt's QR code (`OV1:R:<receipt>`) or types
//! the receipt number, and types the last four characters of their ID
//! number. The kiosk checks ownership against its own outbox (a keyed
//! check kept at enqueue, see `Outbox::verify_owner`); only then does it
//! ask the platform for each item's status, or, when the platform cannot
//! be reached or does not have the case yet, answers from the outbox.
//!
//! A wrong last-4 gets exactly the answer an unknown receipt gets, so the
//! query does not reveal whether a receipt exists. Receipts from other
//! kiosks cannot be verified here (the platform API has no ownership
//! check) and get that answer too: 到<staff window>查询. Attempts are rate
//! limited (5 a minute per kiosk): the last-4 has only 11 000 values.
//! The answer holds item names and statuses only: nothing personal.

use crate::outbox::{Outbox, receipt};
use crate::platform::PlatformError;
use crate::platform::contract::{CaseStatus, MaterialReceived};
use crate::print::qr_payload::RECEIPT_PREFIX;
use crate::staff::{AuditLog, Clock, StaffWindow};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Attempts allowed per window.
pub const MAX_ATTEMPTS: usize = 5;
/// The rate limit's window.
pub const WINDOW_MS: i64 = 60_000;

/// The answer when nothing may be shown (unknown receipt, wrong last-4,
/// another kiosk's receipt).
pub fn not_found(window: &StaffWindow) -> String {
    format!(
        "没有查到与该受理编号和证件号码后四位相符的申请。请核对后重试，或到{}查询。",
        window.name()
    )
}

/// Where the answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressSource {
    /// The platform's per-item status.
    Platform,
    /// This kiosk's outbox (platform down, or the case not sent yet).
    Local,
}

/// One item on the query screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressLine {
    /// The item's name from the catalog (its code when unknown).
    pub name: String,
    pub status: String,
    /// Since when (platform answers), `YYYY-MM-DD`.
    pub since: Option<String>,
}

/// A display-ready answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressView {
    pub receipt: String,
    pub source: ProgressSource,
    /// One line on top: 办理中 / 已保存在本机，尚未提交 / …
    pub headline: String,
    pub items: Vec<ProgressLine>,
    /// A hint under the list (offline, what to do next); from the platform
    /// it opens with the 材料已收 line ([`materials_line`]).
    pub note: Option<String>,
    /// 材料已收: the materials the platform holds for the case, with their
    /// pages (platform answers only; empty otherwise).
    pub materials: Vec<MaterialReceived>,
}

/// `材料已收：营业执照 2页、房屋产权证明（电子证照）。`, or `None` when the
/// platform holds no material of the case.
pub fn materials_line(materials: &[MaterialReceived]) -> Option<String> {
    (!materials.is_empty()).then(|| {
        let parts: Vec<String> = materials.iter().map(MaterialReceived::label).collect();
        format!("材料已收：{}。", parts.join("、"))
    })
}

/// The outcome of one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ProgressAnswer {
    Found(ProgressView),
    /// Unknown receipt, wrong last-4, or not verifiable here.
    NotFound {
        message: String,
    },
    /// The receipt number or last-4 cannot be right (format, check character).
    Invalid {
        message: String,
    },
    /// Too many attempts: try again in this many seconds.
    TooManyAttempts {
        retry_after_secs: u64,
        message: String,
    },
}

impl ProgressAnswer {
    /// The line to show when there is no view.
    pub fn message(&self) -> &str {
        match self {
            ProgressAnswer::Found(v) => &v.headline,
            ProgressAnswer::NotFound { message }
            | ProgressAnswer::Invalid { message }
            | ProgressAnswer::TooManyAttempts { message, .. } => message,
        }
    }
}

/// The receipt number in a scan (`OV1:R:…`) or typed text, normalised
/// and with its check character verified.
pub fn parse_receipt_input(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t
        .get(..RECEIPT_PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(RECEIPT_PREFIX))
        .map(|_| &t[RECEIPT_PREFIX.len()..])
        .unwrap_or(t);
    receipt::normalise(t)
}

fn valid_last4(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 4
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b[3].is_ascii_digit() || b[3].eq_ignore_ascii_case(&b'X'))
}

/// Where the query asks for a case's status: the uplink's platform client
/// (`onevisit_uplink::StatusLookup`) in the kiosk. Blocking: the UI runs
/// the query off its thread.
pub trait CaseStatusSource: Send + Sync {
    fn case_status(&self, receipt_no: &str) -> Result<CaseStatus, PlatformError>;
}

/// The progress query service the query screen calls.
pub struct ProgressQuery {
    outbox: Arc<Outbox>,
    client: Option<Arc<dyn CaseStatusSource>>,
    item_names: BTreeMap<String, String>,
    clock: Arc<dyn Clock>,
    attempts: Mutex<VecDeque<i64>>,
    audit: Option<AuditLog>,
    window: StaffWindow,
}

impl ProgressQuery {
    /// `client`: None when the kiosk has no platform (answers are local);
    /// give it a short timeout (3-5 s), the applicant is waiting.
    /// `item_names`: item code → name ([`item_names`]).
    pub fn new(
        outbox: Arc<Outbox>,
        client: Option<Arc<dyn CaseStatusSource>>,
        item_names: BTreeMap<String, String>,
        clock: Arc<dyn Clock>,
    ) -> ProgressQuery {
        ProgressQuery {
            outbox,
            client,
            item_names,
            clock,
            attempts: Mutex::new(VecDeque::new()),
            audit: None,
            window: StaffWindow::default(),
        }
    }

    /// Where answers send the applicant (kiosk.toml's `staff_window`).
    pub fn with_staff_window(mut self, window: StaffWindow) -> ProgressQuery {
        self.window = window;
        self
    }

    /// The window this query's answers name.
    pub fn staff_window(&self) -> &StaffWindow {
        &self.window
    }

    /// Writes each query to the staff audit log (who = `applicant`;
    /// receipt and outcome only).
    pub fn with_audit(mut self, audit: AuditLog) -> ProgressQuery {
        self.audit = Some(audit);
        self
    }

    fn name(&self, code: &str) -> String {
        self.item_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// Counts an attempt; `Some(seconds)` when over the limit.
    fn limited(&self) -> Option<u64> {
        let now = self.clock.now_ms();
        let mut q = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        while q.front().is_some_and(|t| *t <= now - WINDOW_MS) {
            q.pop_front();
        }
        if q.len() >= MAX_ATTEMPTS {
            let oldest = *q.front().expect("full");
            return Some(
                ((oldest + WINDOW_MS - now).max(0) as u64)
                    .div_ceil(1000)
                    .max(1),
            );
        }
        q.push_back(now);
        None
    }

    fn log(&self, receipt: &str, outcome: &str) {
        if let Some(a) = &self.audit
            && let Err(e) = a.record(
                "applicant",
                "progress_query",
                &format!("{receipt}: {outcome}"),
            )
        {
            log::warn!("audit: {e}");
        }
    }

    /// One query: `receipt_input` typed or scanned, `last4` typed.
    pub fn query(&self, receipt_input: &str, last4: &str) -> ProgressAnswer {
        if let Some(secs) = self.limited() {
            self.log("-", "rate limited");
            return ProgressAnswer::TooManyAttempts {
                retry_after_secs: secs,
                message: format!(
                    "查询次数过多，请 {secs} 秒后再试，或到{}查询。",
                    self.window.name()
                ),
            };
        }
        let Some(receipt_no) = parse_receipt_input(receipt_input) else {
            return ProgressAnswer::Invalid {
                message: "受理编号格式或校验位不对，请核对回执上的编号后重新输入。".into(),
            };
        };
        if !valid_last4(last4) {
            return ProgressAnswer::Invalid {
                message: "请输入身份证号码的最后四位（最后一位可能是 X）。".into(),
            };
        }
        let owned = match self.outbox.verify_owner(&receipt_no, last4) {
            Ok(v) => v,
            Err(e) => {
                log::error!("progress query: outbox: {e}");
                false
            }
        };
        let local = if owned {
            self.outbox.lookup(&receipt_no).ok().flatten()
        } else {
            None
        };
        let Some(local) = local else {
            self.log(&receipt_no, "not found or not verified");
            return ProgressAnswer::NotFound {
                message: not_found(&self.window),
            };
        };
        // Ask the platform only for what it has been sent.
        let mut offline_reason = None;
        if local.state == "accepted"
            && let Some(client) = &self.client
        {
            match client.case_status(&receipt_no) {
                Ok(status) => {
                    self.log(&receipt_no, "answered from the platform");
                    let items: Vec<ProgressLine> = status
                        .items
                        .iter()
                        .map(|i| ProgressLine {
                            name: self.name(&i.item),
                            status: i.status.label().to_string(),
                            since: i.since.get(..10).map(str::to_string),
                        })
                        .collect();
                    use crate::platform::contract::ItemStatus;
                    let headline = if status
                        .items
                        .iter()
                        .all(|i| i.status == ItemStatus::Approved)
                    {
                        "全部事项已办结"
                    } else if status
                        .items
                        .iter()
                        .any(|i| i.status == ItemStatus::NeedsMaterials)
                    {
                        "有事项需要补正材料"
                    } else {
                        "办理中"
                    };
                    let supply = status
                        .items
                        .iter()
                        .any(|i| i.status == ItemStatus::NeedsMaterials)
                        .then(|| format!("需补正材料的事项，请携带回执{}。", self.window.go_to()));
                    let note = match (materials_line(&status.materials), supply) {
                        (Some(m), Some(s)) => Some(format!("{m}{s}")),
                        (m, s) => m.or(s),
                    };
                    return ProgressAnswer::Found(ProgressView {
                        receipt: receipt_no,
                        source: ProgressSource::Platform,
                        headline: headline.into(),
                        items,
                        note,
                        materials: status.materials,
                    });
                }
                Err(PlatformError::Retryable { reason, .. }) => offline_reason = Some(reason),
                Err(PlatformError::Permanent { code, .. }) => offline_reason = Some(code),
            }
        }
        if let Some(r) = &offline_reason {
            log::info!("progress query for {receipt_no}: platform not answering ({r})");
        }
        self.log(&receipt_no, "answered from this kiosk");
        let (headline, item_status, note) = match local.state.as_str() {
            "queued" => (
                "已保存在本机，尚未提交",
                "已保存在本机，尚未提交",
                "网络恢复后本机会自动提交，无需再次办理。".to_string(),
            ),
            "accepted" => (
                "已提交",
                "已提交，等待部门办理",
                "暂时无法连接政务服务平台，查不到部门的最新进度，请稍后再查。".to_string(),
            ),
            _ => (
                "提交未成功",
                "提交未成功",
                format!("请携带回执到{}，由工作人员处理。", self.window.name()),
            ),
        };
        ProgressAnswer::Found(ProgressView {
            receipt: receipt_no,
            source: ProgressSource::Local,
            headline: headline.into(),
            items: local
                .items
                .iter()
                .map(|code| ProgressLine {
                    name: self.name(code),
                    status: item_status.into(),
                    since: None,
                })
                .collect(),
            note: Some(note),
            materials: Vec::new(),
        })
    }
}

/// Item code → name, from the catalog.
pub fn item_names(catalog: &crate::catalog::Catalog) -> BTreeMap<String, String> {
    catalog
        .items
        .iter()
        .map(|i| (i.code.get_ref().clone(), i.name.clone()))
        .collect()
}
