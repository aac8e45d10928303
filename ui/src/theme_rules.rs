//! The theme's numbers, measured from `theme.slint` itself (so a changed
//! value is checked as it is): every text colour on every background it is
//! drawn on reaches the WCAG 2.2 contrast ratio 4.5:1 in the standard look
//! (1.4.3) and 7:1 in 长者模式 (1.4.6); every font size is at least 24 px,
//! 32 px in 长者模式; touch targets at least 88 px.

use std::collections::BTreeMap;

/// (text, background) as the pages draw them.
const PAIRS: &[(&str, &str)] = &[
    ("text", "background"),
    ("text", "surface"),
    ("text", "selected"),
    ("text", "danger-bg"),
    ("text", "warning-bg"),
    ("text-muted", "background"),
    ("text-muted", "surface"),
    ("text-muted", "selected"),
    ("header", "background"),
    ("header", "surface"),
    ("header", "selected"),
    ("on-header", "header"),
    ("primary", "background"),
    ("primary", "surface"),
    ("primary", "selected"),
    ("on-primary", "primary"),
    ("on-primary", "primary-pressed"),
    ("accent", "background"),
    ("accent", "surface"),
    ("accent", "danger-bg"),
    ("ok", "background"),
    ("ok", "surface"),
    ("warning", "warning-bg"),
    ("rongque", "background"),
    ("rongque", "surface"),
    ("rongque", "selected"),
];

/// Colours that are only ever drawn behind text or as lines.
const NOT_TEXT: &[&str] = &[
    "background",
    "surface",
    "selected",
    "danger-bg",
    "warning-bg",
    "primary-pressed",
    "border",
];

/// The theme's colours, (standard, 长者模式), from `theme.slint` lines such
/// as `out property <color> primary: elderly ? #154a96 : #1d62c4;`.
fn palettes(source: &str) -> (BTreeMap<String, u32>, BTreeMap<String, u32>) {
    let hex = |t: &str| u32::from_str_radix(t.trim().trim_start_matches('#'), 16).ok();
    let (mut standard, mut elderly) = (BTreeMap::new(), BTreeMap::new());
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix("out property <color> ") else {
            continue;
        };
        let (name, value) = rest.split_once(':').expect("name: value");
        let value = value.trim().trim_end_matches(';');
        let (old, young) = match value.strip_prefix("elderly ?") {
            Some(choice) => {
                let (e, s) = choice.split_once(':').expect("elderly ? a : b");
                (hex(e), hex(s))
            }
            None => (hex(value), hex(value)),
        };
        let (Some(old), Some(young)) = (old, young) else {
            panic!("colour {name} is not #rrggbb: {value}");
        };
        standard.insert(name.trim().to_string(), young);
        elderly.insert(name.trim().to_string(), old);
    }
    (standard, elderly)
}

/// WCAG 2.2 relative luminance of an sRGB colour.
fn luminance(rgb: u32) -> f64 {
    let channel = |shift: u32| {
        let c = f64::from((rgb >> shift) & 0xff) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
}

fn contrast(a: u32, b: u32) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn the_formula_gives_wcag_s_known_values() {
    assert!((contrast(0x000000, 0xffffff) - 21.0).abs() < 1e-9);
    assert!((contrast(0x777777, 0xffffff) - 4.48).abs() < 0.01);
}

#[test]
fn every_text_colour_on_its_backgrounds_reaches_4_5_and_7_in_elderly_mode() {
    let (standard, elderly) = palettes(include_str!("../theme.slint"));
    assert!(standard.len() >= 10, "theme colours not found");
    for name in standard.keys() {
        assert!(
            NOT_TEXT.contains(&name.as_str()) || PAIRS.iter().any(|(t, _)| t == name),
            "text colour {name} is on no background in PAIRS"
        );
    }
    let mut low = Vec::new();
    for (palette, least, mode) in [(&standard, 4.5, "standard"), (&elderly, 7.0, "长者模式")] {
        for (text, back) in PAIRS {
            let (Some(&t), Some(&b)) = (palette.get(*text), palette.get(*back)) else {
                panic!("PAIRS names {text} or {back}, not in theme.slint");
            };
            let ratio = contrast(t, b);
            if ratio < least {
                low.push(format!("{mode}: {text} on {back} {ratio:.2} < {least}"));
            }
        }
    }
    assert!(low.is_empty(), "{low:#?}");
}

/// A length of theme.slint in both modes: `44px * scale`, `88px`,
/// `elderly ? 32px : 24px`.
fn lengths(source: &str, prefix: &str) -> BTreeMap<String, (f64, f64)> {
    let px = |s: &str| s.trim().trim_end_matches("px").trim().parse::<f64>().ok();
    let mut out = BTreeMap::new();
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix("out property <length> ") else {
            continue;
        };
        let Some((name, value)) = rest.split_once(':') else {
            continue;
        };
        if !name.starts_with(prefix) {
            continue;
        }
        let value = value.trim().trim_end_matches(';');
        let pair = if let Some((_, modes)) = value.split_once('?') {
            let (e, s) = modes.split_once(':').expect("a : b");
            (px(s), px(e))
        } else if let Some(base) = value.strip_suffix("* scale") {
            (px(base), px(base).map(|v| v * 1.3))
        } else {
            (px(value), px(value))
        };
        let (Some(standard), Some(elderly)) = pair else {
            panic!("cannot read {name}: {value}");
        };
        out.insert(name.to_string(), (standard, elderly));
    }
    out
}

#[test]
fn every_font_is_at_least_24_px_and_32_in_elderly_mode() {
    let source = include_str!("../theme.slint");
    assert!(
        source.contains("scale: elderly ? 1.3 : 1.0;"),
        "the scale this test assumes"
    );
    let fonts = lengths(source, "font-");
    assert!(fonts.len() >= 5, "{fonts:?}");
    for (name, (standard, elderly)) in &fonts {
        assert!(*standard >= 24.0, "{name} is {standard} px");
        assert!(*elderly >= 32.0, "{name} is {elderly} px in 长者模式");
    }
    let targets = lengths(source, "target-height");
    assert!(targets.len() >= 2, "{targets:?}");
    for (name, (standard, elderly)) in &targets {
        assert!(
            *standard >= 88.0 && *elderly >= 88.0,
            "{name}: {standard}/{elderly}"
        );
    }
}
