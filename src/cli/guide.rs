//! `onevisit guide`: walk a bundle's questionnaire from the command line.

use super::{Format, load_catalog, parse_answers};
use onevisit_core::guide::{self, Outcome};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct GuideArgs {
    /// The bundle code, e.g. B01.
    bundle: Option<String>,
    /// An answer, `question=option`; repeat for several.
    #[arg(long = "answer", value_name = "QUESTION=OPTION")]
    answers: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// List the bundles.
    #[arg(long)]
    list: bool,
    /// Print every distinct answer path of the bundle and its outcome.
    #[arg(long)]
    enumerate: bool,
}

pub fn run(args: GuideArgs) -> ExitCode {
    let catalog = match load_catalog() {
        Ok(c) => c,
        Err(code) => return code,
    };
    if args.list {
        let bundles: Vec<_> = catalog
            .bundles
            .iter()
            .map(|b| {
                json!({
                    "code": b.code(),
                    "name": b.def.name,
                    "description": b.def.description,
                    "lead_department": catalog.department(b.def.lead_department.get_ref()).map(|d| d.name.clone()),
                })
            })
            .collect();
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&bundles).expect("json")),
            Format::Text => {
                for b in &catalog.bundles {
                    println!("{}  {}  —— {}", b.code(), b.def.name, b.def.description);
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    let Some(code) = args.bundle else {
        eprintln!("请给出一件事编号，例如 `onevisit guide B01`；`onevisit guide --list` 列出全部");
        return ExitCode::from(2);
    };
    let Some(bundle) = catalog.bundle(&code) else {
        eprintln!("{}", guide::GuideError::UnknownBundle(code));
        return ExitCode::from(2);
    };
    if args.enumerate {
        let paths = guide::enumerate(&catalog, bundle);
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&paths).expect("json")),
            Format::Text => {
                for (n, p) in paths.iter().enumerate() {
                    let trail: Vec<String> =
                        p.answers.iter().map(|(q, a)| format!("{q}={a}")).collect();
                    let summary = match &p.outcome {
                        Outcome::Notice { notice } => format!(
                            "告知单：{}",
                            notice
                                .items
                                .iter()
                                .map(|i| i.code.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        Outcome::Referral { referral } => format!("转办：{}", referral.go_to),
                        Outcome::Question { .. } => "未完成".into(),
                    };
                    println!("{:>3}. [{}] → {}", n + 1, trail.join(" "), summary);
                }
                println!("共 {} 条路径", paths.len());
            }
        }
        return ExitCode::SUCCESS;
    }
    let answers = match parse_answers(&args.answers) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match guide::step(&catalog, &code, &answers) {
        Ok(outcome) => {
            match args.format {
                Format::Json => {
                    println!("{}", serde_json::to_string_pretty(&outcome).expect("json"))
                }
                Format::Text => print!("{}", outcome.to_text()),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
