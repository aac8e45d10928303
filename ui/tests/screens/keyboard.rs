//! Headless UI: the on-screen keyboard driven by taps on its keys, found
//! through accessible labels. A name in pinyin (zhangsan → 张三), an ID
//! number with its final X, and 长者模式 enlarging the keys. One event-loop
//! test per file (the backend is process-wide).

use i_slint_backend_testing::ElementHandle;
use onevisit_ui::{AppWindow, KeyboardBinding, KeyboardState, Layout, Theme};
use slint::{ComponentHandle, Model};
use std::cell::RefCell;
use std::rc::Rc;

use crate::ui;
use ui::{find, tap};

fn type_keys(window: &AppWindow, keys: &str) {
    for c in keys.chars() {
        tap(window, &c.to_string());
    }
}

/// What the page hears: every change, and the final text.
#[derive(Default)]
struct Heard {
    changes: RefCell<Vec<String>>,
    done: RefCell<Option<String>>,
}

fn open(kb: &KeyboardBinding, layout: Layout, max_len: Option<usize>) -> Rc<Heard> {
    let heard = Rc::new(Heard::default());
    let (h1, h2) = (heard.clone(), heard.clone());
    kb.open(
        layout,
        "",
        max_len,
        move |t| h1.changes.borrow_mut().push(t),
        move |t| *h2.done.borrow_mut() = Some(t),
    );
    heard
}

pub fn typing_a_name_in_pinyin_and_an_id_number_by_taps() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let window = AppWindow::new().unwrap();
    window
        .window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    window.show().unwrap();
    let state = window.global::<KeyboardState>();
    let kb = KeyboardBinding::new(&window);
    assert!(!state.get_visible());
    assert!(
        ElementHandle::find_by_accessible_label(&window, "完成")
            .next()
            .is_none(),
        "hidden until a field opens it"
    );

    // 姓名 in pinyin: z-h-a-n-g-s-a-n, then the 张三 candidate.
    let heard = open(&kb, Layout::Pinyin, Some(20));
    kb.set_label("姓名");
    assert!(state.get_visible());
    assert_eq!(state.get_field_label(), "姓名");
    type_keys(&window, "zhangsan");
    assert_eq!(state.get_compose(), "zhangsan");
    assert!(
        heard.changes.borrow().is_empty(),
        "composing is not a change of the field"
    );
    let words: Vec<String> = state.get_candidates().iter().map(|s| s.into()).collect();
    assert!(words.contains(&"张三".to_string()), "{words:?}");
    tap(&window, "张三");
    assert_eq!(heard.changes.borrow().last().unwrap(), "张三");
    assert_eq!(state.get_text(), "张三");
    assert_eq!(state.get_compose(), "");
    assert_eq!(state.get_candidates().row_count(), 0);

    // 删除 takes the last character; 完成 closes and hands the text over.
    tap(&window, "删除");
    assert_eq!(heard.changes.borrow().last().unwrap(), "张");
    type_keys(&window, "san");
    tap(&window, "三");

    // The candidate bar pages by groups of characters, in words of its
    // own (the form's 下一页 turns the form's page); 伟 is in the first.
    type_keys(&window, "wei");
    assert!(state.get_page_info().starts_with("1/"));
    tap(&window, "更多字 ›");
    assert!(state.get_page_info().starts_with("2/"));
    tap(&window, "‹ 上一组");
    assert!(state.get_page_info().starts_with("1/"));
    tap(&window, "伟");
    assert_eq!(state.get_text(), "张三伟");
    tap(&window, "删除");
    assert_eq!(state.get_text(), "张三");
    tap(&window, "完成");
    assert_eq!(heard.done.borrow().as_deref(), Some("张三"));
    assert!(!state.get_visible());
    assert!(!kb.is_open());
    assert_eq!(state.get_text(), "", "nothing typed stays in the UI");

    // The 英文 tab switches to Latin letters, with an upper-case key.
    let heard = open(&kb, Layout::Pinyin, None);
    tap(&window, "英文");
    assert!(!state.get_chinese());
    tap(&window, "大写");
    type_keys(&window, "AB");
    tap(&window, "大写");
    type_keys(&window, "c");
    assert_eq!(heard.changes.borrow().last().unwrap(), "ABc");
    kb.close();
    assert!(heard.done.borrow().is_none(), "close is not 完成");
    assert!(!state.get_visible());

    // An ID number: digits and the final X only, 18 at most.
    let heard = open(&kb, Layout::IdNumber, None);
    assert!(!state.get_can_switch() && !state.get_can_space());
    assert!(
        ElementHandle::find_by_accessible_label(&window, "a")
            .next()
            .is_none(),
        "no letter keys"
    );
    let x_enabled = |state: &KeyboardState| {
        state
            .get_rows()
            .iter()
            .flat_map(|row| row.iter().collect::<Vec<_>>())
            .find(|cap| cap.label == "X")
            .expect("an X key")
            .enabled
    };
    assert!(!x_enabled(&state), "greyed until the 17th digit");
    tap(&window, "X");
    assert!(heard.changes.borrow().is_empty(), "X only at the end");
    type_keys(&window, "11010519491231002");
    assert!(x_enabled(&state));
    tap(&window, "X");
    tap(&window, "5");
    assert_eq!(heard.changes.borrow().last().unwrap(), "11010519491231002X");
    assert_eq!(heard.changes.borrow().len(), 18, "one change per key");
    tap(&window, "完成");
    assert_eq!(heard.done.borrow().as_deref(), Some("11010519491231002X"));

    // Keys are the 88 px touch target in both modes; 长者模式 makes them
    // wider (and their labels bigger).
    open(&kb, Layout::Pinyin, None);
    let normal = find(&window, "q").size();
    assert!(normal.height >= 88.0 && normal.width >= 88.0, "{normal:?}");
    window.global::<Theme>().set_elderly(true);
    let elderly = find(&window, "q").size();
    assert!(
        elderly.height >= 88.0 && elderly.width > normal.width,
        "{elderly:?} vs {normal:?}"
    );
    // All ten keys of the widest row still fit the screen.
    let p = find(&window, "p");
    assert!(p.absolute_position().x + p.size().width <= 1920.0);
    kb.close();
}
