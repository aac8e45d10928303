//! A submission: everything the platform needs for one visit, built only
//! from a complete notice and a valid merged form, so the outbox never
//! holds something the platform would have to bounce for a reason the
//! kiosk could have told the applicant on the spot.

use crate::applicant::Applicant;
use crate::catalog::{Catalog, CatalogVersion};
use crate::form::{self, FormError, FormValues};
use crate::guide::{self, Answers, GuideError, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A written promise (容缺承诺) to hand in a non-key material later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// The material id of the notice.
    pub material: String,
    /// `YYYY-MM-DD`, the promised deadline.
    pub deadline: String,
}

/// One page of a material handed in at the kiosk, by content hash: the
/// manifest entry material × page, citing the items it serves. The bytes
/// travel separately (`PUT /v1/attachments/{sha256}`), once per hash
/// however many entries cite them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialRef {
    pub material: String,
    /// Lower-case hex SHA-256 of the image bytes.
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    /// 1-based page order within the material.
    #[serde(default = "first_page")]
    pub page: u32,
    /// The item codes this material serves (one capture for all).
    #[serde(default)]
    pub items: Vec<String>,
}

fn first_page() -> u32 {
    1
}

impl MaterialRef {
    pub fn for_bytes(material: &str, bytes: &[u8], content_type: &str) -> MaterialRef {
        use sha2::{Digest, Sha256};
        MaterialRef {
            material: material.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
            content_type: content_type.to_string(),
            page: 1,
            items: Vec::new(),
        }
    }

    /// Page `page` (1-based) of `material`, serving `items`.
    pub fn for_page(
        material: &str,
        page: u32,
        items: &[String],
        captured: &crate::visit::materials::CapturedPage,
    ) -> MaterialRef {
        MaterialRef {
            material: material.to_string(),
            sha256: captured.sha256().to_string(),
            size: captured.size() as u64,
            content_type: "image/jpeg".into(),
            page,
            items: items.to_vec(),
        }
    }
}

/// What the kiosk UI (or `onevisit submit --file`) hands over to queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    pub bundle: String,
    pub answers: Answers,
    #[serde(default)]
    pub applicant: Applicant,
    pub values: FormValues,
    #[serde(default)]
    pub rongque: Vec<Commitment>,
    /// Scanned images: material id and a file path on the kiosk.
    #[serde(default)]
    pub materials: Vec<MaterialFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialFile {
    pub material: String,
    pub path: std::path::PathBuf,
    #[serde(default = "default_content_type")]
    pub content_type: String,
}

fn default_content_type() -> String {
    "image/jpeg".into()
}

/// The case as it travels to the platform. The receipt, kiosk id and time
/// are set by the outbox when it is queued.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub receipt: String,
    pub kiosk_id: String,
    /// RFC 3339, China Standard Time.
    pub created_at: String,
    pub bundle: String,
    pub catalog_version: CatalogVersion,
    pub answers: Answers,
    /// The notice (一次告知单) exactly as shown and printed.
    pub notice: Value,
    /// The checked merged-form values, field id → value.
    pub form: BTreeMap<String, Value>,
    /// One application per item (`ItemApplication`).
    pub applications: Vec<Value>,
    pub applicant: Applicant,
    pub rongque: Vec<Commitment>,
    /// The pages handed in, material × page.
    pub materials: Vec<MaterialRef>,
    /// Materials the platform holds as 电子证照 for this applicant, used
    /// with the applicant's consent instead of paper.
    #[serde(default)]
    pub elicences: Vec<crate::visit::materials::HeldLicence>,
}

impl std::fmt::Debug for Submission {
    /// Names and ID numbers stay out of logs: only routing facts show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submission")
            .field("receipt", &self.receipt)
            .field("bundle", &self.bundle)
            .field("items", &self.item_codes())
            .field("applicant", &self.applicant.card)
            .field("pages", &self.materials.len())
            .finish_non_exhaustive()
    }
}

