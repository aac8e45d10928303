//! The kiosk's pictures: one SVG per bundle and per main action, drawn for
//! the project (ui/icons/, GPL-3.0-or-later), compiled into the binary.

use slint::Image;

/// The picture of bundle `code` (B01…), or the generic one for a bundle the
/// kiosk has no picture for (a hall's own addition).
pub fn bundle_icon(code: &str) -> Image {
    let svg: &[u8] = match code {
        "B01" => include_bytes!("../icons/bundle-B01.svg"),
        "B02" => include_bytes!("../icons/bundle-B02.svg"),
        "B03" => include_bytes!("../icons/bundle-B03.svg"),
        "B04" => include_bytes!("../icons/bundle-B04.svg"),
        "B05" => include_bytes!("../icons/bundle-B05.svg"),
        "B06" => include_bytes!("../icons/bundle-B06.svg"),
        "B07" => include_bytes!("../icons/bundle-B07.svg"),
        "B08" => include_bytes!("../icons/bundle-B08.svg"),
        "B09" => include_bytes!("../icons/bundle-B09.svg"),
        "B10" => include_bytes!("../icons/bundle-B10.svg"),
        "B11" => include_bytes!("../icons/bundle-B11.svg"),
        "B12" => include_bytes!("../icons/bundle-B12.svg"),
        "B13" => include_bytes!("../icons/bundle-B13.svg"),
        _ => DEFAULT,
    };
    Image::load_from_svg_data(svg)
        .or_else(|_| Image::load_from_svg_data(DEFAULT))
        .unwrap_or_default()
}

const DEFAULT: &[u8] = include_bytes!("../icons/bundle-default.svg");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundle_of_the_catalog_has_its_own_picture_and_each_loads() {
        let catalog = onevisit_core::catalog::Catalog::load_default().unwrap();
        let generic = bundle_icon("none");
        assert!(generic.size().width > 0, "the generic picture loads");
        for b in &catalog.bundles {
            let icon = bundle_icon(b.code());
            assert!(icon.size().width > 0, "{} has no picture", b.code());
            assert_ne!(icon, generic, "{} shows the generic picture", b.code());
        }
    }
}
