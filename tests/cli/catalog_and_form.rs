//! `onevisit catalog check` and `onevisit form` as a person runs them: the
//! exit code and what they print (the checks and the form themselves are
//! tested in onevisit-core).

use crate::common::copy_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")
}

#[test]
fn catalog_check_cli_exits_non_zero_with_every_error() {
    let ok = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(["catalog", "check"])
        .arg(shipped())
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("目录有效"));

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    let item = dir.path().join("items/food_business_licence.toml");
    let text = std::fs::read_to_string(&item).unwrap();
    std::fs::write(
        &item,
        text.replacen("\"market\"", "\"nowhere\"", 1)
            .replacen("ref = \"F08\"", "ref = \"F88\"", 1),
    )
    .unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(["catalog", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("nowhere") && stderr.contains("F88"),
        "{stderr}"
    );
    assert!(stderr.contains("food_business_licence.toml:"), "{stderr}");
}

#[test]
fn form_cli_prints_applications_or_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let run = |values: &Path| {
        Command::new(env!("CARGO_BIN_EXE_onevisit"))
            .args(["form", "B01", "--format", "json", "--answers"])
            .arg(dir.join("b01-answers.toml"))
            .arg("--applicant")
            .arg(dir.join("applicant.json"))
            .arg("--values")
            .arg(values)
            .env(
                "ONEVISIT_CATALOG",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog"),
            )
            .output()
            .unwrap()
    };
    let ok = run(&dir.join("b01-values.toml"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(json["status"], "valid");
    assert_eq!(json["applications"].as_array().unwrap().len(), 2);

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("values.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(dir.join("b01-values.toml"))
            .unwrap()
            .replace("F09 = \"120.5\"", "F09 = \"-3\""),
    )
    .unwrap();
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "invalid");
    assert_eq!(json["errors"][0]["field"], "F09");
}

#[test]
fn form_show_marks_what_is_prefilled_offered_and_left_to_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let out = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(["form", "B01", "--show", "--format", "json", "--answers"])
        .arg(dir.join("b01-answers.toml"))
        .arg("--applicant")
        .arg(dir.join("applicant.json"))
        .env(
            "ONEVISIT_CATALOG",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields: Vec<&serde_json::Value> = json["form"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .collect();
    let field = |id: &str| *fields.iter().find(|f| f["id"] == id).unwrap();
    assert_eq!(field("F04")["prefilled"]["source"], "id_card");
    assert_eq!(field("F03")["prefilled"]["source"], "questionnaire");
    assert_eq!(field("F07")["offered"]["source"], "id_card");
    assert_eq!(field("F08")["offered"]["source"]["field"], "F07");
    // Record subfields carry their own marks.
    let liaison = field("F22");
    assert_eq!(liaison["offered"]["source"], "record");
    let mobile = liaison["records"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "mobile")
        .unwrap();
    assert_eq!(mobile["offered"]["source"]["field"], "F06");
    let counts = &json["counts"];
    let typed = counts["typed"].as_u64().unwrap();
    assert_eq!(json["typed"].as_array().unwrap().len() as u64, typed);
    assert!(typed <= 10, "{counts}");
    assert_eq!(
        counts["required"].as_u64().unwrap(),
        counts["prefilled"].as_u64().unwrap() + counts["offered"].as_u64().unwrap() + typed
    );
}
