//! `onevisit print`: the printed documents, to files (ESC/POS bytes and
//! a PNG preview) or to a printer on a serial port.
//!
//! Exit codes: 0 printed/written; 1 the printer refused or failed;
//! 2 bad input; 3 the port or font could not be reached.

use super::{load_catalog, parse_answers};
use chrono::NaiveDateTime;
use onevisit_core::applicant::Applicant;
use onevisit_core::catalog::Catalog;
use onevisit_core::fonts;
use onevisit_core::guide::{self, Notice, Outcome};
use onevisit_core::print::qr_payload;
use onevisit_core::print::{self, Delivery, Document, ReceiptData};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::printer::{Printer, PrinterConfig};
use onevisit_drivers::transport::SerialTransport;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct PrintArgs {
    #[command(subcommand)]
    document: PrintCommand,
}

/// Where the notice key comes from: kiosk.toml's notice_key_hex /
/// notice_key_file (the hall's key, as the kiosks sign with it).
#[derive(clap::Args)]
struct NoticeKeyArgs {
    /// kiosk.toml to take the notice key from (default: $ONEVISIT_CONFIG,
    /// else the development key, said loudly).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl NoticeKeyArgs {
    fn key(&self) -> Result<Vec<u8>, ExitCode> {
        let cfg = crate::config::KioskConfig::load(self.config.as_deref()).map_err(|e| {
            eprintln!("{e}");
            ExitCode::from(USAGE)
        })?;
        if cfg.notice_key_source == crate::config::SecretSource::Development {
            warn_development_key();
        }
        Ok(cfg.notice_key)
    }
}

