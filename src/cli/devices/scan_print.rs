//! Scanner and receipt printer commands for hall technicians.
//!
//! Exit codes: 0 done / printer can print; 1 the device answered but
//! something is wrong (nothing scanned, printer blocked, bad input);
//! 3 the device could not be reached.

use super::{DecodeKind, OutputFormat, PortArgs, parse_hex};
use onevisit_drivers::escpos::{PaperWidth, test_page};
use onevisit_drivers::ids::mask_id_text;
use onevisit_drivers::printer::{Health, Printer, PrinterConfig, PrinterStatus};
use onevisit_drivers::scanner::{
    HidPosReport, LineConfig, Scan, ScanKind, SerialScanner, classify, decode_scan_bytes,
};
use onevisit_drivers::transport::serial::SerialTransport;
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;

const PROBLEM: u8 = 1;
const UNREACHABLE: u8 = 3;

fn open(port: &PortArgs, default_baud: u32) -> Result<SerialTransport, ExitCode> {
    SerialTransport::open(&port.port, port.baud.unwrap_or(default_baud)).map_err(|e| {
        eprintln!("无法打开端口 {}：{e}", port.port.display());
        ExitCode::from(UNREACHABLE)
    })
}

fn wait(port: &PortArgs) -> Duration {
    Duration::from_secs_f64(port.timeout.clamp(0.05, 3600.0))
}

/// `devices scan`: prints every classified scan until the timeout passes
/// with nothing scanned.
pub fn scan(port: &PortArgs, format: OutputFormat) -> ExitCode {
    let transport = match open(port, 9600) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut scanner = SerialScanner::new(transport, LineConfig::default());
    let mut count = 0usize;
    loop {
        match scanner.next_scan(wait(port)) {
            Ok(Some(scan)) => {
                count += 1;
                let kind = classify(&scan.text);
                match format {
                    OutputFormat::Text => println!("{}", scan_line(&scan, &kind)),
                    OutputFormat::Json => println!("{}", scan_json(&scan, &kind)),
                }
            }
            Ok(None) => break,
            Err(e) if e.is_fatal() => {
                eprintln!("扫码枪连接中断：{e}");
                return ExitCode::from(UNREACHABLE);
            }
            Err(e) => match format {
                OutputFormat::Text => println!("错误：{e}"),
                OutputFormat::Json => println!("{}", json!({"error": e.to_string()})),
            },
        }
    }
    if count == 0 {
        eprintln!(
            "{} 秒内没有扫到条码 (nothing scanned): 检查扫码枪是否为串口/USB COM 模式、端口和波特率",
            port.timeout
        );
        return ExitCode::from(PROBLEM);
    }
    ExitCode::SUCCESS
}

fn scan_line(scan: &Scan, kind: &ScanKind) -> String {
    let symbology = scan
        .aim
        .map(|a| format!("[{} {a}] ", a.symbology()))
        .unwrap_or_default();
    format!("{symbology}{kind}")
}

/// JSON for one scan. ID numbers appear masked only: this output ends up
/// in tickets and chat messages.
fn scan_json(scan: &Scan, kind: &ScanKind) -> serde_json::Value {
    let value = match kind {
        ScanKind::ResidentId(id) => id.masked(),
        ScanKind::InvalidResidentId { text, .. } => mask_id_text(text),
        _ => scan.text.clone(),
    };
    json!({
        "kind": kind.kind_name(),
        "valid": !kind.is_error(),
        "aim": scan.aim.map(|a| a.to_string()),
        "symbology": scan.aim.map(|a| a.symbology()),
        "encoding": scan.encoding,
        "value": value,
        "message": kind.to_string(),
    })
}

fn open_printer(port: &PortArgs) -> Result<Printer<SerialTransport>, ExitCode> {
    let transport = open(port, 9600)?;
    let config = PrinterConfig {
        status_timeout: wait(port).min(Duration::from_secs(5)),
        ..PrinterConfig::default()
    };
    Ok(Printer::new(transport, config))
}

