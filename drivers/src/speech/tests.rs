//! Against the real libespeak-ng and its `cmn` voice (installed by
//! packaging/install-build-deps.sh); only the speakers are stand-ins.

use super::*;
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc;
use std::time::Instant;

const SENTENCE: &str = "请插入身份证，办理开餐馆一件事";
const NOTICE: &str = "您要办理的是开餐馆一件事。需要准备的材料有：身份证、营业场所证明、\
    健康证明。办理的部门有：市场监督管理局、卫生健康委员会、消防救援支队。\
    请按屏幕上的提示一步一步操作，如有疑问请联系大厅工作人员。";

fn synthesizer() -> Synthesizer {
    Synthesizer::open_voice(DEFAULT_VOICE).expect("the install script installs espeak-ng-data")
}

fn speak(text: &str, settings: SpeechSettings) -> Pcm {
    synthesizer().synthesize(text, &settings).unwrap()
}

fn secs(pcm: &Pcm) -> f64 {
    pcm.duration().as_secs_f64()
}

/// eSpeak NG varies its timing a little from run to run (a few hundred
/// samples in 160 000), so "the same sound" is: lengths within 2 %, loudness
/// within 5 %.
fn same_sound(a: &Pcm, b: &Pcm) -> bool {
    let (la, lb) = (a.samples.len() as f64, b.samples.len() as f64);
    a.sample_rate == b.sample_rate
        && (la - lb).abs() <= 0.02 * la.max(lb)
        && (a.rms() - b.rms()).abs() <= 0.05 * a.rms().max(b.rms())
        && a.rms() > 0.0
}

#[test]
fn a_mandarin_sentence_gives_seconds_of_sound() {
    let pcm = speak(SENTENCE, SpeechSettings::default());
    assert_eq!(pcm.sample_rate, 22_050);
    // espeak-ng's own command takes ~6 s at 175 wpm; 140 is slower.
    assert!((2.0..15.0).contains(&secs(&pcm)), "{} s", secs(&pcm));
    assert!(pcm.rms() > 0.05, "rms {}", pcm.rms());
}

#[test]
fn a_longer_text_takes_longer() {
    let short = speak(SENTENCE, SpeechSettings::default());
    let long = speak(NOTICE, SpeechSettings::default());
    assert!(
        secs(&long) > 3.0 * secs(&short),
        "{} vs {}",
        secs(&long),
        secs(&short)
    );
}

#[test]
fn a_lower_rate_takes_longer() {
    let fast = speak(
        SENTENCE,
        SpeechSettings {
            rate_wpm: 300,
            ..Default::default()
        },
    );
    let normal = speak(SENTENCE, SpeechSettings::default());
    let elderly = speak(SENTENCE, SpeechSettings::elderly());
    assert!(
        secs(&normal) > 1.3 * secs(&fast),
        "{} vs {}",
        secs(&normal),
        secs(&fast)
    );
    assert!(
        secs(&elderly) > secs(&normal),
        "{} vs {}",
        secs(&elderly),
        secs(&normal)
    );
}

#[test]
fn volume_scales_the_sound() {
    let at = |volume_percent| {
        speak(
            SENTENCE,
            SpeechSettings {
                volume_percent,
                ..Default::default()
            },
        )
    };
    let (full, half, silent) = (at(100), at(50), at(0));
    let ratio = half.rms() / full.rms();
    assert!((0.45..0.55).contains(&ratio), "{ratio}");
    assert_eq!(silent.rms(), 0.0);
    assert!(
        secs(&silent) > 0.9 * secs(&full),
        "silence lasts as long as speech"
    );
}

