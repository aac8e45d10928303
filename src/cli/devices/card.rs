//! ID card reader commands, device listing and the simulators.

use super::{OutputFormat, PortArgs, parse_hex};
use onevisit_drivers::idcard::{CardRecord, CivilDate, check_card, decode_text};
use onevisit_drivers::sam::frame::{Command, RawFrame};
use onevisit_drivers::sam::reader::split_lengths;
use onevisit_drivers::sam::supervised::open_transport;
use onevisit_drivers::sam::{FrameDecoder, ReaderError, SamReader, Timeouts};
use onevisit_drivers::sim::sam::{SamSimulator, SimControl, SimFault, SimOptions, TestCard};
use onevisit_drivers::transport::DeviceAddress;
use onevisit_drivers::transport::serial::{DEFAULT_BAUD, available_ports};
use onevisit_drivers::transport::usb::{classify, libusb};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Options of `devices simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// Test card on the reader at start: resident, permanent, hkmo,
    /// foreign2017, foreign2023, expired, bad-check.
    #[arg(long)]
    pub card: Option<String>,
    /// Also keep a stable symlink to the reader's PTY here (like the udev
    /// rule's /dev/onevisit-idreader), e.g. /tmp/onevisit-idreader.
    #[arg(long)]
    pub link: Option<PathBuf>,
    /// Paper width of the simulated receipt printer, in mm (58 or 80).
    #[arg(long, default_value_t = 80)]
    pub paper: u32,
}

/// `devices list`
pub fn list() -> ExitCode {
    println!("串口 (serial ports):");
    let mut paths: Vec<String> = Vec::new();
    match available_ports() {
        Ok(ports) => paths.extend(ports),
        Err(e) => println!("  (无法枚举串口 cannot enumerate: {e})"),
    }
    paths.extend(dev_entries(Path::new("/dev/serial/by-id"), ""));
    paths.extend(dev_entries(Path::new("/dev"), "ttyUSB"));
    paths.extend(dev_entries(Path::new("/dev"), "ttyACM"));
    paths.extend(dev_entries(Path::new("/dev"), "onevisit-"));
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        println!("  (没有找到 none found; PTYs of `devices simulate` are not listed)");
    }
    for path in &paths {
        match std::fs::canonicalize(path) {
            Ok(target) if target != Path::new(path) => println!("  {path} -> {}", target.display()),
            _ => println!("  {path}"),
        }
    }
    println!("USB设备 (USB devices):");
    match libusb::list_devices() {
        Ok(devices) if devices.is_empty() => println!("  (没有找到 none found)"),
        Ok(devices) => {
            for device in devices {
                let kind = classify(&device);
                println!(
                    "  {:04X}:{:04X} bus {:03} addr {:03}  {} ({kind:?})",
                    device.vid,
                    device.pid,
                    device.bus,
                    device.address,
                    kind.name_zh()
                );
            }
        }
        Err(e) => println!("  (无法访问USB cannot access USB: {e})"),
    }
    ExitCode::SUCCESS
}

fn dev_entries(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path().display().to_string())
        .collect()
}

/// `devices read-card`
pub fn read_card(port: &PortArgs, format: OutputFormat, unmasked: bool) -> ExitCode {
    match read_card_once(port) {
        Ok((sam_id, record)) => {
            let problem = check_card(&record, CivilDate::today_in_china()).err();
            let shown = if unmasked { record } else { record.masked() };
            match format {
                OutputFormat::Json => {
                    let out = serde_json::json!({
                        "sam_id": sam_id,
                        "card": shown,
                        "usable": problem.is_none(),
                        "problem": problem.as_ref().map(ToString::to_string),
                    });
                    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
                }
                OutputFormat::Text => {
                    println!("安全模块号 (SAM ID): {sam_id}");
                    print_record(&shown);
                    match &problem {
                        None => println!("结论: 证件有效 (card usable)"),
                        Some(p) => println!("结论: {p}"),
                    }
                }
            }
            if problem.is_some() {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("读卡失败: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_card_once(port: &PortArgs) -> Result<(String, CardRecord), String> {
    let baud = port.baud.unwrap_or(DEFAULT_BAUD);
    // `--port 0400:C35A` reaches the USB bulk variant; anything else is a path.
    let address = match port.port.to_str().map(str::parse::<DeviceAddress>) {
        Some(Ok(address)) => address,
        _ => DeviceAddress::Path(port.port.clone()),
    };
    let transport = open_transport(&address, baud).map_err(|e| e.to_string())?;
    // Slow baud rates stretch every answer: scale the timeouts with them.
    let factor = (f64::from(DEFAULT_BAUD) / f64::from(baud.max(1))).max(1.0);
    let mut reader = SamReader::new(transport, Timeouts::default().scaled(factor));
    let sam_id = reader.start().map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs_f64(port.timeout.max(0.1));
    eprintln!("请放置身份证… (waiting for a card)");
    loop {
        match reader.find_card() {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) if e.is_disconnected() => return Err(e.to_string()),
            Err(e) => log::debug!("find card: {e}"),
        }
        if Instant::now() >= deadline {
            return Err(format!("{}秒内未检测到身份证 (no card)", port.timeout));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let read = match reader.read_card() {
        Err(e) if e.is_transient() => {
            reader.find_card().map_err(|e| e.to_string())?;
            reader.read_card()
        }
        other => other,
    };
    match read {
        Ok(read) => Ok((sam_id, read.record)),
        Err(ReaderError::Card(problem)) => Err(problem.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn print_record(record: &CardRecord) {
    let line = |label: &str, value: Option<&str>| {
        if let Some(value) = value {
            println!("{label}: {value}");
        }
    };
    line("证件类型", Some(record.card_type.name_zh()));
    line(
        "姓名",
        Some(&record.name)
            .filter(|n| !n.is_empty())
            .map(String::as_str),
    );
    line("英文姓名", record.english_name.as_deref());
    line("性别", Some(record.gender.name_zh()));
    line("民族", record.ethnicity.as_deref());
    line("出生日期", Some(&record.birth_date));
    line("住址", record.address.as_deref());
    line("追加住址", record.additional_address.as_deref());
    line("证件号码", Some(&record.id_number));
    line("签发机关", record.issuing_authority.as_deref());
    let validity = format!(
        "{} 至 {}",
        record.valid_from,
        record.valid_to.as_deref().unwrap_or("长期")
    );
    line("有效期限", Some(&validity));
    line("国籍", record.nationality.as_deref());
    line("通行证号码", record.pass_number.as_deref());
    line(
        "签发/换证次数",
        record.issue_count.map(|n| n.to_string()).as_deref(),
    );
}

/// `devices decode sam --hex ...`
pub fn decode_sam(hex: &str) -> ExitCode {
    let bytes = match parse_hex(hex) {
        Ok(bytes) => bytes,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match RawFrame::parse(&bytes) {
        Ok(frame) => {
            describe_frame(&bytes, &frame);
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("整段不是一帧 (not exactly one frame): {error}");
            // Look for frames inside, the way the driver would.
            let mut decoder = FrameDecoder::new();
            decoder.push(&bytes);
            let mut found = 0;
            while let Some(result) = decoder.next_frame() {
                match result {
                    Ok(frame) => {
                        found += 1;
                        println!("--- 帧 {found} (frame) ---");
                        describe_frame(
                            &onevisit_drivers::sam::frame::encode_frame(&frame.payload),
                            &frame,
                        );
                    }
                    Err(e) => println!("跳过 (skipped): {e}"),
                }
            }
            println!(
                "丢弃字节 (bytes discarded as garbage): {}",
                decoder.discarded()
            );
            if found > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn describe_frame(bytes: &[u8], frame: &RawFrame) {
    println!(
        "长度字段 (length): {} (帧共{}字节)",
        frame.payload.len() + 1,
        bytes.len()
    );
    println!(
        "校验和 (checksum): {:02X} 正确 (ok)",
        bytes.last().copied().unwrap_or(0)
    );
    if frame.looks_like_response() {
        let Ok(response) = frame.clone().into_response() else {
            return;
        };
        println!(
            "应答 (response): SW1={:02X} SW2={:02X} SW3={:02X}",
            response.sw1,
            response.sw2,
            response.status.code()
        );
        println!("含义 (meaning): {}", response.status.message());
        println!("数据 (data): {} 字节", response.data.len());
        if let Ok(parts) =
            split_lengths(&response.data, 2).or_else(|_| split_lengths(&response.data, 3))
        {
            match decode_text(&parts[0]) {
                Ok(record) => {
                    println!("--- 证件信息 (card, masked) ---");
                    print_record(&record.masked());
                    if let Err(problem) = check_card(&record, CivilDate::today_in_china()) {
                        println!("结论: {problem}");
                    }
                }
                Err(e) => println!("文字信息无法解码: {e}"),
            }
            println!("照片 (photo): {} 字节 WLT", parts[1].len());
        } else if !response.data.is_empty() {
            println!("{}", to_hex(&response.data[..response.data.len().min(64)]));
        }
    } else {
        match Command::from_payload(&frame.payload) {
            Some(command) => {
                let (cmd, para) = command.code();
                println!(
                    "请求 (request): CMD={cmd:02X} PARA={para:02X} {}",
                    command.describe()
                );
            }
            None => println!("未知请求 (unknown request): {}", to_hex(&frame.payload)),
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `devices simulate`
pub fn simulate(args: SimulateArgs) -> ExitCode {
    let card = match args.card.as_deref().map(str::parse::<TestCard>).transpose() {
        Ok(card) => card,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let sim = match SamSimulator::start(SimOptions {
        link: args.link,
        card,
    }) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("无法启动模拟读卡器 (cannot start the simulated reader): {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("idreader {}", sim.path().display());
    let mut others = match super::scan_print::ScanPrintSims::start(args.paper) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    others.print_paths();
    println!(
        "模拟设备已启动。输入命令: place <card> | remove | fault <silence|checksum|read|split|garbage> [n] | clear | unplug | replug | {} | quit",
        super::scan_print::SIM_COMMANDS
    );
    println!("(Ctrl-C 或关闭标准输入即退出 / Ctrl-C or end of input stops)");
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Some(result) = others.command(line.trim()) {
            if let Err(message) = result {
                eprintln!("{message}");
            }
            continue;
        }
        match control(sim.control(), line.trim()) {
            Ok(true) => break,
            Ok(false) => {}
            Err(message) => eprintln!("{message}"),
        }
    }
    ExitCode::SUCCESS
}

/// One interactive command; `Ok(true)` to quit.
fn control(sim: &SimControl, line: &str) -> Result<bool, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => {}
        ["quit" | "exit"] => return Ok(true),
        ["place", card] => sim.place(card.parse()?),
        ["remove"] => sim.remove(),
        ["clear"] => sim.clear_faults(),
        ["unplug"] => sim.unplug(),
        ["replug"] => {
            sim.replug().map_err(|e| e.to_string())?;
            println!("idreader {}", sim.path().unwrap_or_default().display());
        }
        ["fault", kind, rest @ ..] => {
            let fault = match *kind {
                "silence" => SimFault::Silence,
                "checksum" => SimFault::BadChecksum,
                "read" => SimFault::ReadFailure,
                "split" => SimFault::SplitFrames,
                "garbage" => SimFault::GarbageBefore,
                other => return Err(format!("未知故障“{other}” (unknown fault)")),
            };
            let times = match rest {
                [] => 1,
                [n] => n
                    .parse()
                    .map_err(|_| format!("“{n}”不是次数 (not a count)"))?,
                _ => return Err("用法: fault <kind> [n]".into()),
            };
            sim.inject(fault, times);
        }
        _ => return Err(format!("未知命令“{line}” (unknown command)")),
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_card_reads_the_simulated_card_over_its_pty() {
        let sim = SamSimulator::start(SimOptions {
            link: None,
            card: Some(TestCard::Expired),
        })
        .unwrap();
        let port = PortArgs {
            port: sim.path(),
            baud: None,
            timeout: 1.0,
        };
        let (sam_id, record) = read_card_once(&port).unwrap();
        assert_eq!(sam_id, onevisit_drivers::sim::sam::SIM_SAM_ID);
        assert_eq!(record, TestCard::Expired.record());
        sim.control().remove();
        let port = PortArgs {
            timeout: 0.3,
            ..port
        };
        assert!(
            read_card_once(&port)
                .unwrap_err()
                .contains("未检测到身份证")
        );
    }

    #[test]
    fn simulator_commands_are_understood() {
        let sim = SamSimulator::start(SimOptions::default()).unwrap();
        let control_handle = sim.control();
        assert_eq!(control(control_handle, "place expired"), Ok(false));
        assert_eq!(control(control_handle, "fault silence 2"), Ok(false));
        assert!(
            control(control_handle, "place nobody")
                .unwrap_err()
                .contains("resident")
        );
        assert!(control(control_handle, "fault fire").is_err());
        assert_eq!(control(control_handle, "quit"), Ok(true));
    }
}
