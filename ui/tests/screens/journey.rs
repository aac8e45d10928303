//! Headless UI: a whole B01 (restaurant) visit by taps, found through
//! accessible labels, ending on the notice; and 长者模式 enlarging text and
//! targets; then an expired card and a lost reader as the applicant sees
//! them. One event-loop test per file (the backend is process-wide).

use i_slint_backend_testing::ElementQuery;
use onevisit_core::catalog::Catalog;
use onevisit_drivers::idcard::{CardError, WltPhoto};
use onevisit_drivers::sam::{CardRead, ReaderEvent};
use onevisit_drivers::sim::sam::TestCard;
use onevisit_ui::CardView;
use onevisit_ui::{
    AppState, AppWindow, CardState, Kiosk, OutcomeState, Page, QuestionState, SessionController,
    Theme,
};
use slint::{ComponentHandle, Model};

use crate::ui;
use ui::{find, tap};

fn text_on_screen(window: &AppWindow, needle: &str) -> bool {
    let needle = needle.to_string();
    ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(move |e| e.accessible_label().is_some_and(|l| l.contains(&needle)))
        .find_first()
        .is_some()
}

pub fn b01_by_taps_from_card_to_notice_and_elderly_mode_scales() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    window.show().unwrap();
    let catalog = Catalog::load_default().unwrap();
    let kiosk = Kiosk::new(window.clone_strong(), SessionController::new(catalog));

    // 长者模式: the start button and the body text grow.
    let normal_height = find(&window, "开始办理").size().height;
    let normal_font = window.global::<Theme>().get_font_body();
    tap(&window, "长者模式");
    assert!(window.global::<Theme>().get_elderly());
    let elderly_height = find(&window, "开始办理").size().height;
    assert!(
        elderly_height > normal_height * 1.2,
        "{elderly_height} vs {normal_height}"
    );
    assert!(window.global::<Theme>().get_font_body() > normal_font * 1.2);
    tap(&window, "标准字号");
    assert_eq!(find(&window, "开始办理").size().height, normal_height);

    // Welcome → card page → the reader delivers a card → greeting.
    tap(&window, "开始办理");
    assert_eq!(window.global::<AppState>().get_page(), Page::CardRead);
    kiosk.reader_event(ReaderEvent::CardPlaced(Box::new(CardRead {
        record: TestCard::Resident.record(),
        photo: WltPhoto(Vec::new()),
    })));
    let name = TestCard::Resident.record().name;
    let masked = onevisit_core::ids::mask_name(&name);
    assert_eq!(window.global::<CardState>().get_greeting_name(), masked);
    assert!(text_on_screen(&window, &format!("您好，{masked}")));
    assert!(
        !text_on_screen(&window, &name),
        "the full name is never shown"
    );
    tap(&window, "同意并继续");
    assert_eq!(window.global::<AppState>().get_page(), Page::BundleChoice);

    // The bundle, then one tap per question.
    tap(&window, "开办餐馆、饭店");
    assert_eq!(window.global::<AppState>().get_page(), Page::Questionnaire);
    let q = window.global::<QuestionState>();
    assert_eq!(q.get_step(), 1);
    let preselected: Vec<_> = q.get_options().iter().filter(|o| o.selected).collect();
    assert_eq!(preselected.len(), 1, "the default is preselected");
    tap(&window, "新开一家，还没有营业执照");
    assert_eq!(q.get_step(), 2);
    tap(&window, "公司（有限责任公司等）");
    // Back, and the answer is still there.
    tap(&window, "上一步");
    assert_eq!(q.get_step(), 2);
    let selected: Vec<_> = q.get_options().iter().filter(|o| o.selected).collect();
    assert_eq!(selected[0].id, "company");
    tap(&window, "公司（有限责任公司等）");
    tap(&window, "不会");
    tap(&window, "不需要");

    // The notice.
    assert_eq!(window.global::<AppState>().get_page(), Page::Notice);
    let o = window.global::<OutcomeState>();
    assert_eq!(o.get_bundle_name(), "开办餐馆、饭店");
    let items: Vec<String> = o.get_items().iter().map(|i| i.name.to_string()).collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        items.iter().any(|i| i.contains("食品经营许可")),
        "{items:?}"
    );
    assert!(o.get_materials().row_count() > 0);
    assert!(
        o.get_materials().iter().any(|m| m.rongque),
        "容缺 marks shown"
    );
    // The schedule reads the same on screen as on the printed notice.
    let mut seen = None;
    kiosk.update(|c| {
        let sentences = c.notice().unwrap().schedule_sentences();
        c.print_notice();
        let jobs = c.take_print_jobs();
        seen = Some((sentences, serde_json::to_string(&jobs[0].document).unwrap()));
    });
    let (sentences, printed) = seen.unwrap();
    assert!(sentences[0].contains("工作日"), "{sentences:?}");
    assert_eq!(o.get_time_summary(), sentences.concat());
    for s in &sentences {
        assert!(
            printed.contains(s.as_str()),
            "{s} not on the printed notice"
        );
    }
    assert!(!o.get_lead().is_empty() && !o.get_window().is_empty());
    assert!(text_on_screen(&window, "需要办理的事项（2 项）"));
    assert!(text_on_screen(&window, "食品经营许可"));
    // Rows below the fold are created when scrolled to, so check the
    // first material row on screen; the 容缺 marks are checked in the model.
    assert!(text_on_screen(&window, "必交"));

    // Finish: back to the welcome page with nothing kept.
    tap(&window, "结束办理");
    assert_eq!(window.global::<AppState>().get_page(), Page::Welcome);
    assert!(window.global::<CardState>().get_greeting_name().is_empty());
    assert_eq!(o.get_items().row_count(), 0);

    // An expired card: said plainly, and the visit goes on without it.
    let record = TestCard::Expired.record();
    let valid_to = record.valid_to.clone().unwrap();
    kiosk.reader_event(ReaderEvent::CardRejected(Box::new(CardError::Expired {
        record: Box::new(record),
        valid_to,
    })));
    assert_eq!(window.global::<AppState>().get_page(), Page::CardRead);
    assert_eq!(window.global::<CardState>().get_view(), CardView::Rejected);
    assert!(text_on_screen(&window, "这张证件不能使用"));
    assert!(text_on_screen(&window, "证件已过有效期"));
    kiosk.reader_event(ReaderEvent::ReaderLost("gone".into()));
    assert!(text_on_screen(&window, "身份证阅读器暂时不可用"));
    tap(&window, "不用证件，继续");
    assert_eq!(window.global::<AppState>().get_page(), Page::BundleChoice);
    kiosk.reader_event(ReaderEvent::ReaderBack);
    assert!(window.global::<AppState>().get_banner().is_empty());
}
