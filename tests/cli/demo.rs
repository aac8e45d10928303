//! `onevisit demo --out DIR`: a scripted visit through the real UI,
//! headless: a PNG of every screen, beside it a WAV of what that screen
//! says aloud (读屏), and the printed receipt.

use std::path::Path;
use std::process::Command;

use crate::speak::measure;

#[test]
fn demo_writes_each_screen_as_png_and_what_it_says_as_wav() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let pngs: Vec<&String> = listed
        .iter()
        .filter(|f| f.ends_with(".png") && !f.contains("printed-"))
        .collect();
    assert!(pngs.len() >= 10, "{listed:?}");
    for png in pngs {
        assert!(Path::new(png).is_file(), "{png}");
        let wav = png.replace(".png", ".wav");
        assert!(listed.contains(&wav), "no WAV beside {png}");
        let (seconds, rms) = measure(Path::new(&wav));
        assert!(seconds > 0.5, "{wav}: {seconds} s");
        assert!(rms > 0.02, "{wav}: rms {rms}");
    }
    // The notice says far more than the welcome page.
    let long = |stem: &str| {
        let wav = listed
            .iter()
            .find(|f| f.ends_with(&format!("-{stem}.wav")))
            .unwrap_or_else(|| panic!("no {stem}.wav in {listed:?}"));
        measure(Path::new(wav)).0
    };
    assert!(long("notice") > 3.0 * long("welcome"));
    assert!(
        listed
            .iter()
            .any(|f| f.contains("printed-receipt-") && f.ends_with(".png")),
        "{listed:?}"
    );
}
