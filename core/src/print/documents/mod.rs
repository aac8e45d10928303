//! One document model per printed document.

pub mod commitment;
pub mod notice;
pub mod receipt;
pub mod test_page;

pub use commitment::{CommitmentData, DEFAULT_SUPPLY_DAYS, commitment_document};
pub use notice::notice_document;
pub use receipt::{
    Delivery, ReceiptData, ReceiptItem, Received, ReceivedMaterial, add_working_days,
    receipt_document, received_materials,
};
pub use test_page::{TEST_BARCODE, test_page_document};
