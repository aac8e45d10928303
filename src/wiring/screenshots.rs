//! `onevisit screenshots --out DIR`: every screen, in standard and 长者模式,
//! rendered headlessly with the software renderer at 1920×1080 (and
//! once more on a 1080×1920 portrait screen) — the same
//! pixels the kiosk shows, for review and docs/screenshots/.

use onevisit_core::applicant::CardData;
use onevisit_core::catalog::Catalog;
use onevisit_core::form::InputValue;
use onevisit_core::form::kind::FieldKind;
use onevisit_core::form::merged::ShapeView;
use onevisit_core::outbox::Outbox;
use onevisit_core::progress::{
    ProgressAnswer, ProgressLine, ProgressQuery, ProgressSource, ProgressView,
};
use onevisit_core::staff::{PaperSettings, StaffDesk, SystemClock, hash_pin};
use onevisit_core::visit::application::FieldPath;
use onevisit_core::visit::session::Page;
use onevisit_core::visit::staff_mode::{StaffServices, TextField};
use onevisit_drivers::camera::PixelFormat;
use onevisit_drivers::camera::sim::SimCamera;
use onevisit_drivers::camera::supervised::CameraFeed;
use onevisit_drivers::idcard::CardError;
use onevisit_drivers::sim::sam::TestCard;
use onevisit_drivers::speech::{
    AudioOut, Cancel, Pcm, Speaker, SpeechError, SpeechSettings, Synthesizer,
};
use onevisit_ui::glue::rejection_message;
use onevisit_ui::{AppWindow, Kiosk, SessionController, fonts};
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
            // 自动朗读 turned on in the standard mode: 重听 and the volume.
            "question-speech",
            Box::new(|c: &mut SessionController| {
                consented(c);
                c.choose_bundle("B01");
                c.toggle_speech();
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
        ("form", Box::new(|c: &mut SessionController| to_form(c))),
        (
            "form-keyboard",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                edit_first(c, |k| matches!(k, FieldKind::EntityName));
            }),
        ),
        (
            // The 手写 tab with 中 written and read (see `after_open`).
            "form-handwriting",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                edit_first(c, |k| matches!(k, FieldKind::EntityName));
            }),
        ),
        (
            "form-picker",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                edit_first(c, |k| matches!(k, FieldKind::Choice { .. }));
            }),
        ),
        (
            "form-date",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                edit_first(c, |k| matches!(k, FieldKind::DateRange));
            }),
        ),
        (
            // The one-tap offers: the card's address for 住所, the usual
            // scope, 从今天起长期, 没有前置审批.
            "form-offers",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                to_section_of(c, "F07");
            }),
        ),
        (
            // 同申请人 on 登记联络员, 本人办理, 同申请人手机.
            "form-offers-contact",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                to_section_of(c, "F22");
            }),
        ),
        (
            "form-problems",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                c.form_next();
            }),
        ),
        (
            "materials",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                fill_all(c);
                if let Some(m) = c
                    .application()
                    .and_then(|a| a.materials().into_iter().find(|m| m.may_come_later))
                {
                    c.toggle_later(&m.id);
                }
            }),
        ),
        (
            // 拍照: the camera's picture and a page just taken
            // (`after_open`).
            "capture",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                fill_all(c);
                if let Some(m) = first_to_photograph(c) {
                    c.begin_capture(&m, None);
                }
            }),
        ),
        (
            "review",
            Box::new(|c: &mut SessionController| {
                to_form(c);
                fill_all(c);
                c.materials_next();
                c.toggle_declaration();
            }),
        ),
        (
            "done",
            Box::new(|c: &mut SessionController| {
                to_done(c);
                c.print_finished(Ok(()));
                c.rate(2);
                c.rate_reason("等待时间长");
            }),
        ),
        (
            "done-no-paper",
            Box::new(|c: &mut SessionController| {
                to_done(c);
                c.print_finished(Err(onevisit_core::visit::PrintFailure::PaperOut));
            }),
        ),
        (
            // Paper refilled while the receipt page still shows: 补打回执.
            "done-reprint",
            Box::new(|c: &mut SessionController| {
                use onevisit_drivers::manager::{DeviceId, Health};
                to_done(c);
                c.print_finished(Err(onevisit_core::visit::PrintFailure::PaperOut));
                c.set_device_health(std::iter::once((DeviceId::Printer, Health::Ok)).collect());
            }),
        ),
        (
            "query",
            Box::new(|c: &mut SessionController| {
                c.query_open();
                c.query_edit(TextField::QueryReceipt);
                c.typing_done(&sample_receipt());
                c.query_edit(TextField::QueryLast4);
                c.typed("00");
            }),
        ),
        (
            "query-result",
            Box::new(|c: &mut SessionController| query_answer(c, ProgressSource::Platform)),
        ),
        (
            "query-result-offline",
            Box::new(|c: &mut SessionController| query_answer(c, ProgressSource::Local)),
        ),
        (
            "query-not-found",
            Box::new(|c: &mut SessionController| {
                ask_query(c);
                let ticket = c.staff().ticket();
                c.query_answered(
                    ticket,
                    ProgressAnswer::NotFound {
                        message: onevisit_core::progress::not_found(&c.catalog().staff_window()),
                    },
                );
            }),
        ),
        (
            "staff-pin",
            Box::new(|c: &mut SessionController| {
                staff_pin(c, "111111");
                "12".chars().for_each(|d| c.pin_key(&d.to_string()));
            }),
        ),
        (
            "staff",
            Box::new(|c: &mut SessionController| {
                staff_pin(c, SCREENSHOT_PIN);
                c.staff_action("paper");
            }),
        ),
        (
            "staff-reprint",
            Box::new(|c: &mut SessionController| {
                staff_pin(c, SCREENSHOT_PIN);
                c.staff_action("reprint");
                c.typed(&sample_receipt());
            }),
        ),
        // Last: the kiosk stays out of service until staff resume it.
        (
            "out-of-service",
            Box::new(|c: &mut SessionController| {
                staff_pin(c, SCREENSHOT_PIN);
                c.staff_action("pause");
                c.staff_action("leave");
            }),
        ),
    ]
}

