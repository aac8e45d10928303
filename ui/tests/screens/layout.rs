//! Headless UI: no text spills out of its box. Every text of the kiosk is a
//! `Label` (ui/widgets/label.slint), which reports the size it needs; this
//! walks every screen (each bundle's questions, notice, form pages,
//! materials, review and receipt; the card, referral, pickers, keyboard in
//! pinyin and handwriting, idle and help overlays, 办件查询, staff mode,
//! out of service) in standard and 长者模式, landscape and portrait, and
//! fails on any text that needs more room than its box gives: wider than
//! its box on one line, or more lines than its box is high. Then the same
//! with a stress catalog whose names are as long as the catalog allows
//! (`core::catalog::limits`), and a check that the walker does fail when a
//! tile's text is made longer than that. One event-loop test per file.

use crate::common::{sample_card, visit};

use i_slint_backend_testing::{ElementHandle, ElementQuery, mock_elapsed_time};
use onevisit_core::catalog::Catalog;
use onevisit_core::staff::{ManualClock, PaperSettings, StaffDesk, hash_pin};
use onevisit_core::visit::session::Page as CPage;
use onevisit_core::visit::staff_mode::{GESTURE_TAPS, TextField};
use onevisit_ui::{AppWindow, BundleState, Kiosk, SessionController, StaffServices};
use slint::{ComponentHandle, Model};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const PIN: &str = "246810";
/// Rounding of text metrics: a needed size up to this much over the box
/// draws no glyph outside it.
const SLACK: f32 = 1.0;

fn settle() {
    for _ in 0..4 {
        mock_elapsed_time(Duration::from_millis(20));
    }
}

/// One text that does not fit, where.
#[derive(Debug)]
pub struct Spill {
    pub screen: String,
    pub text: String,
    pub why: String,
}

/// Where an element is on screen: x, y, width, height.
fn rect(e: &ElementHandle) -> [f32; 4] {
    let (p, s) = (e.absolute_position(), e.size());
    [p.x, p.y, s.width, s.height]
}

fn is_label(e: &ElementHandle) -> bool {
    e.accessible_description()
        .is_some_and(|d| d.starts_with("wrap ") || d.starts_with("nowrap "))
}

/// Texts that run past the border of a box they are in: a button, a
/// tile, a key, a field row, a group. A text can fit its own box while
/// that box runs past the tile's border (a tile of fixed height whose
/// description grew).
fn outside_their_box(window: &AppWindow, screen: &str, out: &mut Vec<Spill>) {
    use i_slint_backend_testing::AccessibleRole as R;
    let boxes = ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(|e: &ElementHandle| {
            matches!(
                e.accessible_role(),
                Some(R::Button | R::Groupbox | R::Checkbox | R::ListItem | R::Switch)
            )
        })
        .find_all();
    for b in boxes {
        let [bx, by, bw, bh] = rect(&b);
        if bw <= 0.0 || bh <= 0.0 {
            continue;
        }
        for t in b.query_descendants().match_predicate(is_label).find_all() {
            let text = t.accessible_label().unwrap_or_default().to_string();
            let [x, y, w, h] = rect(&t);
            if text.trim().is_empty() || w <= 0.0 {
                continue;
            }
            let (right, bottom) = (x + w, y + h);
            if x < bx - SLACK
                || y < by - SLACK
                || right > bx + bw + SLACK
                || bottom > by + bh + SLACK
            {
                let why = format!(
                    "runs past its box ({bw:.0}×{bh:.0} at {bx:.0},{by:.0}) to {right:.0},{bottom:.0}"
                );
                if !out.iter().any(|s| s.text == text && s.why == why) {
                    out.push(Spill {
                        screen: screen.to_string(),
                        text,
                        why,
                    });
                }
            }
        }
    }
}

/// Every text on screen now that needs more room than it has.
pub fn spills(window: &AppWindow, screen: &str) -> Vec<Spill> {
    let labels = ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(is_label)
        .find_all();
    let mut out = Vec::new();
    for e in labels {
        let description = e.accessible_description().unwrap_or_default();
        let parts: Vec<&str> = description.split(' ').collect();
        let [wrap, _overflow, w, h] = parts[..] else {
            continue;
        };
        let (Ok(need_w), Ok(need_h)) = (w.parse::<f32>(), h.parse::<f32>()) else {
            continue;
        };
        let text = e.accessible_label().unwrap_or_default().to_string();
        if text.trim().is_empty() || e.computed_opacity() == 0.0 {
            continue;
        }
        let size = e.size();
        let mut why = Vec::new();
        if wrap == "nowrap" && need_w > size.width + SLACK {
            why.push(format!("needs {need_w:.0} px wide, has {:.0}", size.width));
        }
        if need_h > size.height + SLACK {
            why.push(format!("needs {need_h:.0} px high, has {:.0}", size.height));
        }

        // One item can answer the query more than once (a component's
        // root and the element it inherits): report it once.
        let why = why.join("; ");
        if !why.is_empty() && !out.iter().any(|s: &Spill| s.text == text && s.why == why) {
            out.push(Spill {
                screen: screen.to_string(),
                text,
                why,
            });
        }
    }
    outside_their_box(window, screen, &mut out);
    small_targets(window, screen, &mut out);
    out
}