/// Why a submission cannot be made, in words for the applicant.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmissionError {
    #[error("{0}")]
    Guide(#[from] GuideError),
    #[error("问卷还没答完，下一题是 {id}：{text}")]
    Unanswered { id: String, text: String },
    #[error("本机不能办理：{reason}；请前往：{go_to}")]
    Referral { reason: String, go_to: String },
    #[error("表单有 {} 处需要修改：{}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"))]
    Form(Vec<FormError>),
    #[error("容缺承诺的材料“{0}”不在本次告知单中")]
    UnknownMaterial(String),
    #[error("材料“{0}”是关键材料或不允许容缺，必须当场提交")]
    NotRongque(String),
    #[error("材料“{0}”的容缺承诺期限“{1}”应是今天之后的日期，写成 YYYY-MM-DD")]
    BadDeadline(String, String),
    #[error("材料“{0}”重复出现：同一材料只能提交一次或承诺一次")]
    Duplicate(String),
    #[error("材料文件读取失败：{0}")]
    MaterialFile(String),
}

/// Today in China Standard Time, where the hall is.
pub fn today_cst() -> chrono::NaiveDate {
    crate::calendar::today()
}

impl Submission {
    /// Runs the guide and the form; refuses anything that is not a
    /// complete notice with a valid form, or whose 容缺 promises and
    /// materials do not fit that notice.
    pub fn build(
        catalog: &Catalog,
        bundle: &str,
        answers: &Answers,
        applicant: &Applicant,
        values: &FormValues,
        rongque: &[Commitment],
    ) -> Result<Submission, SubmissionError> {
        let notice = match guide::step(catalog, bundle, answers)? {
            Outcome::Notice { notice } => notice,
            Outcome::Question { question } => {
                return Err(SubmissionError::Unanswered {
                    id: question.id,
                    text: question.text,
                });
            }
            Outcome::Referral { referral } => {
                return Err(SubmissionError::Referral {
                    reason: referral.reason,
                    go_to: referral.go_to,
                });
            }
        };
        let merged = form::build_form(catalog, &notice, applicant);
        let checked = form::validate_form(&merged, values).map_err(SubmissionError::Form)?;
        let apps = form::applications(catalog, &notice, &merged, &checked);
        let today = today_cst();
        let mut seen = std::collections::BTreeSet::new();
        for c in rongque {
            let m = notice
                .materials
                .iter()
                .find(|m| m.id == c.material)
                .ok_or_else(|| SubmissionError::UnknownMaterial(c.material.clone()))?;
            if !m.rongque_eligible || m.key {
                return Err(SubmissionError::NotRongque(c.material.clone()));
            }
            match chrono::NaiveDate::parse_from_str(&c.deadline, "%Y-%m-%d") {
                Ok(d) if d > today && c.deadline.len() == 10 => {}
                _ => {
                    return Err(SubmissionError::BadDeadline(
                        c.material.clone(),
                        c.deadline.clone(),
                    ));
                }
            }
            if !seen.insert(c.material.clone()) {
                return Err(SubmissionError::Duplicate(c.material.clone()));
            }
        }
        Ok(Submission {
            receipt: String::new(),
            kiosk_id: String::new(),
            created_at: String::new(),
            bundle: notice.bundle.code.clone(),
            catalog_version: notice.catalog_version.clone(),
            answers: guide::effective_answers(
                catalog.bundle(bundle).expect("bundle checked by the guide"),
                answers,
            ),
            notice: to_value(&*notice),
            form: checked
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
            applications: apps.iter().map(to_value).collect(),
            applicant: applicant.clone(),
            rongque: rongque.to_vec(),
            materials: Vec::new(),
            elicences: Vec::new(),
        })
    }

    /// [`Submission::build`] from the kiosk's input, reading and hashing the
    /// material images. Returns the submission and the images to upload.
    pub fn from_input(
        catalog: &Catalog,
        input: &SubmissionInput,
    ) -> Result<(Submission, Vec<Vec<u8>>), SubmissionError> {
        let mut sub = Submission::build(
            catalog,
            &input.bundle,
            &input.answers,
            &input.applicant,
            &input.values,
            &input.rongque,
        )?;
        let mut images = Vec::new();
        for mf in &input.materials {
            let bytes = std::fs::read(&mf.path).map_err(|e| {
                SubmissionError::MaterialFile(format!("{}: {e}", mf.path.display()))
            })?;
            let mut r = MaterialRef::for_bytes(&mf.material, &bytes, &mf.content_type);
            r.page = sub
                .materials
                .iter()
                .filter(|m| m.material == mf.material)
                .count() as u32
                + 1;
            r.items = sub.material_items(&mf.material);
            sub.add_material(r)?;
            images.push(bytes);
        }
        Ok((sub, images))
    }

    fn knows_material(&self, material: &str) -> bool {
        self.notice["materials"]
            .as_array()
            .is_some_and(|ms| ms.iter().any(|m| m["id"] == material))
    }

