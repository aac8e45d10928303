//! One set of materials (一次提交、多次复用): the pages the applicant
//! photographs at the kiosk, per material, each material serving every
//! item of the bundle that needs it; and the materials the platform
//! already holds for this applicant as 电子证照, which are never captured.
//!
//! Plain data owned by the [`super::Application`], so it goes with the
//! visit on every wipe (idle timeout, 返回首页). The capture screen (the
//! camera helper's) hands finished pages to
//! [`super::SessionController::page_captured`]; the submission cites each
//! page by SHA-256 ([`super::submission::MaterialRef`]) and the outbox
//! uploads it once, before the case.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// At most this many pages per material (a thick 章程 is ~20 pages).
pub const MAX_PAGES: usize = 40;

/// What a material shows when the platform holds it electronically.
pub const ELECTRONIC_TEXT: &str = "已调取电子证照，无需提交";

/// One photographed page, cleaned and encoded as JPEG by the capture
/// pipeline. Cheap to clone (the bytes are shared).
#[derive(Clone, PartialEq, Eq)]
pub struct CapturedPage {
    sha256: String,
    jpeg: Arc<[u8]>,
    width: u32,
    height: u32,
}

impl CapturedPage {
    /// A page from its JPEG bytes and pixel size; the hash is computed here
    /// so that it always matches the bytes.
    pub fn new(jpeg: impl Into<Arc<[u8]>>, width: u32, height: u32) -> CapturedPage {
        use sha2::{Digest, Sha256};
        let jpeg: Arc<[u8]> = jpeg.into();
        CapturedPage {
            sha256: hex::encode(Sha256::digest(&jpeg)),
            jpeg,
            width,
            height,
        }
    }

    /// Lower-case hex SHA-256 of the JPEG bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    pub fn jpeg(&self) -> &Arc<[u8]> {
        &self.jpeg
    }
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn size(&self) -> usize {
        self.jpeg.len()
    }
}

impl std::fmt::Debug for CapturedPage {
    /// A page is a photo of someone's papers: only its size and the start
    /// of its hash show in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CapturedPage({}… {}×{} {} bytes)",
            &self.sha256[..12],
            self.width,
            self.height,
            self.jpeg.len()
        )
    }
}

/// A licence the platform holds for this applicant (电子证照), standing in
/// for one material of the notice. `GET`-free: asked with
/// `POST /v1/elicences/lookup` (docs/platform-api.md).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldLicence {
    /// The catalog's material id it stands for.
    pub material: String,
    /// 证照名称, e.g. 不动产权证书.
    pub title: String,
    /// 证照编号 at the issuer.
    pub licence_no: String,
    pub issuer: String,
}

impl std::fmt::Debug for HeldLicence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldLicence")
            .field("material", &self.material)
            .field("title", &self.title)
            .field("licence_no", &crate::ids::mask_id_text(&self.licence_no))
            .finish_non_exhaustive()
    }
}

/// Where the kiosk asks which of `materials` the platform holds as
/// 电子证照 for the person with `id_number` (only with the applicant's
/// consent): the uplink's client (`onevisit_uplink::ElicenceLookup`) in
/// the kiosk. Blocking: the UI asks off its thread.
pub trait ElicenceSource: Send + Sync {
    fn elicences(
        &self,
        id_number: &str,
        materials: &[String],
    ) -> Result<Vec<HeldLicence>, crate::platform::PlatformError>;
}

/// The applicant's answer to 是否同意调取您的电子证照.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LookupConsent {
    /// Not asked yet (or no card read: nothing to look up with).
    #[default]
    Unasked,
    /// 同意调取: looked up (or being looked up).
    Granted,
    /// 不同意: every material is captured or brought.
    Refused,
}

/// Where the 电子证照 lookup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LookupState {
    #[default]
    Idle,
    /// Consent given; the glue has not taken the lookup yet.
    Wanted,
    /// Taken by the glue; the answer is awaited.
    Awaited,
    /// The platform answered (with or without licences).
    Done,
    /// The platform was not reached: everything is captured as usual.
    Failed,
}

