//! The second half of a visit, in plain Rust: the merged form (一表申请)
//! page by page, how each material will be provided (容缺 only where the
//! catalog allows), and the declaration before submitting. The
//! [`super::controller::SessionController`] owns one of these from the
//! moment the applicant chooses to apply until the visit is wiped.

use crate::applicant::{Applicant, LicenceData, PrefillSource};
use crate::calendar::{HolidaySchedule, WorkingDate};
use crate::catalog::{Catalog, MaterialSource};
use crate::form::kind::FieldKind;
use crate::form::merged::ShapeView;
use crate::form::{self, FormError, FormField, FormValues, InputValue, MergedForm};
use crate::guide::{Answers, Notice};
use crate::visit::materials::{
    CaptureError, CaptureTarget, CapturedPage, ELECTRONIC_TEXT, HeldLicence, LookupConsent,
    MaterialSet,
};
use crate::visit::submission::{Commitment, MaterialRef, Submission, SubmissionError, today_cst};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// Where a value goes: a scalar field, or one field of one record of a
/// list (shareholders, staff).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath {
    pub field: String,
    pub record: Option<usize>,
    pub sub: Option<String>,
}

impl FieldPath {
    pub fn scalar(field: &str) -> FieldPath {
        FieldPath {
            field: field.to_string(),
            record: None,
            sub: None,
        }
    }

    pub fn in_record(field: &str, record: usize, sub: &str) -> FieldPath {
        FieldPath {
            field: field.to_string(),
            record: Some(record),
            sub: Some(sub.to_string()),
        }
    }

    /// A compact string form, for the UI to hand back (`F01`,
    /// `F22#0#mobile`).
    pub fn encode(&self) -> String {
        match (&self.record, &self.sub) {
            (Some(n), Some(s)) => format!("{}#{n}#{s}", self.field),
            _ => self.field.clone(),
        }
    }

    pub fn decode(text: &str) -> Option<FieldPath> {
        let mut parts = text.split('#');
        let field = parts.next().filter(|f| !f.is_empty())?;
        match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) => Some(FieldPath::scalar(field)),
            (Some(n), Some(sub), None) if !sub.is_empty() => {
                Some(FieldPath::in_record(field, n.parse().ok()?, sub))
            }
            _ => None,
        }
    }
}

/// How one material of the notice reaches the department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provision {
    /// The kiosk makes it (application forms) or reads it (ID card), or an
    /// earlier item of this visit produces it: nothing to bring.
    Automatic(String),
    /// The applicant brings it to the window.
    Bring,
    /// 容缺: supplied later, by the deadline, under a written promise.
    Later(NaiveDate),
    /// Photographed at the kiosk: this many pages, sent with the case.
    Captured(usize),
    /// The platform holds it as 电子证照 (its title): nothing to bring or
    /// capture ([`ELECTRONIC_TEXT`]).
    Electronic(String),
}

impl Provision {
    /// The status line of a material already provided for (read, made,
    /// photographed, held as 电子证照, or promised for later); `None` for
    /// one still to bring, whose words depend on the kiosk
    /// ([`MaterialChoice::how`]).
    pub fn status_text(&self) -> Option<String> {
        match self {
            Provision::Automatic(how) => Some(how.clone()),
            Provision::Bring => None,
            Provision::Later(d) => Some(format!("容缺：承诺 {} 前补交", d.format("%Y-%m-%d"))),
            Provision::Captured(n) => Some(format!("已拍 {n} 页")),
            Provision::Electronic(_) => Some(ELECTRONIC_TEXT.into()),
        }
    }
}

/// One material as the materials page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialChoice {
    pub id: String,
    pub name: String,
    /// 原件 1 份 …
    pub detail: String,
    pub source: String,
    pub provision: Provision,
    /// A non-key material the catalog lets the hall accept later.
    pub may_come_later: bool,
    /// The applicant can photograph it here (not made or read by the
    /// kiosk, not held as 电子证照).
    pub may_capture: bool,
    /// Codes of the items of this visit it serves (one capture, all of
    /// them).
    pub items: Vec<String>,
}

impl MaterialChoice {
    /// How this material reaches the department, as the materials page,
    /// the review page and speech say it. `camera`: the kiosk has a
    /// document camera, so a paper it may take can be photographed here
    /// instead of carried to the window.
    pub fn how(&self, camera: bool) -> String {
        self.provision.status_text().unwrap_or_else(|| {
            if camera && self.may_capture {
                "拍照或带到窗口核验".into()
            } else {
                "带到窗口核验".into()
            }
        })
    }
}

