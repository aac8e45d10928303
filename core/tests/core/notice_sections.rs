//! One structure of the notice everywhere (issue 15.3): every path's notice
//! has the six sections in the one order on screen data, in the text
//! notice, on paper and aloud; and the wording fixes each keep: 即办 instead
//! of "0 个工作日", 必交 and 无需另交 on lines of their own, one marker
//! （待核实）, and a referral that needs nothing says so.

use crate::common::visit;
use onevisit_core::catalog::{Catalog, UNVERIFIED};
use onevisit_core::guide::{self, Badge, Notice, Outcome, SectionKind, says_zero_working_days};
use onevisit_core::print::layout::{Laid, lay_out};
use onevisit_core::print::{self, qr_payload};
use onevisit_core::visit::session::{Page, SessionController};
use onevisit_drivers::escpos::PaperWidth;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::load_default().expect("catalog"))
}

/// One answer path: its bundle, the answers in the order asked, its end.
type Path = (String, Vec<(String, String)>, Outcome);

/// Every path of every bundle.
fn paths() -> Vec<Path> {
    catalog()
        .bundles
        .iter()
        .flat_map(|b| {
            guide::enumerate(catalog(), b)
                .into_iter()
                .map(|p| (b.code().to_string(), p.answers, p.outcome))
        })
        .collect()
}

