//! `onevisit staff …` and `onevisit progress` as an operator runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn onevisit(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onevisit"));
    c.args(args)
        .env_remove("ONEVISIT_CONFIG")
        .env_remove("ONEVISIT_PRODUCTION");
    c
}

fn run(args: &[&str]) -> Output {
    onevisit(args).output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = onevisit(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn hash_pin_prints_a_phc_string_for_kiosk_toml() {
    let o = with_stdin(&["staff", "hash-pin"], "246810\n");
    assert!(o.status.success(), "{}", err(&o));
    let h = out(&o).trim().to_string();
    assert!(h.starts_with("$argon2id$"), "{h}");
    assert!(!h.contains("246810"));
    // The hash verifies with the gate.
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(onevisit_core::staff::StaffStore::open(dir.path()).unwrap());
    let gate = onevisit_core::staff::StaffGate::new(
        store,
        Some(&h),
        std::sync::Arc::new(onevisit_core::staff::SystemClock),
    )
    .unwrap();
    assert_eq!(
        gate.try_enter("246810").unwrap(),
        onevisit_core::staff::GateOutcome::Granted
    );
    let bad = with_stdin(&["staff", "hash-pin"], "12ab\n");
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("6 到 12 位数字"));
}

#[test]
fn staff_tasks_and_the_progress_query_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kiosk");
    let d = data.to_str().unwrap();
    let ex = run(&["submit", "--example"]);
    let file = dir.path().join("s.json");
    std::fs::write(&file, &ex.stdout).unwrap();
    let sub = run(&["submit", "--file", file.to_str().unwrap(), "--data-dir", d]);
    assert!(sub.status.success(), "{}", err(&sub));
    let receipt = out(&sub).trim().to_string();

    let st = run(&["staff", "status", "--format", "json", "--data-dir", d]);
    assert!(st.status.success(), "{}", err(&st));
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["outbox"]["queued"], 1);
    assert_eq!(v["paper"]["level"], "ok");
    assert_eq!(v["devices"][0]["condition"], "missing", "no kiosk ran");
    assert!(v["disk"]["free_bytes"].as_u64().unwrap() > 0);
    let text = run(&["staff", "status", "--data-dir", d]);
    assert!(out(&text).contains("待发送 1"), "{}", out(&text));

    let r = run(&[
        "staff",
        "paper-restocked",
        "--paper-roll-m",
        "80",
        "--data-dir",
        d,
    ]);
    assert!(r.status.success(), "{}", err(&r));
    assert!(out(&r).contains("80.0 米"), "{}", out(&r));
    let r = run(&["staff", "out-of-service", "--window", "5", "--data-dir", d]);
    assert_eq!(out(&r).trim(), "暂停服务，请到5号窗口办理");
    let st = run(&["staff", "status", "--format", "json", "--data-dir", d]);
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["out_of_service"]["message"], "暂停服务，请到5号窗口办理");
    run(&["staff", "out-of-service", "--off", "--data-dir", d]);

    // An applicant pressed 呼叫工作人员 on the kiosk: status names the
    // kiosk and the screen, JSON carries it for tools.
    let desk = onevisit_core::staff::StaffDesk::open(
        &data,
        onevisit_core::staff::PaperSettings::default(),
        std::sync::Arc::new(onevisit_core::staff::SystemClock),
    )
    .unwrap();
    desk.call_for_help("填写申请表").unwrap();
    let text = run(&["staff", "status", "--data-dir", d]);
    let said = out(&text);
    assert!(said.contains("呼叫工作人员：终端 "), "{said}");
    assert!(said.contains("“填写申请表”页"), "{said}");
    let st = run(&["staff", "status", "--format", "json", "--data-dir", d]);
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["help"][0]["screen"], "填写申请表");
    desk.help_answered().unwrap();
    let text = run(&["staff", "status", "--data-dir", d]);
    assert!(
        !out(&text).contains("呼叫工作人员"),
        "answered calls are gone"
    );

    // Progress with the platform down: the kiosk's own answer.
    let nowhere = format!("http://127.0.0.1:{}/", crate::common::free_port());
    let p = run(&[
        "progress",
        "--receipt",
        &receipt,
        "--last4",
        "0026",
        "--data-dir",
        d,
        "--platform",
        &nowhere,
        "--timeout-ms",
        "1000",
    ]);
    assert!(p.status.success(), "{}", err(&p));
    assert!(out(&p).contains("已保存在本机，尚未提交"), "{}", out(&p));
    let p = run(&[
        "progress",
        "--receipt",
        &receipt,
        "--last4",
        "9999",
        "--data-dir",
        d,
        "--platform",
        &nowhere,
    ]);
    assert_eq!(p.status.code(), Some(1));
    assert!(err(&p).contains("没有查到"));

    // Sent to the platform: its per-item answer.
    let srv = crate::common::server(dir.path(), |_| {});
    let up = run(&[
        "uplink",
        "--until-empty",
        "--deadline-secs",
        "60",
        "--data-dir",
        d,
        "--platform",
        &srv.url(),
    ]);
    assert!(up.status.success(), "{}", err(&up));
    // The uplink service sent a heartbeat with the paper forecast the
    // staff database holds (no kiosk ran, so no device health).
    let c = onevisit_platform::store::open(&dir.path().join("platform.sqlite3")).unwrap();
    let body: String = c
        .query_row(
            "SELECT body FROM heartbeats ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let hb: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(hb["paper_level"], 100, "{hb}");
    assert_eq!(hb["paper"]["level"], "ok", "{hb}");
    let qr = onevisit_core::print::qr_payload::receipt_payload(&receipt);
    let p = run(&[
        "progress",
        "--receipt",
        &qr,
        "--last4",
        "0026",
        "--format",
        "json",
        "--data-dir",
        d,
        "--platform",
        &srv.url(),
    ]);
    assert!(p.status.success(), "{}", err(&p));
    let v: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(v["outcome"], "found");
    assert_eq!(v["source"], "platform");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "已受理"),
        "{v}"
    );

    // The audit log has the staff actions and the queries (no ID data).
    let a = run(&["staff", "audit", "--data-dir", d]);
    let a = out(&a);
    for want in ["paper_restocked", "out_of_service", "progress_query"] {
        assert!(a.contains(want), "{want} in {a}");
    }
    assert!(!a.contains("0026 "), "{a}");

    // Diagnostics with a log holding an ID number.
    let logs = dir.path().join("kiosk.log");
    std::fs::write(&logs, "INFO reader card id 410902198503120026 placed\n").unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let r = run(&[
        "staff",
        "diagnostics",
        "--out",
        usb.to_str().unwrap(),
        "--log",
        logs.to_str().unwrap(),
        "--data-dir",
        d,
    ]);
    assert!(r.status.success(), "{}", err(&r));
    let bundle = std::path::PathBuf::from(out(&r).trim());
    let log = std::fs::read_to_string(bundle.join("logs/00-kiosk.log")).unwrap();
    assert!(!log.contains("410902198503120026") && log.contains("410***********0026"));
    let r = run(&[
        "staff",
        "diagnostics",
        "--out",
        dir.path().join("no-stick").to_str().unwrap(),
        "--data-dir",
        d,
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(err(&r).contains("无法写入"), "{}", err(&r));
}