/// The least touch target (适老化: 88 px, in both modes).
const TARGET: f32 = 88.0;

/// Buttons smaller than [`TARGET`] either way.
fn small_targets(window: &AppWindow, screen: &str, out: &mut Vec<Spill>) {
    use i_slint_backend_testing::AccessibleRole as R;
    for b in ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(|e: &ElementHandle| {
            matches!(
                e.accessible_role(),
                Some(R::Button | R::Checkbox | R::Switch)
            ) && e.computed_opacity() > 0.0
        })
        .find_all()
    {
        let [_, _, w, h] = rect(&b);
        if w <= 0.0 || h <= 0.0 || (w >= TARGET - SLACK && h >= TARGET - SLACK) {
            continue;
        }
        let text = b.accessible_label().unwrap_or_default().to_string();
        let why = format!("a touch target of {w:.0}×{h:.0} px, less than {TARGET}");
        if !out.iter().any(|s| s.text == text && s.why == why) {
            out.push(Spill {
                screen: screen.to_string(),
                text,
                why,
            });
        }
    }
}

struct Tour {
    window: AppWindow,
    kiosk: Rc<Kiosk>,
    found: Vec<Spill>,
    screens: usize,
    config: String,
    elderly: bool,
}

impl Tour {
    /// A new visit in the tour's mode (a wipe ends 长者模式).
    fn fresh(&self) {
        let elderly = self.elderly;
        self.kiosk.update(|c| {
            c.wipe();
            if c.elderly() != elderly {
                c.toggle_elderly();
            }
        });
    }

    fn check(&mut self, name: &str) {
        settle();
        let screen = format!("{} {name}", self.config);
        self.found.extend(spills(&self.window, &screen));
        self.screens += 1;
    }

    fn drive(&mut self, name: &str, f: impl FnOnce(&mut SessionController)) {
        self.kiosk.update(f);
        self.check(name);
    }

    /// Every screen of one bundle's visit, from its first question to
    /// the receipt.
    fn bundle(&mut self, code: &str) {
        self.fresh();
        self.kiosk.update(|c| {
            c.card_placed(sample_card());
            c.consent();
            c.choose_bundle(code);
        });
        let mut n = 0;
        while self.kiosk.controller().page() == CPage::Questionnaire {
            n += 1;
            self.check(&format!("{code} question {n}"));
            self.kiosk.update(|c| {
                if let Some((_, selected, _)) = c.question() {
                    c.answer(&selected);
                }
            });
        }
        self.check(&format!("{code} notice"));
        self.kiosk.update(|c| c.apply());
        let mut page = 0;
        while self.kiosk.controller().page() == CPage::Form {
            page += 1;
            self.check(&format!("{code} form {page}"));
            // The page with its problems shown, then filled.
            self.kiosk.update(|c| c.form_next());
            if self.kiosk.controller().page() != CPage::Form {
                break;
            }
            self.check(&format!("{code} form {page} problems"));
            self.kiosk.update(|c| {
                visit::fill_section(c);
                c.form_next();
            });
        }
        self.check(&format!("{code} materials"));
        self.kiosk.update(|c| {
            c.materials_next();
            c.toggle_declaration();
        });
        self.check(&format!("{code} review"));
        self.kiosk.update(|c| {
            c.submit();
        });
        self.check(&format!("{code} done"));
    }

