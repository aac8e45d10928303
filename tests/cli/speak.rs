//! `onevisit speak`: the kiosk's Mandarin speech as a command, to a WAV
//! file (no sound card needed) or the speakers.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SENTENCE: &str = "请插入身份证，办理开餐馆一件事";

fn speak(args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_onevisit"));
    command.args(["speak", "--format", "json"]).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json)
}

fn error(json: &Value) -> &str {
    json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {json}"))
}

/// (seconds, RMS amplitude 0..1) of a WAV file, read back with hound
/// (through the drivers' own `Pcm::read_wav`).
pub(crate) fn measure(path: &Path) -> (f64, f64) {
    let pcm = onevisit_drivers::speech::Pcm::read_wav(path).unwrap();
    (pcm.duration().as_secs_f64(), pcm.rms())
}

#[test]
fn a_sentence_becomes_a_wav_file_with_speech_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("sentence.wav");
    let (code, json) = speak(&["--text", SENTENCE, "--out", wav.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["out"], wav.to_str().unwrap());
    assert_eq!(json["sample_rate"], 22_050);
    let (seconds, rms) = measure(&wav);
    assert!((2.0..15.0).contains(&seconds), "{seconds} s");
    assert!(
        (json["seconds"].as_f64().unwrap() - seconds).abs() < 0.01,
        "{json}"
    );
    assert!(rms > 0.05, "rms {rms}");

    // Slower for elderly listeners, quieter on request.
    let slow = dir.path().join("slow.wav");
    let (code, json) = speak(
        &[
            "--text",
            SENTENCE,
            "--out",
            slow.to_str().unwrap(),
            "--rate",
            "100",
            "--volume",
            "50",
        ],
        &[],
    );
    assert_eq!(code, 0, "{json}");
    let (slow_seconds, slow_rms) = measure(&slow);
    assert!(slow_seconds > 1.2 * seconds, "{slow_seconds} vs {seconds}");
    assert!(slow_rms < 0.6 * rms, "{slow_rms} vs {rms}");

    // The text format says the same for a person.
    let out = Command::new(env!("CARGO_BIN_EXE_onevisit"))
        .args(["speak", "--text", "你好", "--out"])
        .arg(dir.path().join("hello.wav"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("秒") && stdout.contains("22050 Hz"),
        "{stdout}"
    );
}

#[test]
fn empty_text_or_bad_settings_fail_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("x.wav");
    let out = wav.to_str().unwrap();
    let (code, json) = speak(&["--text", "  ", "--out", out], &[]);
    assert_eq!(code, 1);
    assert!(error(&json).contains("没有要朗读的文字"), "{json}");
    let (code, json) = speak(&["--text", SENTENCE, "--out", out, "--volume", "300"], &[]);
    assert_eq!(code, 1);
    assert!(error(&json).contains("音量"), "{json}");
    let (code, json) = speak(&["--text", SENTENCE, "--out", out, "--rate", "20"], &[]);
    assert_eq!(code, 1);
    assert!(error(&json).contains("语速"), "{json}");
    let long = "办".repeat(2_001);
    let (code, json) = speak(&["--text", &long, "--out", out], &[]);
    assert_eq!(code, 1);
    assert!(error(&json).contains("太长"), "{json}");
    assert!(!wav.exists());
}

#[test]
fn an_unwritable_out_path_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir/x.wav");
    let (code, json) = speak(
        &["--text", SENTENCE, "--out", missing.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 1);
    let reason = error(&json);
    assert!(
        reason.contains("声音文件") && reason.contains("no-such-dir"),
        "{reason}"
    );
    // A directory is not a file either.
    let (code, json) = speak(
        &["--text", SENTENCE, "--out", dir.path().to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 1);
    assert!(error(&json).contains("声音文件"), "{json}");
}

#[test]
fn a_missing_voice_or_data_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    let out = out.to_str().unwrap();
    let (code, json) = speak(
        &["--text", SENTENCE, "--out", out],
        &[("ONEVISIT_SPEECH_VOICE", "no-such-voice")],
    );
    assert_eq!(code, 1);
    assert!(error(&json).contains("no-such-voice"), "{json}");
    assert!(error(&json).contains("espeak-ng-data"), "{json}");
    let (code, json) = speak(
        &["--text", SENTENCE, "--out", out],
        &[("ONEVISIT_SPEECH_DATA", "/nonexistent/espeak-ng-data")],
    );
    assert_eq!(code, 1);
    assert!(error(&json).contains("请安装 espeak-ng-data"), "{json}");
}

#[test]
fn playing_without_a_sound_card_fails_soft_after_writing_the_file() {
    if Path::new("/proc/asound/cards").exists() {
        eprintln!("SKIPPED: this machine has sound cards; the no-card case needs one without");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("x.wav");
    let (code, json) = speak(
        &["--text", SENTENCE, "--out", wav.to_str().unwrap(), "--play"],
        &[],
    );
    assert_eq!(code, 1);
    assert!(error(&json).contains("没有可用的扬声器"), "{json}");
    assert!(measure(&wav).1 > 0.05);
}
