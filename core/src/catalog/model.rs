//! The catalog's data model, exactly as written in `catalog/*.toml`.
//!
//! References between files (an item's department, a bundle's items, a
//! condition's question) are kept as [`Ref`]s that remember where they were
//! written, so the loader can report a broken reference with file and line.
//! docs/catalog.md describes every key with an example.

use super::kind::FieldKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An id written in a catalog file, with its byte span in that file.
pub type Ref = toml::Spanned<String>;

/// Where a fact comes from: a source code of catalog-facts (`"S3"`,
/// `"P7"`), `"partial"`, or `false` when it is general knowledge that the
/// hall must still confirm locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Verified {
    Flag(bool),
    Source(String),
}

impl Default for Verified {
    fn default() -> Self {
        Verified::Flag(false)
    }
}

/// The one marker of a fact the hall must still confirm, wherever a notice
/// is shown, printed or said. There is no other (no （未核实）).
pub const UNVERIFIED: &str = "（待核实）";

impl Verified {
    /// [`UNVERIFIED`] after an unconfirmed fact, nothing after a confirmed one.
    pub fn mark(&self) -> &'static str {
        if self.is_verified() { "" } else { UNVERIFIED }
    }

    /// True when a source confirmed the fact (fully or in substance).
    pub fn is_verified(&self) -> bool {
        match self {
            Verified::Flag(b) => *b,
            Verified::Source(s) => !s.is_empty() && s != "false",
        }
    }
}

/// `catalog/catalog.toml`: what this catalog is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogMeta {
    /// The version the hall declares; travels with every notice.
    pub version: String,
    pub title: String,
    pub region: String,
    /// The service hall's name, printed on notices.
    pub hall: String,
    /// The cross-department window where a bundle's materials are handed in.
    pub combined_window: String,
    /// Joint handling cap in days (行政许可法 第二十六条) and its extension.
    pub joint_limit_days: u32,
    pub joint_extension_days: u32,
    /// Working days to supply a 容缺 material, unless the item or the
    /// hall's kiosk.toml says otherwise.
    pub rongque_days: u32,
}

/// One department (`catalog/departments.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub id: Ref,
    /// The name as the source table writes it (区市场监管局).
    pub name: String,
    /// The full official name (华龙区市场监督管理局).
    pub full_name: String,
    /// Other names in use for the same department (区卫健委).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Legacy: catalogs before issue 15.6 named a window here. Read and
    /// ignored — the catalog holds departments, the hall's kiosk.toml
    /// `[window.<id>]` holds windows (`Catalog::with_windows`).
    #[serde(default, skip_serializing)]
    pub window: Option<String>,
    #[serde(default, skip_serializing)]
    pub window_verified: Option<Verified>,
    /// 咨询: where applicants ask (phone, hours). A hall sets or corrects
    /// it in kiosk.toml `[consult.<id>]` (`Catalog::with_consult`); until a
    /// phone is set, or while the one set is unverified, the notice shows
    /// （待核实）.
    #[serde(default)]
    pub consult: Consult,
}

/// Where a department's materials are checked in this hall (kiosk.toml
/// `[window.<department id>]`): a window's name and, when it has one, its
/// number. The hall's own fact; without it the notice names the department
/// and says the window is （待核实）.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HallWindow {
    /// "市场监管窗口".
    pub name: String,
    /// "3" (read "3号窗口"), when the window is numbered.
    #[serde(default)]
    pub number: Option<String>,
}

impl HallWindow {
    /// As the notice tells it: "市场监管窗口（3号窗口）" or the name alone.
    pub fn told(&self) -> String {
        match &self.number {
            Some(n) => format!("{}（{n}号窗口）", self.name),
            None => self.name.clone(),
        }
    }
}

/// What the notice says for a department whose window this hall has not
/// configured: no number is made up.
pub const WINDOW_UNKNOWN: &str = "审核窗口（待核实）";

/// A department's consultation phone and hours (咨询电话).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consult {
    /// As dialled in the hall: "0393-8888888", "12345".
    #[serde(default)]
    pub phone: Option<String>,
    /// When someone answers: "工作日 9:00—12:00，13:30—17:30".
    #[serde(default)]
    pub hours: Option<String>,
    #[serde(default)]
    pub verified: Verified,
}

impl Consult {
    /// True when a phone is set and confirmed (a source, or the hall's own
    /// kiosk.toml).
    pub fn is_verified(&self) -> bool {
        self.phone.is_some() && self.verified.is_verified()
    }
}

