//! Compiles the kiosk's Slint markup. Debug info is kept so the headless UI
//! tests can find elements by id and accessible label (without it element
//! queries find nothing); it costs about 15 KB.
fn main() {
    let config = slint_build::CompilerConfiguration::new().with_debug_info(true);
    slint_build::compile_with_config("app.slint", config).expect("ui/app.slint compiles");
}
