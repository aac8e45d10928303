//! `onevisit form`: validate a filled merged form and print the per-item
//! applications, or every error.

use super::{Format, load_catalog};
use onevisit_core::applicant::Applicant;
use onevisit_core::form::{self, FormValues};
use onevisit_core::guide::{self, Answers, Outcome};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct FormArgs {
    /// The bundle code, e.g. B01.
    bundle: String,
    /// TOML file of answers: `question = "option"`.
    #[arg(long, required_unless_present = "typical")]
    answers: Option<PathBuf>,
    /// Answer every question with its default: the bundle's typical path.
    #[arg(long, conflicts_with = "answers")]
    typical: bool,
    /// JSON file with the applicant's card (and licence) data.
    #[arg(long)]
    applicant: Option<PathBuf>,
    /// TOML file of values: `F01 = "..."`, records as arrays of tables.
    #[arg(long)]
    values: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Print the empty form (sections, fields, prefills) instead.
    #[arg(long)]
    show: bool,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("无法读取 {}: {e}", path.display()))
}

fn load_inputs(args: &FormArgs) -> Result<(Answers, Applicant, FormValues), String> {
    let answers: Answers = match &args.answers {
        Some(path) => toml::from_str(&read(path)?)
            .map_err(|e| format!("{}: 答案文件格式错误: {}", path.display(), e.message()))?,
        None => Answers::new(),
    };
    let applicant = match &args.applicant {
        Some(p) => serde_json::from_str(&read(p)?)
            .map_err(|e| format!("{}: 申请人文件格式错误: {e}", p.display()))?,
        None => Applicant::default(),
    };
    let values = match &args.values {
        Some(p) => toml::from_str(&read(p)?)
            .map_err(|e| format!("{}: 表单值文件格式错误: {}", p.display(), e.message()))?,
        None => FormValues::new(),
    };
    Ok((answers, applicant, values))
}

pub fn run(args: FormArgs) -> ExitCode {
    let catalog = match load_catalog() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (answers, applicant, values) = match load_inputs(&args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let stepped = if args.typical {
        guide::typical_path(&catalog, &args.bundle).map(|(_, outcome)| outcome)
    } else {
        guide::step(&catalog, &args.bundle, &answers)
    };
    let notice = match stepped {
        Ok(Outcome::Notice { notice }) => notice,
        Ok(Outcome::Question { question }) => {
            eprintln!("问卷还没答完，下一题是 {}：{}", question.id, question.text);
            return ExitCode::from(2);
        }
        Ok(Outcome::Referral { referral }) => {
            eprintln!(
                "本机不能办理：{}；请前往：{}",
                referral.reason, referral.go_to
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let merged = form::build_form(&catalog, &notice, &applicant);
    if args.show {
        show(&merged, args.format);
        return ExitCode::SUCCESS;
    }
    match form::validate_form(&merged, &values) {
        Ok(checked) => {
            let apps = form::applications(&catalog, &notice, &merged, &checked);
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "status": "valid",
                        "catalog_version": catalog.version,
                        "applications": apps,
                    }))
                    .expect("json")
                ),
                Format::Text => {
                    for app in &apps {
                        println!("【{}】{}", app.department_name, app.item_name);
                        for f in &app.fields {
                            println!(
                                "  {}：{}",
                                f.name,
                                serde_json::to_string(&f.value).expect("json")
                            );
                        }
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "status": "invalid", "errors": errors }))
                        .expect("json")
                ),
                Format::Text => {
                    println!("表单有 {} 处需要修改：", errors.len());
                    for e in &errors {
                        println!("  · {e}");
                    }
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// The empty form with what the kiosk already knows: each field and record
/// subfield marked `prefilled` (value, source) or `offered` (the one-tap
/// choice), and the count of what is left to type.
fn show(merged: &form::MergedForm, format: Format) {
    let counts = form::TypingCount::of(merged);
    let typed = form::reuse::typed_fields(merged);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "form": merged,
                "counts": counts,
                "typed": typed,
            }))
            .expect("json")
        ),
        Format::Text => {
            let typical = form::reuse::typical_values(merged);
            for section in &merged.sections {
                println!("【{}】", section.title);
                for f in &section.fields {
                    if !merged.shown(f, &typical) {
                        println!("  {}  [此路径不需填写]", f.label);
                        continue;
                    }
                    println!("  {}{}", f.label, reuse_mark(f));
                    if let form::merged::ShapeView::Records { fields, .. } = &f.shape {
                        for sub in fields {
                            // An optional list's subfields are typed only
                            // when the applicant adds a record.
                            let mark = if f.required {
                                reuse_mark(sub)
                            } else {
                                String::new()
                            };
                            println!("    · {}{}", sub.label, mark);
                        }
                    }
                }
            }
            println!(
                "必填 {}，已预填 {}，一键可选 {}，需要输入 {}",
                counts.required, counts.prefilled, counts.offered, counts.typed
            );
        }
    }
}

fn reuse_mark(f: &form::FormField) -> String {
    match (&f.prefilled, &f.offered) {
        (Some(p), _) => format!("  [已预填：{}]", p.value),
        (None, Some(o)) => format!("  [一键：{}]", o.label),
        (None, None) if f.required => "  [需输入]".into(),
        (None, None) => String::new(),
    }
}