/// One step of 办理流程: what happens after the materials are handed in at
/// the window (受理, 审查, 现场核查, 决定, 统一发证), in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessStep {
    /// A short name: "受理", "现场核查".
    pub name: String,
    /// How long it takes, in words ("当场", "10个工作日内"); absent when
    /// the source says nothing about this step alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// One line on what happens or when it applies ("必要时").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default)]
    pub verified: Verified,
}

/// A form section (`[[section]]` in `catalog/fields.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: Ref,
    pub title: String,
}

/// A form field. Shared fields (F01..) live in `catalog/fields.toml`;
/// an item may define its own fields, which are then named
/// `<item code>.<id>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub id: Ref,
    pub label: String,
    /// The section of the merged form it appears in (shared fields only;
    /// an item's own fields appear in that item's section).
    #[serde(default)]
    pub section: Option<Ref>,
    /// The value's kind. Absent for a list of records.
    #[serde(default)]
    pub kind: Option<KindSpec>,
    /// For a list of records (shareholders, staff): the fields of one record.
    #[serde(default)]
    pub record: Vec<FieldDef>,
    #[serde(default)]
    pub min_records: Option<usize>,
    #[serde(default)]
    pub max_records: Option<usize>,
    #[serde(default = "yes")]
    pub required: bool,
    /// A one-line hint shown under the field.
    #[serde(default)]
    pub hint: Option<String>,
    /// Where a value can be prefilled from: `card.<field>` or
    /// `licence.<field>` (see `crate::applicant`).
    #[serde(default)]
    pub prefill: Option<String>,
    /// Items whose outcome provides this value (the registration items
    /// assign the unified social credit code): when one of them is in the
    /// notice, the applicant is not asked for it.
    #[serde(default)]
    pub produced_by: Vec<Ref>,
    /// A one-tap choice shown beside the field: a value the applicant
    /// very likely means (the card's address for 住所, 住所 for 经营场所),
    /// accepted with one tap instead of typed.
    #[serde(default)]
    pub offer: Option<OfferDef>,
    /// The value a questionnaire answer settles (公司 → 有限责任公司):
    /// prefilled, so the form does not ask again what the guide asked.
    #[serde(default)]
    pub from_answer: Option<FromAnswer>,
    /// For a list of records: the label of a button that fills one record
    /// with every subfield's offer at once ("同申请人").
    #[serde(default)]
    pub offer_record: Option<String>,
    /// Shown only while other fields of the form hold these values
    /// (委托代理人 only when 办理方式 is 委托): asked once, by the form.
    #[serde(default)]
    pub show_if: BTreeMap<String, String>,
}

/// Where a one-tap offer takes its value from: exactly one of `from` (a
/// prefill key such as `card.address`, or another field's id, whose value
/// is known once the applicant entered it) and `value` (a fixed text;
/// `{today}` stands for the visit's date).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfferDef {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    /// The button's words (用身份证上的地址, 同住所).
    pub label: String,
}

/// A choice field settled by a questionnaire answer: `values` maps the
/// answer's option id to the field's value; other answers leave the field
/// to the applicant.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FromAnswer {
    pub question: Ref,
    pub values: BTreeMap<String, String>,
}

/// A bundle's own knowledge of its form: what the bundle itself settles
/// (a restaurant's 主体业态 is 餐饮服务经营者) and what it suggests.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleForm {
    /// Field id (or `field.subfield` of a list) → value, prefilled.
    #[serde(default)]
    pub prefill: BTreeMap<String, String>,
    /// One-tap offers for this bundle's applicants, by field id (or
    /// `field.subfield`).
    #[serde(default)]
    pub offer: BTreeMap<String, OfferDef>,
}

fn yes() -> bool {
    true
}

/// Why a field's `kind` is not one the form knows (Chinese: the catalog
/// check shows it to the catalog's editors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KindError {
    #[error("应为名称或表，实为 {0}")]
    NotANameOrTable(&'static str),
    /// serde's message: which kind or parameter is unknown or wrong.
    #[error("{0}")]
    Unknown(String),
}

/// A field kind as written: either a bare name (`"mobile"`, `"text"`) or
/// a table (`{ money = { unit = "万元" } }`). Kept as a spanned TOML value
/// (serde's untagged enums would lose the position) and resolved by the
/// loader.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct KindSpec(pub toml::Spanned<toml::Value>);

