//! The capture screen (拍照交材料) and the 电子证照 lookup of the
//! materials page.
//!
//! The controller decides: `SessionController::capturing` says the screen
//! is open and for which material. This mirrors it: while open, the
//! camera's feed is active and a timer (Slint's, so tests run on mock time)
//! shows its newest preview at up to 20 frames a second; 拍这一页 takes
//! the newest full picture to a `page-capture` thread, which finds,
//! straightens and encodes the page (`onevisit_drivers::capture`) and
//! hands it back through the same timer: the page goes to the controller,
//! a refusal's plain words to the screen. Closing the screen deactivates
//! the feed, which forgets the last picture.
//!
//! The 电子证照 lookup runs like the licence lookup: asked once after the
//! applicant agrees on the materials page, on an `elicence-lookup` thread,
//! answered on the UI thread.

use super::glue::Kiosk;
use super::{ApplyState, CaptureState};
use crate::controller::{Page as CPage, SessionController};
use image::RgbImage;
use onevisit_core::visit::materials::{
    CapturedPage, ElicenceSource, HeldLicence, LookupConsent, LookupState,
};
use onevisit_drivers::camera::supervised::CameraFeed;
use onevisit_drivers::capture::{self, CaptureOptions};
use slint::{ComponentHandle, Image, Rgb8Pixel, SharedPixelBuffer, Timer, TimerMode};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex};
use std::time::Duration;

thread_local! {
    // The UI thread's kiosk, for lookup answers coming back from the
    // worker thread (the posted closure must be Send; the kiosk is not).
    static CAPTURE_KIOSK: RefCell<Weak<Kiosk>> = const { RefCell::new(Weak::new()) };
}

/// How often the open capture screen looks for a new preview or a
/// finished page: 20 times a second, so a 10–15 frames/s camera is shown
/// frame by frame.
pub const PREVIEW_TICK: Duration = Duration::from_millis(50);

/// A page the worker finished: the page and its thumbnail, or why not.
type Shot = Result<(CapturedPage, RgbImage), &'static str>;

/// What the capture screen shares with the camera's and the worker's
/// threads.
#[derive(Default)]
struct Slots {
    preview: Mutex<Option<RgbImage>>,
    shot: Mutex<Option<Shot>>,
}

#[derive(Default)]
pub struct CaptureHook {
    feed: RefCell<Option<CameraFeed>>,
    slots: Arc<Slots>,
    timer: Timer,
    busy: Cell<bool>,
    /// The screen's line under the picture: guidance or a refusal.
    status: RefCell<(String, bool)>,
    last_page: RefCell<Option<Image>>,
    elicences: RefCell<Option<Arc<dyn ElicenceSource>>>,
    /// Tests: capture and look up on the UI thread.
    pub(super) inline: Cell<bool>,
}

const AIM: &str = "把材料平放在拍摄区中间，字朝上，四个角都露出来，再点“拍这一页”。";

impl Kiosk {
    /// The document camera's feed: materials the applicant may photograph
    /// get a 拍照 button. Without one the materials page is as before.
    /// A new feed (重置终端 restarts the devices) replaces the old one.
    pub fn set_camera(&self, feed: CameraFeed) {
        if let Some(old) = self.capture.feed.borrow().as_ref() {
            old.set_active(false);
        }
        let slots = self.capture.slots.clone();
        feed.set_sink(Box::new(move |picture| {
            if let Ok(mut slot) = slots.preview.lock() {
                *slot = Some(picture);
            }
        }));
        *self.capture.feed.borrow_mut() = Some(feed);
        self.refresh();
    }

    pub fn has_camera(&self) -> bool {
        self.capture.feed.borrow().is_some()
    }

    /// Where the materials page asks for the applicant's 电子证照.
    pub fn set_elicence_source(&self, source: Arc<dyn ElicenceSource>) {
        *self.capture.elicences.borrow_mut() = Some(source);
        self.refresh();
    }

    /// Tests: run the page capture and the lookup on the UI thread.
    pub fn set_capture_inline(&self, inline: bool) {
        self.capture.inline.set(inline);
    }

    pub(super) fn install_capture_callbacks(self: &Rc<Self>) {
        CAPTURE_KIOSK.with(|k| *k.borrow_mut() = Rc::downgrade(self));
        let cs = self.window().global::<CaptureState>();
        let weak = Rc::downgrade(self);
        cs.on_shoot(move || {
            if let Some(k) = weak.upgrade() {
                k.shoot();
            }
        });
        let weak = Rc::downgrade(self);
        cs.on_retake(move || {
            if let Some(k) = weak.upgrade() {
                k.retake_last();
            }
        });
        let weak = Rc::downgrade(self);
        cs.on_done(move || {
            if let Some(k) = weak.upgrade() {
                k.update(SessionController::end_capture);
            }
        });
        let ap = self.window().global::<ApplyState>();
        let weak = Rc::downgrade(self);
        ap.on_capture(move |material| {
            if let Some(k) = weak.upgrade() {
                k.update(|c| c.begin_capture(&material, None));
            }
        });
        let weak = Rc::downgrade(self);
        ap.on_remove_last_page(move |material| {
            if let Some(k) = weak.upgrade() {
                k.update(|c| {
                    let pages = c
                        .application()
                        .map(|a| a.captures().page_count(&material))
                        .unwrap_or(0);
                    if pages > 0 {
                        c.remove_page(&material, pages - 1);
                    }
                });
            }
        });
        let weak = Rc::downgrade(self);
        ap.on_lookup_consent(move |agree| {
            if let Some(k) = weak.upgrade() {
                k.update(|c| c.answer_lookup_consent(agree));
                k.run_elicence_lookup();
            }
        });
    }