fn printed(n: &Notice) -> String {
    let payload = qr_payload::encode_notice(catalog(), n, b"test key").unwrap();
    let doc = print::notice_document(n, &payload, "2026-03-02");
    lay_out(&doc, PaperWidth::Mm80)
        .into_iter()
        .filter_map(|l| match l {
            Laid::Text { text, .. } => Some(text),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the kiosk says on the page a path ends on, driven through the
/// session as an applicant would answer.
fn said(c: &mut SessionController, bundle: &str, answers: &[(String, String)]) -> String {
    c.start_over();
    c.choose_bundle(bundle);
    for (_, a) in answers {
        c.answer(a);
    }
    assert!(matches!(c.page(), Page::Notice | Page::Referral));
    c.utterance().text
}

/// The positions of `titles` in `text`, which must rise.
fn in_order(text: &str, titles: &[&str], what: &str) {
    let at: Vec<usize> = titles
        .iter()
        .map(|t| {
            text.find(t)
                .unwrap_or_else(|| panic!("{what}: no {t} in\n{text}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{what}: {at:?}");
}

#[test]
fn every_notice_has_the_six_sections_in_one_order_on_text_paper_and_speech() {
    let titles: Vec<&str> = SectionKind::ORDER.iter().map(|k| k.title()).collect();
    assert_eq!(
        titles,
        [
            "办理条件",
            "需要带的材料",
            "办理步骤",
            "时限与收费",
            "结果",
            "咨询电话"
        ]
    );
    let mut c = SessionController::new(catalog().clone());
    visit::to_notice(&mut c, "B01");
    let mut notices = 0;
    for (bundle, answers, outcome) in paths() {
        let Outcome::Notice { notice } = &outcome else {
            continue;
        };
        notices += 1;
        let kinds: Vec<SectionKind> = notice.sections().iter().map(|s| s.kind).collect();
        assert_eq!(kinds, SectionKind::ORDER);
        let numbered: Vec<String> = ["一", "二", "三", "四", "五", "六"]
            .iter()
            .zip(&titles)
            .map(|(n, t)| format!("{n}、{t}"))
            .collect();
        let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
        in_order(&notice.to_text(), &numbered, &format!("{bundle} text"));
        in_order(&printed(notice), &numbered, &format!("{bundle} paper"));
        let spoken: Vec<String> = titles.iter().map(|t| format!("{t}：")).collect();
        let spoken: Vec<&str> = spoken.iter().map(String::as_str).collect();
        in_order(
            &said(&mut c, &bundle, &answers),
            &spoken,
            &format!("{bundle} {answers:?} speech"),
        );
    }
    assert!(notices > 100, "{notices} notices walked");
}

#[test]
fn each_material_is_listed_once_with_the_items_it_serves() {
    for (bundle, _, outcome) in paths() {
        let Outcome::Notice { notice } = &outcome else {
            continue;
        };
        let sections = notice.sections();
        let materials = &sections[1].entries;
        assert_eq!(materials.len(), notice.materials.len(), "{bundle}");
        for (e, m) in materials.iter().zip(&notice.materials) {
            assert_eq!(e.head, m.name);
            assert_eq!(
                e.badge,
                Some(if m.key { Badge::Required } else { Badge::Later })
            );
            let used = format!("用于：{}", notice.item_names(&m.items));
            assert!(e.lines.contains(&used), "{bundle}: {used}");
        }
        // Every item's steps, limit and fee, and result, once each.
        for s in &sections[3..5] {
            for i in &notice.items {
                assert_eq!(s.entries.iter().filter(|e| e.head == i.name).count(), 1);
            }
        }
    }
}

#[test]
fn on_the_spot_is_told_as_jiban_never_as_zero_working_days() {
    assert!(says_zero_working_days("预计 0 个工作日内办结"));
    assert!(says_zero_working_days("最长0个工作日"));
    assert!(!says_zero_working_days("10 个工作日，可延长 5 个工作日"));
    assert!(!says_zero_working_days("20个工作日"));
    let mut c = SessionController::new(catalog().clone());
    visit::to_notice(&mut c, "B01");
    let mut on_the_spot = 0;
    for (bundle, answers, outcome) in paths() {
        let Outcome::Notice { notice } = &outcome else {
            continue;
        };
        let text = notice.to_text();
        assert!(
            !says_zero_working_days(&text),
            "{bundle} {answers:?}\n{text}"
        );
        assert!(!says_zero_working_days(&printed(notice)), "{bundle} paper");
        assert!(!says_zero_working_days(&said(&mut c, &bundle, &answers)));
        if notice.schedule.statutory_days == 0 {
            on_the_spot += 1;
            assert!(
                notice.schedule_sentences()[0].starts_with("即办"),
                "{bundle}"
            );
        }
        for i in notice
            .items
            .iter()
            .filter(|i| i.statutory_limit.days == Some(0))
        {
            assert!(text.contains("法定时限：即办"), "{bundle}: {}", i.name);
        }
    }
    assert!(on_the_spot > 0, "B05/B07 have filing-only paths");
}

#[test]
fn required_and_nothing_more_to_hand_in_stand_on_lines_of_their_own() {
    for (bundle, _, outcome) in paths() {
        let Outcome::Notice { notice } = &outcome else {
            continue;
        };
        for line in notice.to_text().lines().chain(printed(notice).lines()) {
            assert!(
                !(line.contains("必交") && line.contains("无需另交")),
                "{bundle}: {line}"
            );
        }
    }
    // The licence the registration produces: 必交 for the licence, and on
    // its own line, that it need not be brought.
    let Outcome::Notice { notice } = guide::typical_path(catalog(), "B01").unwrap().1 else {
        panic!("B01's typical path ends in a notice")
    };
    let text = notice.to_text();
    let licence = text.find(". 营业执照\n").expect("营业执照 listed");
    let block: Vec<&str> = text[licence..].lines().take(5).collect();
    assert!(
        block.iter().any(|l| l.trim().starts_with("必交")),
        "{block:?}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.contains("无需提交") && !l.contains("必交")),
        "{block:?}"
    );
}

#[test]
fn one_marker_for_unverified_facts() {
    assert_eq!(UNVERIFIED, "（待核实）");
    let mut c = SessionController::new(catalog().clone());
    visit::to_notice(&mut c, "B01");
    for (bundle, answers, outcome) in paths() {
        let text = outcome.to_text();
        let spoken = said(&mut c, &bundle, &answers);
        for t in [&text, &spoken] {
            assert!(!t.contains("未核实"), "{bundle}: {t}");
            assert!(!t.contains("容缺与否待核实"), "{bundle}: one marker");
        }
        let Outcome::Notice { notice } = &outcome else {
            continue;
        };
        // An unverified fee or condition carries the marker where it is told.
        for i in &notice.items {
            let fee = format!("收费：{}{}", i.fee.text, i.fee.verified.mark());
            assert!(text.contains(&fee), "{bundle}: {fee}");
            for cond in i.conditions.iter().filter(|c| !c.verified.is_verified()) {
                assert!(text.contains(&format!("{}{UNVERIFIED}", cond.text)));
            }
        }
    }
}

#[test]
fn a_path_that_needs_nothing_says_so_instead_of_cannot_be_handled_here() {
    let mut c = SessionController::new(catalog().clone());
    visit::to_notice(&mut c, "B01");
    let mut nothing = 0;
    for (bundle, answers, outcome) in paths() {
        let Outcome::Referral { referral } = &outcome else {
            continue;
        };
        let text = outcome.to_text();
        let spoken = said(&mut c, &bundle, &answers);
        if referral.nothing_needed {
            nothing += 1;
            assert!(
                text.starts_with("您的情况不需要在本机办理任何事项"),
                "{text}"
            );
            for t in [&text, &spoken] {
                assert!(!t.contains("本机不能办理"), "{bundle}: {t}");
                assert!(!t.contains("请前往"), "{bundle}: {t}");
            }
            assert!(spoken.contains("您的情况不需要在本机办理任何事项"));
        } else {
            assert!(text.starts_with("本机不能办理您的情况"), "{text}");
            assert!(spoken.contains("本机不能办理您的情况") && spoken.contains("请前往"));
        }
    }
    assert_eq!(nothing, 3, "B09's and B10's existing-business paths");
}
