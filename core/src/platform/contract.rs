//! Request and response bodies of the platform API (docs/platform-api.md).

use serde::{Deserialize, Serialize};

/// `POST /v1/cases` answers with the case and one case number per item.
/// The body of the request is a [`crate::visit::submission::Submission`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAccepted {
    pub case_id: String,
    pub receipt: String,
    /// True when this idempotency key was seen before: nothing new was
    /// created, this is the original answer.
    pub duplicate: bool,
    pub items: Vec<ItemCase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCase {
    pub item: String,
    pub department: String,
    pub case_number: String,
    pub status: ItemStatus,
}

/// Where one item's application stands at its department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Accepted,
    InReview,
    Approved,
    NeedsMaterials,
}

impl ItemStatus {
    /// How the applicant's progress query shows it.
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Accepted => "已受理",
            ItemStatus::InReview => "审查中",
            ItemStatus::Approved => "已办结（准予许可）",
            ItemStatus::NeedsMaterials => "需补正材料",
        }
    }
}

/// `GET /v1/cases/{receipt}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStatus {
    pub case_id: String,
    pub receipt: String,
    pub items: Vec<ItemProgress>,
    /// 材料已收: the case's materials the platform holds, in manifest order
    /// (absent from platforms that do not say).
    #[serde(default)]
    pub materials: Vec<MaterialReceived>,
}

/// One material of a case as the platform holds it: its pages (each
/// stored once, counted only when complete), or the 电子证照 it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialReceived {
    /// The catalog's material id.
    pub material: String,
    /// Its name on the notice.
    pub name: String,
    /// Pages held (0 for a 电子证照).
    pub pages: u32,
    /// Held as 电子证照 (its title), not as pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicence: Option<String>,
}

impl MaterialReceived {
    /// How the progress query words it: `营业执照 2页`,
    /// `房屋产权证明（电子证照）`.
    pub fn label(&self) -> String {
        match &self.elicence {
            Some(_) => format!("{}（电子证照）", self.name),
            None => format!("{} {}页", self.name, self.pages),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemProgress {
    pub item: String,
    pub case_number: String,
    pub status: ItemStatus,
    pub status_label: String,
    /// RFC 3339.
    pub since: String,
}

/// `PUT /v1/materials/{sha256}` answers with this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialStored {
    pub sha256: String,
    pub size: u64,
    pub duplicate: bool,
}

/// `POST /v1/cases/{receipt}/rating` (好差评).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 (非常不满意) to 5 (非常满意).
    pub score: u8,
    #[serde(default)]
    pub comment: String,
    pub rated_at_ms: i64,
}

/// `POST /v1/heartbeats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub kiosk_id: String,
    pub at_ms: i64,
    /// Device name → `ok` or what is wrong.
    #[serde(default)]
    pub devices: std::collections::BTreeMap<String, String>,
    /// Receipt paper left, 0-100, when the printer reports it.
    #[serde(default)]
    pub paper_level: Option<u8>,
    /// The paper forecast behind `paper_level`, when the kiosk keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperEstimate>,
    pub queue_depth: u64,
    pub rejected: u64,
    pub uplink_mode: String,
    pub accepting_submissions: bool,
    pub app_version: String,
    pub catalog_version: Option<String>,
}

/// The receipt paper forecast in a heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperEstimate {
    pub remaining_m: f64,
    #[serde(default)]
    pub visits_left: Option<u32>,
    /// `ok`, `low`, `near_end` or `out`.
    pub level: String,
}

/// Every error answer: a stable code and a reason for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// One row of the operators' listing (`GET /v1/admin/cases`,
/// `onevisit platform list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedCase {
    pub case_id: String,
    pub idempotency_key: String,
    pub receipt: String,
    pub kiosk_id: String,
    pub bundle: String,
    pub received_at: String,
    /// How many later requests with the same key were answered from the
    /// stored case instead of creating another.
    pub duplicates_refused: u64,
    pub items: Vec<ItemCase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub cases: Vec<ListedCase>,
    /// Complete attachments (pages) stored, each once.
    pub materials: u64,
    pub ratings: u64,
    pub heartbeats: u64,
    pub duplicates_refused: u64,
    pub rejected_signatures: u64,
    /// Attachment chunks accepted and bytes in them (a resumed upload
    /// sends no chunk twice unless its answer was lost).
    #[serde(default)]
    pub chunks_accepted: u64,
    #[serde(default)]
    pub chunk_bytes_accepted: u64,
    /// Chunks refused because their bytes did not match their hash.
    #[serde(default)]
    pub chunks_refused: u64,
}

/// Headers of `PUT /v1/attachments/{sha256}` (one chunk of a page).
pub const H_OFFSET: &str = "x-onevisit-offset";
pub const H_TOTAL: &str = "x-onevisit-total";
pub const H_CHUNK_SHA256: &str = "x-onevisit-chunk-sha256";
pub const H_RECEIPT: &str = "x-onevisit-receipt";

/// The largest chunk the platform takes.
pub const MAX_CHUNK: usize = 1 << 20;

/// `GET` / `PUT /v1/attachments/{sha256}`: how much of a page the platform
/// holds. `received` is where the next chunk starts; `complete` once the
/// whole file arrived and its SHA-256 matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatus {
    pub sha256: String,
    pub total: u64,
    pub received: u64,
    pub complete: bool,
    /// The page was already complete before this request.
    #[serde(default)]
    pub duplicate: bool,
}

/// `POST /v1/elicences/lookup`: which of these materials the platform
/// holds as 电子证照 for this person. Sent only with the applicant's
/// consent shown on screen.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElicenceQuery {
    pub id_number: String,
    /// Catalog material ids.
    pub materials: Vec<String>,
}

impl std::fmt::Debug for ElicenceQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElicenceQuery")
            .field("id_number", &crate::ids::mask_id_text(&self.id_number))
            .field("materials", &self.materials)
            .finish()
    }
}

/// The answer: the licences held (possibly none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElicenceAnswer {
    pub licences: Vec<crate::visit::materials::HeldLicence>,
}

/// `GET /v1/licences/{uscc}`: what the platform's shared data (电子证照)
/// holds about an existing business licence, for the form's `licence.*`
/// prefill. 404 `unknown_licence` when it holds none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLicence {
    pub uscc: String,
    /// 主体名称 as on the licence.
    pub name: String,
    pub legal_representative: String,
    /// 住所 as on the licence.
    pub address: String,
    #[serde(default)]
    pub scope: Option<String>,
    /// An option id of the catalog's entity type field (llc, branch, …).
    #[serde(default)]
    pub entity_type: Option<String>,
}

impl From<SharedLicence> for crate::applicant::LicenceData {
    fn from(l: SharedLicence) -> Self {
        crate::applicant::LicenceData {
            name: l.name,
            uscc: l.uscc,
            legal_representative: l.legal_representative,
            address: l.address,
            scope: l.scope,
            entity_type: l.entity_type,
        }
    }
}