/// Why a capture was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    #[error("材料“{0}”已调取电子证照，无需拍照")]
    HeldElectronically(String),
    #[error("每份材料最多拍 {MAX_PAGES} 页")]
    TooManyPages,
    #[error("没有第 {0} 页")]
    NoSuchPage(usize),
    #[error("材料“{0}”由本机生成或读取，无需拍照")]
    NotCapturable(String),
}

impl CaptureError {
    pub fn code(&self) -> &'static str {
        match self {
            CaptureError::HeldElectronically(_) => "capture_held_electronically",
            CaptureError::TooManyPages => "capture_too_many_pages",
            CaptureError::NoSuchPage(_) => "capture_no_such_page",
            CaptureError::NotCapturable(_) => "capture_not_capturable",
        }
    }
}

/// The capture the screen is taking now: a new page of `material`, or a
/// retake of page `replace` (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureTarget {
    pub material: String,
    pub replace: Option<usize>,
}

/// The session's captures and 电子证照 of one visit.
#[derive(Debug, Clone, Default)]
pub struct MaterialSet {
    pages: BTreeMap<String, Vec<CapturedPage>>,
    held: BTreeMap<String, HeldLicence>,
    consent: LookupConsent,
    lookup: LookupState,
    capturing: Option<CaptureTarget>,
}

impl MaterialSet {
    pub fn new() -> MaterialSet {
        MaterialSet::default()
    }

    // ---- Pages ----

    /// Adds a page at the end of `material`'s pages; returns the count.
    pub fn add_page(&mut self, material: &str, page: CapturedPage) -> Result<usize, CaptureError> {
        if self.held.contains_key(material) {
            return Err(CaptureError::HeldElectronically(material.to_string()));
        }
        let pages = self.pages.entry(material.to_string()).or_default();
        if pages.len() >= MAX_PAGES {
            return Err(CaptureError::TooManyPages);
        }
        pages.push(page);
        Ok(pages.len())
    }

    /// 重拍: page `index` (0-based) of `material` is replaced.
    pub fn retake(
        &mut self,
        material: &str,
        index: usize,
        page: CapturedPage,
    ) -> Result<(), CaptureError> {
        let slot = self
            .pages
            .get_mut(material)
            .and_then(|p| p.get_mut(index))
            .ok_or(CaptureError::NoSuchPage(index + 1))?;
        *slot = page;
        Ok(())
    }

    /// 删除: page `index` (0-based) goes; later pages move up.
    pub fn remove_page(&mut self, material: &str, index: usize) -> Result<(), CaptureError> {
        let pages = self
            .pages
            .get_mut(material)
            .filter(|p| index < p.len())
            .ok_or(CaptureError::NoSuchPage(index + 1))?;
        pages.remove(index);
        if pages.is_empty() {
            self.pages.remove(material);
        }
        Ok(())
    }

    /// Every page of a material goes.
    pub fn clear(&mut self, material: &str) {
        self.pages.remove(material);
    }

    pub fn pages(&self, material: &str) -> &[CapturedPage] {
        self.pages.get(material).map_or(&[], Vec::as_slice)
    }

    pub fn page_count(&self, material: &str) -> usize {
        self.pages(material).len()
    }

    /// Every captured material and its pages, in material-id order.
    pub fn all_pages(&self) -> impl Iterator<Item = (&str, &[CapturedPage])> {
        self.pages.iter().map(|(m, p)| (m.as_str(), p.as_slice()))
    }

    /// Bytes held in memory by the captures (for the memory budget).
    pub fn bytes(&self) -> usize {
        self.pages.values().flatten().map(CapturedPage::size).sum()
    }

    // ---- The capture screen ----

    /// Opens the capture screen for a new page (or a retake) of
    /// `material`; refused for a material held electronically or a page
    /// that does not exist.
    pub fn begin_capture(
        &mut self,
        material: &str,
        replace: Option<usize>,
    ) -> Result<(), CaptureError> {
        if self.held.contains_key(material) {
            return Err(CaptureError::HeldElectronically(material.to_string()));
        }
        if let Some(i) = replace
            && i >= self.page_count(material)
        {
            return Err(CaptureError::NoSuchPage(i + 1));
        }
        if replace.is_none() && self.page_count(material) >= MAX_PAGES {
            return Err(CaptureError::TooManyPages);
        }
        self.capturing = Some(CaptureTarget {
            material: material.to_string(),
            replace,
        });
        Ok(())
    }

