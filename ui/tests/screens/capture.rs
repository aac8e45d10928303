//! Headless UI: materials are photographed once at the kiosk. On the
//! materials page the applicant agrees to the 电子证照 lookup (the
//! reference platform on loopback answers), the licence it holds is marked
//! 无需提交 and gets no 拍照 button; another material is photographed
//! with the simulated document camera through the capture screen: live
//! preview, a page taken and straightened, an empty desk refused in plain
//! words, a retake, 完成; the pages show on the materials and review pages
//! and reach the platform with the case. Declining the lookup asks
//! nothing; the idle wipe closes the camera and forgets its picture. One
//! event-loop test per file.

use crate::common::*;
use crate::ui::tap;
use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::visit::materials::ELECTRONIC_TEXT;
use onevisit_core::visit::session::Page as CPage;
use onevisit_drivers::camera::PixelFormat;
use onevisit_drivers::camera::sim::SimCamera;
use onevisit_drivers::camera::supervised::CameraFeed;
use onevisit_ui::{AppWindow, ApplyState, CaptureState, Kiosk, MaterialPlanRow, SessionController};
use slint::{ComponentHandle, Model};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

fn settle() {
    for _ in 0..4 {
        mock_elapsed_time(Duration::from_millis(60));
    }
}

fn rows(window: &AppWindow) -> Vec<MaterialPlanRow> {
    window
        .global::<ApplyState>()
        .get_materials()
        .iter()
        .collect()
}

fn row(window: &AppWindow, id: &str) -> MaterialPlanRow {
    rows(window)
        .into_iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("no material {id}"))
}

/// One frame of the simulated camera into the feed, then the screen's
/// timer picks it up.
fn frame(camera: &mut SimCamera, feed: &CameraFeed) {
    feed.pump(camera, Duration::from_secs(2)).expect("a frame");
    settle();
}

fn shown(window: &AppWindow, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(window, label)
        .next()
        .is_some()
}

/// A B01 visit on its materials page, with the camera and the platform's
/// licence library.
fn on_materials(window: &AppWindow, dir: &std::path::Path, url: &str) -> (Rc<Kiosk>, CameraFeed) {
    let outbox = Arc::new(outbox(dir));
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(catalog().clone()).with_outbox(outbox),
    );
    let feed = CameraFeed::default();
    kiosk.set_camera(feed.clone());
    kiosk.set_capture_inline(true);
    let link = onevisit_uplink::Link::new(client(url, Duration::from_secs(3))).unwrap();
    kiosk.set_elicence_source(Arc::new(link.licence_lookup(Duration::from_secs(3))));
    kiosk.update(|c| {
        visit::to_notice(c, "B01");
        visit::fill_form(c);
    });
    settle();
    assert_eq!(kiosk.controller().page(), CPage::Materials);
    (kiosk, feed)
}