/// The form, the material choices and the declaration of one visit.
pub struct Application {
    notice: Notice,
    form: MergedForm,
    applicant: Applicant,
    /// Only what the applicant typed or changed; prefilled values count as
    /// given (see [`form::validate_form`]).
    values: FormValues,
    section: usize,
    /// Sections whose problems are shown (the applicant tried to go on).
    revealed: BTreeSet<usize>,
    /// Fields the applicant has left after editing: their problems show.
    touched: BTreeSet<String>,
    later: BTreeSet<String>,
    declared: bool,
    today: NaiveDate,
    /// The credit code of a scanned licence whose shared data is to be
    /// asked of the platform (taken by the glue), then awaited.
    licence_wanted: Option<String>,
    licence_awaited: Option<String>,
    /// Pages photographed and 电子证照 found (one set for all items).
    captures: MaterialSet,
    /// What working days are (the catalog's holiday schedule).
    holidays: HolidaySchedule,
    /// Material id → working days to supply it under 容缺 (its items' own
    /// period, else the hall's).
    supply_days: BTreeMap<String, u32>,
}

impl Application {
    pub fn new(catalog: &Catalog, notice: Notice, applicant: Applicant) -> Application {
        let form = form::build_form(catalog, &notice, &applicant);
        Application {
            form,
            applicant,
            values: FormValues::new(),
            section: 0,
            revealed: BTreeSet::new(),
            touched: BTreeSet::new(),
            later: BTreeSet::new(),
            declared: false,
            today: today_cst(),
            licence_wanted: None,
            licence_awaited: None,
            captures: MaterialSet::new(),
            holidays: catalog.holidays.clone(),
            supply_days: notice
                .materials
                .iter()
                .map(|m| (m.id.clone(), catalog.rongque_days_for(&m.items)))
                .collect(),
            notice,
        }
    }

    /// Asks for the platform's shared data on the licence with credit code
    /// `uscc` (a scan filled it in).
    pub fn want_licence(&mut self, uscc: &str) {
        self.licence_wanted = Some(uscc.to_string());
    }

    /// The lookup to run now, once: it is then awaited.
    pub fn take_licence_lookup(&mut self) -> Option<String> {
        let uscc = self.licence_wanted.take()?;
        self.licence_awaited = Some(uscc.clone());
        Some(uscc)
    }

    /// Whether `uscc` is the lookup this application awaits (a late answer
    /// for an earlier scan is dropped).
    pub fn awaits_licence(&self, uscc: &str) -> bool {
        self.licence_awaited.as_deref() == Some(uscc)
    }

    /// The platform's shared data on the scanned licence: the form is
    /// rebuilt with it, so every `licence.*` prefill (主体名称, 住所,
    /// 主体类型, 经营范围) shows its value and source. What the applicant
    /// typed stays: typed values always win over prefilled ones. Returns
    /// the labels of the fields now filled from the licence.
    pub fn learn_licence(&mut self, catalog: &Catalog, licence: LicenceData) -> Vec<String> {
        self.licence_awaited = None;
        self.applicant.licence = Some(licence);
        self.form = form::build_form_on(catalog, &self.notice, &self.applicant, self.today);
        self.section = self.section.min(self.form.sections.len().saturating_sub(1));
        self.form
            .fields()
            .filter(|f| {
                f.prefilled
                    .as_ref()
                    .is_some_and(|p| p.source == PrefillSource::Licence)
                    && !self.values.contains_key(&f.id)
            })
            .map(|f| f.label.clone())
            .collect()
    }

    /// The lookup came back without data (none held, or the platform not
    /// reached): nothing is awaited any more.
    pub fn licence_not_found(&mut self) {
        self.licence_awaited = None;
    }

    pub fn notice(&self) -> &Notice {
        &self.notice
    }
    pub fn form(&self) -> &MergedForm {
        &self.form
    }
    pub fn applicant(&self) -> &Applicant {
        &self.applicant
    }
    pub fn values(&self) -> &FormValues {
        &self.values
    }
    pub fn section_index(&self) -> usize {
        self.section
    }
    pub fn section_count(&self) -> usize {
        self.form.sections.len()
    }
    pub fn declared(&self) -> bool {
        self.declared
    }

    fn field(&self, path: &FieldPath) -> Option<&FormField> {
        let top = self.form.field(&path.field)?;
        match (&path.sub, &top.shape) {
            (None, _) => Some(top),
            (Some(sub), ShapeView::Records { fields, .. }) => fields.iter().find(|f| &f.id == sub),
            (Some(_), ShapeView::Kind(_)) => None,
        }
    }

    /// The field's own label: a record's subfield is 姓名 or 身份证号码,
    /// not the list's name (the keyboard shows what is being typed).
    pub fn label(&self, path: &FieldPath) -> Option<String> {
        self.field(path).map(|f| f.label.clone())
    }

    /// Whether a field is on the form now (its `show_if` holds).
    pub fn shown(&self, field: &FormField) -> bool {
        self.form.shown(field, &self.values)
    }