    /// 拍这一页: the newest full picture to the worker.
    fn shoot(&self) {
        self.stop_speech();
        if self.capture.busy.get() || self.controller().capturing().is_none() {
            return;
        }
        let picture = self
            .capture
            .feed
            .borrow()
            .as_ref()
            .and_then(CameraFeed::latest);
        let Some(picture) = picture else {
            *self.capture.status.borrow_mut() = (
                "高拍仪还没有画面，请稍等片刻再拍；一直没有画面请呼叫工作人员。".into(),
                true,
            );
            self.refresh();
            return;
        };
        self.capture.busy.set(true);
        *self.capture.status.borrow_mut() = ("正在处理这一页，请不要移动材料…".into(), false);
        self.refresh();
        let slots = self.capture.slots.clone();
        let work = move || {
            let shot = take_page(&picture);
            if let Ok(mut slot) = slots.shot.lock() {
                *slot = Some(shot);
            }
        };
        if self.capture.inline.get() {
            work();
            self.capture_tick();
            return;
        }
        if let Err(e) = std::thread::Builder::new()
            .name("page-capture".into())
            .spawn(work)
        {
            log::error!("cannot start a page capture thread: {e}");
            self.capture.busy.set(false);
            *self.capture.status.borrow_mut() =
                ("这一页没有拍成，请再点一次“拍这一页”。".into(), true);
            self.refresh();
        }
    }

    /// 重拍上一页: the last page of this material goes; the camera stays.
    fn retake_last(&self) {
        self.update(|c| {
            if let Some(material) = c.capturing().map(|t| t.material.clone()) {
                let pages = c
                    .application()
                    .map(|a| a.captures().page_count(&material))
                    .unwrap_or(0);
                if pages > 0 {
                    c.remove_page(&material, pages - 1);
                }
            }
        });
        *self.capture.last_page.borrow_mut() = None;
        *self.capture.status.borrow_mut() = (AIM.into(), false);
        self.refresh();
    }

    /// What the capture screen's timer does, for runs without an event
    /// loop (the headless screenshots and demo): the newest preview onto
    /// the screen, a finished page to the controller.
    pub fn camera_tick(&self) {
        self.capture_tick();
    }

    /// The timer: the newest preview onto the screen, a finished page to
    /// the controller.
    fn capture_tick(&self) {
        let preview = self
            .capture
            .slots
            .preview
            .lock()
            .ok()
            .and_then(|mut p| p.take());
        if let Some(picture) = preview {
            self.window()
                .global::<CaptureState>()
                .set_preview(to_image(&picture));
            self.window().global::<CaptureState>().set_has_preview(true);
        }
        let shot = self
            .capture
            .slots
            .shot
            .lock()
            .ok()
            .and_then(|mut s| s.take());
        let Some(shot) = shot else {
            return;
        };
        self.capture.busy.set(false);
        match shot {
            Ok((page, thumbnail)) => {
                let pages = self.update_with(|c| c.page_captured(page));
                match pages {
                    Some(n) => {
                        *self.capture.last_page.borrow_mut() = Some(to_image(&thumbnail));
                        *self.capture.status.borrow_mut() = (
                            format!("第 {n} 页已拍好。还有下一页就放上来再拍；拍完了点“完成”。"),
                            false,
                        );
                    }
                    None => {
                        *self.capture.status.borrow_mut() = (AIM.into(), false);
                    }
                }
            }
            Err(why) => *self.capture.status.borrow_mut() = (why.into(), true),
        }
        self.refresh();
    }