    /// The screens that are not a bundle's.
    fn others(&mut self) {
        let w = self.window.clone_strong();
        self.fresh();
        self.check("welcome");
        self.drive("card waiting", |c| c.start());
        self.drive("card greeting", |c| c.card_placed(sample_card()));
        self.fresh();
        self.drive("card rejected", |c| {
            c.card_rejected("身份证已过期（有效期至 2020.01.01），请使用有效证件或到窗口办理")
        });
        self.fresh();
        self.drive("bundles", |c| {
            c.card_placed(sample_card());
            c.consent();
        });
        self.drive("referral", |c| {
            c.choose_bundle("B01");
            c.answer("new");
            c.answer("other");
        });
        self.drive("idle prompt", |c| {
            c.tick(Duration::from_secs(63));
        });
        self.drive("help", |c| {
            c.touch();
            c.call_staff();
        });
        // The keyboard: pinyin with candidates, handwriting with ten.
        self.fresh();
        self.kiosk.update(|c| {
            visit::to_notice(c, "B01");
            c.apply();
        });
        let name_row = first_row(&w, "法定代表人（负责人）姓名");
        w.global::<onevisit_ui::FormState>()
            .invoke_edit(name_row.into());
        settle();
        tap_if(&w, "英文");
        self.check("keyboard latin");
        for key in ["拼音", "z", "h", "a", "n", "g"] {
            tap_if(&w, key);
        }
        self.check("keyboard pinyin");
        tap_if(&w, "手写");
        if let Some(ink) = onevisit_drivers::handwriting::samples::ink("中") {
            self.kiosk.write_on_pad(&ink);
        }
        self.check("keyboard handwriting");
        tap_if(&w, "完成");
        // The pickers.
        let form = w.global::<onevisit_ui::FormState>();
        for (kind, name) in [("主体类型", "choice picker"), ("经营期限", "date picker")] {
            self.kiosk.update(|c| c.form_next());
            self.kiosk.update(visit_fill);
            if let Some(path) = find_row(&w, kind) {
                form.invoke_edit(path.into());
                self.check(name);
                form.invoke_edit_done();
            }
        }
        self.fresh();
        self.drive("query", |c| {
            c.query_open();
            c.query_edit(TextField::QueryReceipt);
            c.typed("K0101202611290001");
        });
        self.drive("query asked", |c| {
            c.typing_done(&onevisit_core::outbox::receipt::format(
                "K0101", "20261129", 1,
            ));
            c.query_edit(TextField::QueryLast4);
            c.typing_done("0026");
            c.query_submit();
        });
        // Staff: PIN pad, staff screen, out of service.
        self.fresh();
        for _ in 0..GESTURE_TAPS {
            self.kiosk.update(|c| c.corner_tap());
        }
        self.check("staff pin");
        self.kiosk.update(|c| {
            PIN.chars().for_each(|d| c.pin_key(&d.to_string()));
            c.pin_ok();
        });
        self.check("staff");
        self.drive("staff paused", |c| c.staff_action("pause"));
        self.drive("out of service", |c| c.staff_action("leave"));
        self.kiosk.update(|c| {
            for _ in 0..GESTURE_TAPS {
                c.corner_tap();
            }
            PIN.chars().for_each(|d| c.pin_key(&d.to_string()));
            c.pin_ok();
            c.staff_action("resume");
            c.staff_action("leave");
        });
    }
}

fn visit_fill(c: &mut SessionController) {
    visit::fill_section(c);
}

fn find_row(window: &AppWindow, label: &str) -> Option<String> {
    window
        .global::<onevisit_ui::FormState>()
        .get_rows()
        .iter()
        .find(|r| r.label.starts_with(label))
        .map(|r| r.path.to_string())
}

fn first_row(window: &AppWindow, label: &str) -> String {
    find_row(window, label).unwrap_or_else(|| panic!("no row {label}"))
}

fn tap_if(window: &AppWindow, label: &str) {
    if let Some(e) = ElementHandle::find_by_accessible_label(window, label).next() {
        e.mock_single_click(slint::platform::PointerEventButton::Left);
    }
}

fn kiosk(window: &AppWindow, catalog: Catalog, dir: &std::path::Path) -> Rc<Kiosk> {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let desk = StaffDesk::open(dir, PaperSettings::default(), clock).unwrap();
    let gate = desk.gate(Some(&hash_pin(PIN).unwrap())).unwrap();
    let outbox = Arc::new(crate::common::outbox(dir));
    let kiosk = Kiosk::new(
        window.clone_strong(),
        SessionController::new(catalog).with_outbox(outbox.clone()),
    );
    kiosk.with_staff(StaffServices::new(desk, gate, outbox));
    kiosk.set_handwriting_inline(true);
    kiosk
}

/// Every screen of `catalog` in the four configurations.
fn tour(window: &AppWindow, kiosk: &Rc<Kiosk>, catalog: &Catalog, bundles: bool) -> Tour {
    let mut t = Tour {
        window: window.clone_strong(),
        kiosk: kiosk.clone(),
        found: Vec::new(),
        screens: 0,
        config: String::new(),
        elderly: false,
    };
    for portrait in [false, true] {
        let (w, h) = if portrait {
            (1080.0, 1920.0)
        } else {
            (1920.0, 1080.0)
        };
        window.window().set_size(slint::LogicalSize::new(w, h));
        kiosk.set_portrait(portrait);
        for elderly in [false, true] {
            t.config = format!(
                "[{} {}]",
                if portrait { "portrait" } else { "landscape" },
                if elderly { "长者模式" } else { "standard" }
            );
            t.elderly = elderly;
            t.others();
            if bundles {
                for b in &catalog.bundles {
                    t.bundle(b.code());
                }
            }
        }
    }
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    kiosk.set_portrait(false);
    t
}

