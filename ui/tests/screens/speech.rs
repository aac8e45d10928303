//! Headless UI: 读屏 with a real speaker (eSpeak NG's Mandarin into
//! memory, played at real-time pace, no sound card): no bar without a
//! speaker; standard mode stays silent until 朗读本页; 长者模式 turns
//! 自动朗读 on and each screen is said as it appears (a card read too);
//! a tap stops speech, 重听 says it again, 小声 says it again more quietly;
//! the idle prompt is said once, not every second; 自动朗读：关 silences new
//! screens; a wipe turns speech off and leaves nothing to 重听; a notice is
//! handed over a few sentences at a time. The speaker
//! runs on its own thread: every wait is a bounded poll. One event-loop
//! test per file.

use crate::common::sample_card;
use crate::ui::{find, tap};

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_drivers::speech::{MemoryOut, Played, Speaker, SpeechSettings, Synthesizer};
use onevisit_ui::{AppState, AppWindow, BundleState, Kiosk, SessionController, SpeechState};
use slint::ComponentHandle;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn settle() {
    for _ in 0..5 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

/// Waits (real time, at most 10 s) until `done` holds.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn shows(window: &AppWindow, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(window, label)
        .next()
        .is_some()
}

/// Real Mandarin: long enough, and not silence.
fn is_speech(p: &Played) -> bool {
    p.pcm.duration() > Duration::from_millis(500) && p.pcm.rms() > 0.01
}