    /// What the capture screen is taking, if it is open.
    pub fn capturing(&self) -> Option<&CaptureTarget> {
        self.capturing.as_ref()
    }

    /// The capture screen's finished page goes where [`Self::begin_capture`]
    /// said. The screen stays open for the next page of the material (a
    /// retake closes it). Returns the material's page count.
    pub fn page_captured(&mut self, page: CapturedPage) -> Result<usize, CaptureError> {
        let Some(t) = self.capturing.clone() else {
            return Err(CaptureError::NoSuchPage(0));
        };
        match t.replace {
            Some(i) => {
                self.retake(&t.material, i, page)?;
                self.capturing = None;
                Ok(self.page_count(&t.material))
            }
            None => self.add_page(&t.material, page),
        }
    }

    /// 完成 / 取消 on the capture screen.
    pub fn end_capture(&mut self) {
        self.capturing = None;
    }

    // ---- 电子证照 ----

    pub fn consent(&self) -> LookupConsent {
        self.consent
    }

    pub fn lookup_state(&self) -> LookupState {
        self.lookup
    }

    /// 同意调取: the lookup is wanted (the glue takes it once).
    pub fn grant_lookup(&mut self) {
        if self.consent == LookupConsent::Unasked {
            self.consent = LookupConsent::Granted;
            self.lookup = LookupState::Wanted;
        }
    }

    /// 不同意: nothing is looked up.
    pub fn refuse_lookup(&mut self) {
        if self.consent == LookupConsent::Unasked {
            self.consent = LookupConsent::Refused;
        }
    }

    /// The lookup to run now, once; then it is awaited.
    pub fn take_lookup(&mut self) -> bool {
        if self.lookup == LookupState::Wanted {
            self.lookup = LookupState::Awaited;
            true
        } else {
            false
        }
    }

    /// The platform's answer: these materials are held. Pages already taken
    /// of them are dropped (they are not sent). Only materials in
    /// `wanted` count (an answer never adds a material to the notice).
    pub fn licences_found(&mut self, found: Vec<HeldLicence>, wanted: &[String]) {
        if self.lookup != LookupState::Awaited {
            return;
        }
        self.lookup = LookupState::Done;
        for l in found {
            if wanted.contains(&l.material) {
                self.pages.remove(&l.material);
                if self
                    .capturing
                    .as_ref()
                    .is_some_and(|c| c.material == l.material)
                {
                    self.capturing = None;
                }
                self.held.insert(l.material.clone(), l);
            }
        }
    }

    /// The platform was not reached: everything is captured as usual.
    pub fn lookup_failed(&mut self) {
        if self.lookup == LookupState::Awaited {
            self.lookup = LookupState::Failed;
        }
    }

    /// The licence standing in for `material`, if the platform holds one.
    pub fn held(&self, material: &str) -> Option<&HeldLicence> {
        self.held.get(material)
    }

    pub fn all_held(&self) -> impl Iterator<Item = &HeldLicence> {
        self.held.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: u8) -> CapturedPage {
        CapturedPage::new(vec![0xFF, 0xD8, n, 0xFF, 0xD9], 1240, 1754)
    }

    fn licence(material: &str) -> HeldLicence {
        HeldLicence {
            material: material.into(),
            title: "不动产权证书".into(),
            licence_no: "豫(2024)濮阳市不动产权第0012345号".into(),
            issuer: "濮阳市自然资源和规划局".into(),
        }
    }

