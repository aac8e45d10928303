//! The catalog: departments, items, materials, fields and the 13 bundles,
//! loaded from the human-editable TOML in `catalog/` and checked thoroughly
//! at load time, so that a hall can change it without a rebuild and a
//! mistake is reported with file and line instead of surfacing at the
//! kiosk.

mod check;
mod check_reuse;
pub mod flow;
pub mod kind;
pub mod limits;
mod load;
pub mod model;

pub use check::consult_problem;
pub use load::{CatalogError, CatalogErrors, load_dir};
pub use model::*;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The declared version and a hash of the catalog's files. Both travel with
/// every notice and submission so a case can be traced to the exact rules
/// it was given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CatalogVersion {
    pub declared: String,
    /// The first 16 hex digits of the SHA-256 over every file's path and
    /// bytes, in path order.
    pub content_hash: String,
}

impl std::fmt::Display for CatalogVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.declared, self.content_hash)
    }
}

/// A question as a bundle asks it: global questions merged with the
/// bundle's overrides.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub hint: Option<String>,
    pub options: Vec<AnswerOption>,
    pub ask_if: Condition,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnswerOption {
    pub id: String,
    pub label: String,
    pub hint: String,
    pub default: bool,
}

impl Question {
    pub fn option(&self, id: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.id == id)
    }

    pub fn default_option(&self) -> &AnswerOption {
        // The loader guarantees exactly one default.
        self.options
            .iter()
            .find(|o| o.default)
            .unwrap_or(&self.options[0])
    }
}

/// A bundle with its questions resolved.
#[derive(Debug, Clone)]
pub struct LoadedBundle {
    pub def: Bundle,
    pub questions: Vec<Question>,
}

impl LoadedBundle {
    pub fn code(&self) -> &str {
        self.def.code.get_ref()
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// A field of the merged form with its resolved kind. Shared fields keep
/// their id (`F01`); an item's own fields are `<item>.<id>`.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub label: String,
    /// Section id; an item's own fields use `item:<code>`.
    pub section: String,
    pub shape: FieldShape,
    pub required: bool,
    pub hint: Option<String>,
    pub prefill: Option<String>,
    /// Items whose outcome provides the value (see [`FieldDef::produced_by`]).
    pub produced_by: Vec<String>,
    pub offer: Option<model::OfferDef>,
    pub from_answer: Option<model::FromAnswer>,
    pub offer_record: Option<String>,
    pub show_if: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub enum FieldShape {
    Scalar(kind::FieldKind),
    Records {
        fields: Vec<Field>,
        min: usize,
        max: usize,
    },
}

/// A loaded, validated catalog.
#[derive(Clone)]
pub struct Catalog {
    pub meta: CatalogMeta,
    pub version: CatalogVersion,
    pub dir: PathBuf,
    pub departments: Vec<Department>,
    pub sections: Vec<Section>,
    pub fields: BTreeMap<String, Field>,
    pub materials: BTreeMap<String, MaterialDef>,
    pub items: Vec<Item>,
    pub bundles: Vec<LoadedBundle>,
    /// The State Council's holiday schedule (`holidays.toml`): what every
    /// working-day count follows.
    pub holidays: crate::calendar::HolidaySchedule,
    /// Working days given to supply 容缺 materials: the catalog's
    /// `rongque_days`, or the hall's (kiosk.toml, `with_rongque_days`); an
    /// item's own `rongque_days` wins for its materials.
    pub rongque_days: u32,
    /// This hall's windows by department id (kiosk.toml, `with_windows`);
    /// empty in the catalog itself.
    pub windows: BTreeMap<String, HallWindow>,
    item_index: HashMap<String, usize>,
    department_index: HashMap<String, usize>,
}

impl std::fmt::Debug for Catalog {
    /// A summary: the whole model would bury any message it appears in.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("dir", &self.dir)
            .field("version", &self.version)
            .field("items", &self.items.len())
            .field("bundles", &self.bundles.len())
            .finish_non_exhaustive()
    }
}

/// The source a fact set in kiosk.toml carries.
pub const HALL_SETTING: &str = "kiosk.toml";

impl Catalog {
    /// This kiosk's staff window (kiosk.toml) replaces the catalog's
    /// combined window: notices, receipts and every screen that sends the
    /// applicant to a person read it from here (see `staff::window`).
    pub fn with_staff_window(mut self, window: &crate::staff::StaffWindow) -> Catalog {
        self.meta.combined_window = window.name();
        self
    }