#[derive(clap::Subcommand)]
enum PrintCommand {
    /// The notice checklist (一次告知单) of a bundle and answers.
    Notice {
        bundle: String,
        #[arg(long = "answer", value_name = "QUESTION=OPTION")]
        answers: Vec<String>,
        #[command(flatten)]
        key: NoticeKeyArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// The submission receipt (受理回执).
    Receipt {
        #[arg(long)]
        receipt_no: String,
        #[command(flatten)]
        case: CaseArgs,
        /// Certificates are posted instead of collected at the window.
        #[arg(long)]
        post: bool,
        #[command(flatten)]
        out: OutArgs,
    },
    /// The 容缺 commitment (承诺书) for missing non-key materials.
    Commitment {
        #[arg(long)]
        receipt_no: String,
        #[command(flatten)]
        case: CaseArgs,
        /// A missing material's id (e.g. M12); repeat for several.
        #[arg(long = "missing", value_name = "MATERIAL", required = true)]
        missing: Vec<String>,
        #[command(flatten)]
        out: OutArgs,
    },
    /// The staff test page.
    TestPage {
        /// The printer model to show.
        #[arg(long, default_value = "ESC/POS 热敏打印机")]
        model: String,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Checks a scanned notice QR payload and prints the notice it reopens.
    Reopen {
        payload: String,
        #[command(flatten)]
        key: NoticeKeyArgs,
    },
    /// Prints again what was kept for a receipt number (receipt, 容缺
    /// commitment), e.g. after the printer ran out of paper.
    Reprint {
        #[arg(long)]
        receipt_no: String,
        /// The data directory the documents were kept in.
        #[arg(long)]
        data_dir: PathBuf,
        #[command(flatten)]
        out: OutArgs,
    },
}

/// The reprint store in a data directory.
fn job_store(dir: &std::path::Path) -> Result<print::SqliteJobStore, ExitCode> {
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(UNREACHABLE, format!("无法创建 {}：{e}", dir.display())))?;
    print::SqliteJobStore::open(&dir.join(onevisit_core::print::REPRINT_STORE_FILE))
        .map_err(|e| fail(UNREACHABLE, e))
}

/// Keeps `doc` for reprinting when a data directory was given.
fn keep(
    case: &CaseArgs,
    receipt_no: &str,
    kind: print::DocumentKind,
    doc: &Document,
) -> Result<(), ExitCode> {
    use print::JobStore;
    let Some(dir) = &case.data_dir else {
        return Ok(());
    };
    job_store(dir)?
        .put(print::StoredJob {
            key: receipt_no.to_string(),
            kind,
            document: doc.clone(),
        })
        .map_err(|e| fail(UNREACHABLE, e))
}

#[derive(clap::Args)]
struct CaseArgs {
    #[arg(long)]
    bundle: String,
    #[arg(long = "answer", value_name = "QUESTION=OPTION")]
    answers: Vec<String>,
    /// The applicant (ID card data) as JSON; printed masked.
    #[arg(long)]
    applicant: Option<PathBuf>,
    #[arg(long, default_value = "KIOSK-01")]
    kiosk_id: String,
    /// The time of submission, `YYYY-MM-DDTHH:MM:SS` (default: now).
    #[arg(long)]
    at: Option<NaiveDateTime>,
    /// Keep the printed document in this data directory, so it can be
    /// reprinted by its receipt number later (`print reprint`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
struct OutArgs {
    /// Paper width in mm: 58 or 80.
    #[arg(long, default_value = "80", value_parser = ["58", "80"])]
    width: String,
    /// Write the ESC/POS job here.
    #[arg(long, value_name = "OUT.bin")]
    escpos: Option<PathBuf>,
    /// Write the PNG preview here.
    #[arg(long, value_name = "OUT.png")]
    png: Option<PathBuf>,
    /// Print on the printer at this serial port instead.
    #[arg(long, value_name = "PORT")]
    port: Option<PathBuf>,
    #[arg(long, default_value_t = 9600)]
    baud: u32,
}

const PROBLEM: u8 = 1;
const USAGE: u8 = 2;
const UNREACHABLE: u8 = 3;

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(code)
}

pub fn run(args: PrintArgs) -> ExitCode {
    match run_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn run_inner(args: PrintArgs) -> Result<(), ExitCode> {
    match args.document {
        PrintCommand::Notice {
            bundle,
            answers,
            key,
            out,
        } => {
            let catalog = load_catalog()?;
            let notice = notice_of(&catalog, &bundle, &answers)?;
            let key = key.key()?;
            let payload =
                qr_payload::encode_notice(&catalog, &notice, &key).map_err(|e| fail(USAGE, e))?;
            let today = chrono::Local::now()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string();
            emit(&print::notice_document(&notice, &payload, &today), &out)
        }
        PrintCommand::Receipt {
            receipt_no,
            case,
            post,
            out,
        } => {
            let (catalog, notice, applicant, at) = case_of(&case)?;
            let delivery = if post {
                Delivery::Post
            } else {
                Delivery::WindowPickup {
                    window: format!("{}“{}”", notice.hall, notice.combined_window),
                }
            };
            let data = ReceiptData::from_notice(
                &notice,
                &applicant,
                &receipt_no,
                &case.kiosk_id,
                at,
                delivery,
                &catalog.holidays,
            );
            let doc = print::receipt_document(&data);
            keep(&case, &receipt_no, print::DocumentKind::Receipt, &doc)?;
            emit(&doc, &out)
        }
        PrintCommand::Commitment {
            receipt_no,
            case,
            missing,
            out,
        } => {
            let (catalog, notice, applicant, at) = case_of(&case)?;
            let mut names = Vec::new();
            for id in &missing {
                let m = notice
                    .materials
                    .iter()
                    .find(|m| &m.id == id)
                    .ok_or_else(|| fail(USAGE, format!("告知单中没有材料 {id}")))?;
                if m.key {
                    return Err(fail(USAGE, format!("“{}”是关键材料，不能容缺受理", m.name)));
                }
                names.push(m.name.clone());
            }
            let card = applicant.card.unwrap_or_else(|| {
                // A commitment is signed by a person: without a card the
                // name and number lines stay blank for handwriting.
                placeholder_card()
            });
            // The shortest period any item of the missing materials sets.
            let items: Vec<String> = notice
                .materials
                .iter()
                .filter(|m| missing.contains(&m.id))
                .flat_map(|m| m.items.clone())
                .collect();
            let deadline = catalog
                .holidays
                .add_working_days(at.date(), catalog.rongque_days_for(&items));
            let data = print::CommitmentData {
                receipt_no,
                bundle_code: notice.bundle.code.clone(),
                bundle_name: notice.bundle.name.clone(),
                missing: names,
                deadline: deadline.date,
                deadline_warning: deadline.warning(),
                signed_on: at.date(),
                applicant_name: card.name,
                applicant_id: card.id_number,
            };
            let doc = print::commitment_document(&data);
            keep(
                &case,
                &data.receipt_no,
                print::DocumentKind::Commitment,
                &doc,
            )?;
            emit(&doc, &out)
        }
        PrintCommand::TestPage { model, out } => {
            let paper = paper(&out);
            emit(&print::test_page_document(&model, paper), &out)
        }
        PrintCommand::Reprint {
            receipt_no,
            data_dir,
            out,
        } => {
            use print::JobStore;
            if !data_dir
                .join(onevisit_core::print::REPRINT_STORE_FILE)
                .exists()
            {
                return Err(fail(
                    PROBLEM,
                    print::PrintError::NothingToReprint(receipt_no),
                ));
            }
            let jobs = job_store(&data_dir)?
                .get(&receipt_no)
                .map_err(|e| fail(UNREACHABLE, e))?;
            if jobs.is_empty() {
                return Err(fail(
                    PROBLEM,
                    print::PrintError::NothingToReprint(receipt_no),
                ));
            }
            // Several documents to files would overwrite each other: the
            // receipt is what an applicant comes back for.
            let job = jobs
                .iter()
                .find(|j| j.kind == print::DocumentKind::Receipt)
                .unwrap_or(&jobs[0]);
            emit(&job.document, &out)
        }
        PrintCommand::Reopen { payload, key } => {
            let catalog = load_catalog()?;
            let key = key.key()?;
            let notice = qr_payload::decode_notice(&catalog, &payload, &key)
                .map_err(|e| fail(PROBLEM, e))?;
            print!("{}", notice.to_text());
            Ok(())
        }
    }
}

fn placeholder_card() -> onevisit_core::applicant::CardData {
    serde_json::from_value(serde_json::json!({
        "document_type": "resident", "name": "", "gender": "unknown",
        "birth_date": "", "id_number": "", "issuing_authority": "", "valid_from": ""
    }))
    .expect("placeholder card")
}

fn warn_development_key() {
    eprintln!(
        "警告：使用开发用签名密钥 DEVELOPMENT_NOTICE_KEY，告知单二维码可被伪造，仅供测试，不得用于大厅自助机 (WARNING: development notice key in use)"
    );
}

fn notice_of(catalog: &Catalog, bundle: &str, answers: &[String]) -> Result<Notice, ExitCode> {
    let answers = parse_answers(answers).map_err(|e| fail(USAGE, e))?;
    match guide::step(catalog, bundle, &answers).map_err(|e| fail(USAGE, e))? {
        Outcome::Notice { notice } => Ok(*notice),
        Outcome::Question { question } => Err(fail(
            USAGE,
            format!(
                "问卷尚未答完，下一个问题：{}（--answer {}=...）",
                question.text, question.id
            ),
        )),
        Outcome::Referral { referral } => Err(fail(
            USAGE,
            format!(
                "本机不能办理：{}；请前往：{}",
                referral.reason, referral.go_to
            ),
        )),
    }
}

fn case_of(case: &CaseArgs) -> Result<(Catalog, Notice, Applicant, NaiveDateTime), ExitCode> {
    let catalog = load_catalog()?;
    let notice = notice_of(&catalog, &case.bundle, &case.answers)?;
    let applicant = match &case.applicant {
        None => Applicant::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| fail(USAGE, format!("无法读取 {}：{e}", path.display())))?;
            // The error names the field, never the value: the file holds
            // personal data.
            serde_json::from_str(&text).map_err(|e| {
                fail(
                    USAGE,
                    format!("{} 不是申请人数据（第{}行）", path.display(), e.line()),
                )
            })?
        }
    };
    let at = case
        .at
        .unwrap_or_else(|| chrono::Local::now().naive_local());
    Ok((catalog, notice, applicant, at))
}

