//! The hall's one calendar: China Standard Time (UTC+8, no daylight
//! saving) and working days. Every date the kiosk prints, queues or shows
//! comes from here, so the receipt, the outbox and the staff screen can
//! never disagree about what day it is.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc, Weekday};

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

/// Whether `day` is a working day. Weekends only: public holidays and the
/// weekend days worked in their place are not known to the kiosk, so every
/// printed date says holidays extend it.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `days` working days after `from`.
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut d = from;
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-12-04 is a Friday.
        assert_eq!(add_working_days(day("2026-12-04"), 1), day("2026-12-07"));
        assert_eq!(add_working_days(day("2026-12-04"), 10), day("2026-12-18"));
        assert_eq!(add_working_days(day("2026-12-05"), 0), day("2026-12-05"));
    }

    #[test]
    fn the_hall_is_eight_hours_ahead_of_utc() {
        // 2026-12-04 16:30 UTC is already the 5th in the hall.
        let ms = 1_796_401_800_000;
        assert_eq!(format_ms(ms), "2026-12-05 00:30:00");
        assert_eq!(format_ms(i64::MAX), "");
    }
}