    /// The kind of the value at `path` (for choosing a keyboard or picker).
    pub fn kind(&self, path: &FieldPath) -> Option<&FieldKind> {
        match &self.field(path)?.shape {
            ShapeView::Kind(k) => Some(k),
            ShapeView::Records { .. } => None,
        }
    }

    /// What the field shows now: typed, else prefilled, else empty.
    pub fn text(&self, path: &FieldPath) -> String {
        match (self.values.get(&path.field), path.record, &path.sub) {
            (Some(InputValue::Text(t)), None, None) => t.clone(),
            (Some(InputValue::Records(rs)), Some(n), Some(sub)) => rs
                .get(n)
                .and_then(|r| r.get(sub))
                .cloned()
                .unwrap_or_default(),
            (None, None, None) => self
                .form
                .field(&path.field)
                .and_then(|f| f.prefilled.as_ref())
                .map(|p| p.value.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Where a shown value came from, when the applicant has not changed it.
    pub fn prefilled_from(&self, path: &FieldPath) -> Option<PrefillSource> {
        if path.record.is_some() || self.values.contains_key(&path.field) {
            return None;
        }
        let p = self.form.field(&path.field)?.prefilled.as_ref()?;
        Some(p.source)
    }

    /// Sets a value; unknown paths are ignored (the UI only offers real
    /// ones).
    pub fn set_text(&mut self, path: &FieldPath, text: &str) {
        if self.field(path).is_none() {
            return;
        }
        match (path.record, &path.sub) {
            (None, None) => {
                self.values
                    .insert(path.field.clone(), InputValue::Text(text.to_string()));
            }
            (Some(n), Some(sub)) => {
                if let Some(InputValue::Records(rs)) = self.values.get_mut(&path.field)
                    && let Some(r) = rs.get_mut(n)
                {
                    r.insert(sub.clone(), text.to_string());
                }
            }
            _ => {}
        }
    }

    /// The one-tap offer beside a field or record subfield, with the value
    /// it would fill in now: `None` when there is none, or when it copies
    /// another field that is still empty (同住所 before 住所 is entered).
    pub fn offer(&self, path: &FieldPath) -> Option<(String, String)> {
        let offer = self.field(path)?.offered.as_ref()?;
        let value = match (&offer.value, &offer.source) {
            (Some(v), _) => v.clone(),
            (None, form::OfferSource::Field(other)) => {
                let v = self.text(&FieldPath::scalar(other));
                if v.trim().is_empty() {
                    return None;
                }
                v
            }
            (None, _) => return None,
        };
        Some((offer.label.clone(), value))
    }

    /// Takes the offer at `path` (one tap); false when there is none now.
    pub fn accept_offer(&mut self, path: &FieldPath) -> bool {
        match self.offer(path) {
            Some((_, value)) => {
                self.set_text(path, &value);
                true
            }
            None => false,
        }
    }

    /// The record-wide offer of a list ("同申请人"), if it has one.
    pub fn record_offer(&self, field: &str) -> Option<String> {
        let f = self.form.field(field)?;
        match (&f.offered, &f.shape) {
            (Some(o), ShapeView::Records { .. }) => Some(o.label.clone()),
            _ => None,
        }
    }

    /// "同申请人" on record `index` of a list: every subfield with an
    /// offer takes it; subfields without one (or whose source is still
    /// empty) are left as they are. Adds the record when it is the next
    /// one. Returns how many subfields were filled.
    pub fn accept_record_offer(&mut self, field: &str, index: usize) -> usize {
        if self.record_offer(field).is_none() {
            return 0;
        }
        if index == self.records(field).len() && !self.add_record(field) {
            return 0;
        }
        let subs: Vec<String> = match self.form.field(field).map(|f| &f.shape) {
            Some(ShapeView::Records { fields, .. }) => {
                fields.iter().map(|f| f.id.clone()).collect()
            }
            _ => return 0,
        };
        subs.iter()
            .filter(|sub| self.accept_offer(&FieldPath::in_record(field, index, sub)))
            .count()
    }

    /// The applicant left the field (完成, another field, 下一页): from now
    /// on its problems show. Not on each key press: "现在是1个字" while the
    /// second character is being typed only confuses.
    pub fn leave(&mut self, path: &FieldPath) {
        if self.field(path).is_some() {
            self.touched.insert(path.encode());
        }
    }

    /// The records of a list field (empty when none yet).
    pub fn records(&self, field: &str) -> &[BTreeMap<String, String>] {
        match self.values.get(field) {
            Some(InputValue::Records(rs)) => rs,
            _ => &[],
        }
    }

    /// 添加一条: a new empty record, unless the list is full.
    pub fn add_record(&mut self, field: &str) -> bool {
        let Some(max) = self.form.field(field).and_then(|f| match &f.shape {
            ShapeView::Records { max, .. } => Some(*max),
            ShapeView::Kind(_) => None,
        }) else {
            return false;
        };
        let entry = self
            .values
            .entry(field.to_string())
            .or_insert_with(|| InputValue::Records(Vec::new()));
        match entry {
            InputValue::Records(rs) if rs.len() < max => {
                rs.push(BTreeMap::new());
                true
            }
            _ => false,
        }
    }

    pub fn remove_record(&mut self, field: &str, index: usize) {
        if let Some(InputValue::Records(rs)) = self.values.get_mut(field)
            && index < rs.len()
        {
            rs.remove(index);
            // Problems of later records would now point at the wrong row.
            self.touched
                .retain(|t| !t.starts_with(&format!("{field}#")));
        }
    }

    /// Every problem of the whole form.
    pub fn all_errors(&self) -> Vec<FormError> {
        form::validate_form(&self.form, &self.values)
            .err()
            .unwrap_or_default()
    }

    /// The problem to show under a field: once the field was edited, or
    /// once the applicant tried to leave its section.
    pub fn shown_error(&self, path: &FieldPath, errors: &[FormError]) -> Option<String> {
        let section = self
            .form
            .sections
            .iter()
            .position(|s| s.fields.iter().any(|f| f.id == path.field));
        let revealed = section.is_some_and(|s| self.revealed.contains(&s));
        if !revealed && !self.touched.contains(&path.encode()) {
            return None;
        }
        errors
            .iter()
            .find(|e| e.field == path.field && e.record == path.record && e.subfield == path.sub)
            .map(|e| e.message.clone())
    }

    /// How many problems the page on screen has, once they are shown
    /// (after a 下一页 that stopped); `None` before. The banner counts
    /// from this on every change, so fixing one problem counts down.
    pub fn open_problems(&self) -> Option<usize> {
        self.revealed
            .contains(&self.section)
            .then(|| self.section_errors(self.section, &self.all_errors()))
    }

    fn section_errors(&self, index: usize, errors: &[FormError]) -> usize {
        let Some(section) = self.form.sections.get(index) else {
            return 0;
        };
        errors
            .iter()
            .filter(|e| section.fields.iter().any(|f| f.id == e.field))
            .count()
    }

    /// 下一步 on a form page: moves on when the section is complete, else
    /// shows its problems and returns how many there are.
    pub fn next_section(&mut self) -> Result<(), usize> {
        let errors = self.all_errors();
        let n = self.section_errors(self.section, &errors);
        if n > 0 {
            self.revealed.insert(self.section);
            return Err(n);
        }
        if self.section + 1 < self.form.sections.len() {
            self.section += 1;
        }
        Ok(())
    }

    /// 上一步 on a form page; false on the first one.
    pub fn previous_section(&mut self) -> bool {
        if self.section == 0 {
            return false;
        }
        self.section -= 1;
        true
    }

    pub fn at_last_section(&self) -> bool {
        self.section + 1 >= self.form.sections.len()
    }

    /// Back to a section from the review page (修改).
    pub fn go_to_section(&mut self, index: usize) {
        if index < self.form.sections.len() {
            self.section = index;
        }
    }

    // ---- Materials ----

    /// The deadline a 容缺 promise for `material` gives today: its
    /// working days (item or hall) on the holiday schedule.
    pub fn deadline_of(&self, material: &str) -> WorkingDate {
        let days = self
            .supply_days
            .get(material)
            .copied()
            .unwrap_or_else(|| self.supply_days.values().copied().min().unwrap_or(1));
        self.holidays.add_working_days(self.today, days)
    }

    /// The deadline of the 容缺 promise: the earliest of the materials
    /// promised for later (or of any material when none is yet).
    pub fn later_deadline(&self) -> NaiveDate {
        self.later_working_date().date
    }

    /// The warning to print beside the 补交 deadline when a year's holiday
    /// schedule is missing.
    pub fn later_deadline_warning(&self) -> Option<String> {
        self.later_working_date().warning()
    }

    fn later_working_date(&self) -> WorkingDate {
        let mut ids: Vec<&String> = self.later.iter().collect();
        if ids.is_empty() {
            ids = self.supply_days.keys().collect();
        }
        ids.into_iter()
            .map(|m| self.deadline_of(m))
            .min_by_key(|d| d.date)
            .unwrap_or_else(|| self.holidays.add_working_days(self.today, 0))
    }

    /// The documents the kiosk drafts for signature (一套材料): one per
    /// material of the notice with a `template` that the form leaves
    /// needed, in the catalog's template order, from what was typed.
    pub fn signing_documents(
        &self,
        receipt_no: &str,
    ) -> Vec<(crate::catalog::Template, crate::print::layout::Document)> {
        use crate::print::{SigningData, signing_document};
        let wanted: Vec<crate::catalog::Template> = self
            .notice
            .materials
            .iter()
            .filter(|m| !self.form.rules_out(&self.values, &m.only_when_form))
            .filter_map(|m| m.template)
            .collect();
        let data = SigningData::from_form(
            &self.form,
            &self.values,
            receipt_no,
            &self.notice.bundle.name,
            self.today,
        );
        crate::catalog::Template::ALL
            .into_iter()
            .filter(|t| wanted.contains(t))
            .map(|t| (t, signing_document(t, &data)))
            .collect()
    }

    /// The 告知承诺书 when an item of the notice may go the 告知承诺 route.
    pub fn notification_commitment(
        &self,
        receipt_no: &str,
    ) -> Option<crate::print::layout::Document> {
        let items: Vec<(String, crate::catalog::CommitmentRoute)> = self
            .notice
            .items
            .iter()
            .filter_map(|i| Some((i.name.clone(), i.commitment_route.clone()?)))
            .collect();
        if items.is_empty() {
            return None;
        }
        let data = crate::print::SigningData::from_form(
            &self.form,
            &self.values,
            receipt_no,
            &self.notice.bundle.name,
            self.today,
        );
        Some(crate::print::notification_commitment_document(
            &data, &items,
        ))
    }

    /// The notice's materials that the form's answers leave needed: a
    /// material that applies only to, say, 委托 is dropped once the form
    /// says 本人办理, so the applicant is never told to bring it.
    pub fn materials(&self) -> Vec<MaterialChoice> {
        self.notice
            .materials
            .iter()
            .filter(|m| !self.form.rules_out(&self.values, &m.only_when_form))
            .map(|m| {
                let automatic: Option<String> = match m.source {
                    MaterialSource::Form if m.template.is_some() => {
                        Some("本机生成，随回执打印，签字后交窗口".into())
                    }
                    MaterialSource::Form => Some("本机根据您填写的表单自动生成".into()),
                    MaterialSource::IdCard if self.applicant.card.is_some() => {
                        Some("已从身份证读取，无需另交复印件".into())
                    }
                    MaterialSource::IdCard => None,
                    MaterialSource::EarlierItem if m.produced_by.is_some() => {
                        Some("由本次办理的前一事项产生，无需自备".into())
                    }
                    // 电子营业执照 and the like: the department looks it up.
                    _ if m.handling == crate::guide::Handling::NotSubmitted => {
                        Some(m.source_label.clone())
                    }
                    _ => None,
                };
                let held = self.captures.held(&m.id);
                let pages = self.captures.page_count(&m.id);
                let may_come_later =
                    m.rongque_eligible && !m.key && automatic.is_none() && held.is_none();
                let may_capture = automatic.is_none() && held.is_none();
                let provision = match (automatic, held) {
                    (Some(how), _) => Provision::Automatic(how),
                    (None, Some(l)) => Provision::Electronic(l.title.clone()),
                    (None, None) if pages > 0 => Provision::Captured(pages),
                    (None, None) if may_come_later && self.later.contains(&m.id) => {
                        Provision::Later(self.deadline_of(&m.id).date)
                    }
                    (None, None) => Provision::Bring,
                };
                MaterialChoice {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    detail: format!("{} {} 份", m.form_label, m.copies),
                    source: m.source_label.clone(),
                    may_capture,
                    provision,
                    may_come_later,
                    items: m.items.clone(),
                }
            })
            .collect()
    }

    /// 容缺 on or off for a material; refused for key materials and for
    /// anything the catalog does not allow.
    pub fn toggle_later(&mut self, material: &str) -> bool {
        // A material with pages taken is handed in: 容缺 would be a
        // promise for something already given.
        let allowed = self.materials().iter().any(|m| {
            m.id == material && m.may_come_later && !matches!(m.provision, Provision::Captured(_))
        });
        if !allowed {
            return false;
        }
        if !self.later.remove(material) {
            self.later.insert(material.to_string());
        }
        true
    }

    pub fn commitments(&self) -> Vec<Commitment> {
        let later: BTreeSet<String> = self
            .materials()
            .into_iter()
            .filter(|m| matches!(m.provision, Provision::Later(_)))
            .map(|m| m.id)
            .collect();
        later
            .iter()
            .map(|m| Commitment {
                material: m.clone(),
                deadline: self.deadline_of(m).date.format("%Y-%m-%d").to_string(),
            })
            .collect()
    }

    /// Names of the materials promised for later (for the 承诺书).
    pub fn later_names(&self) -> Vec<String> {
        self.materials()
            .into_iter()
            .filter(|m| matches!(m.provision, Provision::Later(_)))
            .map(|m| m.name)
            .collect()
    }

    // ---- Captures and 电子证照 ----

    /// The pages taken and licences found.
    pub fn captures(&self) -> &MaterialSet {
        &self.captures
    }

    fn capturable(&self, material: &str) -> Result<(), CaptureError> {
        match self.materials().into_iter().find(|m| m.id == material) {
            Some(m) if m.may_capture => Ok(()),
            Some(m) if matches!(m.provision, Provision::Electronic(_)) => {
                Err(CaptureError::HeldElectronically(m.name))
            }
            _ => Err(CaptureError::NotCapturable(material.to_string())),
        }
    }

    /// 拍照 (a new page) or 重拍 (page `replace`, 0-based) of a material
    /// of this notice that the applicant hands in.
    pub fn begin_capture(
        &mut self,
        material: &str,
        replace: Option<usize>,
    ) -> Result<(), CaptureError> {
        self.capturable(material)?;
        self.captures.begin_capture(material, replace)
    }

    /// What the capture screen is taking, if it is open.
    pub fn capturing(&self) -> Option<&CaptureTarget> {
        self.captures.capturing()
    }

    /// A page from the capture screen; a material promised for later is
    /// now handed in (its 容缺 goes). Returns the material's page count.
    pub fn page_captured(&mut self, page: CapturedPage) -> Result<usize, CaptureError> {
        let material = self
            .captures
            .capturing()
            .map(|t| t.material.clone())
            .ok_or(CaptureError::NoSuchPage(0))?;
        let n = self.captures.page_captured(page)?;
        self.later.remove(&material);
        Ok(n)
    }

    pub fn end_capture(&mut self) {
        self.captures.end_capture();
    }

    /// 删除 page `index` (0-based) of a material.
    pub fn remove_page(&mut self, material: &str, index: usize) -> Result<(), CaptureError> {
        self.captures.remove_page(material, index)
    }

    /// Materials the platform might hold as 电子证照: those the applicant
    /// would otherwise photograph or bring.
    pub fn lookup_candidates(&self) -> Vec<String> {
        self.materials()
            .into_iter()
            .filter(|m| m.may_capture)
            .map(|m| m.id)
            .collect()
    }

    /// Whether the materials page asks 是否同意调取电子证照: only after a
    /// card read (the lookup is by the card's number), once, and only when
    /// some material could be held.
    pub fn asks_lookup_consent(&self) -> bool {
        self.applicant.card.is_some()
            && self.captures.consent() == LookupConsent::Unasked
            && !self.lookup_candidates().is_empty()
    }

    /// 同意调取 / 不同意.
    pub fn answer_lookup_consent(&mut self, agree: bool) {
        if self.applicant.card.is_none() {
            return;
        }
        if agree {
            self.captures.grant_lookup();
        } else {
            self.captures.refuse_lookup();
        }
    }

    /// The lookup to run now, once: the card's ID number and the
    /// materials to ask about. Then it is awaited.
    pub fn take_elicence_lookup(&mut self) -> Option<(String, Vec<String>)> {
        let id = self.applicant.card.as_ref()?.id_number.clone();
        self.captures
            .take_lookup()
            .then(|| (id, self.lookup_candidates()))
    }

    /// The platform's answer to the lookup.
    pub fn elicences_found(&mut self, found: Vec<HeldLicence>) {
        let wanted = self.lookup_candidates();
        self.captures.licences_found(found, &wanted);
        for l in self
            .captures
            .all_held()
            .map(|l| l.material.clone())
            .collect::<Vec<_>>()
        {
            self.later.remove(&l);
        }
    }

    /// The lookup did not come back: materials are captured as usual.
    pub fn elicence_lookup_failed(&mut self) {
        self.captures.lookup_failed();
    }

    /// The pages to send, in manifest order (material × page), each with
    /// the items it serves; and their bytes, one per reference.
    pub fn page_refs(&self) -> (Vec<MaterialRef>, Vec<Vec<u8>>) {
        let mut refs = Vec::new();
        let mut bytes = Vec::new();
        for m in self.materials() {
            if !matches!(m.provision, Provision::Captured(_)) {
                continue;
            }
            for (i, p) in self.captures.pages(&m.id).iter().enumerate() {
                refs.push(MaterialRef::for_page(&m.id, i as u32 + 1, &m.items, p));
                bytes.push(p.jpeg().to_vec());
            }
        }
        (refs, bytes)
    }

    // ---- Review ----

    pub fn toggle_declaration(&mut self) {
        self.declared = !self.declared;
    }

    /// The submission, checked end to end by the same code the platform
    /// contract relies on.
    pub fn submission(
        &self,
        catalog: &Catalog,
        bundle: &str,
        answers: &Answers,
    ) -> Result<Submission, SubmissionError> {
        let mut sub = Submission::build(
            catalog,
            bundle,
            answers,
            &self.applicant,
            &self.values,
            &self.commitments(),
        )?;
        for r in self.page_refs().0 {
            sub.add_material(r)?;
        }
        for l in self.captures.all_held() {
            sub.add_held_licence(l.clone())?;
        }
        Ok(sub)
    }

    /// The submission and the page bytes to queue with it
    /// (`Outbox::enqueue`), one per page reference.
    pub fn submission_with_pages(
        &self,
        catalog: &Catalog,
        bundle: &str,
        answers: &Answers,
    ) -> Result<(Submission, Vec<Vec<u8>>), SubmissionError> {
        let sub = self.submission(catalog, bundle, answers)?;
        Ok((sub, self.page_refs().1))
    }
}

/// A value as the applicant reads it: option labels instead of ids.
pub fn display_value(kind: &FieldKind, text: &str) -> String {
    let label_of = |options: &[crate::form::kind::ChoiceOption], id: &str| {
        options
            .iter()
            .find(|o| o.id == id.trim())
            .map_or_else(|| id.to_string(), |o| o.label.clone())
    };
    match kind {
        FieldKind::Choice { options } => label_of(options, text),
        FieldKind::MultiChoice { options } => text
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|id| label_of(options, id))
            .collect::<Vec<_>>()
            .join("、"),
        FieldKind::YesNo => match text {
            "yes" => "是".into(),
            "no" => "否".into(),
            other => other.into(),
        },
        _ => text.to_string(),
    }
}

/// What a value looks like on the kiosk's screen, which anyone behind the
/// applicant can read: [`display_value`], with a person's identity number
/// masked (`410***********1234`, [`crate::ids::mask_id_text`]) unless the
/// applicant is holding the eye button (`reveal`). The flag says whether
/// the value is one that hides, so the screen offers the eye button.
pub fn screen_value(kind: &FieldKind, text: &str, reveal: bool) -> (String, bool) {
    let personal = !text.trim().is_empty()
        && match kind {
            FieldKind::IdentityNumber => true,
            // A shareholder's number hides unless it is a company's credit
            // code (a mistyped ID number hides too).
            FieldKind::PartyNumber => crate::ids::SocialCreditCode::parse(text.trim()).is_err(),
            _ => false,
        };
    match (personal, reveal) {
        (true, false) => (crate::ids::mask_id_text(text.trim()), true),
        _ => (display_value(kind, text), personal),
    }
}

/// The options a picker offers for a kind, as (id, label); `None` for
/// kinds that are typed.
pub fn picker_options(kind: &FieldKind) -> Option<(Vec<(String, String)>, bool)> {
    let list = |options: &[crate::form::kind::ChoiceOption]| {
        options
            .iter()
            .map(|o| (o.id.clone(), o.label.clone()))
            .collect()
    };
    match kind {
        FieldKind::Choice { options } => Some((list(options), false)),
        FieldKind::MultiChoice { options } => Some((list(options), true)),
        FieldKind::YesNo => Some((
            vec![("yes".into(), "是".into()), ("no".into(), "否".into())],
            false,
        )),
        _ => None,
    }
}

/// The new value after tapping option `id` in a picker: a single choice
/// becomes `id`; a multiple choice toggles `id`, keeping the options'
/// order.
pub fn pick(kind: &FieldKind, current: &str, id: &str) -> String {
    match kind {
        FieldKind::MultiChoice { options } => {
            let mut chosen: BTreeSet<&str> = current
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if !chosen.remove(id) {
                chosen.insert(id);
            }
            options
                .iter()
                .filter(|o| chosen.contains(o.id.as_str()))
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>()
                .join(",")
        }
        _ => id.to_string(),
    }
}

/// A date or a date range being picked with steppers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatePick {
    pub start: NaiveDate,
    /// `None`: 长期 (a range without end).
    pub end: Option<NaiveDate>,
    pub range: bool,
}

impl DatePick {
    /// From the field's text, or starting at `today` when it holds none.
    pub fn parse(kind: &FieldKind, text: &str, today: NaiveDate) -> Option<DatePick> {
        let date = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
        match kind {
            FieldKind::Date => Some(DatePick {
                start: date(text).unwrap_or(today),
                end: None,
                range: false,
            }),
            FieldKind::DateRange => {
                let (s, e) = text.split_once('/').unwrap_or((text, ""));
                let start = date(s).unwrap_or(today);
                let end = if e.trim() == "长期" {
                    None
                } else {
                    Some(
                        date(e)
                            .unwrap_or_else(|| start.with_year(start.year() + 5).unwrap_or(start)),
                    )
                };
                Some(DatePick {
                    start,
                    end,
                    range: true,
                })
            }
            _ => None,
        }
    }

