//! `onevisit handwriting`: the recognizer behind the pad, as a command.

use serde_json::Value;
use std::process::Command;

fn handwriting(strokes: &str, model: Option<&str>) -> (i32, Value) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_onevisit"));
    command.args(["handwriting", "--format", "json", "--strokes", strokes]);
    if let Some(model) = model {
        command.env("ONEVISIT_HANDWRITING_MODEL", model);
    }
    let out = command.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json)
}

const SHI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/handwriting/shi.json"
);

#[test]
fn a_written_ten_comes_back_among_the_first_five_candidates() {
    let (code, json) = handwriting(SHI, None);
    assert_eq!(code, 0, "{json}");
    let candidates: Vec<&str> = json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(candidates.len() >= 8, "{candidates:?}");
    assert!(candidates[..5].contains(&"十"), "{candidates:?}");
}

#[test]
fn bad_strokes_or_a_missing_model_fail_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"width": 300, "strokes": "十"}"#).unwrap();
    let (code, json) = handwriting(broken.to_str().unwrap(), None);
    assert_eq!(code, 1);
    assert!(json["error"].as_str().unwrap().contains("不是"), "{json}");

    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"width": 300, "height": 300, "strokes": []}"#).unwrap();
    let (code, json) = handwriting(empty.to_str().unwrap(), None);
    assert_eq!(code, 1);
    assert!(
        json["error"].as_str().unwrap().contains("还没有写字"),
        "{json}"
    );

    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; 2_000_000]).unwrap();
    let (code, json) = handwriting(huge.to_str().unwrap(), None);
    assert_eq!(code, 1);
    assert!(json["error"].as_str().unwrap().contains("字节"), "{json}");

    let (code, json) = handwriting(SHI, Some("/nonexistent/zh_CN.model"));
    assert_eq!(code, 1);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("tegaki-zinnia-simplified-chinese"),
        "{json}"
    );
}
