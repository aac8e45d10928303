//! The card photo: 1024 bytes of proprietary "WLT" compression.
//!
//! No open-source decoder exists; a licensed vendor library can be plugged
//! in through [`PhotoDecoder`]. The journey never depends on the photo.

/// The raw photo bytes as read from the card.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WltPhoto(pub Vec<u8>);

impl std::fmt::Debug for WltPhoto {
    /// A face is personal data: only the size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WltPhoto({} bytes)", self.0.len())
    }
}

/// Turns WLT bytes into a 102x126 24-bit BMP, e.g. by calling a vendor
/// library.
pub trait PhotoDecoder: Send + Sync {
    /// The BMP file bytes, or why the photo could not be decoded.
    fn decode(&self, wlt: &WltPhoto) -> Result<Vec<u8>, String>;
}
