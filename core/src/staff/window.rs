//! The staff window: where the kiosk sends an applicant for a person.
//!
//! One value, one home. It is kiosk.toml's `staff_window` when set, else
//! the catalog's `combined_window` (the hall's 一件事综合受理窗口). Every
//! sentence that names it, on screen (暂停服务, 办件查询, outbox full) and
//! on paper (notice, receipt), is phrased here, so a hall that renames its
//! window changes every place at once.

use crate::catalog::Catalog;

/// The window applicants are sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffWindow(String);

/// kiosk.toml's limit: the name must fit the out-of-service screen's line.
pub const MAX_CHARS: usize = 16;

impl Default for StaffWindow {
    fn default() -> Self {
        StaffWindow("综合受理窗口".into())
    }
}

impl StaffWindow {
    /// A window by number ("3", "A2") or by name ("综合受理窗口").
    pub fn new(window: &str) -> StaffWindow {
        StaffWindow(window.trim().to_string())
    }

    /// The catalog's combined window, for kiosks whose kiosk.toml names none.
    pub fn of_catalog(catalog: &Catalog) -> StaffWindow {
        StaffWindow::new(&catalog.meta.combined_window)
    }

    /// Whether it is a window number rather than a name.
    fn is_number(&self) -> bool {
        !self.0.is_empty()
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
    }

    /// As written on paper and after "到": "3号窗口", "综合受理窗口".
    pub fn name(&self) -> String {
        if self.is_number() {
            format!("{}号窗口", self.0)
        } else if self.0.contains("窗口") {
            self.0.clone()
        } else {
            format!("{}窗口", self.0)
        }
    }

    /// What kiosk.toml holds (a number or a name), for the config dump.
    pub fn as_configured(&self) -> &str {
        &self.0
    }

    /// After "请": "到3号窗口办理", "到综合受理窗口办理".
    pub fn go_to(&self) -> String {
        format!("到{}办理", self.name())
    }

    /// "请到综合受理窗口查询": the query cannot answer here.
    pub fn ask_there(&self) -> String {
        format!("请到{}查询", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_read_as_applicants_read_them() {
        assert_eq!(StaffWindow::new("3").go_to(), "到3号窗口办理");
        // Read back from a catalog it was applied to, it phrases the same.
        assert_eq!(StaffWindow::new("3号窗口").go_to(), "到3号窗口办理");
        assert_eq!(StaffWindow::new(" A2 ").name(), "A2号窗口");
        assert_eq!(
            StaffWindow::new("综合受理窗口").go_to(),
            "到综合受理窗口办理"
        );
        assert_eq!(StaffWindow::new("综合受理").name(), "综合受理窗口");
        assert_eq!(
            StaffWindow::new("一件事综合受理窗口（1号窗口）").go_to(),
            "到一件事综合受理窗口（1号窗口）办理"
        );
        assert_eq!(StaffWindow::default().ask_there(), "请到综合受理窗口查询");
    }
}
