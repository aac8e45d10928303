//! Start-up check for a font with Chinese glyphs. Without one, Slint draws
//! Chinese text as nothing at all (no boxes, no error): a kiosk of blank
//! buttons. So the kiosk refuses to start instead, and says what to install.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The CJK font files the screen looks for: the printouts' own list
/// (`onevisit_core::fonts::DEBIAN_FONTS`, fonts-wqy-zenhei first), so screen and
/// paper draw with the same font.
pub fn known_cjk_fonts() -> Vec<&'static Path> {
    onevisit_core::fonts::DEBIAN_FONTS
        .iter()
        .map(|(p, _)| Path::new(*p))
        .collect()
}

/// Why no CJK font was found, in words for whoever installs the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "没有找到可以显示中文的字体，界面上的中文会显示为空白，所以不启动。\n\
     No font with Chinese glyphs found ({detail}).\n\
     Install one: apt-get install fonts-wqy-zenhei\n\
     or point SLINT_DEFAULT_FONT at a CJK .ttf/.ttc file."
)]
pub struct NoScreenFont {
    /// What was looked for (the mistyped variable, or the files tried).
    pub detail: String,
}

impl NoScreenFont {
    pub fn code(&self) -> &'static str {
        "screen_font_missing"
    }
}

fn missing_font_message(detail: &str) -> NoScreenFont {
    NoScreenFont {
        detail: detail.to_string(),
    }
}

/// The family to draw with from the screen font `path`, for the font files
/// the kiosk knows: each holds more than one face, and Slint, given only
/// the file, draws with any of them (wqy-zenhei.ttc's Mono face on some
/// starts). `None` for any other file: its default face is used.
pub fn family_for(path: &Path) -> Option<&'static str> {
    match path.file_name()?.to_str()? {
        "wqy-zenhei.ttc" => Some("WenQuanYi Zen Hei"),
        "wqy-microhei.ttc" => Some("WenQuanYi Micro Hei"),
        "NotoSansCJK-Regular.ttc" => Some("Noto Sans CJK SC"),
        _ => None,
    }
}

/// The family the screen draws with: the one [`ensure_cjk_font`] found
/// among the system's fonts, else that of `SLINT_DEFAULT_FONT` when it is
/// one the kiosk knows.
pub fn screen_font_family() -> Option<&'static str> {
    SYSTEM_FAMILY
        .get()
        .copied()
        .or_else(|| family_for(Path::new(&std::env::var_os("SLINT_DEFAULT_FONT")?)))
}

/// Set by [`ensure_cjk_font`] when the kiosk's font is an installed system
/// font that Slint will find by its family name.
static SYSTEM_FAMILY: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Whether the system's font collection (fontconfig, as Slint sees it)
/// holds `family` from the file `path`. Slint memory-maps the fonts it
/// finds there, but reads a `SLINT_DEFAULT_FONT` file whole onto the heap:
/// 16.8 MB of private memory for wqy-zenhei.ttc, a third of the visit's
/// budget, where the mapped file costs only the pages of the glyphs drawn.
pub fn system_has_family(family: &str, path: &Path) -> bool {
    use i_slint_common::sharedfontique::fontique;
    let mut collection = fontique::Collection::new(fontique::CollectionOptions {
        shared: false,
        system_fonts: true,
    });
    let Some(info) = collection.family_by_name(family) else {
        return false;
    };
    let same_file = |p: &Path| match (p.canonicalize(), path.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    info.fonts().iter().any(|font| match font.source().kind() {
        fontique::SourceKind::Path(p) => same_file(p),
        _ => false,
    })
}

/// `SLINT_DEFAULT_FONT` if set (it must exist: a typo must not silently
/// fall back to a font without Chinese), else the first known font file
/// that exists.
pub fn find_cjk_font_in(
    env: Option<&OsStr>,
    candidates: &[&Path],
) -> Result<PathBuf, NoScreenFont> {
    if let Some(path) = env {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(missing_font_message(&format!(
                "SLINT_DEFAULT_FONT={} does not exist",
                path.display()
            )))
        };
    }
    candidates
        .iter()
        .find(|p| p.is_file())
        .map(|p| p.to_path_buf())
        .ok_or_else(|| {
            let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            missing_font_message(&format!("looked for {}", tried.join(", ")))
        })
}

