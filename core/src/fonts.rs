//! Finding the CJK font that draws what the kiosk shows and prints:
//! print previews, lines with characters the printer's own font lacks
//! (生僻字 such as 䶮 in a name), and later the kiosk UI.
//!
//! A missing font is an error, never a fallback: a preview with empty
//! boxes where the applicant's name should be is worse than no preview.
//!
//! The font file is memory-mapped, not read: a CJK collection is 10–20 MB
//! (wqy-zenhei.ttc is 16 MB) of which a receipt touches a few pages
//! (cmap, and the outlines of the characters it draws). Read into a
//! `Vec` it was all anonymous memory, a quarter of the kiosk's peak RSS
//! (issue 13); mapped, only the touched pages are resident, they are
//! clean page cache the kernel can drop and reread, and they are the same
//! pages Slint maps when it draws the screen with this file.

use ab_glyph::{Font, FontRef};
use memmap2::Mmap;
use std::fs::File;
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

/// A loaded CJK font, parsed in place over a read-only mapping of its
/// file.
pub struct CjkFont {
    font: FontRef<'static>,
    bytes: &'static [u8],
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
    ///
    /// An accepted font's mapping lives until the process ends (see
    /// [`map_for_the_process`]), so load it once: [`cjk_font`] does. A
    /// refused file is unmapped before this returns.
    pub fn open(path: &Path, index: u32) -> Result<Self, FontError> {
        let shown = path.display().to_string();
        let unreadable = |reason: String| FontError::Unreadable {
            path: shown.clone(),
            reason,
        };
        let map = map_file(path).map_err(|e| unreadable(e.to_string()))?;
        // Checked over the mapping while it is still ours to drop, so a
        // refused file costs nothing for the rest of the process.
        let probe = FontRef::try_from_slice_and_index(&map, index)
            .map_err(|e| unreadable(e.to_string()))?;
        if !covers(&probe, "一件事受理回执") {
            return Err(FontError::NotCjk { path: shown });
        }
        let bytes = map_for_the_process(map);
        // Parsing again is cheap (table offsets and the cmap subtable,
        // no glyph data) and cannot fail: the same bytes parsed above.
        let font = FontRef::try_from_slice_and_index(bytes, index)
            .map_err(|e| unreadable(e.to_string()))?;
        Ok(Self {
            font,
            bytes,
            path: path.to_path_buf(),
        })
    }

    pub fn font(&self) -> &FontRef<'static> {
        &self.font
    }

    /// The whole font file, as mapped (all faces of a collection).
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the font has a glyph for `c` (spaces always count).
    pub fn has_glyph(&self, c: char) -> bool {
        has_glyph(&self.font, c)
    }

    /// True when every character of `text` has a glyph.
    pub fn covers(&self, text: &str) -> bool {
        covers(&self.font, text)
    }
}

fn has_glyph(font: &FontRef<'_>, c: char) -> bool {
    c.is_whitespace() || font.glyph_id(c).0 != 0
}

fn covers(font: &FontRef<'_>, text: &str) -> bool {
    text.chars().all(|c| has_glyph(font, c))
}

/// A read-only, private mapping of the whole file at `path`.
fn map_file(path: &Path) -> std::io::Result<Mmap> {
    let file = File::open(path)?;
    // SAFETY: a mapping is undefined behaviour only if the file changes
    // while mapped. The font is a package-owned, read-only system file
    // (or the one ONEVISIT_FONT names, same expectation); packages are
    // replaced by a new inode (dpkg renames), which leaves this mapping
    // on the old one. Slint maps the same file the same way for the screen.
    unsafe { Mmap::map(&file) }
}

/// Keeps `map` for the rest of the process and hands out its bytes.
///
/// ab_glyph's `FontRef` borrows its bytes; owning both in one struct would
/// be self-referential (unsafe lifetime extension, and a drop order to get
/// right). The kiosk loads its font once per process ([`cjk_font`]'s
/// `OnceLock`) and draws with it until exit, so leaking that one mapping
/// is simpler and costs nothing: it is address space, not memory, and its
/// pages are clean page cache. Only fonts that passed the checks get here.
fn map_for_the_process(map: Mmap) -> &'static [u8] {
    let map: &'static Mmap = Box::leak(Box::new(map));
    map
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

/// The kiosk's CJK font, loaded once per process, when first needed (the
/// first print or preview), not at start-up.
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
    fn the_kiosk_font_is_mapped_from_its_file_not_copied_to_the_heap() {
        let font = cjk_font().expect("install fonts-wqy-zenhei");
        let path = std::fs::canonicalize(font.path()).unwrap();
        let bytes = font.bytes();
        let start = bytes.as_ptr() as usize;
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let mapping = maps.lines().find(|l| {
            let range = l.split_whitespace().next().unwrap_or("");
            let (lo, hi) = range.split_once('-').unwrap_or(("", ""));
            let lo = usize::from_str_radix(lo, 16).unwrap_or(usize::MAX);
            let hi = usize::from_str_radix(hi, 16).unwrap_or(0);
            (lo..hi).contains(&start)
        });
        let mapping = mapping.expect("the font's bytes are in a mapping");
        assert!(
            mapping.ends_with(&*path.to_string_lossy()),
            "font bytes not in a mapping of {path:?}: {mapping}"
        );
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
