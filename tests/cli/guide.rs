//! The `onevisit guide` command's JSON is a documented, stable interface
//! (docs/guide-json.md): these tests pin its shape.

use serde_json::Value;
use std::process::Command;

fn guide(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .arg("guide")
        .args(args)
        .env(
            "ONEVISIT_CATALOG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/catalog"),
        )
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_question_has_id_text_and_options_with_one_default() {
    let (code, json, _) = guide(&["B01", "--answer", "new_entity=new", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json["status"], "question");
    assert_eq!(json["question"]["id"], "entity_type");
    assert!(json["question"]["text"].as_str().unwrap().contains("企业"));
    let options = json["question"]["options"].as_array().unwrap();
    let ids: Vec<&str> = options.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["company", "branch", "partnership", "other"]);
    assert!(
        options
            .iter()
            .all(|o| o["label"].is_string() && o["default"].is_boolean())
    );
    assert_eq!(options.iter().filter(|o| o["default"] == true).count(), 1);
}

#[test]
fn a_notice_has_lead_department_items_and_merged_materials() {
    let (code, json, _) = guide(&[
        "B01",
        "--answer",
        "new_entity=new",
        "--answer",
        "entity_type=company",
        "--answer",
        "lodging=yes",
        "--answer",
        "construction=no",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json["status"], "notice");
    let n = &json["notice"];
    assert_eq!(n["lead_department"]["name"], "区市场监管局");
    let items = n["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "company_registration",
            "food_business_licence",
            "public_place_hygiene_licence",
            "hotel_special_trade_licence"
        ]
    );
    let hotel = &items[3];
    assert_eq!(hotel["department"], "police");
    assert_eq!(hotel["department_name"], "濮阳市公安局华龙区分局");
    assert!(hotel["statutory_limit"]["text"].is_string());
    assert!(
        hotel["statutory_limit"]["verified"].is_string()
            || hotel["statutory_limit"]["verified"].is_boolean()
    );
    let materials = n["materials"].as_array().unwrap();
    let licence = materials
        .iter()
        .find(|m| m["id"] == "business_licence")
        .unwrap();
    assert_eq!(licence["name"], "营业执照");
    let served: Vec<&str> = licence["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert!(
        served.contains(&"food_business_licence")
            && served.contains(&"hotel_special_trade_licence")
    );
    assert_eq!(n["catalog_version"]["declared"], "2026.11-1");
}

#[test]
fn a_referral_says_why_and_where() {
    let (code, json, _) = guide(&[
        "B01",
        "--answer",
        "new_entity=new",
        "--answer",
        "entity_type=other",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json["status"], "referral");
    assert!(
        json["referral"]["reason"]
            .as_str()
            .unwrap()
            .contains("个体工商户")
    );
    assert!(json["referral"]["where"].as_str().unwrap().contains("窗口"));
}

#[test]
fn list_and_enumerate_cover_the_catalog() {
    let (code, json, _) = guide(&["--list", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json.as_array().unwrap().len(), 13);
    assert_eq!(json[6]["code"], "B07");
    assert_eq!(json[6]["name"], "开办诊所");
    let (code, json, _) = guide(&["B08", "--enumerate", "--format", "json"]);
    assert_eq!(code, 0);
    let paths = json.as_array().unwrap();
    assert!(paths.iter().any(|p| p["outcome"]["status"] == "referral"));
    assert!(paths.iter().all(|p| p["outcome"]["status"] != "question"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let (code, _, err) = guide(&["B01", "--answer", "new_entity"]);
    assert_eq!(code, 2);
    assert!(err.contains("问题=选项"), "{err}");
    let (code, _, err) = guide(&["B01", "--answer", "new_entity=perhaps"]);
    assert_eq!(code, 2);
    assert!(err.contains("可选：new | existing"), "{err}");
    let (code, _, err) = guide(&["B14"]);
    assert_eq!(code, 2);
    assert!(err.contains("B14"), "{err}");
}