/// The staff PIN of the screenshots' throwaway staff database.
pub const SCREENSHOT_PIN: &str = "246810";

/// A receipt number for the query screens.
pub fn sample_receipt() -> String {
    onevisit_core::outbox::receipt::format("DEMO01", "20261129", 12)
}

/// The hidden gesture, then `pin` on the pad.
fn staff_pin(c: &mut SessionController, pin: &str) {
    for _ in 0..onevisit_core::visit::staff_mode::GESTURE_TAPS {
        c.corner_tap();
    }
    pin.chars().for_each(|d| c.pin_key(&d.to_string()));
    c.pin_ok();
}

/// The query page with both fields typed and 查询 pressed.
fn ask_query(c: &mut SessionController) {
    c.query_open();
    c.query_edit(TextField::QueryReceipt);
    c.typing_done(&sample_receipt());
    c.query_edit(TextField::QueryLast4);
    c.typing_done("0026");
    c.query_submit();
}

/// A made-up answer for the result screens (no platform needed).
fn query_answer(c: &mut SessionController, source: ProgressSource) {
    let names: Vec<String> = c
        .catalog()
        .bundle("B01")
        .map(|b| {
            b.def
                .listings
                .iter()
                .map(|l| l.item.get_ref().clone())
                .collect()
        })
        .unwrap_or_default();
    let item_names = onevisit_core::progress::item_names(c.catalog());
    let names: Vec<String> = names
        .iter()
        .map(|code| {
            item_names
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.clone())
        })
        .take(4)
        .collect();
    ask_query(c);
    let statuses = ["已办结（准予许可）", "审查中", "已受理", "已受理"];
    let view = match source {
        ProgressSource::Platform => ProgressView {
            receipt: sample_receipt(),
            source,
            headline: "办理中".into(),
            items: names
                .iter()
                .zip(statuses)
                .map(|(n, s)| ProgressLine {
                    name: n.clone(),
                    status: s.into(),
                    since: Some("2026-11-29".into()),
                })
                .collect(),
            note: None,
            materials: Vec::new(),
        },
        ProgressSource::Local => ProgressView {
            receipt: sample_receipt(),
            source,
            headline: "已保存在本机，尚未提交".into(),
            items: names
                .iter()
                .map(|n| ProgressLine {
                    name: n.clone(),
                    status: "已保存在本机，尚未提交".into(),
                    since: None,
                })
                .collect(),
            note: Some("网络恢复后本机会自动提交，无需再次办理。".into()),
            materials: Vec::new(),
        },
    };
    let ticket = c.staff().ticket();
    c.query_answered(ticket, ProgressAnswer::Found(view));
}