/// `devices printer-status`.
pub fn printer_status(port: &PortArgs, format: OutputFormat) -> ExitCode {
    let mut printer = match open_printer(port) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match printer.status() {
        Ok(status) => print_status(&status, format),
        Err(e) => {
            eprintln!("读取打印机状态失败：{e}");
            ExitCode::from(UNREACHABLE)
        }
    }
}

fn print_status(status: &PrinterStatus, format: OutputFormat) -> ExitCode {
    match format {
        OutputFormat::Text => {
            println!("{}", status.summary());
            let flags = [
                ("联机 online", status.online),
                ("纸仓盖打开 cover_open", status.cover_open),
                ("纸将尽 paper_near_end", status.paper_near_end),
                ("缺纸 paper_out", status.paper_out),
                ("切刀故障 cutter_error", status.cutter_error),
                (
                    "不可恢复故障 unrecoverable_error",
                    status.unrecoverable_error,
                ),
                (
                    "可自动恢复故障 auto_recoverable_error",
                    status.auto_recoverable_error,
                ),
            ];
            for (name, on) in flags {
                println!("  {name}: {}", if on { "是 yes" } else { "否 no" });
            }
        }
        OutputFormat::Json => {
            let problems: Vec<_> = status
                .problems()
                .iter()
                .map(|p| json!({"problem": p, "message": p.message()}))
                .collect();
            println!(
                "{}",
                json!({
                    "health": status.health(),
                    "summary": status.summary(),
                    "status": status,
                    "problems": problems,
                })
            );
        }
    }
    if status.health() == Health::Blocked {
        ExitCode::from(PROBLEM)
    } else {
        ExitCode::SUCCESS
    }
}

/// `devices test-print`.
pub fn test_print(port: &PortArgs, width: u32) -> ExitCode {
    let Some(paper) = PaperWidth::from_mm(width) else {
        eprintln!("纸宽只能是 58 或 80 (--width 58|80)，收到 {width}");
        return ExitCode::from(PROBLEM);
    };
    let mut printer = match open_printer(port) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match printer.print_job(&test_page(paper)) {
        Ok(report) => {
            println!(
                "测试页已发送（{} 字节）。{}",
                report.bytes,
                report.status_after.summary()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("测试页打印失败：{e}");
            ExitCode::from(PROBLEM)
        }
    }
}

/// `devices decode hid-pos|escpos-status --hex ...`. For escpos-status the
/// hex is 1 to 4 bytes: the replies to DLE EOT 1, 2, 3, 4 in that order.
pub fn decode(kind: DecodeKind, hex: &str) -> ExitCode {
    let bytes = match parse_hex(hex) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(PROBLEM);
        }
    };
    match kind {
        DecodeKind::HidPos => decode_hid_pos(&bytes),
        DecodeKind::EscposStatus => match PrinterStatus::from_replies(&bytes) {
            Ok(status) => print_status(&status, OutputFormat::Text),
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(PROBLEM)
            }
        },
        DecodeKind::Sam => {
            eprintln!("SAM 帧由 card.rs 解码");
            ExitCode::from(PROBLEM)
        }
    }
}