fn report(found: &[Spill]) -> String {
    found
        .iter()
        .take(80)
        .map(|s| format!("{}: «{}» {}", s.screen, s.text, s.why))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` lengthened to exactly `max` characters with wide Chinese ones
/// (the widest case).
fn stretched(text: &str, max: usize) -> String {
    text.chars()
        .chain("华龙区政务服务中心一件事一次办".chars().cycle())
        .take(max)
        .collect()
}

/// The shipped catalog with every text the limits cover as long as they
/// allow (`core::catalog::limits`).
fn stress_catalog() -> Catalog {
    use onevisit_core::catalog::limits as max;
    let mut c = Catalog::load_default().unwrap();
    for d in &mut c.departments {
        d.name = stretched(&d.name, max::DEPARTMENT_NAME);
    }
    for s in &mut c.sections {
        s.title = stretched(&s.title, max::SECTION_TITLE);
    }
    for f in c.fields.values_mut() {
        f.label = stretched(&f.label, max::FIELD_LABEL);
    }
    for m in c.materials.values_mut() {
        m.name = stretched(&m.name, max::MATERIAL_NAME);
    }
    for i in &mut c.items {
        i.name = stretched(&i.name, max::ITEM_NAME);
        for f in &mut i.fields {
            if let Some(l) = &mut f.label {
                *l = stretched(l, max::FIELD_LABEL);
            }
        }
    }
    for b in &mut c.bundles {
        b.def.name = stretched(&b.def.name, max::BUNDLE_NAME);
        b.def.description = stretched(&b.def.description, max::BUNDLE_DESCRIPTION);
        for q in &mut b.questions {
            q.text = stretched(&q.text, max::QUESTION_TEXT);
            for o in &mut q.options {
                o.label = stretched(&o.label, max::OPTION_LABEL);
            }
        }
    }
    c
}

pub fn no_text_spills_out_of_its_box_on_any_screen() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let window = AppWindow::new().unwrap();
    window.show().unwrap();
    let catalog = Catalog::load_default().unwrap();
    let k = kiosk(&window, catalog.clone(), dir.path());
    let t = tour(&window, &k, &catalog, true);
    assert!(t.screens > 400, "walked {} screens", t.screens);
    assert!(
        t.found.is_empty(),
        "{} texts spill:\n{}",
        t.found.len(),
        report(&t.found)
    );

    // The same tour with every catalog text as long as the catalog allows.
    let stress_dir = tempfile::tempdir().unwrap();
    let stress = stress_catalog();
    let sk = kiosk(&window, stress.clone(), stress_dir.path());
    let t = tour(&window, &sk, &stress, true);
    assert!(
        t.found.is_empty(),
        "{} texts spill with the longest names the catalog allows:\n{}",
        t.found.len(),
        report(&t.found)
    );
    drop(sk);

    // The walker sees a spill: a tile's line made longer than its box.
    k.update(|c| {
        c.wipe();
        c.card_placed(sample_card());
        c.consent();
    });
    settle();
    // Rows grow with their tiles up to a tile's greatest height: a text
    // far beyond the catalog's limits runs past it.
    let first_row = window
        .global::<BundleState>()
        .get_rows()
        .row_data(0)
        .unwrap();
    let mut tile = first_row.row_data(0).unwrap();
    tile.lead = format!("牵头：{}", "区市场监督管理局".repeat(30)).into();
    first_row.set_row_data(0, tile);
    let found = spills(&window, "bundles, a made-up long lead");
    // The page had no spill before the edit (the tour above): what the
    // walker finds now is the long lead, or the line it pushed out.
    assert!(
        !found.is_empty(),
        "the walker missed a lead line longer than its tile"
    );
    assert!(
        found
            .iter()
            .all(|s| s.text.starts_with("牵头：区市场监督管理局区市场")),
        "{}",
        report(&found)
    );
    // And a description that wraps to more lines than the tile is high.
    let mut tile = first_row.row_data(1).unwrap();
    tile.description = "办理营业执照、食品经营许可、卫生许可和消防检查，"
        .repeat(8)
        .into();
    first_row.set_row_data(1, tile);
    let found = spills(&window, "bundles, a made-up long description");
    assert!(
        found
            .iter()
            .any(|s| s.text.starts_with("办理营业执照、食品经营许可")
                && s.why.contains("runs past its box")),
        "the walker missed a description taller than its tile: {}",
        report(&found)
    );
}