    /// This hall's 咨询 (kiosk.toml `[consult.<department id>]`): each
    /// entry sets the department's phone and hours, a key left out keeps
    /// the catalog's. What the hall sets is its own fact, so it counts as
    /// verified ("kiosk.toml"). Returns the catalog and the ids it does not
    /// know (the caller warns; nothing is shown for them).
    pub fn with_consult(
        mut self,
        consult: &std::collections::BTreeMap<String, Consult>,
    ) -> (Catalog, Vec<String>) {
        let mut unknown = Vec::new();
        for (id, set) in consult {
            let Some(&i) = self.department_index.get(id) else {
                unknown.push(id.clone());
                continue;
            };
            let d = &mut self.departments[i].consult;
            if set.phone.is_some() {
                d.phone = set.phone.clone();
                d.verified = Verified::Source(HALL_SETTING.into());
            }
            if set.hours.is_some() {
                d.hours = set.hours.clone();
            }
        }
        (self, unknown)
    }

    /// This hall's windows (kiosk.toml `[window.<department id>]`): the
    /// notice, receipt and screens name them; a department left out is
    /// told as its name with （待核实）. Returns the ids the catalog does
    /// not know.
    pub fn with_windows(
        mut self,
        windows: &BTreeMap<String, HallWindow>,
    ) -> (Catalog, Vec<String>) {
        let unknown = windows
            .keys()
            .filter(|id| !self.department_index.contains_key(*id))
            .cloned()
            .collect();
        self.windows = windows
            .iter()
            .filter(|(id, _)| self.department_index.contains_key(*id))
            .map(|(id, w)| (id.clone(), w.clone()))
            .collect();
        (self, unknown)
    }

    /// Department `id`'s window as every notice tells it.
    pub fn window_of(&self, id: &str) -> String {
        self.windows
            .get(id)
            .map_or_else(|| WINDOW_UNKNOWN.to_string(), HallWindow::told)
    }

    /// This hall's 容缺 supply period (kiosk.toml `rongque_days`) in place
    /// of the catalog's.
    pub fn with_rongque_days(mut self, days: u32) -> Catalog {
        self.rongque_days = days;
        self
    }

    /// Working days to supply a 容缺 material serving `items`: the
    /// shortest an item sets (`rongque_days`), else the hall's.
    pub fn rongque_days_for<'a>(&self, items: impl IntoIterator<Item = &'a String>) -> u32 {
        items
            .into_iter()
            .filter_map(|c| self.item(c).and_then(|i| i.rongque_days))
            .min()
            .unwrap_or(self.rongque_days)
    }

    /// Where this catalog (with the kiosk's window applied) sends applicants.
    pub fn staff_window(&self) -> crate::staff::StaffWindow {
        crate::staff::StaffWindow::of_catalog(self)
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.item_index.get(code).map(|&i| &self.items[i])
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.department_index.get(id).map(|&i| &self.departments[i])
    }

    /// A department by id, by its source-table name or by an alias.
    pub fn department_by_name(&self, name: &str) -> Option<&Department> {
        self.department(name).or_else(|| {
            self.departments.iter().find(|d| {
                d.name == name || d.full_name == name || d.aliases.iter().any(|a| a == name)
            })
        })
    }

    pub fn bundle(&self, code: &str) -> Option<&LoadedBundle> {
        self.bundles
            .iter()
            .find(|b| b.code().eq_ignore_ascii_case(code))
    }

    pub fn section_title(&self, id: &str) -> String {
        if let Some(code) = id.strip_prefix("item:") {
            return match self.item(code) {
                Some(item) => format!("事项专项：{}", item.name),
                None => id.to_string(),
            };
        }
        self.sections
            .iter()
            .find(|s| s.id.get_ref() == id)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The default catalog directory: `$ONEVISIT_CATALOG`, else the
    /// installed copy, else the source tree's `catalog/` (development).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("ONEVISIT_CATALOG") {
            return PathBuf::from(dir);
        }
        let installed = PathBuf::from("/usr/share/onevisit/catalog");
        if installed.join("catalog.toml").exists() {
            return installed;
        }
        // This crate lives in core/ of the workspace; the catalog beside it.
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."))
            .join("catalog")
    }

    /// Loads the default catalog.
    pub fn load_default() -> Result<Catalog, CatalogErrors> {
        load_dir(&Self::default_dir())
    }
}
