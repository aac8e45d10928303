//! 呼叫工作人员: an applicant who is stuck presses the help button on any
//! screen; the kiosk records which screen (never who: no name, no ID, no
//! form data), tells them staff are coming, and shows the open calls on
//! the staff screen, in `onevisit staff status`, and (issue 17) to the
//! hall. Staff answer them with the staff screen's 已到场处理.

use super::{StaffDesk, StaffError};
use serde::{Deserialize, Serialize};

const HELP_KEY: &str = "help_requests";
/// Open calls kept: a hall answers calls in minutes; a kiosk nobody
/// answers must not grow its store.
pub const MAX_OPEN: usize = 20;
/// A second press within this time is the same applicant pressing again:
/// one call, not two.
pub const REPEAT_MS: i64 = 2 * 60_000;

/// One open call for help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpRequest {
    pub at_ms: i64,
    /// The screen the applicant was on, as staff call it ("填写申请表").
    pub screen: String,
}

impl StaffDesk {
    /// Records a call from `screen`. A press again within [`REPEAT_MS`]
    /// of the last open call is that call (its screen updated).
    pub fn call_for_help(&self, screen: &str) -> Result<HelpRequest, StaffError> {
        let now = self.clock().now_ms();
        let mut open = self.help_requests()?;
        let request = HelpRequest {
            at_ms: now,
            screen: screen.to_string(),
        };
        match open.last_mut() {
            Some(last) if now - last.at_ms < REPEAT_MS => {
                last.screen = screen.to_string();
            }
            _ => open.push(request.clone()),
        }
        if open.len() > MAX_OPEN {
            open.drain(..open.len() - MAX_OPEN);
        }
        self.store().put(HELP_KEY, &open)?;
        self.audit()
            .record("applicant", "help_request", &format!("screen: {screen}"))?;
        Ok(open.last().cloned().unwrap_or(request))
    }

    /// The open calls, oldest first.
    pub fn help_requests(&self) -> Result<Vec<HelpRequest>, StaffError> {
        Ok(self.store().get(HELP_KEY)?.unwrap_or_default())
    }

    /// Staff are there: every open call is answered. Returns how many.
    pub fn help_answered(&self) -> Result<usize, StaffError> {
        let n = self.help_requests()?.len();
        self.store().delete(HELP_KEY)?;
        self.audit()
            .record("staff", "help_answered", &format!("ok: {n} call(s)"))?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::{ManualClock, PaperSettings, StaffDesk};
    use std::sync::Arc;
    use std::time::Duration;

    const AGAIN: Duration = Duration::from_millis(REPEAT_MS as u64);

    fn desk() -> (tempfile::TempDir, StaffDesk, Arc<ManualClock>) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let desk = StaffDesk::open(dir.path(), PaperSettings::default(), clock.clone()).unwrap();
        (dir, desk, clock)
    }

    #[test]
    fn a_call_is_kept_until_staff_answer_and_is_audited() {
        let (_dir, desk, clock) = desk();
        assert!(desk.help_requests().unwrap().is_empty());
        desk.call_for_help("填写申请表").unwrap();
        clock.advance(Duration::from_secs(30));
        let again = desk.call_for_help("确认提交").unwrap();
        assert_eq!(again.screen, "确认提交", "the same applicant, one call");
        assert_eq!(desk.help_requests().unwrap().len(), 1);
        clock.advance(AGAIN);
        desk.call_for_help("选择事项").unwrap();
        let open = desk.help_requests().unwrap();
        assert_eq!(open.len(), 2);
        assert_eq!(open[1].screen, "选择事项");
        assert_eq!(desk.help_answered().unwrap(), 2);
        assert!(desk.help_requests().unwrap().is_empty());
        let audit = desk.audit().recent(10).unwrap();
        let what: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(what.iter().filter(|a| **a == "help_request").count(), 3);
        assert!(what.contains(&"help_answered"));
    }

    #[test]
    fn a_kiosk_nobody_answers_keeps_the_latest_calls_only() {
        let (_dir, desk, clock) = desk();
        for i in 0..(MAX_OPEN + 5) {
            desk.call_for_help(&format!("页{i}")).unwrap();
            clock.advance(AGAIN);
        }
        let open = desk.help_requests().unwrap();
        assert_eq!(open.len(), MAX_OPEN);
        assert_eq!(open.last().unwrap().screen, format!("页{}", MAX_OPEN + 4));
    }
}
