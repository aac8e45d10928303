//! Headless UI: a whole visit tapped as a person taps it, counted. From
//! 开始办理 to the receipt: the ID card on the reader, the typical answer to
//! each question, then every required field of every form page filled the
//! way the screen offers it (a one-tap offer when there is one, otherwise
//! the field, the keyboard's keys one by one, the pinyin candidate, 完成;
//! a picker's option), swiping the list when a field lies below the fold.
//! Issue 18's measure: B01 (a company restaurant) took 334 taps and 27
//! typed fields; it must take at most 120 taps and 10 typed fields. B07 and
//! B13 print their numbers. One visit per process (`isolated`).

use crate::ui;

use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::form::kind::FieldKind;
use onevisit_core::form::merged::ShapeView;
use onevisit_core::outbox::Outbox;
use onevisit_core::visit::application::FieldPath;
use onevisit_drivers::idcard::WltPhoto;
use onevisit_drivers::sam::{CardRead, ReaderEvent};
use onevisit_drivers::sim::sam::TestCard;
use onevisit_ui::{
    AppState, AppWindow, BundleState, FormState, KeyboardState, Kiosk, Page, QuestionState,
    RowKind, SessionController,
};
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, LogicalPosition, Model};
use std::sync::Arc;
use std::time::Duration;

const WIDTH: f32 = 1920.0;
const HEIGHT: f32 = 1080.0;

/// What a person does to put one value in with the on-screen keyboard.
#[derive(Clone, Debug)]
enum Stroke {
    /// Keys tapped as they are labelled (digits, Latin letters).
    Keys(String),
    /// Pinyin letters, then the candidate that is the word meant.
    Pinyin(&'static str, &'static str),
}

fn keys(s: &str) -> Stroke {
    Stroke::Keys(s.to_string())
}

/// The counts of one visit.
#[derive(Debug, Default)]
struct Tally {
    taps: usize,
    swipes: usize,
    screens: usize,
    /// Fields filled by typing on the keyboard (label, taps spent).
    typed: Vec<(String, usize)>,
    /// Fields filled from a picker with no offer.
    picked: Vec<String>,
    offers: usize,
}

struct Person<'a> {
    window: &'a AppWindow,
    kiosk: &'a Kiosk,
    /// The bundle's trade word in the entity's name (餐饮, 诊所).
    trade: (&'static str, &'static str),
    tally: Tally,
    last_page: Option<Page>,
}

fn settle() {
    for _ in 0..4 {
        mock_elapsed_time(Duration::from_millis(40));
    }
}

impl<'a> Person<'a> {
    fn page(&self) -> Page {
        self.window.global::<AppState>().get_page()
    }

    fn note_screen(&mut self) {
        let page = self.page();
        if self.last_page != Some(page) {
            self.tally.screens += 1;
            self.last_page = Some(page);
        }
    }

    /// A tap on an element, through hit-testing: what is drawn on top at
    /// its centre gets it, as under a finger.
    fn tap_element(&mut self, e: &ElementHandle) {
        let c = centre(e);
        assert!(
            (0.0..WIDTH).contains(&c.x) && (0.0..HEIGHT).contains(&c.y),
            "{:?} is off screen at {c:?}",
            e.accessible_label()
        );
        if std::env::var_os("TAP_DEBUG").is_some() {
            eprintln!(
                "tap {:?} at {c:?} valid={} page={:?} section={}",
                e.accessible_label(),
                e.is_valid(),
                self.page(),
                self.window.global::<FormState>().get_section()
            );
        }
        finger_tap(self.window, c);
        self.tally.taps += 1;
        settle();
        self.note_screen();
    }

    fn tap(&mut self, label: &str) {
        let e = ui::find(self.window, label);
        self.tap_element(&e);
    }

    /// The keyboard's top edge, or the screen's bottom when it is closed.
    fn keyboard_top(&self) -> f32 {
        let k = self.window.global::<KeyboardState>();
        if k.get_visible() {
            HEIGHT - k.get_docked_height()
        } else {
            HEIGHT
        }
    }