impl KindSpec {
    /// The typed kind, or the reason it is not one.
    pub fn resolve(&self) -> Result<FieldKind, KindError> {
        let table = match self.0.get_ref() {
            toml::Value::String(name) => {
                // A bare name means "this kind with its defaults". Unit
                // variants deserialize from a string, struct variants from
                // an empty table, so try both.
                if let Ok(kind) = FieldKind::deserialize(toml::Value::String(name.clone())) {
                    return Ok(kind);
                }
                let mut t = toml::Table::new();
                t.insert(name.clone(), toml::Value::Table(toml::Table::new()));
                t
            }
            toml::Value::Table(t) => t.clone(),
            other => return Err(KindError::NotANameOrTable(other.type_str())),
        };
        FieldKind::deserialize(toml::Value::Table(table))
            .map_err(|e| KindError::Unknown(e.message().to_string()))
    }

    pub fn span(&self) -> std::ops::Range<usize> {
        self.0.span()
    }
}

/// Where an applicant gets a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialSource {
    /// Generated by the kiosk from the merged form (the application forms).
    Form,
    /// Read from the ID card (identity proof, verified on the spot).
    IdCard,
    /// The output of another item of the catalog (e.g. the business
    /// licence from the registration item).
    EarlierItem,
    /// A document the applicant prepares or already holds.
    Own,
    /// Issued by a third party (a testing agency, another authority).
    ThirdParty,
}

/// A material (`catalog/materials.toml`), defined once and listed once in a
/// notice however many items need it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialDef {
    pub id: Ref,
    pub name: String,
    pub source: MaterialSource,
    /// For `earlier_item`: the items whose output it is.
    #[serde(default)]
    pub produced_by: Vec<Ref>,
    /// For `third_party`: who issues it.
    #[serde(default)]
    pub issuer: Option<String>,
    /// A one-line explanation for the applicant.
    #[serde(default)]
    pub note: Option<String>,
    /// For `form`: the standard document the kiosk drafts from the merged
    /// form for signature (公司章程, 任职文件 …); absent for the
    /// application forms themselves.
    #[serde(default)]
    pub template: Option<Template>,
    /// The platform holds it electronically and the department looks it
    /// up (电子营业执照): nothing is handed in.
    #[serde(default)]
    pub shared: Option<SharedCopy>,
}

/// A standard document the kiosk drafts from the merged form
/// (`core::print::documents::signing`), printed for signature: listed as
/// “本机生成，签字即可” and not counted among the materials to bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// 公司章程 after the model articles: 有限责任公司, or 一人有限责任公司
    /// when the form names one shareholder.
    ArticlesOfAssociation,
    /// 股东会决议 (股东决定 for one shareholder) appointing the 法定代表人,
    /// 董事, 监事 and 经理 the form names.
    OfficerAppointment,
    /// 食品安全规章制度目录清单.
    FoodSafetyRules,
    /// 主要设备设施、经营布局、操作流程 description of the food licence.
    FoodLayout,
    /// 合伙协议 with 合伙企业法第十八条's contents.
    PartnershipAgreement,
    /// 全体合伙人委托执行事务合伙人的委托书.
    PartnerMandate,
    /// 分支机构负责人任命书, issued by the 隶属企业.
    BranchHeadAppointment,
    /// 公共场所卫生管理制度 (目录 and the rules' headings).
    HygieneRules,
    /// 治安保卫人员名单和安全管理制度 of a hotel.
    HotelSecurityRules,
}

impl Template {
    /// Every template, in the order they print.
    pub const ALL: [Template; 9] = [
        Template::ArticlesOfAssociation,
        Template::OfficerAppointment,
        Template::PartnershipAgreement,
        Template::PartnerMandate,
        Template::BranchHeadAppointment,
        Template::FoodSafetyRules,
        Template::FoodLayout,
        Template::HygieneRules,
        Template::HotelSecurityRules,
    ];
}

/// A material the platform holds electronically (电子营业执照), shared
/// with the department that needs it, with the rule that makes the
/// electronic one as good as paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedCopy {
    /// What the platform holds: "电子营业执照".
    pub name: String,
    #[serde(default)]
    pub verified: Verified,
}

/// Original, copy or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
}

impl MaterialForm {
    pub fn merge(self, other: MaterialForm) -> MaterialForm {
        if self == other {
            self
        } else {
            MaterialForm::OriginalAndCopy
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MaterialForm::Original => "原件",
            MaterialForm::Copy => "复印件",
            MaterialForm::OriginalAndCopy => "原件及复印件",
        }
    }
}

/// An item's use of a material.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialUse {
    #[serde(rename = "ref")]
    pub material: Ref,
    pub form: MaterialForm,
    #[serde(default = "one")]
    pub copies: u32,
    /// A key material cannot be supplied later (容缺); a non-key one can.
    pub key: bool,
    #[serde(default)]
    pub key_verified: Verified,
    /// When only some applicants need it ("委托他人办理时"), in words.
    #[serde(default)]
    pub only_when: Option<String>,
    /// When the answers decide whether it is needed: the material is left
    /// out of the notice unless this holds (empty = always needed).
    #[serde(default)]
    pub only_when_answers: Condition,
    /// When a form answer decides it (授权委托书 only when 办理方式 is
    /// 委托): field id → value. The notice still lists it with its
    /// `only_when` words; the materials page drops it once the form says
    /// it does not apply.
    #[serde(default)]
    pub only_when_form: BTreeMap<String, String>,
}