    /// The text the validators take.
    pub fn text(&self) -> String {
        let f = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        if !self.range {
            return f(self.start);
        }
        match self.end {
            Some(e) => format!("{}/{}", f(self.start), f(e)),
            None => format!("{}/长期", f(self.start)),
        }
    }

    /// One step of a stepper: `part` is `start-year`, `end-day`, ...; the
    /// day is clamped to the month's length (31 January + 1 month is the
    /// end of February).
    pub fn step(&mut self, part: &str, delta: i32) {
        let Some((which, unit)) = part.split_once('-') else {
            return;
        };
        let target = match which {
            "start" => &mut self.start,
            "end" => match self.end.as_mut() {
                Some(e) => e,
                None => return,
            },
            _ => return,
        };
        let (mut y, mut m, mut d) = (target.year(), target.month() as i32, target.day() as i32);
        match unit {
            "year" => y += delta,
            "month" => {
                m += delta;
                if m < 1 {
                    m = 12;
                    y -= 1;
                } else if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            "day" => d += delta,
            _ => return,
        }
        let y = y.clamp(1900, 2199);
        let last = days_in_month(y, m as u32) as i32;
        let d = if unit == "day" {
            // Days wrap within the month, as a wheel would.
            if d < 1 {
                last
            } else if d > last {
                1
            } else {
                d
            }
        } else {
            d.min(last)
        };
        if let Some(new) = NaiveDate::from_ymd_opt(y, m as u32, d as u32) {
            *target = new;
        }
    }

    /// 长期 on or off for a range's end.
    pub fn toggle_open_ended(&mut self) {
        if !self.range {
            return;
        }
        self.end = match self.end {
            Some(_) => None,
            None => Some(
                self.start
                    .with_year(self.start.year() + 5)
                    .unwrap_or(self.start),
            ),
        };
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_round_trip_and_refuse_garbage() {
        for p in [
            FieldPath::scalar("F01"),
            FieldPath::in_record("F22", 3, "mobile"),
        ] {
            assert_eq!(FieldPath::decode(&p.encode()), Some(p));
        }
        for bad in ["", "#1#x", "F22#x#mobile", "F22#1#", "F22#1", "F22#1#a#b"] {
            assert_eq!(FieldPath::decode(bad), None, "{bad}");
        }
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn date_steppers_clamp_days_and_wrap_months() {
        let today = ymd(2026, 11, 29);
        let mut p = DatePick::parse(&FieldKind::Date, "2026-01-31", today).unwrap();
        p.step("start-month", 1);
        assert_eq!(p.text(), "2026-02-28");
        p.step("start-month", -2);
        assert_eq!(p.text(), "2025-12-28");
        p.step("start-day", 4);
        assert_eq!(p.text(), "2025-12-01", "days wrap within the month");
        p.step("start-year", -200);
        assert_eq!(p.text(), "1900-12-01");
        // An empty field starts today; garbage does too.
        assert_eq!(
            DatePick::parse(&FieldKind::Date, "", today).unwrap().text(),
            "2026-11-29"
        );
        assert!(DatePick::parse(&FieldKind::Mobile, "", today).is_none());
    }

    #[test]
    fn date_ranges_start_end_and_open_end() {
        let today = ymd(2026, 11, 29);
        let mut p = DatePick::parse(&FieldKind::DateRange, "2026-12-01/长期", today).unwrap();
        assert_eq!(p.end, None);
        p.step("end-year", 1); // no end to step
        assert_eq!(p.text(), "2026-12-01/长期");
        p.toggle_open_ended();
        assert_eq!(p.text(), "2026-12-01/2031-12-01");
        p.step("end-day", -1);
        assert_eq!(p.text(), "2026-12-01/2031-12-31");
        p.step("start-month", 1);
        assert_eq!(p.text(), "2027-01-01/2031-12-31");
        let checked = crate::form::validate::validate(&FieldKind::DateRange, &p.text());
        assert!(checked.is_ok(), "{checked:?}");
    }

    #[test]
    fn pickers_show_labels_and_toggle_multiple_choices_in_order() {
        use crate::form::kind::ChoiceOption;
        let options: Vec<ChoiceOption> = ["a", "b", "c"]
            .iter()
            .map(|id| ChoiceOption {
                id: id.to_string(),
                label: format!("选项{id}"),
            })
            .collect();
        let multi = FieldKind::MultiChoice {
            options: options.clone(),
        };
        let v = pick(&multi, "", "c");
        let v = pick(&multi, &v, "a");
        assert_eq!(v, "a,c");
        assert_eq!(pick(&multi, &v, "c"), "a");
        assert_eq!(display_value(&multi, "a,c"), "选项a、选项c");
        let single = FieldKind::Choice { options };
        assert_eq!(pick(&single, "a", "b"), "b");
        assert_eq!(display_value(&single, "b"), "选项b");
        assert_eq!(display_value(&FieldKind::YesNo, "yes"), "是");
        assert!(picker_options(&FieldKind::Mobile).is_none());
        assert_eq!(picker_options(&FieldKind::YesNo).unwrap().0.len(), 2);
    }
}