fn paper(out: &OutArgs) -> PaperWidth {
    PaperWidth::from_mm(out.width.parse().unwrap_or(80)).unwrap_or(PaperWidth::Mm80)
}

/// Writes the files asked for, or prints on the port.
fn emit(doc: &Document, out: &OutArgs) -> Result<(), ExitCode> {
    if out.escpos.is_none() && out.png.is_none() && out.port.is_none() {
        return Err(fail(
            USAGE,
            "请指定 --escpos OUT.bin、--png OUT.png 或 --port 端口",
        ));
    }
    let font = fonts::cjk_font().map_err(|e| fail(UNREACHABLE, e))?;
    let paper = paper(out);
    let write = |path: &PathBuf, bytes: &[u8]| {
        std::fs::write(path, bytes)
            .map_err(|e| fail(USAGE, format!("无法写入 {}：{e}", path.display())))
    };
    if let Some(path) = &out.escpos {
        let bytes = print::to_escpos(doc, paper, font).map_err(|e| fail(PROBLEM, e))?;
        write(path, &bytes)?;
    }
    if let Some(path) = &out.png {
        let bytes = print::to_png(doc, paper, font).map_err(|e| fail(PROBLEM, e))?;
        write(path, &bytes)?;
    }
    if let Some(port) = &out.port {
        let transport = SerialTransport::open(port, out.baud)
            .map_err(|e| fail(UNREACHABLE, format!("无法打开端口 {}：{e}", port.display())))?;
        let mut printer = Printer::new(transport, PrinterConfig::default());
        let bytes = print::to_escpos(doc, paper, font).map_err(|e| fail(PROBLEM, e))?;
        let report = printer.print_job(&bytes).map_err(|e| fail(PROBLEM, e))?;
        println!(
            "已打印 {} 字节；打印机：{}",
            report.bytes,
            report.status_after.summary()
        );
    }
    Ok(())
}