pub fn screens_are_read_aloud_and_a_touch_stops_them() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    window.show().unwrap();
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()),
    );
    let state = window.global::<SpeechState>();
    settle();
    assert!(!shows(&window, "朗读本页"), "no speaker: no speech bar");

    let out = MemoryOut::paced(1.0);
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let told = errors.clone();
    let speaker = Arc::new(Speaker::new(
        Synthesizer::open().expect("the install script installs espeak-ng-data"),
        Box::new(out.clone()),
        SpeechSettings::default(),
        move |e| told.lock().unwrap().push(e.to_string()),
    ));
    kiosk.set_speaker(speaker.clone());
    settle();
    assert!(shows(&window, "朗读本页") && shows(&window, "自动朗读：关"));
    assert!(!shows(&window, "重听"), "nothing said yet");

    // Standard mode: silent until 朗读本页.
    tap(&window, "开始办理");
    settle();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(out.started(), 0, "standard mode speaks only when asked");
    assert_eq!(kiosk.last_spoken(), None);
    tap(&window, "朗读本页");
    settle();
    wait_for("the card page said", || out.started() == 1);
    assert!(
        kiosk
            .last_spoken()
            .unwrap()
            .contains("请把身份证平放在下方的读卡区")
    );
    assert!(shows(&window, "重听") && shows(&window, "小声"));

    // 长者模式: 自动朗读 on, and the screen said again at once.
    tap(&window, "长者模式");
    settle();
    assert!(state.get_auto() && shows(&window, "自动朗读：开"));
    wait_for("the card page said in 长者模式", || out.started() == 2);
    let button = find(&window, "朗读本页");
    assert!(button.size().height >= 88.0, "{:?}", button.size());
    assert_eq!(speaker.rate(), onevisit_drivers::speech::ELDERLY_RATE_WPM);

    // A card read (a device event, not a touch) is said.
    kiosk.event(|c| c.card_placed(sample_card()));
    settle();
    wait_for("the card read", || out.started() == 3);
    let said = kiosk.last_spoken().unwrap();
    assert!(said.contains("已读取您的证件"), "{said}");
    assert!(!said.contains(&sample_card().name), "{said}");
    tap(&window, "同意并继续");
    settle();
    wait_for("the bundles", || out.started() == 4);
    assert!(kiosk.last_spoken().unwrap().contains("请取走身份证"));
    window.global::<BundleState>().invoke_choose("B01".into());
    settle();
    wait_for("the first question", || out.started() == 5);
    let question = kiosk.controller().question().unwrap().0;
    let said = kiosk.last_spoken().unwrap();
    assert!(
        said.contains(&question.text) && said.contains("第1项，"),
        "{said}"
    );

    // A touch anywhere stops it; nothing new is said.
    wait_for("the question playing", || speaker.is_speaking());
    window.global::<AppState>().invoke_still_here();
    settle();
    wait_for("silence after a touch", || !speaker.is_speaking());
    let played = out.played();
    assert!(played.last().unwrap().interrupted, "cut off by the touch");
    assert_eq!(out.started(), 5);

    // 重听: the same words again; 小声: again, quieter.
    tap(&window, "重听");
    settle();
    wait_for("重听", || out.started() == 6);
    assert_eq!(kiosk.last_spoken().unwrap(), said);
    tap(&window, "小声");
    settle();
    wait_for("小声", || out.started() == 7);
    assert_eq!(state.get_volume_label(), "音量 70");
    assert_eq!(speaker.volume(), 70);
    tap(&window, "朗读本页");
    settle();
    wait_for("the plays recorded", || out.played().len() == 7);
    let played = out.played();
    assert!(played.iter().all(is_speech), "real speech every time");
    let (loud, quiet) = (played[5].pcm.rms(), played[6].pcm.rms());
    assert!(
        quiet < 0.95 * loud && quiet > 0.7 * loud,
        "80 → 70: RMS {loud} → {quiet}"
    );
    wait_for("朗读本页", || out.started() == 8);

    // The idle prompt: said when it appears, not at each second after.
    for _ in 0..61 {
        mock_elapsed_time(Duration::from_secs(1));
    }
    assert!(window.global::<AppState>().get_idle_prompt());
    wait_for("the idle prompt", || out.started() == 9);
    assert!(kiosk.last_spoken().unwrap().starts_with("您还在吗？"));
    for _ in 0..3 {
        mock_elapsed_time(Duration::from_secs(1));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(out.started(), 9, "the countdown is said once");
    tap(&window, "我还在，继续办理");
    settle();
    wait_for("back on the question", || out.started() == 10);

    // 自动朗读：关: new screens stay silent.
    tap(&window, "自动朗读：开");
    settle();
    assert!(!state.get_auto() && shows(&window, "自动朗读：关"));
    wait_for("silence", || !speaker.is_speaking());
    let selected = kiosk.controller().question().unwrap().1;
    kiosk.update(|c| c.answer(&selected));
    settle();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(out.started(), 10, "off: the next question is not said");

    // A wipe: speech off again, nothing left to 重听.
    tap(&window, "自动朗读：关");
    settle();
    wait_for("on again", || out.started() == 11);
    kiosk.update(|c| c.wipe());
    settle();
    assert!(!state.get_auto() && shows(&window, "自动朗读：关"));
    assert!(!shows(&window, "重听"), "the last visit's words are gone");
    assert_eq!(kiosk.last_spoken(), None);
    assert_eq!(state.get_volume_label(), "音量 80");
    wait_for("silence after the wipe", || !speaker.is_speaking());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(out.started(), 11, "the welcome page is not read to nobody");
    assert!(errors.lock().unwrap().is_empty(), "{:?}", errors.lock());

    // A notice (minutes of speech) goes to the speaker a few sentences at
    // a time, each after the last, none cut off; here into an instant
    // output.
    let fast = MemoryOut::new();
    kiosk.set_speaker(Arc::new(Speaker::new(
        Synthesizer::open().unwrap(),
        Box::new(fast.clone()),
        SpeechSettings::default(),
        |_| {},
    )));
    kiosk.update(|c| {
        crate::common::visit::to_notice(c, "B01");
        c.toggle_speech();
    });
    let end = Instant::now() + Duration::from_secs(10);
    while kiosk.is_speaking() {
        assert!(Instant::now() < end, "the notice never ended");
        mock_elapsed_time(Duration::from_millis(100));
        std::thread::sleep(Duration::from_millis(5));
    }
    let played = fast.played();
    assert!(played.len() >= 4, "{} pieces", played.len());
    let total: Duration = played.iter().map(|p| p.pcm.duration()).sum();
    assert!(
        total > Duration::from_secs(120),
        "the whole notice: {total:?}"
    );
    for p in &played {
        assert!(!p.interrupted && is_speech(p));
        assert!(
            p.pcm.duration() < Duration::from_secs(90),
            "{:?}",
            p.pcm.duration()
        );
    }
}