    /// A key or candidate of the docked keyboard (the page under it may
    /// show the same words).
    fn tap_key(&mut self, label: &str) {
        let top = self.keyboard_top();
        let key = ElementHandle::find_by_accessible_label(self.window, label)
            .find(|e| e.absolute_position().y >= top - 0.5)
            .unwrap_or_else(|| panic!("no key {label:?} on the keyboard"));
        self.tap_element(&key);
    }

    fn type_value(&mut self, strokes: &[Stroke]) {
        let state = self.window.global::<KeyboardState>();
        for stroke in strokes {
            match stroke {
                Stroke::Keys(s) => {
                    for c in s.chars() {
                        self.tap_key(&c.to_string());
                    }
                }
                Stroke::Pinyin(letters, word) => {
                    for c in letters.chars() {
                        self.tap_key(&c.to_string());
                    }
                    let mut pages = 0;
                    while !state.get_candidates().iter().any(|w| w == *word) {
                        pages += 1;
                        assert!(
                            pages <= 5 && state.get_has_next_page(),
                            "{word} not among the candidates of {letters}"
                        );
                        self.tap_key("更多字 ›");
                    }
                    self.tap_key(word);
                }
            }
        }
        self.tap_key("完成");
    }

    /// The list of the form page, as the part of the screen that scrolls.
    fn form_view(&self) -> (f32, f32) {
        let list = ui::find(self.window, "表单填写区");
        let top = list.absolute_position().y;
        (top, (top + list.size().height).min(self.keyboard_top()))
    }

    /// Swipes the form list until the element `find` finds lies wholly in
    /// view. The testing backend does not find elements scrolled wholly
    /// out of the list, so one not found yet is looked for further down
    /// (the person fills the page from top to bottom).
    fn bring_into_view(&mut self, find: &dyn Fn() -> Option<ElementHandle>) -> ElementHandle {
        for _ in 0..12 {
            let (top, bottom) = self.form_view();
            let span = (bottom - top) * 0.7;
            let wanted = match find() {
                Some(e) => {
                    let (y, h) = (e.absolute_position().y, e.size().height);
                    if y >= top - 0.5 && y + h <= bottom + 0.5 {
                        return e;
                    }
                    if y < top {
                        top + (bottom - top) * 0.3 - y
                    } else {
                        -(y + h - (top + (bottom - top) * 0.7))
                    }
                }
                None => -span,
            };
            // A swipe of at most most of the view, the way a thumb does.
            let dy = wanted.clamp(-span, span);
            let from = LogicalPosition::new(WIDTH / 2.0, (top + bottom) / 2.0 - dy / 2.0);
            drag(self.window, from, LogicalPosition::new(from.x, from.y + dy));
            self.tally.swipes += 1;
            if std::env::var_os("TAP_DEBUG").is_some() {
                eprintln!("swipe {from:?} by {dy}");
            }
            // The list glides a little after the finger lifts; a person
            // looks before tapping (a tap on a gliding list only stops it).
            for _ in 0..25 {
                mock_elapsed_time(Duration::from_millis(40));
            }
        }
        panic!("could not scroll it into view:\n{}", self.dump());
    }

    /// The `n`th element labelled `label` (rows share labels, e.g. 姓名 in
    /// each record), in view.
    fn nth_in_view(&mut self, label: &str, n: usize) -> ElementHandle {
        let window = self.window;
        let label = label.to_string();
        self.bring_into_view(&move || {
            ElementHandle::find_by_accessible_label(window, &label).nth(n)
        })
    }

    fn start_with_card(&mut self) {
        self.note_screen();
        self.tap("开始办理");
        self.kiosk
            .reader_event(ReaderEvent::CardPlaced(Box::new(CardRead {
                record: TestCard::Resident.record(),
                photo: WltPhoto(Vec::new()),
            })));
        self.tap("同意并继续");
        assert_eq!(self.page(), Page::BundleChoice);
    }

    fn choose_bundle(&mut self, code: &str) {
        let name = self
            .window
            .global::<BundleState>()
            .get_bundles()
            .iter()
            .find(|b| b.code == code)
            .expect("the bundle's tile")
            .name
            .to_string();
        self.tap(&name);
    }