#[test]
fn empty_huge_text_and_bad_settings_are_refused() {
    let s = synthesizer();
    let ok = SpeechSettings::default();
    for empty in ["", "   ", "\n\t "] {
        assert!(
            matches!(s.synthesize(empty, &ok), Err(SpeechError::EmptyText)),
            "{empty:?}"
        );
    }
    let huge = "办".repeat(MAX_TEXT_CHARS + 1);
    let error = s.synthesize(&huge, &ok).unwrap_err();
    assert!(matches!(error, SpeechError::TooLong { chars } if chars == MAX_TEXT_CHARS + 1));
    assert!(error.to_string().contains("分段"), "{error}");
    for bad in [
        SpeechSettings { rate_wpm: 10, ..ok },
        SpeechSettings {
            rate_wpm: 1_000,
            ..ok
        },
        SpeechSettings {
            volume_percent: 101,
            ..ok
        },
    ] {
        assert!(matches!(
            s.synthesize(SENTENCE, &bad),
            Err(SpeechError::BadSettings { .. })
        ));
    }
}

#[test]
fn control_characters_and_markup_are_read_not_obeyed() {
    let s = synthesizer();
    // A NUL would end the text in C: it is a space instead.
    let with_nul = s
        .synthesize("请插入\0身份证", &SpeechSettings::default())
        .unwrap();
    let without = s
        .synthesize("请插入身份证", &SpeechSettings::default())
        .unwrap();
    assert!(
        secs(&with_nul) >= 0.8 * secs(&without),
        "{} vs {}",
        secs(&with_nul),
        secs(&without)
    );
    // No SSML: a tag's letters are spoken like any other text, so there is
    // no 5 s pause (with espeakSSML there would be).
    let tagged = s
        .synthesize(
            "身份证<break time=\"5000ms\"/>身份证",
            &SpeechSettings::default(),
        )
        .unwrap();
    let quiet = tagged
        .samples
        .split(|s| s.unsigned_abs() > 300)
        .map(<[i16]>::len)
        .max()
        .unwrap_or(0);
    let quiet_secs = quiet as f64 / f64::from(tagged.sample_rate);
    assert!(
        quiet_secs < 2.0,
        "a {quiet_secs:.1} s pause: the tag was obeyed"
    );
}

