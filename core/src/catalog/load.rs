//! Reading `catalog/` from disk: parse every file, resolve what can be
//! resolved, then hand the whole to [`super::check`], collecting every
//! problem (with file and line) instead of stopping at the first.

use super::model::*;
use super::{Catalog, CatalogVersion, Field, FieldShape, LoadedBundle, Question};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in the catalog, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the file as a whole.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// Every problem found; a catalog with any is refused as a whole.
#[derive(Debug, Clone)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "目录有 {} 处错误 (catalog has {} errors):",
            self.0.len(),
            self.0.len()
        )?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

/// A file's text, kept to turn byte spans into line numbers.
pub(super) struct SourceFile {
    pub path: PathBuf,
    text: String,
}

impl SourceFile {
    pub fn line_of(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }
}

/// Collects errors against the files they were found in.
pub(super) struct Problems<'a> {
    pub files: &'a [SourceFile],
    pub errors: Vec<CatalogError>,
}

impl Problems<'_> {
    /// An error at `span` in file number `file`.
    pub fn at(&mut self, file: usize, span: Range<usize>, message: impl Into<String>) {
        let f = &self.files[file];
        self.errors.push(CatalogError {
            file: f.path.clone(),
            line: f.line_of(&span),
            message: message.into(),
        });
    }

    /// An error at a reference.
    pub fn at_ref(&mut self, file: usize, r: &Ref, message: impl Into<String>) {
        self.at(file, r.span(), message)
    }

    /// An error about a file as a whole.
    pub fn in_file(&mut self, file: usize, message: impl Into<String>) {
        self.errors.push(CatalogError {
            file: self.files[file].path.clone(),
            line: 0,
            message: message.into(),
        });
    }
}

/// Everything parsed, before validation. Indices point into `files`.
pub(super) struct Parsed {
    pub meta: CatalogMeta,
    pub meta_file: usize,
    pub departments: Vec<Department>,
    pub departments_file: usize,
    pub sections: Vec<Section>,
    pub shared_fields: Vec<FieldDef>,
    pub fields_file: usize,
    pub materials: Vec<MaterialDef>,
    pub materials_file: usize,
    pub global_questions: Vec<QuestionDef>,
    pub questions_file: usize,
    /// (file index, item)
    pub items: Vec<(usize, Item)>,
    /// (file index, bundle)
    pub bundles: Vec<(usize, Bundle)>,
    /// `holidays.toml` (file index, schedule); absent in a catalog without
    /// one (every date then counts weekends only and says so).
    pub holidays: Option<(usize, crate::calendar::HolidaySchedule)>,
}

/// Loads and validates the catalog in `dir`.
pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let parsed = parse_all(dir, &mut files, &mut errors);
    let Some(parsed) = parsed else {
        return Err(CatalogErrors(errors));
    };
    let mut problems = Problems {
        files: &files,
        errors,
    };
    let catalog = build(dir, &parsed, &files, &mut problems);
    super::check::check(&parsed, &catalog, &mut problems);
    if problems.errors.is_empty() {
        Ok(catalog)
    } else {
        Err(CatalogErrors(problems.errors))
    }
}

fn read(path: &Path, files: &mut Vec<SourceFile>, errors: &mut Vec<CatalogError>) -> Option<usize> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            files.push(SourceFile {
                path: path.to_path_buf(),
                text,
            });
            Some(files.len() - 1)
        }
        Err(e) => {
            errors.push(CatalogError {
                file: path.to_path_buf(),
                line: 0,
                message: format!("无法读取 (cannot read): {e}"),
            });
            None
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    file: usize,
    files: &[SourceFile],
    errors: &mut Vec<CatalogError>,
) -> Option<T> {
    let f = &files[file];
    match toml::from_str::<T>(&f.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let line = e.span().map(|s| f.line_of(&s)).unwrap_or(0);
            errors.push(CatalogError {
                file: f.path.clone(),
                line,
                message: e.message().trim().to_string(),
            });
            None
        }
    }
}

fn read_parse<T: serde::de::DeserializeOwned>(
    path: PathBuf,
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<CatalogError>,
) -> Option<(usize, T)> {
    let file = read(&path, files, errors)?;
    parse(file, files, errors).map(|v| (file, v))
}

/// The `*.toml` files of a subdirectory, sorted so load order (and so the
/// order of errors) does not depend on the file system.
fn toml_files(dir: &Path, errors: &mut Vec<CatalogError>) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            paths
        }
        Err(e) => {
            errors.push(CatalogError {
                file: dir.to_path_buf(),
                line: 0,
                message: format!("无法读取目录 (cannot read directory): {e}"),
            });
            Vec::new()
        }
    }
}

