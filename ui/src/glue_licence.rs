//! A scanned business licence on the form: the controller fills in the
//! credit code at once and asks, once, for the platform's shared data on
//! that licence (`SessionController::take_licence_lookup`); this runs the
//! lookup on a `licence-lookup` thread (blocking on the uplink Link's
//! runtime, with its timeout) and hands the answer back on the UI thread
//! (`SessionController::licence_found`), which fills 主体名称, 住所 and the
//! rest the applicant has not typed. Without a source (no platform
//! configured) the scan fills the credit code only.

use super::glue::Kiosk;
use onevisit_core::applicant::{LicenceData, LicenceSource};
use onevisit_core::platform::PlatformError;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;

thread_local! {
    // The UI thread's kiosk, for answers coming back from the worker
    // thread (the posted closure must be Send; the kiosk is not).
    static LICENCE_KIOSK: RefCell<Weak<Kiosk>> = const { RefCell::new(Weak::new()) };
}

type Answer = Result<Option<LicenceData>, PlatformError>;

/// Where the kiosk asks for licence data, and whether on its own thread.
#[derive(Default)]
pub struct LicenceHook {
    source: RefCell<Option<Arc<dyn LicenceSource>>>,
    pub(super) inline: Cell<bool>,
}

impl Kiosk {
    /// Lets a scanned licence fill the form from the platform's shared data.
    pub fn set_licence_source(self: &Rc<Self>, source: Arc<dyn LicenceSource>) {
        LICENCE_KIOSK.with(|k| *k.borrow_mut() = Rc::downgrade(self));
        *self.licence.source.borrow_mut() = Some(source);
    }

    /// The platform's answer on the licence `uscc` (on the UI thread).
    pub fn licence_found(&self, uscc: &str, answer: Answer) {
        self.event(|c| c.licence_found(uscc, answer));
    }

    /// Runs the lookup the controller asked for, if any.
    pub(super) fn run_licence_lookup(&self) {
        let Some(uscc) = self.update_with(|c| c.take_licence_lookup()) else {
            return;
        };
        let Some(source) = self.licence.source.borrow().clone() else {
            return;
        };
        if self.licence.inline.get() {
            let answer = source.licence(&uscc);
            self.licence_found(&uscc, answer);
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("licence-lookup".into())
            .spawn(move || {
                let answer = source.licence(&uscc);
                let posted = slint::invoke_from_event_loop(move || {
                    if let Some(k) = LICENCE_KIOSK.with(|k| k.borrow().upgrade()) {
                        k.licence_found(&uscc, answer);
                    }
                });
                if let Err(e) = posted {
                    log::warn!("licence lookup answer not delivered: {e}");
                }
            });
        if let Err(e) = spawned {
            log::error!("cannot start a licence lookup thread: {e}");
        }
    }
}