    /// The items of the notice that need `material`.
    pub fn material_items(&self, material: &str) -> Vec<String> {
        self.notice["materials"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["id"] == material))
            .and_then(|m| m["items"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Adds a page reference, checked against the notice: a material of
    /// it, not promised for later, not held as 电子证照, each page once.
    pub fn add_material(&mut self, r: MaterialRef) -> Result<(), SubmissionError> {
        if !self.knows_material(&r.material) {
            return Err(SubmissionError::UnknownMaterial(r.material));
        }
        if self.rongque.iter().any(|c| c.material == r.material)
            || self.elicences.iter().any(|l| l.material == r.material)
            || self
                .materials
                .iter()
                .any(|m| m.material == r.material && m.page == r.page)
        {
            return Err(SubmissionError::Duplicate(r.material));
        }
        self.materials.push(r);
        Ok(())
    }

    /// Adds a material the platform holds as 电子证照.
    pub fn add_held_licence(
        &mut self,
        l: crate::visit::materials::HeldLicence,
    ) -> Result<(), SubmissionError> {
        if !self.knows_material(&l.material) {
            return Err(SubmissionError::UnknownMaterial(l.material));
        }
        if self.rongque.iter().any(|c| c.material == l.material)
            || self.materials.iter().any(|m| m.material == l.material)
            || self.elicences.iter().any(|e| e.material == l.material)
        {
            return Err(SubmissionError::Duplicate(l.material));
        }
        self.elicences.push(l);
        Ok(())
    }

    /// What was handed in, per material in manifest order: (material id,
    /// pages). For the receipt.
    pub fn pages_per_material(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for m in &self.materials {
            match out.iter_mut().find(|(id, _)| *id == m.material) {
                Some((_, n)) => *n += 1,
                None => out.push((m.material.clone(), 1)),
            }
        }
        out
    }

    /// The item codes of the applications, in notice order.
    pub fn item_codes(&self) -> Vec<String> {
        self.applications
            .iter()
            .filter_map(|a| a["item"].as_str().map(str::to_string))
            .collect()
    }
}

/// Serialising our own plain types to `Value` cannot fail (no maps with
/// non-string keys).
fn to_value<T: Serialize + ?Sized>(v: &T) -> Value {
    serde_json::to_value(v).expect("plain data serialises")
}

/// A valid example input for bundle B01 (a new company opening a
/// restaurant), used by `onevisit submit --example` and the tests.
pub fn example_input() -> SubmissionInput {
    let json = serde_json::json!({
        "bundle": "B01",
        "answers": {"new_entity": "new", "entity_type": "company", "lodging": "no", "construction": "no"},
        "applicant": {"card": {
            "document_type": "resident", "name": "张晓梅", "gender": "female", "ethnicity": "汉",
            "birth_date": "1985-03-12", "address": "河南省濮阳市华龙区胜利路100号院3号楼2单元",
            "id_number": "410902198503120026", "issuing_authority": "濮阳市公安局华龙分局",
            "valid_from": "2020-05-01", "valid_to": "2040-05-01"}},
        "values": {
            "F01": "濮阳市华龙区晓梅餐饮有限公司", "F03": "llc",
            "by_agent": "self", "pre_approval": "none",
            "F07": "河南省濮阳市华龙区胜利路188号", "F06": "13903930001",
            "F11": "餐饮服务；食品销售", "F23": "2026-12-01/长期",
            "F08": "河南省濮阳市华龙区胜利路188号一楼", "F09": "120.5",
            "F12_phone": "0393-8881234",
            "company_registration.registered_capital": "50",
            "company_registration.licence_delivery": "window",
            "food_business_licence.business_format": "catering",
            "food_business_licence.business_items": "hot_food,cold_food",
            "company_registration.shareholders": [{"name": "张晓梅", "id_number": "410902198503120026",
                "subscribed": "50", "method": "cash", "due_date": "2031-11-30"}],
            "company_registration.officers": [
                {"name": "张晓梅", "id_number": "410902198503120026", "post": "director"},
                {"name": "王立新", "id_number": "410902199001011238", "post": "supervisor"}],
            "F22": [{"name": "张晓梅", "id_number": "410902198503120026", "mobile": "13903930001"}],
            "F16": [{"name": "王立新", "id_number": "410902199001011238", "role": "食品安全管理员"}]
        },
        "rongque": [],
        "materials": []
    });
    serde_json::from_value(json).expect("the example input is well-formed")
}
