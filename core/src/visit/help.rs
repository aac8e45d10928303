//! The help button (呼叫工作人员) on every applicant screen: the call is
//! recorded on the staff desk with the screen it came from
//! (`crate::staff::help`), and the applicant is told staff are coming, or,
//! on a kiosk without a staff desk or when the call cannot be stored, where
//! to find staff instead. Nothing personal goes into the call.

use super::session::{Page, SessionController};

/// What the applicant reads after pressing the help button.
pub const STAFF_COMING: &str = "已通知工作人员，请在原地稍候，工作人员马上过来。";

impl SessionController {
    /// 呼叫工作人员 pressed on the page on screen. Staff pages have no help
    /// button; a press there (a stale tap) does nothing.
    pub fn call_staff(&mut self) {
        self.touch();
        if matches!(self.page, Page::StaffPin | Page::Staff) {
            return;
        }
        let screen = self.page.label();
        let recorded = self.staff.services().map(|s| s.desk.call_for_help(screen));
        self.help = Some(match recorded {
            Some(Ok(_)) => STAFF_COMING.into(),
            Some(Err(e)) => {
                log::error!("STAFF ALERT: help call not stored: {e}");
                self.walk_to_staff()
            }
            None => self.walk_to_staff(),
        });
    }

    /// The applicant closed the help message (知道了).
    pub fn close_help(&mut self) {
        self.touch();
        self.help = None;
    }

    /// What the help button said, while it shows.
    pub fn help_message(&self) -> Option<&str> {
        self.help.as_deref()
    }

    fn walk_to_staff(&self) -> String {
        format!(
            "请{}找工作人员帮忙。",
            self.catalog().staff_window().go_to()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::staff::{ManualClock, PaperSettings, StaffDesk};
    use crate::visit::StaffServices;
    use std::sync::Arc;

    fn with_desk() -> (tempfile::TempDir, SessionController, StaffDesk) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let desk = StaffDesk::open(dir.path(), PaperSettings::default(), clock).unwrap();
        let gate = desk.gate(None).unwrap();
        let outbox = Arc::new(
            crate::outbox::Outbox::open(&dir.path().join("o.sqlite3"), "K0101", &[7u8; 32])
                .unwrap(),
        );
        let mut c = SessionController::new(Catalog::load_default().unwrap());
        c.attach_staff(StaffServices::new(desk.clone(), gate, outbox));
        (dir, c, desk)
    }

    #[test]
    fn a_call_names_the_screen_tells_the_applicant_and_ends_with_the_visit() {
        let (_dir, mut c, desk) = with_desk();
        c.start();
        c.call_staff();
        assert_eq!(c.help_message(), Some(STAFF_COMING));
        let open = desk.help_requests().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].screen, "读取身份证");
        c.close_help();
        assert_eq!(c.help_message(), None);
        c.call_staff();
        c.wipe();
        assert_eq!(
            c.help_message(),
            None,
            "the next applicant sees no old message"
        );
        assert_eq!(
            desk.help_requests().unwrap().len(),
            1,
            "the call stays for staff"
        );
    }

    #[test]
    fn without_a_desk_the_applicant_is_sent_to_the_staff_window() {
        let mut c = SessionController::new(Catalog::load_default().unwrap());
        c.call_staff();
        let said = c.help_message().unwrap();
        assert!(
            said.starts_with("请到") && said.contains("找工作人员"),
            "{said}"
        );
    }
}