    /// The typical path: the option the kiosk preselects (the catalog's
    /// most common answer), tapped.
    fn answer_questions(&mut self) {
        let q = self.window.global::<QuestionState>();
        while self.page() == Page::Questionnaire {
            let options: Vec<_> = q.get_options().iter().collect();
            let option = options
                .iter()
                .find(|o| o.selected)
                .or(options.first())
                .expect("options")
                .label
                .to_string();
            self.tap(&option);
        }
        assert_eq!(
            self.page(),
            Page::Notice,
            "the typical path ends on a notice"
        );
    }

    /// What the applicant types into a field of `kind` labelled `label`.
    fn strokes(&self, kind: &FieldKind, label: &str) -> Vec<Stroke> {
        use Stroke::Pinyin;
        let place = [Pinyin("puyangshi", "濮阳市"), Pinyin("hualongqu", "华龙区")];
        match kind {
            FieldKind::Mobile => vec![keys("13903930001")],
            FieldKind::Phone => vec![keys("03938881234")],
            FieldKind::Area => vec![keys("80")],
            FieldKind::Money { .. } => vec![keys("10")],
            FieldKind::Integer { min, .. } => vec![keys(&min.unwrap_or(1).max(1).to_string())],
            FieldKind::PostalCode => vec![keys("457000")],
            FieldKind::ResidentId | FieldKind::IdentityNumber | FieldKind::PartyNumber => {
                vec![keys("410902199001011238")]
            }
            FieldKind::EntityName => {
                let (py, word) = self.trade;
                let mut s = place.to_vec();
                s.extend([
                    Pinyin("xiao", "晓"),
                    Pinyin("mei", "梅"),
                    Pinyin(py, word),
                    Pinyin("youxiangongsi", "有限公司"),
                ]);
                s
            }
            FieldKind::PersonName => vec![Pinyin("wang", "王"), Pinyin("lixin", "立新")],
            FieldKind::Address => {
                let mut s = place.to_vec();
                s.extend([
                    Pinyin("shenglilu", "胜利路"),
                    keys("88"),
                    Pinyin("hao", "号"),
                ]);
                s
            }
            FieldKind::Text { .. } if label.contains("范围") => {
                let (py, word) = self.trade;
                vec![Pinyin(py, word), Pinyin("fuwu", "服务")]
            }
            FieldKind::Text { .. } if label.contains("设备") => {
                vec![Pinyin("xueyaji", "血压计")]
            }
            FieldKind::Text { .. } if label.contains("岗位") || label.contains("职务") => {
                vec![Pinyin("fuzeren", "负责人")]
            }
            FieldKind::Text { .. } if label.contains("人") => {
                vec![Pinyin("wang", "王"), Pinyin("lixin", "立新")]
            }
            FieldKind::Text { .. } if label.contains("编号") => vec![keys("141410900000001")],
            FieldKind::Text { .. } => vec![Pinyin("fuwu", "服务")],
            other => panic!("{label}: no keyboard plan for {other:?}"),
        }
    }

    fn kind_of(&self, path: &str) -> FieldKind {
        let path = FieldPath::decode(path).expect("a row path");
        let c = self.kiosk.controller();
        c.application()
            .and_then(|a| a.kind(&path).cloned())
            .expect("a field kind")
    }

    fn list_min(&self, list: &str) -> usize {
        let c = self.kiosk.controller();
        let a = c.application().expect("applying");
        match &a.form().field(list).expect("the list").shape {
            ShapeView::Records { min, .. } => *min,
            ShapeView::Kind(_) => 0,
        }
    }

