//! The whole kiosk as wired by the binary (devices on PTYs and the
//! transport trait, the local platform, the real UI on Slint's testing
//! backend), one binary, each test in a process of its own (`isolated`).

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/isolated.rs"]
mod isolated;
#[path = "../common/ui.rs"]
mod ui;

mod degradation;
mod submit;
mod wiring;

fn main() -> std::process::ExitCode {
    isolated::main(&[
        (
            "degradation::each_degradation_keeps_the_visit_going_and_tells_staff",
            degradation::each_degradation_keeps_the_visit_going_and_tells_staff,
        ),
        (
            "submit::every_bundle_through_the_ui_to_a_printed_receipt_then_nothing_stays",
            submit::every_bundle_through_the_ui_to_a_printed_receipt_then_nothing_stays,
        ),
        (
            "wiring::a_card_on_the_configured_reader_reaches_the_controller_through_the_event_loop",
            wiring::a_card_on_the_configured_reader_reaches_the_controller_through_the_event_loop,
        ),
        (
            "wiring::without_a_reader_the_kiosk_degrades_and_scanner_and_printer_still_work",
            wiring::without_a_reader_the_kiosk_degrades_and_scanner_and_printer_still_work,
        ),
        (
            "wiring::onevisit_run_refuses_without_a_config_and_on_fatal_start_up_problems",
            wiring::onevisit_run_refuses_without_a_config_and_on_fatal_start_up_problems,
        ),
        (
            "wiring::a_usb_scanner_address_is_read_as_hid_and_its_scans_reach_the_kiosk",
            wiring::a_usb_scanner_address_is_read_as_hid_and_its_scans_reach_the_kiosk,
        ),
    ])
}