    /// Mirrors the capture screen and the lookup prompt (from `refresh`).
    pub(super) fn refresh_capture(&self, c: &SessionController) {
        let w = self.window();
        let cs = w.global::<CaptureState>();
        let target = c.capturing().cloned();
        let open = target.is_some() && self.has_camera();
        if let Some(feed) = self.capture.feed.borrow().as_ref()
            && feed.is_active() != open
        {
            feed.set_active(open);
        }
        if open && !self.capture.timer.running() {
            // A new screen: nothing of the last material's pictures.
            *self.capture.status.borrow_mut() = (AIM.into(), false);
            *self.capture.last_page.borrow_mut() = None;
            if let Ok(mut p) = self.capture.slots.preview.lock() {
                *p = None;
            }
            cs.set_has_preview(false);
            let weak = CAPTURE_KIOSK.with(|k| k.borrow().clone());
            self.capture
                .timer
                .start(TimerMode::Repeated, PREVIEW_TICK, move || {
                    if let Some(k) = weak.upgrade() {
                        k.capture_tick();
                    }
                });
        } else if !open && self.capture.timer.running() {
            self.capture.timer.stop();
            self.capture.busy.set(false);
            *self.capture.last_page.borrow_mut() = None;
            cs.set_preview(Image::default());
            cs.set_has_preview(false);
            cs.set_last_page(Image::default());
            cs.set_has_last_page(false);
        }
        cs.set_open(open);
        let app = c.application();
        let material = target.as_ref().and_then(|t| {
            app?.materials()
                .into_iter()
                .find(|m| m.id == t.material)
                .map(|m| m.name)
        });
        cs.set_material(material.unwrap_or_default().into());
        let pages = match (&target, app) {
            (Some(t), Some(a)) => a.captures().page_count(&t.material),
            _ => 0,
        };
        cs.set_pages(pages as i32);
        cs.set_busy(self.capture.busy.get());
        let (status, warn) = self.capture.status.borrow().clone();
        cs.set_status(if open {
            status.into()
        } else {
            Default::default()
        });
        cs.set_warn(open && warn);
        match self.capture.last_page.borrow().as_ref() {
            Some(thumbnail) if open && pages > 0 => {
                cs.set_last_page(thumbnail.clone());
                cs.set_has_last_page(true);
            }
            _ => cs.set_has_last_page(false),
        }

        // 电子证照: asked on the materials page once a card is read and a
        // platform can be asked.
        let ap = w.global::<ApplyState>();
        let on_materials = c.page() == CPage::Materials;
        let source = self.capture.elicences.borrow().is_some();
        let (ask, status) = match app {
            Some(a) if on_materials && source && c.consented_card().is_some() => {
                let set = a.captures();
                let wanted = !a.lookup_candidates().is_empty();
                match (set.consent(), set.lookup_state()) {
                    (LookupConsent::Unasked, _) => (wanted, String::new()),
                    (LookupConsent::Refused, _) => (false, String::new()),
                    (LookupConsent::Granted, LookupState::Done) => {
                        let n = set.all_held().count();
                        if n > 0 {
                            (
                                false,
                                format!("已调取您的电子证照 {n} 份，对应材料无需提交。"),
                            )
                        } else {
                            (
                                false,
                                "平台上没有找到您的相关电子证照，请照常拍照或带原件。".into(),
                            )
                        }
                    }
                    (LookupConsent::Granted, LookupState::Failed) => (
                        false,
                        "暂时连不上平台，没有调取电子证照，请照常拍照或带原件。".into(),
                    ),
                    (LookupConsent::Granted, _) => (false, "正在调取您的电子证照…".into()),
                }
            }
            _ => (false, String::new()),
        };
        ap.set_lookup_ask(ask);
        ap.set_lookup_status(status.into());
    }

    /// Runs the 电子证照 lookup the controller asked for, if any.
    pub(super) fn run_elicence_lookup(&self) {
        let Some((id_number, materials)) = self.update_with(|c| c.take_elicence_lookup()) else {
            return;
        };
        let Some(source) = self.capture.elicences.borrow().clone() else {
            self.event(|c| {
                c.elicences_found(Err(onevisit_core::platform::PlatformError::Retryable {
                    reason: "no platform configured".into(),
                    retry_after: None,
                }))
            });
            return;
        };
        if self.capture.inline.get() {
            let answer = source.elicences(&id_number, &materials);
            self.event(|c| c.elicences_found(answer));
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("elicence-lookup".into())
            .spawn(move || {
                let answer: Result<Vec<HeldLicence>, _> = source.elicences(&id_number, &materials);
                let posted = slint::invoke_from_event_loop(move || {
                    if let Some(k) = CAPTURE_KIOSK.with(|k| k.borrow().upgrade()) {
                        k.event(|c| c.elicences_found(answer));
                    }
                });
                if let Err(e) = posted {
                    log::warn!("电子证照 answer not delivered: {e}");
                }
            });
        if let Err(e) = spawned {
            log::error!("cannot start an 电子证照 lookup thread: {e}");
        }
    }
}

/// Finds, straightens and encodes the page; its thumbnail for the screen.
fn take_page(picture: &RgbImage) -> Shot {
    let page = capture::capture(picture, &CaptureOptions::default()).map_err(|r| {
        log::info!("page refused: {}", r.code());
        r.message()
    })?;
    let thumbnail = image::load_from_memory_with_format(&page.jpeg, image::ImageFormat::Jpeg)
        .map_err(|e| {
            log::error!("a captured page does not decode: {e}");
            "这一页没有拍成，请再点一次“拍这一页”。"
        })?
        .thumbnail(320, 452)
        .to_rgb8();
    Ok((
        CapturedPage::new(page.jpeg, page.width, page.height),
        thumbnail,
    ))
}

fn to_image(picture: &RgbImage) -> Image {
    let buffer = SharedPixelBuffer::<Rgb8Pixel>::clone_from_slice(
        picture.as_raw(),
        picture.width(),
        picture.height(),
    );
    Image::from_rgb8(buffer)
}
