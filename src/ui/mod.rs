//! The kiosk UI: a plain-Rust session controller (`controller`), the glue
//! that mirrors it into the Slint globals (`glue`), the start-up font check
//! (`fonts`), the developer window with a simulated ID reader (`kiosk`), the
//! installed kiosk (`production`), what both share (`services`) and
//! headless screenshots (`screenshots`), and the on-screen keyboard: its
//! engine (`keyboard`) and its glue (`keyboard_glue`).

pub mod apply;
pub mod controller;
pub mod demo;
pub mod devices;
pub mod fonts;
pub mod glue;
mod glue_apply;
mod glue_staff;
pub mod keyboard;
pub mod keyboard_glue;
pub mod kiosk;
pub mod production;
pub mod screenshots;
pub mod services;
pub mod staff_mode;

// The generated components and globals of ui/app.slint.
slint::include_modules!();

pub use controller::SessionController;
pub use glue::Kiosk;
pub use keyboard::{Key, Keyboard, Layout};
pub use keyboard_glue::KeyboardBinding;
pub use staff_mode::{StaffMode, StaffServices};