/// The B01 notice, then the form's first page.
fn to_form(c: &mut SessionController) {
    c.card_placed(sample_card());
    c.consent();
    c.choose_bundle("B01");
    B01_ANSWERS.iter().for_each(|a| c.answer(a));
    c.apply();
}

/// Opens the keyboard or picker on the first field of a kind, filling and
/// leaving the pages before the one that has it.
fn edit_first(c: &mut SessionController, kind: impl Fn(&FieldKind) -> bool) {
    for _ in 0..20 {
        let Some(a) = c.application().filter(|_| c.page() == Page::Form) else {
            return;
        };
        let section = &a.form().sections[a.section_index()];
        let field = section.fields.iter().find(|f| match &f.shape {
            ShapeView::Kind(k) => kind(k),
            ShapeView::Records { .. } => false,
        });
        if let Some(f) = field {
            let path = FieldPath::scalar(&f.id);
            c.edit(path);
            return;
        }
        fill_page(c);
        c.form_next();
    }
}

/// Fills every page of the form with the example submission's values (and
/// plausible ones where it has none), ending on the materials page.
pub fn fill_all(c: &mut SessionController) {
    for _ in 0..20 {
        if c.page() != Page::Form {
            break;
        }
        fill_page(c);
        c.form_next();
    }
}

/// Fills and leaves the form pages before the one holding `field`.
fn to_section_of(c: &mut SessionController, field: &str) {
    for _ in 0..20 {
        let Some(a) = c.application().filter(|_| c.page() == Page::Form) else {
            return;
        };
        if a.form().sections[a.section_index()]
            .fields
            .iter()
            .any(|f| f.id == field)
        {
            return;
        }
        fill_page(c);
        c.form_next();
    }
}