    /// One required field: its offer if it has one, else its picker or
    /// keyboard. Returns false when nothing on the page is left to do.
    fn fill_next(&mut self, done_lists: &mut Vec<String>) -> bool {
        let form = self.window.global::<FormState>();
        let rows: Vec<_> = form.get_rows().iter().collect();
        // Occurrences of a label before row `i` (the same words in
        // several rows are found in order).
        let nth = |i: usize, label: &dyn Fn(&onevisit_ui::FieldRow) -> String| {
            let wanted = label(&rows[i]);
            rows[..i].iter().filter(|r| label(r) == wanted).count()
        };
        for (i, row) in rows.iter().enumerate() {
            match row.kind {
                RowKind::RecordHeading
                    if !row.offer.is_empty() && !done_lists.contains(&row.list.to_string()) =>
                {
                    done_lists.push(row.list.to_string());
                    let label = format!("一键填写：{}", row.offer);
                    let n = nth(i, &|r| format!("一键填写：{}", r.offer));
                    let e = self.nth_in_view(&label, n);
                    self.tap_element(&e);
                    self.tally.offers += 1;
                    return true;
                }
                RowKind::AddRecord
                    if !done_lists.contains(&row.list.to_string())
                        && self.list_min(&row.list) > 0
                        && !rows.iter().any(|r| r.in_record && r.list == row.list) =>
                {
                    done_lists.push(row.list.to_string());
                    let e = self.nth_in_view(&format!("添加一条{}", row.label), 0);
                    self.tap_element(&e);
                    return true;
                }
                RowKind::Field if row.required && row.value.is_empty() => {
                    if !row.offer.is_empty() {
                        let label = format!("一键填写：{}", row.offer);
                        let n = nth(i, &|r| format!("一键填写：{}", r.offer));
                        let e = self.nth_in_view(&label, n);
                        self.tap_element(&e);
                        self.tally.offers += 1;
                    } else {
                        self.fill_by_hand(i, row);
                    }
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    /// The page's rows as text, for a failure message.
    fn dump(&self) -> String {
        let form = self.window.global::<FormState>();
        form.get_rows()
            .iter()
            .map(|r| {
                format!(
                    "{:?} {} [{}] value={:?} error={:?} offer={:?} required={}",
                    r.kind, r.label, r.path, r.value, r.error, r.offer, r.required
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fill_by_hand(&mut self, i: usize, row: &onevisit_ui::FieldRow) {
        let form = self.window.global::<FormState>();
        let rows: Vec<_> = form.get_rows().iter().collect();
        let n = rows[..i]
            .iter()
            .filter(|r| r.kind == RowKind::Field && r.label == row.label)
            .count();
        let label = row.label.to_string();
        let kind = self.kind_of(&row.path);
        let before = self.tally.taps;
        let e = self.nth_in_view(&label, n);
        self.tap_element(&e);
        match &kind {
            FieldKind::Choice { options } | FieldKind::MultiChoice { options } => {
                assert!(form.get_picker_visible(), "{label} opens a picker");
                self.tap(&options[0].label);
                if matches!(kind, FieldKind::MultiChoice { .. }) {
                    self.tap("完成");
                }
                self.tally.picked.push(label);
            }
            FieldKind::YesNo => {
                assert!(form.get_picker_visible(), "{label} opens a picker");
                let first = form.get_picker_options().row_data(0).unwrap().label;
                self.tap(&first);
                self.tally.picked.push(label);
            }
            FieldKind::Date | FieldKind::DateRange => {
                assert!(form.get_date_visible(), "{label} opens the date picker");
                self.tap("完成");
                self.tally.picked.push(label);
            }
            _ => {
                assert!(
                    self.window.global::<KeyboardState>().get_visible(),
                    "{label} opens the keyboard; tapped at {:?} {:?}, view {:?}\n{}",
                    e.absolute_position(),
                    e.size(),
                    self.form_view(),
                    self.dump()
                );
                let strokes = self.strokes(&kind, &label);
                self.type_value(&strokes);
                self.tally.typed.push((label, self.tally.taps - before));
            }
        }
        let value = form
            .get_rows()
            .iter()
            .find(|r| r.path == row.path)
            .map(|r| r.value.to_string())
            .unwrap_or_default();
        assert!(!value.is_empty(), "{} still empty", row.label);
    }

    fn fill_form(&mut self) {
        self.tap("我要申请");
        let form = self.window.global::<FormState>();
        while self.page() == Page::Form {
            let section = form.get_section();
            let mut done_lists = Vec::new();
            while self.fill_next(&mut done_lists) {}
            let next = if form.get_section() < form.get_sections() {
                "下一页"
            } else {
                "下一步：材料"
            };
            self.tap(next);
            assert!(
                self.page() != Page::Form || form.get_section() != section,
                "stuck on page {section}: {}\n{}",
                form.get_message(),
                self.dump()
            );
        }
        assert_eq!(self.page(), Page::Materials);
    }

    fn submit(&mut self) {
        self.tap("下一步：核对提交");
        assert_eq!(self.page(), Page::Review);
        self.tap("本人承诺");
        self.tap("确认提交");
        assert_eq!(self.page(), Page::Done, "submitted");
    }
}

/// A finger's tap at `at`: down, a moment, up, and gone (a touch screen
/// reports the pointer leaving; no hover stays behind, unlike a mouse).
fn finger_tap(window: &AppWindow, at: LogicalPosition) {
    use slint::platform::WindowEvent;
    let w = window.window();
    let button = PointerEventButton::Left;
    w.dispatch_event(WindowEvent::PointerMoved { position: at });
    w.dispatch_event(WindowEvent::PointerPressed {
        position: at,
        button,
    });
    // Held as long as an unhurried finger does, longer than the 100 ms a
    // Flickable waits before passing a press on to what it holds.
    mock_elapsed_time(Duration::from_millis(150));
    w.dispatch_event(WindowEvent::PointerReleased {
        position: at,
        button,
    });
    w.dispatch_event(WindowEvent::PointerExited);
}

/// The point under an element's centre.
fn centre(e: &ElementHandle) -> LogicalPosition {
    let (p, s) = (e.absolute_position(), e.size());
    LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0)
}

/// A slow finger drag from `from` to `to` (slow enough that the list does
/// not fling on), dispatched to the window as pointer events.
fn drag(window: &AppWindow, from: LogicalPosition, to: LogicalPosition) {
    use slint::platform::WindowEvent;
    let w = window.window();
    let button = PointerEventButton::Left;
    w.dispatch_event(WindowEvent::PointerMoved { position: from });
    w.dispatch_event(WindowEvent::PointerPressed {
        position: from,
        button,
    });
    let steps = (((to.y - from.y).abs() / 5.0).ceil() as usize).max(2);
    for i in 1..=steps {
        let t = i as f32 / steps as f32;
        mock_elapsed_time(Duration::from_millis(16));
        w.dispatch_event(WindowEvent::PointerMoved {
            position: LogicalPosition::new(from.x, from.y + (to.y - from.y) * t),
        });
    }
    // Held still a moment before lifting: a placed swipe, not a fling.
    mock_elapsed_time(Duration::from_millis(300));
    w.dispatch_event(WindowEvent::PointerMoved { position: to });
    w.dispatch_event(WindowEvent::PointerReleased {
        position: to,
        button,
    });
}

/// The whole visit of `code`'s typical path, counted.
fn visit(code: &str, trade: (&'static str, &'static str)) -> Tally {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(WIDTH, HEIGHT));
    window.show().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox =
        Arc::new(Outbox::open(&dir.path().join("o.sqlite3"), "K0101", &[5u8; 32]).unwrap());
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(Catalog::load_default().unwrap()).with_outbox(outbox),
    );
    let mut person = Person {
        window: &window,
        kiosk: &kiosk,
        trade,
        tally: Tally::default(),
        last_page: None,
    };
    person.start_with_card();
    person.choose_bundle(code);
    person.answer_questions();
    person.fill_form();
    person.submit();
    let tally = person.tally;
    println!(
        "{code}: {} taps, {} swipes, {} screens; typed {} fields {:?}; picked {:?}; {} one-tap offers",
        tally.taps,
        tally.swipes,
        tally.screens,
        tally.typed.len(),
        tally.typed,
        tally.picked,
        tally.offers
    );
    tally
}

pub fn a_restaurant_visit_takes_at_most_120_taps_and_10_typed_fields() {
    let tally = visit("B01", ("canyin", "餐饮"));
    assert!(
        tally.typed.len() <= 10,
        "B01 typed {} fields: {:?}",
        tally.typed.len(),
        tally.typed
    );
    assert!(tally.taps <= 120, "B01 took {} taps", tally.taps);
}

pub fn a_clinic_visit_counted() {
    let tally = visit("B07", ("zhensuo", "诊所"));
    assert!(tally.typed.len() <= 15, "{:?}", tally.typed);
}

pub fn a_medical_device_shop_visit_counted() {
    let tally = visit("B13", ("yiyao", "医药"));
    assert!(tally.typed.len() <= 15, "{:?}", tally.typed);
}