/// The font the kiosk will use, from the real environment:
/// `SLINT_DEFAULT_FONT`, else the printouts' font (`ONEVISIT_FONT`, else
/// the first of the known files).
pub fn find_cjk_font() -> Result<PathBuf, NoScreenFont> {
    // The printing variable may name a face (`path#index`); Slint takes
    // the file.
    let printing = std::env::var_os(onevisit_core::fonts::FONT_ENV)
        .map(|v| onevisit_core::fonts::font_env_value(&v.to_string_lossy()).0);
    let candidates = match &printing {
        Some(p) => vec![p.as_path()],
        None => known_cjk_fonts(),
    };
    find_cjk_font_in(
        std::env::var_os("SLINT_DEFAULT_FONT").as_deref(),
        &candidates,
    )
}

/// Checks for a CJK font and makes Slint use it, so the text never depends
/// on what fontconfig happens to prefer on this machine.
///
/// Call before any other thread starts (it sets an environment variable).
pub fn ensure_cjk_font() -> Result<PathBuf, NoScreenFont> {
    let font = find_cjk_font()?;
    if std::env::var_os("SLINT_DEFAULT_FONT").is_some() {
        return Ok(font);
    }
    // An installed font Slint finds by name is memory-mapped (see
    // `system_has_family`); only a file outside fontconfig's folders needs
    // the variable.
    if let Some(family) = family_for(&font).filter(|f| system_has_family(f, &font)) {
        let _ = SYSTEM_FAMILY.set(family);
        return Ok(font);
    }
    {
        // SAFETY: called from main before the UI, the device threads or any
        // other thread exist, so nothing reads the environment concurrently.
        unsafe { std::env::set_var("SLINT_DEFAULT_FONT", &font) };
    }
    Ok(font)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_known_font_file_names_its_proportional_face() {
        for path in known_cjk_fonts() {
            let family = family_for(path).unwrap_or_else(|| panic!("{}", path.display()));
            assert!(!family.contains("Mono"), "{family}");
        }
        assert_eq!(family_for(Path::new("/opt/fonts/other.ttf")), None);
    }

    #[test]
    fn no_font_is_refused_with_what_to_install() {
        let err = find_cjk_font_in(None, &[Path::new("/nonexistent/font.ttc")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("fonts-wqy-zenhei"), "{err}");
        assert!(err.contains("中文"), "{err}");
    }

    #[test]
    fn a_mistyped_slint_default_font_is_refused_not_ignored() {
        let good = tempfile::NamedTempFile::new().unwrap();
        let err = find_cjk_font_in(Some(OsStr::new("/nonexistent/x.ttc")), &[good.path()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SLINT_DEFAULT_FONT=/nonexistent/x.ttc"),
            "{err}"
        );
    }

    #[test]
    fn the_installed_font_is_found_by_family_in_its_own_file_only() {
        // fonts-wqy-zenhei is installed by packaging/install-build-deps.sh.
        let zenhei = known_cjk_fonts()[0];
        let family = family_for(zenhei).unwrap();
        assert!(system_has_family(family, zenhei), "{}", zenhei.display());
        let copy = tempfile::NamedTempFile::new().unwrap();
        assert!(!system_has_family(family, copy.path()));
        assert!(!system_has_family("No Such Family 无此字体", zenhei));
    }

    #[test]
    fn first_existing_candidate_wins() {
        let font = tempfile::NamedTempFile::new().unwrap();
        let found =
            find_cjk_font_in(None, &[Path::new("/nonexistent/a.ttc"), font.path()]).unwrap();
        assert_eq!(found, font.path());
    }
}