fn one() -> u32 {
    1
}

/// A time limit in working days, with the words of the source.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Working days; 0 = on the spot; absent = not known.
    #[serde(default)]
    pub days: Option<u32>,
    pub text: String,
    #[serde(default)]
    pub verified: Verified,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimits {
    pub statutory: Limit,
    #[serde(default)]
    pub promised: Option<Limit>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    pub law: String,
    #[serde(default)]
    pub articles: Option<String>,
    #[serde(default)]
    pub verified: Verified,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub text: String,
    #[serde(default)]
    pub verified: Verified,
}

/// 告知承诺制 for an item: the applicant promises in writing to meet the
/// conditions, the department decides without examining them first, and
/// checks afterwards; an untrue promise loses the licence.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentRoute {
    /// What the commitment means for the applicant, in one or two sentences.
    pub meaning: String,
    /// How long the decision takes on this route, in words ("当场").
    pub time: String,
    /// The list or rule that allows it.
    pub basis: Vec<Basis>,
    #[serde(default)]
    pub verified: Verified,
}

/// An item's use of a field, under the item's own name for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldUse {
    /// A shared field (`F01`) or one of this item's own fields.
    #[serde(rename = "ref")]
    pub field: Ref,
    /// The department's own name for this field, used in its application.
    #[serde(default)]
    pub label: Option<String>,
    /// Overrides the field's `required` for this item.
    #[serde(default)]
    pub required: Option<bool>,
}

/// One 业务办理事项 (`catalog/items/<code>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: Ref,
    pub name: String,
    /// The name as the source table lists it.
    pub source_name: String,
    pub department: Ref,
    pub level: String,
    #[serde(default)]
    pub level_note: Option<String>,
    pub basis: Vec<Basis>,
    pub conditions: Vec<Fact>,
    pub time_limit: TimeLimits,
    pub fee: Fact,
    /// What the applicant receives (a certificate, a filing receipt).
    pub output: String,
    /// Working days this item's department gives to supply its 容缺
    /// materials, when it sets its own (else the hall's).
    #[serde(default)]
    pub rongque_days: Option<u32>,
    /// 办理流程: the steps after the window, in order (`[[process]]`).
    /// Empty until the catalog knows them; the notice then says to ask.
    #[serde(default)]
    pub process: Vec<ProcessStep>,
    /// Something the applicant must know (a law change, who it applies to).
    #[serde(default)]
    pub note: Option<String>,
    /// 告知承诺制: the other route a national or provincial list allows for
    /// this item; the notice shows it beside the ordinary one.
    #[serde(default)]
    pub commitment_route: Option<CommitmentRoute>,
    #[serde(default, rename = "material")]
    pub materials: Vec<MaterialUse>,
    /// This item's own fields (named `<code>.<id>` in the merged form).
    #[serde(default, rename = "own_field")]
    pub own_fields: Vec<FieldDef>,
    /// The fields of this item's application, in the department's order.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldUse>,
}

/// A condition on answers: every named question must have one of the
/// listed options (`{ lodging = "yes", entity_type = ["company", "branch"] }`).
pub type Condition = BTreeMap<Ref, OneOrMany>;

/// The allowed options of one question in a condition: an option id or a
/// list of them. Kept as a spanned TOML value so errors can point at it.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct OneOrMany(pub toml::Spanned<toml::Value>);

