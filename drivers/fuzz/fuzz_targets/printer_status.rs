#![no_main]

//! Arbitrary bytes as DLE EOT replies, and as ESC/POS into the printer
//! simulator's parser and renderer.

use libfuzzer_sys::fuzz_target;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::printer::PrinterStatus;
use onevisit_drivers::printer::usb::UsbPortStatus;
use onevisit_drivers::sim::printer::PrinterModel;

fuzz_target!(|data: &[u8]| {
    if let Ok(status) = PrinterStatus::from_replies(&data[..data.len().min(4)]) {
        let _ = (status.summary(), status.health(), status.problems());
    }
    if let Some(b) = data.first() {
        let _ = UsbPortStatus::from_byte(*b).summary();
    }
    let mut model = PrinterModel::new(PaperWidth::Mm58);
    model.receive(data);
    let _ = model.take_replies();
    let _ = model.transcript();
    let _ = model.image();
});