/// The form page on screen, filled from the example submission.
fn fill_page(c: &mut SessionController) {
    let example = onevisit_core::visit::submission::example_input().values;
    let Some(a) = c.application() else {
        return;
    };
    let section = a.form().sections[a.section_index()].clone();
    for field in &section.fields {
        match (&field.shape, example.get(&field.id)) {
            (ShapeView::Kind(_), Some(InputValue::Text(t))) => {
                c.set_field(&FieldPath::scalar(&field.id), t)
            }
            (ShapeView::Records { .. }, Some(InputValue::Records(rs))) => {
                for (n, r) in rs.iter().enumerate() {
                    c.add_record(&field.id);
                    for (k, v) in r {
                        c.set_field(&FieldPath::in_record(&field.id, n, k), v);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A whole B01 visit up to the done page, queued in `c`'s outbox.
/// The first material of the visit the applicant may photograph.
pub fn first_to_photograph(c: &SessionController) -> Option<String> {
    c.application()?
        .materials()
        .into_iter()
        .find(|m| m.may_capture)
        .map(|m| m.id)
}

/// The simulated document camera of the headless runs and its feed, the
/// capture screen's pictures taken on this thread.
pub struct DeskCamera {
    pub camera: SimCamera,
    pub feed: CameraFeed,
}

impl DeskCamera {
    pub fn connect(kiosk: &Kiosk) -> DeskCamera {
        let feed = CameraFeed::default();
        kiosk.set_camera(feed.clone());
        kiosk.set_capture_inline(true);
        DeskCamera {
            camera: SimCamera::documents(PixelFormat::Mjpeg).unpaced(),
            feed,
        }
    }

    /// Photo `scene` of the simulator under the camera, on the screen.
    pub fn show(&mut self, kiosk: &Kiosk, scene: usize) -> Result<(), String> {
        self.camera.control().show(scene);
        self.feed
            .pump(&mut self.camera, Duration::from_secs(2))
            .map_err(|e| format!("the simulated camera: {e}"))?;
        kiosk.camera_tick();
        Ok(())
    }
}

fn to_done(c: &mut SessionController) {
    to_form(c);
    fill_all(c);
    c.materials_next();
    c.toggle_declaration();
    c.submit();
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

/// The software-rendered window every headless run draws into.
pub fn headless() -> Result<(Rc<MinimalSoftwareWindow>, AppWindow), Box<dyn std::error::Error>> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
    }))
    .map_err(|e| format!("{e:?}"))?;
    window.set_size(PhysicalSize::new(WIDTH, HEIGHT));
    let app = AppWindow::new()?;
    app.show()?;
    Ok((window, app))
}

fn render_all(out: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(out)?;
    let catalog = Catalog::load_default().map_err(|e| e.to_string())?;
    let (window, app) = headless()?;
    let scratch = Scratch::new("screenshots")?;
    let outbox = scratch.outbox()?;
    let names = onevisit_core::progress::item_names(&catalog);
    let controller = SessionController::new(catalog).with_outbox(outbox.clone());
    let kiosk = Kiosk::new(app, controller);
    kiosk.with_staff(scratch.staff(outbox, names)?);
    give_voice(&kiosk);
    let mut camera = DeskCamera::connect(&kiosk);
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
            kiosk.open_text_input();
            kiosk.open_staff_keyboard();
            after_open(&kiosk, name, &mut camera)?;
            shows_its_screen(&kiosk, name)?;
            let file = out.join(format!(
                "{name}-{}.png",
                if elderly { "elderly" } else { "normal" }
            ));
            save_png(&window, &file)?;
            count += 1;
        }
    }
    // The last screen took the kiosk out of service, which lasts (as on a
    // real kiosk) until staff resume it: the portrait run starts in
    // service.
    kiosk.update(|c| {
        staff_pin(c, SCREENSHOT_PIN);
        c.staff_action("resume");
        c.staff_action("leave");
    });
    // A portrait screen (kiosk.toml `screen.orientation = "portrait"`).
    window.set_size(PhysicalSize::new(HEIGHT, WIDTH));
    kiosk.set_portrait(true);
    for (name, drive) in screens() {
        kiosk.update(|c| {
            c.wipe();
            drive(c);
        });
        kiosk.open_text_input();
        after_open(&kiosk, name, &mut camera)?;
        shows_its_screen(&kiosk, name)?;
        save_png(&window, &out.join(format!("{name}-portrait.png")))?;
        count += 1;
    }
    kiosk.set_portrait(false);
    Ok(count)
}

/// Speech as on a kiosk with speakers, so every screen shows its speech
/// bar: eSpeak NG into a silent output (长者模式 screens are read aloud,
/// unheard). Without the voice, the screens show no bar.
pub fn give_voice(kiosk: &Kiosk) {
    struct Silent;
    impl AudioOut for Silent {
        fn play(&mut self, _: &Pcm, _: &Cancel) -> Result<(), SpeechError> {
            Ok(())
        }
    }
    match Synthesizer::open() {
        Ok(voice) => kiosk.set_speaker(std::sync::Arc::new(Speaker::new(
            voice,
            Box::new(Silent),
            SpeechSettings::default(),
            |e| log::warn!("screenshots: {e}"),
        ))),
        Err(e) => eprintln!("no speech bar on the screenshots: {e}"),
    }
}

/// What a screen needs after its keyboard opened: a character written on
/// the pad for `form-handwriting` (read on this thread: a headless run has
/// no event loop for the recognizer thread's answer); for `capture`, a
/// page taken and the next one under the camera.
fn after_open(kiosk: &Kiosk, name: &str, camera: &mut DeskCamera) -> Result<(), String> {
    if name == "capture" {
        camera.show(kiosk, 0)?;
        kiosk
            .window()
            .global::<onevisit_ui::CaptureState>()
            .invoke_shoot();
        camera.show(kiosk, 1)?;
    }
    if name == "form-handwriting" {
        kiosk.set_handwriting_inline(true);
        if let Some(ink) = onevisit_drivers::handwriting::samples::ink("中") {
            kiosk.write_on_pad(&ink);
        }
    }
    Ok(())
}

/// Refuses a screenshot that would show the out-of-service screen in place
/// of its own (a pause left over from an earlier screen).
fn shows_its_screen(kiosk: &Kiosk, name: &str) -> Result<(), String> {
    let paused = kiosk.controller().page() == Page::OutOfService;
    if paused != (name == "out-of-service") {
        return Err(format!(
            "screenshot {name} would show the wrong screen (out of service: {paused})"
        ));
    }
    Ok(())
}

/// A throwaway data directory (the outbox of screenshots and demos),
/// removed when dropped.
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    pub fn new(what: &str) -> std::io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("onevisit-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }

    pub fn outbox(&self) -> Result<std::sync::Arc<Outbox>, Box<dyn std::error::Error>> {
        let key = crate::config::dev_data_key();
        Ok(std::sync::Arc::new(Outbox::open(
            &self.0.join("outbox.sqlite3"),
            "DEMO01",
            &key,
        )?))
    }
}

impl Scratch {
    /// Staff mode on the scratch directory: the PIN is [`SCREENSHOT_PIN`],
    /// the devices are as a working kiosk reports them (paper near its
    /// end), and queries answer from the scratch outbox.
    pub fn staff(
        &self,
        outbox: std::sync::Arc<Outbox>,
        item_names: std::collections::BTreeMap<String, String>,
    ) -> Result<StaffServices, Box<dyn std::error::Error>> {
        use onevisit_drivers::manager::{DeviceId, Health};
        let clock = std::sync::Arc::new(SystemClock);
        let desk = StaffDesk::open(&self.0, PaperSettings::default(), clock.clone())?;
        let gate = desk.gate(Some(&hash_pin(SCREENSHOT_PIN)?))?;
        let health = [
            (DeviceId::IdReader, Health::Ok),
            (DeviceId::Scanner, Health::Ok),
            (
                DeviceId::Printer,
                Health::Degraded("打印纸即将用完 (paper near end)".into()),
            ),
        ]
        .into_iter()
        .collect();
        desk.save_devices(&health)?;
        let query = ProgressQuery::new(outbox.clone(), None, item_names, clock);
        Ok(StaffServices::new(desk, gate, outbox)
            .with_export_dir(self.0.join("usb"))
            .with_catalog_version(Some("2026.11".into()))
            .with_query(std::sync::Arc::new(query)))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn save_png(
    window: &MinimalSoftwareWindow,
    file: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let size = WindowAdapter::size(window);
    let (w, h) = (size.width, size.height);
    let mut pixels = vec![slint::Rgb8Pixel::default(); (w * h) as usize];
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(&mut pixels, w as usize);
    });
    let rgb: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    image::save_buffer(file, &rgb, w, h, image::ExtendedColorType::Rgb8)?;
    Ok(())
}
