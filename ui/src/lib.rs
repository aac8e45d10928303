//! onevisit-ui: the kiosk's screens. The .slint markup (in `ui/`) plus the
//! Rust that mirrors a `onevisit_core::visit::Session` into the Slint
//! globals after every event (`glue`, `glue_apply`, `glue_staff`,
//! `glue_speech`: when the screen is read aloud), the
//! on-screen keyboard's engine (`keyboard`) and glue (`keyboard_glue`), and
//! the start-up font check (`fonts`). No rule of the visit lives here: the
//! glue only copies state and forwards taps.

pub mod fonts;
pub mod glue;
mod glue_apply;
mod glue_capture;
mod glue_licence;
mod glue_speech;
mod glue_staff;
pub mod handwriting_worker;
pub mod icons;
pub mod ink_pad;
pub mod keyboard;
pub mod keyboard_glue;
#[cfg(test)]
mod theme_rules;

// The generated components and globals of ui/app.slint.
slint::include_modules!();

pub use glue::Kiosk;
pub use glue_apply::keyboard_for;
pub use keyboard::{Key, Keyboard, Layout};
pub use keyboard_glue::KeyboardBinding;
// The visit's types the binary wires (screen types of the same names, such
// as `Page` and `CardState`, are Slint's and stay in this crate's root).
pub use onevisit_core::visit::{Session, SessionController, StaffMode, StaffServices};

// The visit's modules under the names the glue has always used.
pub(crate) use onevisit_core::visit::{application as apply, session as controller, staff_mode};
