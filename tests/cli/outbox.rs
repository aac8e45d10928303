//! Both servers from the command line, as an operator would run them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

fn onevisit(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onevisit"));
    c.args(args)
        .env_remove("ONEVISIT_CONFIG")
        .env_remove("ONEVISIT_PRODUCTION");
    c
}

fn run(c: &mut Command) -> Output {
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `platform serve` on an ephemeral port and returns its URL.
fn serve(db: &std::path::Path, extra: &[&str]) -> (Server, String) {
    let mut args = vec!["platform", "serve", "--listen", "127.0.0.1:0", "--db"];
    let db = db.to_str().unwrap();
    args.push(db);
    args.extend_from_slice(extra);
    let mut child = onevisit(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("platform listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (Server(child), url)
}

#[test]
fn submit_uplink_and_list_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("platform.sqlite3");
    let data = dir.path().join("kiosk");
    let data_s = data.to_str().unwrap();
    let (_srv, url) = serve(&db, &["--latency-ms", "5"]);

    let ex = run(&mut onevisit(&["submit", "--example"]));
    assert!(ex.status.success());
    let file = dir.path().join("s.json");
    std::fs::write(&file, &ex.stdout).unwrap();
    let file_s = file.to_str().unwrap();

    let sub = run(&mut onevisit(&[
        "submit",
        "--file",
        file_s,
        "--data-dir",
        data_s,
    ]));
    assert!(
        sub.status.success(),
        "{}",
        String::from_utf8_lossy(&sub.stderr)
    );
    let receipt = stdout(&sub).trim().to_string();
    assert!(
        onevisit_core::outbox::receipt::normalise(&receipt).is_some(),
        "{receipt}"
    );
    // Without a configuration the development keys are announced loudly.
    assert!(String::from_utf8_lossy(&sub.stderr).contains("DEVELOPMENT"));

    let st = run(&mut onevisit(&[
        "outbox",
        "status",
        "--format",
        "json",
        "--data-dir",
        data_s,
    ]));
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["pending"], 1);
    assert_eq!(v["head"]["receipt"], receipt.as_str());

    // The platform unreachable: the queue holds, the operator sees why,
    // and a deadline ends the run with exit code 4.
    let nowhere = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let down = run(&mut onevisit(&[
        "uplink",
        "--until-empty",
        "--no-heartbeat",
        "--deadline-secs",
        "2",
        "--data-dir",
        data_s,
        "--platform",
        &nowhere,
    ]));
    assert_eq!(down.status.code(), Some(4));
    let err = String::from_utf8_lossy(&down.stderr);
    assert!(
        err.contains("will be retried") && err.contains(&receipt),
        "{err}"
    );

    let up = run(&mut onevisit(&[
        "uplink",
        "--until-empty",
        "--deadline-secs",
        "60",
        "--data-dir",
        data_s,
        "--platform",
        &url,
    ]));
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );

    let st = run(&mut onevisit(&[
        "outbox",
        "status",
        "--format",
        "json",
        "--data-dir",
        data_s,
    ]));
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["pending"], 0);
    assert_eq!(v["counts"]["case"]["accepted"], 1);
    assert_eq!(v["uplink"]["mode"], "online");

    let show = run(&mut onevisit(&[
        "outbox",
        "show",
        &receipt,
        "--data-dir",
        data_s,
    ]));
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["state"], "accepted");
    assert!(
        v["case_numbers"].as_array().is_some_and(|a| a.len() >= 2),
        "{v}"
    );

    // The applicant's progress query goes to the platform.
    let prog = run(&mut onevisit(&[
        "outbox",
        "progress",
        &receipt,
        "--platform",
        &url,
    ]));
    assert!(
        prog.status.success(),
        "{}",
        String::from_utf8_lossy(&prog.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&prog.stdout).unwrap();
    assert_eq!(v["receipt"], receipt.as_str());
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "accepted"),
        "{v}"
    );

    let list = run(&mut onevisit(&[
        "platform",
        "list",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["receipt"], receipt.as_str());
    assert_eq!(cases[0]["idempotency_key"].as_str().unwrap().len(), 32);
    assert!(v["heartbeats"].as_u64().unwrap() >= 1, "{v}");

    // A mistyped receipt is caught by its check character.
    let mut typo = receipt.clone().into_bytes();
    let i = typo.len() - 3;
    typo[i] = if typo[i] == b'1' { b'2' } else { b'1' };
    let bad = run(&mut onevisit(&[
        "outbox",
        "retry",
        std::str::from_utf8(&typo).unwrap(),
        "--data-dir",
        data_s,
    ]));
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn invalid_submissions_get_chinese_reasons_and_production_needs_keys() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kiosk");
    let data_s = data.to_str().unwrap();
    let mut input = onevisit_core::visit::submission::example_input();
    input.answers.remove("lodging");
    let file = dir.path().join("s.json");
    std::fs::write(&file, serde_json::to_string(&input).unwrap()).unwrap();
    let o = run(&mut onevisit(&[
        "submit",
        "--file",
        file.to_str().unwrap(),
        "--data-dir",
        data_s,
    ]));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("问卷还没答完"));

    std::fs::write(
        &file,
        serde_json::to_string(&onevisit_core::visit::submission::example_input()).unwrap(),
    )
    .unwrap();
    let o = run(onevisit(&[
        "submit",
        "--file",
        file.to_str().unwrap(),
        "--data-dir",
        data_s,
    ])
    .env("ONEVISIT_PRODUCTION", "1"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("production"));
    assert!(!data.join("outbox.sqlite3").exists(), "nothing written");

    let o = run(&mut onevisit(&[
        "platform",
        "serve",
        "--production",
        "--listen",
        "127.0.0.1:0",
        "--db",
        dir.path().join("p.sqlite3").to_str().unwrap(),
    ]));
    assert_eq!(o.status.code(), Some(2));
}