fn parse_all(
    dir: &Path,
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<CatalogError>,
) -> Option<Parsed> {
    let meta = read_parse::<CatalogMeta>(dir.join("catalog.toml"), files, errors);
    let departments = read_parse::<DepartmentsFile>(dir.join("departments.toml"), files, errors);
    let fields = read_parse::<FieldsFile>(dir.join("fields.toml"), files, errors);
    let materials = read_parse::<MaterialsFile>(dir.join("materials.toml"), files, errors);
    let questions = read_parse::<QuestionsFile>(dir.join("questions.toml"), files, errors);
    let items: Vec<(usize, Item)> = toml_files(&dir.join("items"), errors)
        .into_iter()
        .filter_map(|p| read_parse(p, files, errors))
        .collect();
    let bundles: Vec<(usize, Bundle)> = toml_files(&dir.join("bundles"), errors)
        .into_iter()
        .filter_map(|p| read_parse(p, files, errors))
        .collect();
    let holidays_path = dir.join("holidays.toml");
    let holidays = if holidays_path.exists() {
        read_parse::<crate::calendar::HolidaySchedule>(holidays_path, files, errors)
    } else {
        None
    };
    if !errors.is_empty() {
        return None;
    }
    let (meta_file, meta) = meta?;
    let (departments_file, departments) = departments?;
    let (fields_file, fields) = fields?;
    let (materials_file, materials) = materials?;
    let (questions_file, questions) = questions?;
    Some(Parsed {
        meta,
        meta_file,
        departments: departments.departments,
        departments_file,
        sections: fields.sections,
        shared_fields: fields.fields,
        fields_file,
        materials: materials.materials,
        materials_file,
        global_questions: questions.questions,
        questions_file,
        items,
        bundles,
        holidays,
    })
}