pub fn materials_are_photographed_once_and_held_licences_are_not_asked_for() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path(), |_| {});
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let (kiosk, feed) = on_materials(&window, dir.path(), &srv.url());
    let ap = window.global::<ApplyState>();
    let cs = window.global::<CaptureState>();

    // 电子证照: asked, agreed, looked up on the platform.
    assert!(
        ap.get_lookup_ask(),
        "the lookup is asked on the materials page"
    );
    assert!(row(&window, "premises_proof").can_capture);
    tap(&window, "同意调取");
    settle();
    assert!(!ap.get_lookup_ask());
    assert!(
        ap.get_lookup_status().contains("已调取您的电子证照"),
        "{}",
        ap.get_lookup_status()
    );
    let premises = row(&window, "premises_proof");
    assert_eq!(premises.how, ELECTRONIC_TEXT);
    assert!(
        !premises.can_capture,
        "a held licence is never photographed"
    );
    assert!(!shown(&window, &format!("拍照：{}", premises.name)));

    // A material to photograph: the first the camera can take.
    let material = rows(&window)
        .into_iter()
        .find(|m| m.can_capture)
        .expect("B01 has a material to photograph");
    let id = material.id.to_string();
    tap(&window, &format!("拍照：{}", material.name));
    settle();
    assert!(cs.get_open(), "拍照 opens the capture screen");
    assert!(
        feed.is_active(),
        "the camera's pictures are decoded while it is open"
    );
    assert_eq!(cs.get_material(), material.name);
    assert!(!cs.get_has_preview(), "no picture before the first frame");

    // Live preview: each frame reaches the screen.
    let mut camera = SimCamera::documents(PixelFormat::Mjpeg).unpaced();
    let control = camera.control();
    control.show(0);
    frame(&mut camera, &feed);
    assert!(cs.get_has_preview());
    let preview = cs.get_preview().size();
    assert!(
        preview.width > 0 && preview.width <= 800 && preview.height <= 600,
        "a preview-sized picture: {preview:?}"
    );
    assert!(shown(&window, "高拍仪画面"));

    // The first page, straightened.
    tap(&window, "拍这一页");
    settle();
    assert_eq!(cs.get_pages(), 1, "{}", cs.get_status());
    assert!(!cs.get_warn());
    assert!(
        cs.get_status().contains("第 1 页已拍好"),
        "{}",
        cs.get_status()
    );
    assert!(cs.get_has_last_page());
    let thumb = cs.get_last_page().size();
    assert!(
        thumb.height > thumb.width,
        "an A4 page standing up: {thumb:?}"
    );

    // The empty desk: refused in plain words, nothing added.
    control.show(2);
    frame(&mut camera, &feed);
    tap(&window, "拍下一页");
    settle();
    assert_eq!(cs.get_pages(), 1);
    assert!(cs.get_warn());
    assert!(
        cs.get_status().contains("没有找到材料"),
        "{}",
        cs.get_status()
    );

    // A second page, retaken once.
    control.show(1);
    frame(&mut camera, &feed);
    tap(&window, "拍下一页");
    settle();
    assert_eq!(cs.get_pages(), 2, "{}", cs.get_status());
    tap(&window, "重拍上一页");
    settle();
    assert_eq!(cs.get_pages(), 1);
    frame(&mut camera, &feed);
    tap(&window, "拍下一页");
    settle();
    assert_eq!(cs.get_pages(), 2);
    tap(&window, "完成");
    settle();
    assert!(!cs.get_open());
    assert!(!feed.is_active());
    assert!(
        feed.latest().is_none(),
        "closing forgets the camera's last picture"
    );
    let taken = row(&window, &id);
    assert_eq!(taken.pages, 2);
    assert_eq!(taken.how, "已拍 2 页");
    assert!(shown(&window, &format!("删除最后一页：{}", material.name)));
    assert!(shown(&window, &format!("再拍一页：{}", material.name)));

    // The review page lists it; the case takes both pages to the platform.
    let shas: Vec<String> = kiosk
        .controller()
        .application()
        .unwrap()
        .captures()
        .pages(&id)
        .iter()
        .map(|p| p.sha256().to_string())
        .collect();
    kiosk.update(|c| {
        c.materials_next();
        c.toggle_declaration();
    });
    settle();
    assert!(
        ap.get_review()
            .iter()
            .any(|r| r.label == material.name && r.value == "已拍 2 页"),
        "the review page shows the pages"
    );
    kiosk.update(SessionController::submit);
    assert_eq!(kiosk.controller().page(), CPage::Done);
    let rt = rt();
    let ob = kiosk.controller().outbox().unwrap().clone();
    drain(&rt, &uplink(ob, &srv.url()), 30);
    let store = onevisit_platform::store::open(&dir.path().join("platform.sqlite3")).unwrap();
    for sha in &shas {
        let bytes = onevisit_platform::store::attachment_bytes(&store, sha).unwrap();
        assert!(
            bytes.is_some_and(|b| b.starts_with(&[0xff, 0xd8])),
            "page {sha} on the platform as a JPEG"
        );
    }

    // Declined: nothing is looked up, everything can be photographed.
    drop(kiosk);
    let dir2 = tempfile::tempdir().unwrap();
    let (kiosk, feed) = on_materials(&window, dir2.path(), &srv.url());
    assert!(ap.get_lookup_ask());
    tap(&window, "不同意");
    settle();
    assert!(!ap.get_lookup_ask());
    assert_eq!(ap.get_lookup_status(), "");
    assert!(row(&window, "premises_proof").can_capture);

    // The idle wipe mid-capture: the screen closes, the picture goes.
    let premises = row(&window, "premises_proof");
    tap(&window, &format!("拍照：{}", premises.name));
    settle();
    assert!(cs.get_open());
    frame(&mut camera, &feed);
    assert!(feed.latest().is_some());
    kiosk.update(SessionController::wipe);
    settle();
    assert!(!cs.get_open());
    assert!(!cs.get_has_preview());
    assert!(!feed.is_active());
    assert!(
        feed.latest().is_none(),
        "the wipe forgets the camera's picture"
    );
}
