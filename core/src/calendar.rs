//! The hall's one calendar: China Standard Time (UTC+8, no daylight
//! saving) and working days. Every date the kiosk prints, queues or shows
//! comes from here, so the receipt, the outbox and the staff screen can
//! never disagree about what day it is. Working days follow the State
//! Council's yearly holiday schedule shipped with the catalog
//! (`catalog/holidays.toml` → [`HolidaySchedule`]).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// UTC+8, the hall's time zone.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Now in the hall's time zone.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&china())
}

/// Now as the hall's wall-clock time (what a receipt prints).
pub fn now_local() -> NaiveDateTime {
    now().naive_local()
}

/// Today in the hall.
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// `ms` since the epoch in the hall's time zone (None when out of range).
pub fn at_ms(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&china()))
}

/// `ms` as the hall's time, `YYYY-MM-DD HH:MM:SS` (empty when out of range).
pub fn format_ms(ms: i64) -> String {
    at_ms(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// One day off of a year's schedule (春节: 2026-02-15 … 2026-02-23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year of the State Council's holiday schedule (`catalog/holidays.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearSchedule {
    pub year: i32,
    /// The notice it comes from.
    pub source: String,
    #[serde(default)]
    pub verified: crate::catalog::Verified,
    /// 放假调休: the days off, weekends moved into them included.
    pub holidays: Vec<Holiday>,
    /// 调休上班: the weekend days worked instead.
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

impl YearSchedule {
    /// What is wrong with this year's data (dates outside the year, a
    /// range backwards, a worked day that is not a weekend day).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let in_year = |d: &NaiveDate| d.year() == self.year;
        for h in &self.holidays {
            if !in_year(&h.from) || !in_year(&h.to) {
                out.push(format!("{}年的{}不在该年内", self.year, h.name));
            }
            if h.to < h.from {
                out.push(format!("{}年的{}结束早于开始", self.year, h.name));
            }
        }
        for w in &self.workdays {
            if !in_year(w) {
                out.push(format!("调休上班日 {w} 不在{}年内", self.year));
            }
            if !is_weekend(*w) {
                out.push(format!("调休上班日 {w} 不是周六或周日"));
            }
            if self.holidays.iter().any(|h| (h.from..=h.to).contains(w)) {
                out.push(format!("调休上班日 {w} 又在假期内"));
            }
        }
        out
    }
}

/// `catalog/holidays.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidaySchedule {
    #[serde(default, rename = "year")]
    pub years: Vec<YearSchedule>,
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A date counted in working days, with the years whose schedule was not
/// known on the way (counted on weekends only, so the date may come early).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDate {
    pub date: NaiveDate,
    pub missing_years: Vec<i32>,
}

impl WorkingDate {
    /// The warning to print beside the date when a year's schedule is
    /// missing: “2027年节假日安排未载入，遇法定节假日顺延”.
    pub fn warning(&self) -> Option<String> {
        if self.missing_years.is_empty() {
            return None;
        }
        let years: Vec<String> = self
            .missing_years
            .iter()
            .map(|y| format!("{y}年"))
            .collect();
        Some(format!(
            "{}节假日安排未载入，日期按周末推算，遇法定节假日顺延",
            years.join("、")
        ))
    }
}

impl HolidaySchedule {
    pub fn year(&self, year: i32) -> Option<&YearSchedule> {
        self.years.iter().find(|y| y.year == year)
    }

    /// Whether `day` is a working day: not a holiday of its year's
    /// schedule, and a weekday or a 调休 working weekend day. A year without
    /// a schedule counts weekends only.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.year(day.year()) {
            Some(y) => {
                if y.holidays.iter().any(|h| (h.from..=h.to).contains(&day)) {
                    false
                } else {
                    !is_weekend(day) || y.workdays.contains(&day)
                }
            }
            None => !is_weekend(day),
        }
    }

    /// `days` working days after `from`, and the years passed without a
    /// schedule.
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> WorkingDate {
        let mut d = from;
        let mut left = days;
        let mut missing = Vec::new();
        let note = |d: NaiveDate, missing: &mut Vec<i32>| {
            if self.year(d.year()).is_none() && !missing.contains(&d.year()) {
                missing.push(d.year());
            }
        };
        while left > 0 {
            let Some(next) = d.succ_opt() else { break };
            d = next;
            note(d, &mut missing);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        WorkingDate {
            date: d,
            missing_years: missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn schedule() -> HolidaySchedule {
        toml::from_str(
            r#"
[[year]]
year = 2026
source = "test"
holidays = [{ name = "国庆节", from = "2026-10-01", to = "2026-10-07" }]
workdays = ["2026-10-10"]
"#,
        )
        .unwrap()
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_worked_weekends() {
        let s = schedule();
        // 2026-12-04 is a Friday.
        assert_eq!(
            s.add_working_days(day("2026-12-04"), 1).date,
            day("2026-12-07")
        );
        assert_eq!(
            s.add_working_days(day("2026-12-04"), 10).date,
            day("2026-12-18")
        );
        assert_eq!(
            s.add_working_days(day("2026-12-05"), 0).date,
            day("2026-12-05")
        );
        // 2026-09-30 (Wed) + 1: the holiday week, then Thu 8th.
        assert_eq!(
            s.add_working_days(day("2026-09-30"), 1).date,
            day("2026-10-08")
        );
        // Thu 8th, Fri 9th, Sat 10th (worked).
        assert_eq!(
            s.add_working_days(day("2026-09-30"), 3).date,
            day("2026-10-10")
        );
        assert!(s.add_working_days(day("2026-09-30"), 3).warning().is_none());
    }

    #[test]
    fn a_year_without_a_schedule_is_counted_on_weekends_and_says_so() {
        let s = schedule();
        let d = s.add_working_days(day("2026-12-28"), 5);
        assert_eq!(d.date, day("2027-01-04"));
        assert_eq!(d.missing_years, [2027]);
        assert!(d.warning().unwrap().contains("2027年节假日安排未载入"));
    }

    #[test]
    fn a_worked_day_on_a_weekday_is_a_problem() {
        let mut s = schedule();
        s.years[0].workdays.push(day("2026-10-12"));
        s.years[0].workdays.push(day("2027-01-02"));
        let p = s.years[0].problems();
        assert!(
            p.iter().any(|p| p.contains("2026-10-12 不是周六或周日")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("不在2026年内")), "{p:?}");
    }

    #[test]
    fn the_hall_is_eight_hours_ahead_of_utc() {
        // 2026-12-04 16:30 UTC is already the 5th in the hall.
        let ms = 1_796_401_800_000;
        assert_eq!(format_ms(ms), "2026-12-05 00:30:00");
        assert_eq!(format_ms(i64::MAX), "");
    }
}