#[test]
fn cancel_stops_a_long_synthesis_early() {
    let s = synthesizer();
    let long = NOTICE.repeat(6);
    let full = s.synthesize(&long, &SpeechSettings::default()).unwrap();

    let cancel = Cancel::new();
    let (first_sound, heard) = mpsc::channel();
    let worker = {
        let (s, cancel, long) = (s.clone(), cancel.clone(), long.clone());
        std::thread::spawn(move || {
            let mut samples = 0;
            let result =
                s.synthesize_streaming(&long, &SpeechSettings::default(), &cancel, &mut |chunk| {
                    if samples == 0 {
                        let _ = first_sound.send(());
                        // Wait for the other thread's cancel (a touch on the screen).
                        let started = Instant::now();
                        while !cancel.is_cancelled() && started.elapsed() < Duration::from_secs(10)
                        {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                    samples += chunk.len();
                });
            (result, samples)
        })
    };
    heard.recv_timeout(Duration::from_secs(30)).unwrap();
    cancel.cancel();
    let (result, samples) = worker.join().unwrap();
    assert!(matches!(result, Err(SpeechError::Cancelled)), "{result:?}");
    assert!(
        samples < full.samples.len() / 10,
        "{samples} of {}",
        full.samples.len()
    );

    // Cancelled before it starts: nothing is made at all.
    let mut made = 0;
    let result = s.synthesize_streaming(SENTENCE, &SpeechSettings::default(), &cancel, &mut |c| {
        made += c.len()
    });
    assert!(matches!(result, Err(SpeechError::Cancelled)));
    assert_eq!(made, 0);
}

#[test]
fn streaming_gives_the_same_sound_as_a_whole_synthesis() {
    let s = synthesizer();
    let whole = s.synthesize(SENTENCE, &SpeechSettings::default()).unwrap();
    let mut chunks = Vec::new();
    s.synthesize_streaming(
        SENTENCE,
        &SpeechSettings::default(),
        &Cancel::new(),
        &mut |c| chunks.push(c.to_vec()),
    )
    .unwrap();
    assert!(chunks.len() > 10, "{} chunks", chunks.len());
    // ~50 ms each (eSpeak NG's buffer), the last one shorter.
    assert!(
        chunks.iter().all(|c| c.len() <= 1_200),
        "{:?}",
        chunks.iter().map(Vec::len).max()
    );
    let streamed = Pcm {
        sample_rate: whole.sample_rate,
        samples: chunks.concat(),
    };
    assert!(same_sound(&streamed, &whole));
}

#[test]
fn a_wav_file_reads_back_as_written() {
    let pcm = speak(SENTENCE, SpeechSettings::default());
    let dir = tempdir();
    let path = dir.join("sentence.wav");
    pcm.write_wav(&path).unwrap();
    let reader = hound::WavReader::open(&path).unwrap();
    assert_eq!(reader.spec().channels, 1);
    assert_eq!(reader.spec().sample_rate, 22_050);
    assert_eq!(reader.len() as usize, pcm.samples.len());
    assert!(Pcm::read_wav(&path).unwrap() == pcm, "samples differ");

    let error = pcm.write_wav(&dir.join("no/such/dir/x.wav")).unwrap_err();
    assert!(matches!(error, SpeechError::Wav { .. }), "{error}");
    std::fs::write(dir.join("not.wav"), b"RIFF nonsense").unwrap();
    assert!(matches!(
        Pcm::read_wav(&dir.join("not.wav")),
        Err(SpeechError::Wav { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_voice_or_data_says_what_to_install() {
    let error = Synthesizer::open_voice("no-such-voice").unwrap_err();
    assert!(matches!(error, SpeechError::Voice { .. }), "{error}");
    assert!(error.to_string().contains("espeak-ng-data"), "{error}");
    // The engine is still usable with a real voice after the failure.
    assert!(speak(SENTENCE, SpeechSettings::default()).rms() > 0.05);

    let error = check_data_dir(Path::new("/nonexistent/espeak-ng-data")).unwrap_err();
    assert!(
        error.to_string().contains("请安装 espeak-ng-data"),
        "{error}"
    );
    check_data_dir(Path::new("/usr/lib/x86_64-linux-gnu/espeak-ng-data"))
        .or_else(|_| check_data_dir(Path::new("/usr/share/espeak-ng-data")))
        .unwrap();
}

#[test]
fn a_missing_sound_card_is_an_error_value() {
    // No machine has a 100th card.
    let error = AlsaOut::open("hw:99,0").err().unwrap();
    assert!(
        matches!(error, SpeechError::NoAudioDevice { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("扬声器"), "{error}");
    if !Path::new("/proc/asound/cards").exists() {
        // This machine (CI) has no sound at all: the default device fails too.
        let error = AlsaOut::open_default().err().unwrap();
        assert!(
            matches!(error, SpeechError::NoAudioDevice { .. }),
            "{error}"
        );
        let reports = Arc::new(AtomicUsize::new(0));
        let speaker = {
            let reports = Arc::clone(&reports);
            Speaker::open_default(SpeechSettings::default(), move |_| {
                reports.fetch_add(1, Ordering::SeqCst);
            })
        };
        assert!(!speaker.is_available());
        speaker.say(SENTENCE);
        speaker.repeat();
        assert!(!speaker.is_speaking());
        assert_eq!(reports.load(Ordering::SeqCst), 1);
    }
}

fn tempdir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "onevisit-speech-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until the speaker has said everything it was asked (≤ 60 s).
fn wait_idle(speaker: &Speaker) {
    let started = Instant::now();
    while speaker.is_speaking() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the speaker never finished"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn speaker_with(out: impl AudioOut + 'static) -> (Speaker, Arc<Mutex<Vec<String>>>) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let speaker = {
        let reports = Arc::clone(&reports);
        Speaker::new(
            synthesizer(),
            Box::new(out),
            SpeechSettings::default(),
            move |e| reports.lock().unwrap().push(e.to_string()),
        )
    };
    (speaker, reports)
}

#[test]
fn the_speaker_plays_the_latest_say() {
    let out = MemoryOut::paced(4.0);
    let (speaker, reports) = speaker_with(out.clone());
    speaker.say(NOTICE);
    speaker.say(SENTENCE);
    wait_idle(&speaker);
    let played = out.played();
    let last = played.last().unwrap();
    assert!(!last.interrupted);
    assert!(same_sound(
        &last.pcm,
        &speak(SENTENCE, SpeechSettings::default())
    ));
    // The notice was cut off or never started.
    assert!(
        played.len() == 1 || played[0].interrupted,
        "{} plays",
        played.len()
    );
    assert!(reports.lock().unwrap().is_empty());
}

#[test]
fn stop_silences_the_speaker_and_repeat_says_it_again() {
    let out = MemoryOut::paced(1.0);
    let (speaker, _) = speaker_with(out.clone());
    speaker.say(NOTICE);
    let started = Instant::now();
    while out.started() == 0 {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(200));
    let stopped = Instant::now();
    speaker.stop();
    wait_idle(&speaker);
    assert!(
        stopped.elapsed() < Duration::from_secs(1),
        "{:?}",
        stopped.elapsed()
    );
    let played = out.played();
    assert_eq!(played.len(), 1);
    assert!(played[0].interrupted);

    // repeat: the same text again, at the volume set meanwhile.
    let out = MemoryOut::new();
    let (speaker, _) = speaker_with(out.clone());
    speaker.repeat(); // nothing said yet: nothing to repeat
    wait_idle(&speaker);
    assert!(out.played().is_empty());
    speaker.say(SENTENCE);
    wait_idle(&speaker);
    speaker.set_volume(50);
    assert_eq!(speaker.volume(), 50);
    speaker.repeat();
    wait_idle(&speaker);
    let played = out.played();
    assert_eq!(played.len(), 2);
    let (first, again) = (&played[0].pcm, &played[1].pcm);
    assert!((secs(first) - secs(again)).abs() < 0.02 * secs(first));
    let ratio = again.rms() / first.rms();
    assert!((0.45..0.55).contains(&ratio), "{ratio}");
}

/// An output that always fails, counting its calls.
struct Failing {
    calls: Arc<AtomicUsize>,
    error: fn() -> SpeechError,
}

impl AudioOut for Failing {
    fn play(&mut self, _: &Pcm, _: &Cancel) -> Result<(), SpeechError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err((self.error)())
    }
}

#[test]
fn a_failing_output_is_reported_once_and_no_device_silences() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (speaker, reports) = speaker_with(Failing {
        calls: Arc::clone(&calls),
        error: || SpeechError::Audio {
            reason: "cable out".into(),
        },
    });
    for _ in 0..3 {
        speaker.say(SENTENCE);
        wait_idle(&speaker);
    }
    // It keeps trying (the cable may come back) but tells only once.
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(reports.lock().unwrap().len(), 1);
    assert!(speaker.is_available());

    let calls = Arc::new(AtomicUsize::new(0));
    let (speaker, reports) = speaker_with(Failing {
        calls: Arc::clone(&calls),
        error: || SpeechError::NoAudioDevice {
            reason: "no card".into(),
        },
    });
    for _ in 0..3 {
        speaker.say(SENTENCE);
        wait_idle(&speaker);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].contains("没有可用的扬声器"), "{reports:?}");
    assert!(!speaker.is_available());
}

#[test]
fn a_wav_file_output_holds_what_the_speaker_said() {
    let dir = tempdir();
    let path = dir.join("said.wav");
    let (speaker, reports) = speaker_with(WavFileOut { path: path.clone() });
    speaker.say(SENTENCE);
    wait_idle(&speaker);
    drop(speaker);
    assert!(reports.lock().unwrap().is_empty());
    assert!(same_sound(
        &Pcm::read_wav(&path).unwrap(),
        &speak(SENTENCE, SpeechSettings::default())
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_speaker_can_be_shared_with_the_ui_thread() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Speaker>();
    shareable::<Synthesizer>();
    shareable::<Cancel>();
    fn movable<T: Send>() {}
    movable::<AlsaOut>();
    movable::<SpeechError>();
}
