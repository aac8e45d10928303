//! `onevisit capture` and `onevisit devices test camera` as a technician
//! runs them, on generated photos and the simulated camera.

use onevisit_drivers::camera::scene::Scene;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn onevisit(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}"));
    (out.status.code().unwrap(), json)
}

/// `onevisit capture --image IMAGE --out OUT --format json`.
fn capture(image: &str, out: &str) -> (i32, Value) {
    onevisit(&[
        "capture", "--image", image, "--out", out, "--format", "json",
    ])
}

fn photo(dir: &Path, name: &str, scene: &Scene) -> String {
    let path = dir.join(name);
    scene.render().save(&path).unwrap();
    path.display().to_string()
}

#[test]
fn a_photo_of_a_page_becomes_a_straight_a4_jpeg() {
    let dir = tempfile::tempdir().unwrap();
    let scene = Scene::page(1280, 960, 8.0, 0.06);
    let image = photo(dir.path(), "desk.png", &scene);
    let out = dir.path().join("page.jpg");
    let (code, json) = capture(&image, out.to_str().unwrap());
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["ok"], true);
    assert_eq!(
        (json["width"].as_u64(), json["height"].as_u64()),
        (Some(1240), Some(1754))
    );
    assert!(
        (json["angle_deg"].as_f64().unwrap() - 8.0).abs() < 1.0,
        "{json}"
    );
    let corners = json["corners"].as_array().unwrap();
    for (found, real) in corners.iter().zip(scene.page.unwrap()) {
        let (x, y) = (found[0].as_f64().unwrap(), found[1].as_f64().unwrap());
        assert!(
            (x - real.0 as f64).hypot(y - real.1 as f64) < 10.0,
            "{found} vs {real:?}"
        );
    }
    let written = std::fs::read(&out).unwrap();
    assert_eq!(written.len() as u64, json["bytes"].as_u64().unwrap());
    assert!(written.len() <= 500 * 1024);
    let decoded = image::load_from_memory(&written).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1240, 1754));
}

#[test]
fn an_empty_desk_or_a_bad_file_is_refused_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.jpg");
    let empty = photo(dir.path(), "empty.png", &Scene::empty_desk(640, 480));
    let (code, json) = capture(&empty, out.to_str().unwrap());
    assert_eq!(
        (code, json["code"].as_str()),
        (1, Some("capture.no_page")),
        "{json}"
    );
    assert!(json["reason"].as_str().unwrap().contains("没有找到材料"));
    assert!(!out.exists(), "nothing written for a refusal");

    let garbage = dir.path().join("garbage.jpg");
    std::fs::write(&garbage, b"\xFF\xD8\xFF\xE0 not really a jpeg").unwrap();
    let (code, json) = capture(garbage.to_str().unwrap(), out.to_str().unwrap());
    assert_eq!(
        (code, json["code"].as_str()),
        (1, Some("capture.unreadable")),
        "{json}"
    );
}

#[test]
fn the_simulated_camera_passes_the_camera_test_and_a_missing_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("page.jpg");
    let (code, json) = onevisit(&[
        "devices",
        "test",
        "camera",
        "--device",
        "sim",
        "--frames",
        "4",
        "--save",
        save.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["format"], "mjpeg");
    assert_eq!(json["page"]["found"], true, "{json}");
    assert!(save.exists());
    let (code, json) = onevisit(&[
        "devices",
        "test",
        "camera",
        "--device",
        "/dev/video-onevisit-none",
        "--format",
        "json",
    ]);
    assert_eq!(
        (code, json["code"].as_str()),
        (1, Some("camera.not_found")),
        "{json}"
    );
}