fn decode_hid_pos(bytes: &[u8]) -> ExitCode {
    let report = match HidPosReport::parse(bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(PROBLEM);
        }
    };
    match report.aim {
        Some(aim) => println!("AIM 标识: {aim} ({})", aim.symbology()),
        None => println!("AIM 标识: 无"),
    }
    println!("数据长度: {} 字节", report.data.len());
    println!(
        "厂商码: {:02X} {:02X}",
        report.vendor_code_id[0], report.vendor_code_id[1]
    );
    if report.more_follow {
        println!("后续还有报告 (more reports follow): 以下仅为本报告的数据");
    }
    match decode_scan_bytes(&report.data) {
        Ok((text, encoding)) => {
            println!("内容 ({encoding:?}): {text}");
            if !report.more_follow {
                println!("类型: {}", classify(&text));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(PROBLEM)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port_args(path: &std::path::Path, timeout: f64) -> PortArgs {
        PortArgs {
            port: path.to_path_buf(),
            baud: None,
            timeout,
        }
    }

    #[test]
    fn printer_commands_against_the_simulator() {
        use onevisit_drivers::sim::printer::PrinterSim;
        let sim = PrinterSim::start(PaperWidth::Mm58).unwrap();
        let args = port_args(sim.path(), 1.0);
        assert_eq!(printer_status(&args, OutputFormat::Json), ExitCode::SUCCESS);
        assert_eq!(test_print(&args, 58), ExitCode::SUCCESS);
        let transcript = sim.control().transcript();
        assert!(transcript.contains("[QR M=2 S=6 EC=M \"OV1:R:TEST-0001\"]"));
        assert_eq!(test_print(&args, 57), ExitCode::from(PROBLEM));
        sim.control().set_paper_out(true);
        assert_eq!(
            printer_status(&args, OutputFormat::Text),
            ExitCode::from(PROBLEM)
        );
        assert_eq!(test_print(&args, 58), ExitCode::from(PROBLEM));
        let missing = port_args(std::path::Path::new("/dev/does-not-exist"), 0.1);
        assert_eq!(
            printer_status(&missing, OutputFormat::Text),
            ExitCode::from(UNREACHABLE)
        );
    }

    #[test]
    fn scan_command_against_the_simulator() {
        use onevisit_drivers::sim::scanner::{Framing, ScannerSim};
        let mut sim = ScannerSim::start().unwrap();
        let args = port_args(sim.path(), 0.3);
        // Nothing scanned within the timeout: exit 1.
        assert_eq!(scan(&args, OutputFormat::Text), ExitCode::from(PROBLEM));
        sim.scan("OV1:R:1", &Framing::default()).unwrap();
        assert_eq!(scan(&args, OutputFormat::Json), ExitCode::SUCCESS);
    }

    #[test]
    fn decode_commands() {
        assert_eq!(
            decode(DecodeKind::EscposStatus, "12 12 12 12"),
            ExitCode::SUCCESS
        );
        assert_eq!(
            decode(DecodeKind::EscposStatus, "12 32 12 72"),
            ExitCode::from(PROBLEM)
        );
        assert_eq!(
            decode(DecodeKind::EscposStatus, "00"),
            ExitCode::from(PROBLEM)
        );
        let mut report = [0u8; 64];
        report[0] = 2;
        report[1] = 3;
        report[5..8].copy_from_slice(b"abc");
        let hex: String = report.iter().map(|b| format!("{b:02x} ")).collect();
        assert_eq!(decode(DecodeKind::HidPos, &hex), ExitCode::SUCCESS);
        assert_eq!(decode(DecodeKind::HidPos, "02 03"), ExitCode::from(PROBLEM));
    }

    #[test]
    fn json_masks_id_numbers() {
        let scan = Scan {
            aim: None,
            text: "11010519491231002X".into(),
            encoding: onevisit_drivers::scanner::TextEncoding::Utf8,
        };
        let v = scan_json(&scan, &classify(&scan.text));
        assert_eq!(v["value"], "110***********002X");
        assert_eq!(v["kind"], "resident_id");
        assert!(!v.to_string().contains("19491231"));
    }
}

/// The scanner and printer simulators of `devices simulate`, with the
/// commands a technician types to drive them.
pub struct ScanPrintSims {
    scanner: onevisit_drivers::sim::scanner::ScannerSim,
    printer: onevisit_drivers::sim::printer::PrinterSim,
}

/// The commands [`ScanPrintSims::command`] understands.
pub const SIM_COMMANDS: &str =
    "scan <code> | paper <ok|near|out> | cover <open|closed> | save-receipt <file.png>";

impl ScanPrintSims {
    pub fn start(width_mm: u32) -> Result<Self, String> {
        let paper = PaperWidth::from_mm(width_mm)
            .ok_or_else(|| format!("纸宽应为58或80毫米，而不是{width_mm} (paper width)"))?;
        let scanner = onevisit_drivers::sim::scanner::ScannerSim::start()
            .map_err(|e| format!("无法启动模拟扫码枪 (cannot start the simulated scanner): {e}"))?;
        let printer = onevisit_drivers::sim::printer::PrinterSim::start(paper)
            .map_err(|e| format!("无法启动模拟打印机 (cannot start the simulated printer): {e}"))?;
        Ok(Self { scanner, printer })
    }

    /// One `<device> <path>` line each, like the reader's.
    pub fn print_paths(&self) {
        println!("scanner {}", self.scanner.path().display());
        println!("printer {}", self.printer.path().display());
    }

    /// Runs `line` if it is a scanner or printer command; `None` when it is
    /// not one of ours (the reader's commands are handled elsewhere).
    pub fn command(&mut self, line: &str) -> Option<Result<(), String>> {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        let control = self.printer.control();
        let result = match (word, rest) {
            ("scan", "") => Err("用法 (usage): scan <code>".into()),
            ("scan", code) => self
                .scanner
                .scan(code, &onevisit_drivers::sim::scanner::Framing::default())
                .map_err(|e| e.to_string()),
            ("paper", "ok") => {
                control.set_paper_out(false);
                control.set_paper_near_end(false);
                Ok(())
            }
            ("paper", "near") => {
                control.set_paper_near_end(true);
                Ok(())
            }
            ("paper", "out") => {
                control.set_paper_out(true);
                Ok(())
            }
            ("cover", "open") => {
                control.set_cover_open(true);
                Ok(())
            }
            ("cover", "closed") => {
                control.set_cover_open(false);
                Ok(())
            }
            ("save-receipt", "") => Err("用法 (usage): save-receipt <file.png>".into()),
            ("save-receipt", file) => control
                .save_png(std::path::Path::new(file))
                .map_err(|e| e.to_string()),
            ("paper" | "cover", _) => Err(format!("用法 (usage): {SIM_COMMANDS}")),
            _ => return None,
        };
        Some(result)
    }
}

#[cfg(test)]
mod sim_tests {
    use super::*;
    use onevisit_drivers::printer::{Printer, PrinterConfig};
    use onevisit_drivers::scanner::{LineConfig, SerialScanner};
    use onevisit_drivers::transport::SerialTransport;
    use std::time::Duration;

    #[test]
    fn simulate_commands_drive_the_scanner_and_printer_over_their_ptys() {
        let mut sims = ScanPrintSims::start(58).unwrap();
        let mut scanner = SerialScanner::new(
            SerialTransport::open(sims.scanner.path(), 9600).unwrap(),
            LineConfig::default(),
        );
        assert!(sims.command("scan 91350200776049653A").unwrap().is_ok());
        let scan = scanner.next_scan(Duration::from_secs(2)).unwrap().unwrap();
        assert_eq!(scan.text, "91350200776049653A");

        let mut printer = Printer::new(
            SerialTransport::open(sims.printer.path(), 115_200).unwrap(),
            PrinterConfig::default(),
        );
        assert!(!printer.status().unwrap().paper_out);
        assert!(sims.command("paper out").unwrap().is_ok());
        assert!(printer.status().unwrap().paper_out);
        assert!(sims.command("paper ok").unwrap().is_ok());
        assert!(!printer.status().unwrap().paper_out);

        assert!(sims.command("paper sideways").unwrap().is_err());
        assert!(
            sims.command("place resident").is_none(),
            "the reader's command is not ours"
        );
        assert!(ScanPrintSims::start(62).is_err());
    }
}
