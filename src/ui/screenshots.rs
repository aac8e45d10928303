//! `onevisit screenshots --out DIR`: every screen, in standard and 长者模式,
//! rendered headlessly with the software renderer at 1920×1080 — the same
//! pixels the kiosk shows, for review and docs/screenshots/.

use super::glue::rejection_message;
use super::{AppWindow, Kiosk, SessionController, fonts};
use crate::applicant::CardData;
use crate::catalog::Catalog;
use onevisit_drivers::idcard::CardError;
use onevisit_drivers::sim::sam::TestCard;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError};
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

pub const WIDTH: u32 = 1920;
pub const HEIGHT: u32 = 1080;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

/// The test card's data, as the reader would deliver it.
pub fn sample_card() -> CardData {
    CardData::from(&TestCard::Resident.record())
}

fn expired_message() -> String {
    let record = TestCard::Expired.record();
    let valid_to = record.valid_to.clone().unwrap_or_default();
    rejection_message(&CardError::Expired {
        record: Box::new(record),
        valid_to,
    })
}

/// A B01 (restaurant) path: a new company, no lodging, no building work.
pub const B01_ANSWERS: [&str; 4] = ["new", "company", "no", "no"];

/// How to get the controller to one screen.
pub type Drive = Box<dyn Fn(&mut SessionController)>;

/// Each screen: its file name and how to get the controller there.
pub fn screens() -> Vec<(&'static str, Drive)> {
    fn consented(c: &mut SessionController) {
        c.card_placed(sample_card());
        c.consent();
    }
    vec![
        ("welcome", Box::new(|_c: &mut SessionController| {})),
        (
            "card-waiting",
            Box::new(|c: &mut SessionController| c.start()),
        ),
        (
            "card-greeting",
            Box::new(|c: &mut SessionController| c.card_placed(sample_card())),
        ),
        (
            "card-expired",
            Box::new(|c: &mut SessionController| c.card_rejected(expired_message())),
        ),
        ("bundles", Box::new(consented)),
        (
            "question",
            Box::new(|c: &mut SessionController| {
                consented(c);
                c.choose_bundle("B01");
            }),
        ),
        (
            "question-2",
            Box::new(|c: &mut SessionController| {
                consented(c);
                c.choose_bundle("B01");
                c.answer("new");
            }),
        ),
        (
            "referral",
            Box::new(|c: &mut SessionController| {
                consented(c);
                c.choose_bundle("B01");
                c.answer("new");
                c.answer("other");
            }),
        ),
        (
            "notice",
            Box::new(|c: &mut SessionController| {
                consented(c);
                c.choose_bundle("B01");
                B01_ANSWERS.iter().for_each(|a| c.answer(a));
            }),
        ),
        (
            "idle-prompt",
            Box::new(|c: &mut SessionController| {
                consented(c);
                c.choose_bundle("B01");
                c.tick(Duration::from_secs(63));
            }),
        ),
    ]
}

pub fn run(out: &Path) -> ExitCode {
    if let Err(message) = fonts::ensure_cjk_font() {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    match render_all(out) {
        Ok(n) => {
            println!("{n} screenshots in {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("screenshots failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn render_all(out: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(out)?;
    let catalog = Catalog::load_default().map_err(|e| e.to_string())?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
    }))
    .map_err(|e| format!("{e:?}"))?;
    window.set_size(PhysicalSize::new(WIDTH, HEIGHT));
    let app = AppWindow::new()?;
    app.show()?;
    let kiosk = Kiosk::new(app, SessionController::new(catalog));
    let mut count = 0;
    for (name, drive) in screens() {
        for elderly in [false, true] {
            kiosk.update(|c| {
                c.wipe();
                // Before driving: the toggle counts as a tap, which would
                // dismiss the idle prompt.
                if elderly {
                    c.toggle_elderly();
                }
                drive(c);
            });
            let file = out.join(format!(
                "{name}-{}.png",
                if elderly { "elderly" } else { "normal" }
            ));
            save_png(&window, &file)?;
            count += 1;
        }
    }
    Ok(count)
}

fn save_png(window: &MinimalSoftwareWindow, file: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut pixels = vec![slint::Rgb8Pixel::default(); (WIDTH * HEIGHT) as usize];
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(&mut pixels, WIDTH as usize);
    });
    let rgb: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    image::save_buffer(file, &rgb, WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)?;
    Ok(())
}