fn content_hash(files: &[SourceFile], dir: &Path) -> String {
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hasher = Sha256::new();
    for f in sorted {
        let rel = f.path.strip_prefix(dir).unwrap_or(&f.path);
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(f.text.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Resolves a field definition; kind errors are reported, and a field with
/// a bad kind becomes free text so checking can go on.
pub(super) fn resolve_field(
    def: &FieldDef,
    id: String,
    section: String,
    file: usize,
    problems: &mut Problems,
) -> Field {
    let shape = if def.record.is_empty() {
        let kind = match &def.kind {
            Some(spec) => spec.resolve().unwrap_or_else(|e| {
                problems.at(
                    file,
                    spec.span(),
                    format!("字段 {id} 的类型无效 (invalid kind): {e}"),
                );
                super::kind::FieldKind::Text { max_chars: None }
            }),
            None => {
                problems.at_ref(
                    file,
                    &def.id,
                    format!("字段 {id} 缺少 kind，也没有 record (field needs a kind or records)"),
                );
                super::kind::FieldKind::Text { max_chars: None }
            }
        };
        FieldShape::Scalar(kind)
    } else {
        if def.kind.is_some() {
            problems.at_ref(
                file,
                &def.id,
                format!("字段 {id} 不能同时有 kind 和 record"),
            );
        }
        let mut seen = HashMap::new();
        let fields = def
            .record
            .iter()
            .map(|sub| {
                if seen.insert(sub.id.get_ref().clone(), ()).is_some() {
                    problems.at_ref(
                        file,
                        &sub.id,
                        format!("记录字段 {} 重复 (duplicate)", sub.id.get_ref()),
                    );
                }
                resolve_field(
                    sub,
                    sub.id.get_ref().clone(),
                    section.clone(),
                    file,
                    problems,
                )
            })
            .collect();
        FieldShape::Records {
            fields,
            min: def.min_records.unwrap_or(usize::from(def.required)),
            max: def.max_records.unwrap_or(50),
        }
    };
    Field {
        id,
        label: def.label.clone(),
        section,
        shape,
        required: def.required,
        hint: def.hint.clone(),
        prefill: def.prefill.clone(),
        produced_by: def
            .produced_by
            .iter()
            .map(|r| r.get_ref().clone())
            .collect(),
        offer: def.offer.clone(),
        from_answer: def.from_answer.clone(),
        offer_record: def.offer_record.clone(),
        show_if: def.show_if.clone(),
    }
}

/// Merges a bundle's `use = "..."` with the global question it names.
fn resolve_question(
    q: &QuestionDef,
    globals: &BTreeMap<String, &QuestionDef>,
    file: usize,
    problems: &mut Problems,
) -> Option<Question> {
    let base = match &q.uses {
        Some(name) => match globals.get(name.get_ref()) {
            Some(g) => *g,
            None => {
                problems.at_ref(
                    file,
                    name,
                    format!(
                        "未知的全局问题 (unknown global question) {}",
                        name.get_ref()
                    ),
                );
                return None;
            }
        },
        None => q,
    };
    let Some(id) = base.id.as_ref() else {
        problems.in_file(file, "问题缺少 id 或 use (question needs `id` or `use`)");
        return None;
    };
    if q.uses.is_some() && (q.id.is_some() || !q.options.is_empty()) {
        problems.at_ref(
            file,
            id,
            "使用 use 的问题不能再写 id 或 option；用 text / option_hints / default 覆盖",
        );
    }
    let mut options: Vec<super::AnswerOption> = base
        .options
        .iter()
        .map(|o| super::AnswerOption {
            id: o.id.get_ref().clone(),
            label: o.label.clone(),
            hint: q
                .option_hints
                .get(o.id.get_ref())
                .cloned()
                .unwrap_or_else(|| o.hint.clone()),
            default: o.default,
        })
        .collect();
    for key in q.option_hints.keys() {
        if !options.iter().any(|o| &o.id == key) {
            problems.at_ref(
                file,
                id,
                format!("option_hints 中的选项 {key} 不存在 (unknown option)"),
            );
        }
    }
    if let Some(d) = &q.default {
        if options.iter().any(|o| o.id == *d.get_ref()) {
            for o in &mut options {
                o.default = o.id == *d.get_ref();
            }
        } else {
            problems.at_ref(
                file,
                d,
                format!("默认选项 {} 不存在 (unknown default option)", d.get_ref()),
            );
        }
    }
    Some(Question {
        id: id.get_ref().clone(),
        text: q
            .text
            .clone()
            .or_else(|| base.text.clone())
            .unwrap_or_default(),
        hint: q.hint.clone().or_else(|| base.hint.clone()),
        options,
        ask_if: q.ask_if.clone(),
    })
}

fn build(dir: &Path, p: &Parsed, files: &[SourceFile], problems: &mut Problems) -> Catalog {
    let mut fields = BTreeMap::new();
    for def in &p.shared_fields {
        let section = match &def.section {
            Some(s) => s.get_ref().clone(),
            None => {
                problems.at_ref(
                    p.fields_file,
                    &def.id,
                    format!("共享字段 {} 缺少 section", def.id.get_ref()),
                );
                String::new()
            }
        };
        let field = resolve_field(
            def,
            def.id.get_ref().clone(),
            section,
            p.fields_file,
            problems,
        );
        if fields.insert(field.id.clone(), field).is_some() {
            problems.at_ref(
                p.fields_file,
                &def.id,
                format!("字段 id 重复 (duplicate field) {}", def.id.get_ref()),
            );
        }
    }
    for (file, item) in &p.items {
        for def in &item.own_fields {
            let id = format!("{}.{}", item.code.get_ref(), def.id.get_ref());
            let section = format!("item:{}", item.code.get_ref());
            let field = resolve_field(def, id.clone(), section, *file, problems);
            if fields.insert(id.clone(), field).is_some() {
                problems.at_ref(
                    *file,
                    &def.id,
                    format!("字段 id 重复 (duplicate field) {id}"),
                );
            }
        }
    }
    let globals: BTreeMap<String, &QuestionDef> = p
        .global_questions
        .iter()
        .filter_map(|q| q.id.as_ref().map(|id| (id.get_ref().clone(), q)))
        .collect();
    let bundles = p
        .bundles
        .iter()
        .map(|(file, b)| LoadedBundle {
            def: b.clone(),
            questions: b
                .questions
                .iter()
                .filter_map(|q| resolve_question(q, &globals, *file, problems))
                .collect(),
        })
        .collect();
    let items: Vec<Item> = p.items.iter().map(|(_, i)| i.clone()).collect();
    Catalog {
        meta: p.meta.clone(),
        version: CatalogVersion {
            declared: p.meta.version.clone(),
            content_hash: content_hash(files, dir),
        },
        dir: dir.to_path_buf(),
        item_index: items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.code.get_ref().clone(), i))
            .collect(),
        department_index: p
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.get_ref().clone(), i))
            .collect(),
        departments: p.departments.clone(),
        sections: p.sections.clone(),
        fields,
        materials: p
            .materials
            .iter()
            .map(|m| (m.id.get_ref().clone(), m.clone()))
            .collect(),
        items,
        bundles,
        holidays: p
            .holidays
            .as_ref()
            .map(|(_, h)| h.clone())
            .unwrap_or_default(),
        rongque_days: p.meta.rongque_days,
        windows: BTreeMap::new(),
    }
}
