//! `onevisit demo --out DIR`: a scripted B01 visit through the real UI,
//! headless: each step goes through the callbacks the buttons call (the
//! name is typed on the on-screen keyboard in pinyin), and every screen is
//! saved as a PNG, with beside it a WAV of what the screen says aloud
//! (读屏: `SessionController::utterance`, synthesized by eSpeak NG; no
//! sound card needed), and the printed receipt as the printer would print
//! it.

use crate::wiring::screenshots::{
    B01_ANSWERS, DeskCamera, Scratch, fill_all, give_voice, headless, sample_card, save_png,
};
use onevisit_core::catalog::Catalog;
use onevisit_core::form::kind::FieldKind;
use onevisit_core::form::merged::ShapeView;
use onevisit_core::print::{StoredJob, to_png};
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::speech::{SpeechSettings, Synthesizer};
use onevisit_ui::{
    ApplyState, BundleState, CaptureState, CardState, FormState, KeyboardState, Kiosk,
    OutcomeState, QuestionState, SessionController, fonts,
};
use slint::{ComponentHandle, Model};
use std::cell::RefCell;
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;

pub fn run(out: &Path) -> ExitCode {
    if let Err(message) = fonts::ensure_cjk_font() {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    match demo(out) {
        Ok(files) => {
            for f in &files {
                println!("{}", out.join(f).display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo(out: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(out)?;
    let catalog = Catalog::load_default().map_err(|e| e.to_string())?;
    let (window, app) = headless()?;
    let scratch = Scratch::new("demo")?;
    let controller = SessionController::new(catalog).with_outbox(scratch.outbox()?);
    let kiosk = Kiosk::new(app.clone_strong(), controller);
    // Drawn as on a kiosk with speakers (the speech bar).
    give_voice(&kiosk);
    // The printer: the receipt as printed, drawn from the same layout.
    let printed: Rc<RefCell<Vec<StoredJob>>> = Rc::default();
    let sink = printed.clone();
    kiosk.set_print_handler(move |jobs| sink.borrow_mut().extend(jobs));

    // The voice; without it (espeak-ng-data missing) the PNGs still come.
    let voice = Synthesizer::open()
        .map_err(|e| eprintln!("no WAV files: {e}"))
        .ok();
    let mut files = Vec::new();
    let mut screens = 0;
    let mut shot = |name: &str| -> Result<(), Box<dyn std::error::Error>> {
        screens += 1;
        let stem = format!("{screens:02}-{name}");
        save_png(&window, &out.join(format!("{stem}.png")))?;
        files.push(format!("{stem}.png"));
        if let Some(voice) = &voice {
            let text = kiosk.controller().utterance().text;
            let pcm = voice.synthesize(&text, &SpeechSettings::default())?;
            pcm.write_wav(&out.join(format!("{stem}.wav")))?;
            files.push(format!("{stem}.wav"));
        }
        Ok(())
    };
    shot("welcome")?;
    kiosk.update(|c| c.card_placed(sample_card()));
    shot("card")?;
    app.global::<CardState>().invoke_consent();
    shot("bundles")?;
    app.global::<BundleState>().invoke_choose("B01".into());
    shot("question")?;
    for a in B01_ANSWERS {
        app.global::<QuestionState>().invoke_answer(a.into());
    }
    shot("notice")?;
    app.global::<OutcomeState>().invoke_apply();
    shot("form")?;

    // The business's name, typed in pinyin on the on-screen keyboard.
    let name_field = kiosk.controller().application().and_then(|a| {
        a.form()
            .fields()
            .find(|f| matches!(f.shape, ShapeView::Kind(FieldKind::EntityName)))
            .map(|f| f.id.clone())
    });
    if let Some(id) = name_field {
        app.global::<FormState>().invoke_edit(id.into());
        let keys = app.global::<KeyboardState>();
        // Each word's pinyin, then the candidate an applicant would tap.
        for (pinyin, word) in [
            ("puyangshi", "濮阳市"),
            ("hualongqu", "华龙区"),
            ("meishi", "美食"),
            ("canyin", "餐饮"),
            ("youxiangongsi", "有限公司"),
        ] {
            for ch in pinyin.chars() {
                keys.invoke_key(ch.to_string().into());
            }
            if word == "美食" {
                shot("keyboard-pinyin")?;
            }
            let mut chosen = false;
            for _ in 0..10 {
                if let Some(i) = keys.get_candidates().iter().position(|c| c == word) {
                    keys.invoke_candidate(i as i32);
                    chosen = true;
                    break;
                }
                if !keys.get_has_next_page() {
                    break;
                }
                keys.invoke_next_page();
            }
            if !chosen {
                return Err(format!("the keyboard offers no {word} for {pinyin}").into());
            }
        }
        shot("keyboard-typed")?;
        keys.invoke_done();
    }
    // The rest as the example submission has it.
    kiosk.update(fill_all);
    shot("materials")?;
    // Two materials photographed with the (simulated) document camera,
    // through the buttons the applicant taps.
    let mut camera = DeskCamera::connect(&kiosk);
    let to_photograph: Vec<String> = kiosk
        .controller()
        .application()
        .map(|a| {
            a.materials()
                .into_iter()
                .filter(|m| m.may_capture)
                .map(|m| m.id)
                .take(2)
                .collect()
        })
        .unwrap_or_default();
    if to_photograph.len() < 2 {
        return Err("B01 has fewer than two materials to photograph".into());
    }
    for (n, id) in to_photograph.iter().enumerate() {
        app.global::<ApplyState>().invoke_capture(id.into());
        camera.show(&kiosk, n)?;
        if n == 0 {
            shot("capture")?;
        }
        app.global::<CaptureState>().invoke_shoot();
        if app.global::<CaptureState>().get_pages() != 1 {
            return Err(format!(
                "the page of {id} was not taken: {}",
                app.global::<CaptureState>().get_status()
            )
            .into());
        }
        if n == 0 {
            shot("capture-taken")?;
        }
        app.global::<CaptureState>().invoke_done();
    }
    shot("materials-captured")?;
    app.global::<ApplyState>().invoke_materials_next();
    app.global::<ApplyState>().invoke_toggle_declaration();
    shot("review")?;
    app.global::<ApplyState>().invoke_submit();
    kiosk.print_finished(Ok(()));
    shot("done")?;

    let font = onevisit_core::fonts::cjk_font()?;
    for job in printed.borrow().iter() {
        // "printed-receipt-…", "printed-signing-articlesofassociation-…":
        // apart from the numbered screens, and safe in any shell.
        let kind: String = format!("{:?}", job.kind)
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let file = format!("printed-{kind}-{}.png", job.key);
        std::fs::write(
            out.join(&file),
            to_png(&job.document, PaperWidth::Mm80, font)?,
        )?;
        files.push(file);
    }
    if printed.borrow().is_empty() {
        return Err("the visit ended without a receipt to print".into());
    }
    Ok(files)
}
