//! Commands from the hall (issue 17) in the session: what the kiosk does
//! when a verified fleet command arrives ([`crate::fleet::CommandGate`]
//! has checked signature, expiry and nonce before this runs). A reset or
//! a test page never interrupts an applicant: while a visit is under way
//! they are refused with [`FleetError::KioskBusy`]. Out of service takes
//! effect when the welcome page would next show, as from the staff screen.

use super::session::{Page, SessionController};
use crate::fleet::{Action, FleetError};
use crate::print::{DocumentKind, StoredJob, test_page_document};

impl SessionController {
    /// True while an applicant (or staff at the screen) is using the kiosk.
    pub fn mid_visit(&self) -> bool {
        !matches!(self.page, Page::Welcome | Page::OutOfService)
    }

    /// Runs one verified command. `FetchCatalog` is not the session's: the
    /// binary's catalog watcher does it, so here it is `Unsupported`.
    pub fn remote_command(&mut self, action: Action) -> Result<(), FleetError> {
        let window = self.catalog().staff_window();
        let busy = self.mid_visit();
        let Some(s) = self.staff.services() else {
            return Err(FleetError::Unsupported);
        };
        let failed = |e: crate::staff::StaffError| {
            log::error!("fleet {}: {e}", action.as_str());
            FleetError::Failed
        };
        match action {
            Action::Reset => {
                if busy {
                    return Err(FleetError::KioskBusy);
                }
                self.wipe();
                self.staff.request_reset();
            }
            Action::PrintTestPage => {
                if busy {
                    return Err(FleetError::KioskBusy);
                }
                let job = StoredJob {
                    key: "test-page".into(),
                    kind: DocumentKind::TestPage,
                    document: test_page_document("onevisit", s.paper),
                };
                self.queue_print(job);
            }
            Action::OutOfService => {
                s.desk
                    .set_out_of_service(window.as_configured())
                    .map_err(failed)?;
                self.check_service();
            }
            Action::InService => {
                s.desk.clear_out_of_service().map_err(failed)?;
                self.check_service();
            }
            Action::AckHelp => {
                s.desk.help_answered().map_err(failed)?;
            }
            Action::FetchCatalog => return Err(FleetError::Unsupported),
        }
        Ok(())
    }
}
