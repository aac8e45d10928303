//! The kiosk's screens through Slint's testing backend, one binary: each
//! test drives the real AppWindow by accessible labels and taps, in a
//! process of its own (`isolated`: the backend installs once per process).

#[path = "../../../tests/common/mod.rs"]
mod common;
#[path = "../../../tests/common/isolated.rs"]
mod isolated;
#[path = "../../../tests/common/ui.rs"]
mod ui;

mod capture;
mod dev_panel;
mod form_headings;
mod form_keys;
mod form_offers;
mod form_scroll;
mod handwriting;
mod help;
mod idle_wipe;
mod journey;
mod keyboard;
mod layout;
mod masking;
mod more_below;
mod portrait;
mod query;
mod speech;
mod staff;
mod tap_count;

fn main() -> std::process::ExitCode {
    isolated::main(&[
        (
            "capture::materials_are_photographed_once_and_held_licences_are_not_asked_for",
            capture::materials_are_photographed_once_and_held_licences_are_not_asked_for,
        ),
        (
            "dev_panel::the_simulated_device_strip_sits_beside_the_kiosk_area",
            dev_panel::the_simulated_device_strip_sits_beside_the_kiosk_area,
        ),
        (
            "form_headings::each_form_page_has_its_own_heading_at_its_top",
            form_headings::each_form_page_has_its_own_heading_at_its_top,
        ),
        (
            "form_keys::each_field_gets_its_keyboard_its_label_and_its_errors_in_time",
            form_keys::each_field_gets_its_keyboard_its_label_and_its_errors_in_time,
        ),
        (
            "form_offers::one_tap_offers_fill_the_card_s_address_the_same_address_and_same_as_applicant",
            form_offers::one_tap_offers_fill_the_card_s_address_the_same_address_and_same_as_applicant,
        ),
        (
            "form_scroll::the_field_being_edited_scrolls_into_view_above_the_keyboard",
            form_scroll::the_field_being_edited_scrolls_into_view_above_the_keyboard,
        ),
        (
            "handwriting::writing_a_character_on_the_pad_types_it",
            handwriting::writing_a_character_on_the_pad_types_it,
        ),
        (
            "help::the_help_button_is_on_every_screen_and_reaches_staff",
            help::the_help_button_is_on_every_screen_and_reaches_staff,
        ),
        (
            "idle_wipe::idle_prompt_then_wipe_leaves_no_personal_data_anywhere",
            idle_wipe::idle_prompt_then_wipe_leaves_no_personal_data_anywhere,
        ),
        (
            "journey::b01_by_taps_from_card_to_notice_and_elderly_mode_scales",
            journey::b01_by_taps_from_card_to_notice_and_elderly_mode_scales,
        ),
        (
            "keyboard::typing_a_name_in_pinyin_and_an_id_number_by_taps",
            keyboard::typing_a_name_in_pinyin_and_an_id_number_by_taps,
        ),
        (
            "portrait::portrait_stacks_what_landscape_puts_side_by_side",
            portrait::portrait_stacks_what_landscape_puts_side_by_side,
        ),
        (
            "query::progress_query_online_offline_scanned_and_wiped",
            query::progress_query_online_offline_scanned_and_wiped,
        ),
        (
            "speech::screens_are_read_aloud_and_a_touch_stops_them",
            speech::screens_are_read_aloud_and_a_touch_stops_them,
        ),
        (
            "staff::staff_entry_lockout_overview_actions_and_out_of_service",
            staff::staff_entry_lockout_overview_actions_and_out_of_service,
        ),
        (
            "layout::no_text_spills_out_of_its_box_on_any_screen",
            layout::no_text_spills_out_of_its_box_on_any_screen,
        ),
        (
            "masking::identity_numbers_are_masked_and_shown_only_while_the_eye_is_held",
            masking::identity_numbers_are_masked_and_shown_only_while_the_eye_is_held,
        ),
        (
            "more_below::a_list_that_goes_on_says_so_and_scrolls_on_a_tap",
            more_below::a_list_that_goes_on_says_so_and_scrolls_on_a_tap,
        ),
        (
            "tap_count::a_restaurant_visit_takes_at_most_120_taps_and_10_typed_fields",
            tap_count::a_restaurant_visit_takes_at_most_120_taps_and_10_typed_fields,
        ),
        (
            "tap_count::a_clinic_visit_counted",
            tap_count::a_clinic_visit_counted,
        ),
        (
            "tap_count::a_medical_device_shop_visit_counted",
            tap_count::a_medical_device_shop_visit_counted,
        ),
    ])
}