impl OneOrMany {
    /// The option ids; anything that is not a string is left out (and
    /// reported by [`OneOrMany::is_well_formed`]).
    pub fn options(&self) -> Vec<&str> {
        match self.0.get_ref() {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// A string, or a non-empty array of strings.
    pub fn is_well_formed(&self) -> bool {
        match self.0.get_ref() {
            toml::Value::String(_) => true,
            toml::Value::Array(a) => !a.is_empty() && a.iter().all(|v| v.is_str()),
            _ => false,
        }
    }

    pub fn contains(&self, option: &str) -> bool {
        self.options().contains(&option)
    }

    pub fn span(&self) -> std::ops::Range<usize> {
        self.0.span()
    }
}

/// Anything that can say which option was chosen for a question: the
/// guide's answer map, or a borrowed list while walking paths.
pub trait AnswerLookup {
    fn answer(&self, question: &str) -> Option<&str>;
}

impl AnswerLookup for BTreeMap<String, String> {
    fn answer(&self, question: &str) -> Option<&str> {
        self.get(question).map(String::as_str)
    }
}

impl AnswerLookup for [(&str, &str)] {
    fn answer(&self, question: &str) -> Option<&str> {
        self.iter().find(|(q, _)| *q == question).map(|(_, a)| *a)
    }
}

/// Does `cond` hold for `answers`? An unanswered question never matches.
pub fn condition_holds<A: AnswerLookup + ?Sized>(cond: &Condition, answers: &A) -> bool {
    cond.iter().all(|(q, allowed)| {
        answers
            .answer(q.get_ref())
            .is_some_and(|a| allowed.contains(a))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionOption {
    pub id: Ref,
    pub label: String,
    pub hint: String,
    #[serde(default)]
    pub default: bool,
}

/// A question: defined in full, or `use = "<global id>"` with optional
/// overrides of its text and hints for this bundle.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionDef {
    #[serde(default)]
    pub id: Option<Ref>,
    #[serde(default, rename = "use")]
    pub uses: Option<Ref>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default, rename = "option")]
    pub options: Vec<QuestionOption>,
    /// For `use`: this bundle's hints per option id.
    #[serde(default)]
    pub option_hints: BTreeMap<String, String>,
    /// For `use`: a different default option for this bundle.
    #[serde(default)]
    pub default: Option<Ref>,
    /// Ask only when these earlier answers hold.
    #[serde(default)]
    pub ask_if: Condition,
}

/// How a group selects items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// Always, when `when` holds (or always if `when` is empty).
    Always,
    /// Exactly one item, chosen by the answer to `decided_by`.
    OneOf,
    /// These items, when `when` holds (`when` required).
    Conditional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub kind: GroupKind,
    #[serde(default)]
    pub when: Condition,
    #[serde(default)]
    pub items: Vec<Ref>,
    #[serde(default)]
    pub decided_by: Option<Ref>,
    /// For `one_of`: option id → item code.
    #[serde(default)]
    pub choose: BTreeMap<Ref, Ref>,
}

/// A path that leaves the catalog: "not handled here, go to ...".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub when: Condition,
    pub reason: String,
    #[serde(rename = "where")]
    pub go_to: String,
    /// True when the path needs nothing from this 一件事 (an existing
    /// business with no licence to add): the applicant is told so plainly,
    /// not "本机不能办理".
    #[serde(default)]
    pub nothing_needed: bool,
    /// The law under which the path is served where the applicant is sent
    /// (个体工商户: 《促进个体工商户发展条例》).
    #[serde(default)]
    pub basis: Vec<Basis>,
}

/// Something the applicant still needs that this catalog does not handle.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Elsewhere {
    pub name: String,
    #[serde(rename = "where")]
    pub go_to: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default, skip_serializing)]
    pub when: Condition,
}

/// How the source table lists an item in this bundle, and what later law
/// changed about it (shown in the notice instead of silently dropping it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    pub item: Ref,
    /// The department as the source table writes it for this bundle.
    pub department: String,
    /// Shown in the notice when it holds (empty = always).
    #[serde(default)]
    pub explain_when: Condition,
    #[serde(default)]
    pub explanation: Option<String>,
}

/// One 一件事 (`catalog/bundles/<code>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub code: Ref,
    pub name: String,
    /// One line for the bundle's tile.
    pub description: String,
    pub lead_department: Ref,
    #[serde(default, rename = "question")]
    pub questions: Vec<QuestionDef>,
    #[serde(default, rename = "group")]
    pub groups: Vec<Group>,
    #[serde(default, rename = "referral")]
    pub referrals: Vec<Referral>,
    #[serde(default, rename = "elsewhere")]
    pub elsewhere: Vec<Elsewhere>,
    /// The source table's rows for this bundle.
    #[serde(rename = "listing")]
    pub listings: Vec<Listing>,
    /// What the bundle settles or suggests on the merged form.
    #[serde(default)]
    pub form: BundleForm,
}

/// `catalog/departments.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentsFile {
    #[serde(rename = "department")]
    pub departments: Vec<Department>,
}

/// `catalog/fields.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsFile {
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    #[serde(rename = "field")]
    pub fields: Vec<FieldDef>,
}

/// `catalog/materials.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialsFile {
    #[serde(rename = "material")]
    pub materials: Vec<MaterialDef>,
}

/// `catalog/questions.toml`: the global questions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionsFile {
    #[serde(rename = "question")]
    pub questions: Vec<QuestionDef>,
}
