//! Finding the CJK font that draws what the kiosk shows and prints:
//! print previews, lines with characters the printer's own font lacks
//! (生僻字 such as 䶮 in a name), and later the kiosk UI.
//!
//! A missing font is an error, never a fallback: a preview with empty
//! boxes where the applicant's name should be is worse than no preview.

use ab_glyph::{Font, FontVec};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Environment variable naming a font file to use instead of the known
/// Debian paths (`path` or `path#index` for a collection).
pub const FONT_ENV: &str = "ONEVISIT_FONT";

/// Debian font files tried in order, with the face index in the
/// collection. WenQuanYi Zen Hei (package `fonts-wqy-zenhei`, installed by
/// packaging/install-build-deps.sh) covers GB18030 including CJK
/// extension A, so rare name characters like 䶮 (U+4DAE) draw.
pub const DEBIAN_FONTS: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
];

/// Why no usable font was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontError {
    #[error(
        "找不到中文字体：请安装 Debian 软件包 fonts-wqy-zenhei（packaging/install-build-deps.sh），或用环境变量 {FONT_ENV} 指定字体文件 (no CJK font; tried {tried})"
    )]
    NotFound { tried: String },
    #[error("字体文件 {path} 无法读取或解析：{reason} (bad font file)")]
    Unreadable { path: String, reason: String },
    #[error("字体 {path} 不含中文字形，不能用于打印 (font lacks CJK glyphs)")]
    NotCjk { path: String },
}

/// A loaded CJK font.
pub struct CjkFont {
    font: FontVec,
    path: PathBuf,
}

impl std::fmt::Debug for CjkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CjkFont").field("path", &self.path).finish()
    }
}

impl CjkFont {
    /// Loads face `index` of the font file at `path`, refusing fonts that
    /// cannot draw basic Chinese.
    pub fn open(path: &Path, index: u32) -> Result<Self, FontError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| FontError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let font =
            FontVec::try_from_vec_and_index(bytes, index).map_err(|e| FontError::Unreadable {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        let loaded = Self {
            font,
            path: path.to_path_buf(),
        };
        if !loaded.covers("一件事受理回执") {
            return Err(FontError::NotCjk { path: shown });
        }
        Ok(loaded)
    }

    pub fn font(&self) -> &FontVec {
        &self.font
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the font has a glyph for `c` (spaces always count).
    pub fn has_glyph(&self, c: char) -> bool {
        c.is_whitespace() || self.font.glyph_id(c).0 != 0
    }

    /// True when every character of `text` has a glyph.
    pub fn covers(&self, text: &str) -> bool {
        text.chars().all(|c| self.has_glyph(c))
    }
}

/// `ONEVISIT_FONT`'s value as a file and a face index: `path` or
/// `path#index` for a collection.
pub fn font_env_value(value: &str) -> (PathBuf, u32) {
    match value.rsplit_once('#') {
        Some((p, i)) if i.parse::<u32>().is_ok() => (PathBuf::from(p), i.parse().unwrap_or(0)),
        _ => (PathBuf::from(value), 0),
    }
}

/// Where the font comes from: `ONEVISIT_FONT` if set, else the first
/// Debian path that exists.
pub fn locate() -> Result<(PathBuf, u32), FontError> {
    if let Some(value) = std::env::var_os(FONT_ENV) {
        return Ok(font_env_value(&value.to_string_lossy()));
    }
    DEBIAN_FONTS
        .iter()
        .find(|(p, _)| Path::new(p).exists())
        .map(|(p, i)| (PathBuf::from(p), *i))
        .ok_or_else(|| FontError::NotFound {
            tried: DEBIAN_FONTS
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The kiosk's CJK font, loaded once per process.
pub fn cjk_font() -> Result<&'static CjkFont, FontError> {
    static FONT: OnceLock<Result<CjkFont, FontError>> = OnceLock::new();
    FONT.get_or_init(|| {
        let (path, index) = locate()?;
        CjkFont::open(&path, index)
    })
    .as_ref()
    .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_variable_names_a_file_and_maybe_a_face() {
        assert_eq!(
            font_env_value("/f/NotoSansCJK.ttc#2"),
            (PathBuf::from("/f/NotoSansCJK.ttc"), 2)
        );
        assert_eq!(font_env_value("/f/x.ttf"), (PathBuf::from("/f/x.ttf"), 0));
        // A '#' that is not a face index is part of the name.
        assert_eq!(
            font_env_value("/f/a#b.ttf"),
            (PathBuf::from("/f/a#b.ttf"), 0)
        );
    }

    #[test]
    fn the_kiosk_font_draws_rare_name_characters() {
        let font = cjk_font().expect("install fonts-wqy-zenhei");
        assert!(font.covers("受理回执一次告知单容缺承诺书"));
        assert!(
            font.has_glyph('䶮'),
            "U+4DAE missing from {:?}",
            font.path()
        );
        assert!(!font.has_glyph('\u{E000}'));
    }

    #[test]
    fn a_file_that_is_no_font_is_refused_clearly() {
        let dir = std::env::temp_dir().join(format!("ov-font-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("not-a-font.ttf");
        std::fs::write(&path, b"hello").unwrap();
        let err = CjkFont::open(&path, 0).unwrap_err();
        assert!(matches!(err, FontError::Unreadable { .. }), "{err}");
        let err = CjkFont::open(&dir.join("missing.ttf"), 0).unwrap_err();
        assert!(err.to_string().contains("missing.ttf"));
        let latin = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        if latin.exists() {
            let err = CjkFont::open(latin, 0).unwrap_err();
            assert!(matches!(err, FontError::NotCjk { .. }), "{err}");
        }
    }
}
