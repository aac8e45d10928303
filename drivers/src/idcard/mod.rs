//! ID cards as data: the 256-byte text block of the four card types, the
//! typed [`CardRecord`], validity checks and the photo interface.

pub mod encode;
pub mod ethnicity;
pub mod photo;
pub mod record;
pub mod text;
pub mod validity;

pub use encode::{EncodeError, encode_text};
pub use photo::{PhotoDecoder, WltPhoto};
pub use record::{CardRecord, CardType, Gender, mask_name};
pub use text::{CardTextError, TEXT_LEN, decode_additional_address, decode_text};
pub use validity::{CardError, CivilDate, check_card};