    #[test]
    fn pages_are_added_retaken_and_removed_in_order() {
        let mut m = MaterialSet::new();
        assert_eq!(m.add_page("lease", page(1)).unwrap(), 1);
        assert_eq!(m.add_page("lease", page(2)).unwrap(), 2);
        assert_eq!(m.add_page("lease", page(3)).unwrap(), 3);
        m.retake("lease", 1, page(9)).unwrap();
        assert_eq!(m.pages("lease")[1], page(9));
        m.remove_page("lease", 0).unwrap();
        let shas: Vec<&str> = m.pages("lease").iter().map(|p| p.sha256()).collect();
        assert_eq!(shas, [page(9).sha256(), page(3).sha256()]);
        assert_eq!(
            m.retake("lease", 5, page(4)),
            Err(CaptureError::NoSuchPage(6))
        );
        assert_eq!(m.remove_page("other", 0), Err(CaptureError::NoSuchPage(1)));
        m.remove_page("lease", 0).unwrap();
        m.remove_page("lease", 0).unwrap();
        assert_eq!(m.page_count("lease"), 0);
        assert_eq!(m.all_pages().count(), 0, "an empty material is gone");
        for i in 0..MAX_PAGES {
            m.add_page("thick", page(i as u8)).unwrap();
        }
        assert_eq!(
            m.add_page("thick", page(200)),
            Err(CaptureError::TooManyPages)
        );
        assert_eq!(m.bytes(), MAX_PAGES * 5);
    }

    #[test]
    fn the_hash_is_of_the_bytes_and_debug_shows_no_content() {
        let p = CapturedPage::new(b"abc".to_vec(), 10, 20);
        assert_eq!(
            p.sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let shown = format!("{p:?}");
        assert_eq!(shown, "CapturedPage(ba7816bf8f01… 10×20 3 bytes)");
        let l = format!("{:?}", licence("premises_proof"));
        assert!(!l.contains("0012345"), "{l}");
    }

    #[test]
    fn the_capture_screen_adds_pages_until_closed_and_a_retake_closes_it() {
        let mut m = MaterialSet::new();
        assert!(m.page_captured(page(1)).is_err(), "no screen open");
        m.begin_capture("lease", None).unwrap();
        assert_eq!(m.page_captured(page(1)).unwrap(), 1);
        assert_eq!(m.page_captured(page(2)).unwrap(), 2);
        assert!(m.capturing().is_some(), "open for the next page");
        m.end_capture();
        assert!(m.begin_capture("lease", Some(2)).is_err(), "no third page");
        m.begin_capture("lease", Some(0)).unwrap();
        assert_eq!(m.page_captured(page(7)).unwrap(), 2);
        assert_eq!(m.capturing(), None);
        assert_eq!(m.pages("lease")[0], page(7));
    }

    #[test]
    fn held_licences_need_consent_drop_pages_and_are_never_captured() {
        let mut m = MaterialSet::new();
        m.add_page("premises_proof", page(1)).unwrap();
        assert!(!m.take_lookup(), "nothing is looked up without consent");
        m.refuse_lookup();
        m.grant_lookup();
        assert_eq!(
            m.consent(),
            LookupConsent::Refused,
            "the first answer holds"
        );
        assert!(!m.take_lookup());

        let mut m = MaterialSet::new();
        m.add_page("premises_proof", page(1)).unwrap();
        m.begin_capture("premises_proof", None).unwrap();
        m.grant_lookup();
        assert!(m.take_lookup());
        assert!(!m.take_lookup(), "taken once");
        let wanted = vec!["premises_proof".to_string()];
        m.licences_found(
            vec![licence("premises_proof"), licence("not_asked")],
            &wanted,
        );
        assert_eq!(m.lookup_state(), LookupState::Done);
        assert_eq!(m.page_count("premises_proof"), 0, "pages taken are dropped");
        assert_eq!(m.capturing(), None);
        assert!(m.held("not_asked").is_none(), "only asked materials");
        assert_eq!(
            m.add_page("premises_proof", page(2)),
            Err(CaptureError::HeldElectronically("premises_proof".into()))
        );
        assert!(m.begin_capture("premises_proof", None).is_err());
        // A late second answer changes nothing.
        m.licences_found(vec![licence("lease")], &["lease".into()]);
        assert!(m.held("lease").is_none());
    }

    #[test]
    fn a_failed_lookup_leaves_capture_as_usual() {
        let mut m = MaterialSet::new();
        m.grant_lookup();
        assert!(m.take_lookup());
        m.lookup_failed();
        assert_eq!(m.lookup_state(), LookupState::Failed);
        assert_eq!(m.add_page("premises_proof", page(1)).unwrap(), 1);
    }
}
