//! One document model per printed document.

pub mod commitment;
pub mod notice;
pub mod receipt;
pub mod signing;
pub mod test_page;

pub use commitment::{CommitmentData, commitment_document};
pub use notice::notice_document;
pub use receipt::{
    Delivery, ReceiptData, ReceiptItem, Received, ReceivedMaterial, receipt_document,
    received_materials,
};
pub use signing::{SigningData, notification_commitment_document, signing_document};
pub use test_page::{TEST_BARCODE, test_page_document};
