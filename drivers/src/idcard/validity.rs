//! Judging a decoded card: check character and validity period.

use super::record::CardRecord;
use super::text::CardTextError;
use crate::ids::{IdError, ResidentId, valid_yyyymmdd};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date; ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl CivilDate {
    /// Parses `YYYY-MM-DD` (or `YYYYMMDD`) if it is a real date.
    pub fn parse(text: &str) -> Option<Self> {
        let compact: String = text.chars().filter(|c| *c != '-').collect();
        if !valid_yyyymmdd(&compact) {
            return None;
        }
        Some(CivilDate {
            year: compact[..4].parse().ok()?,
            month: compact[4..6].parse().ok()?,
            day: compact[6..8].parse().ok()?,
        })
    }

    /// Today in China (UTC+8 all year: no daylight saving), the date that
    /// decides whether a card has expired in the hall.
    pub fn today_in_china() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::from_days_since_epoch(((secs + 8 * 3600) / 86_400) as i64)
    }

    /// Howard Hinnant's days-to-civil algorithm.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
        CivilDate { year, month, day }
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a card cannot be used. The variants that judge a readable card
/// carry its record, so the UI can say whose card it is and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("证件信息无法识别: {0}")]
    Text(#[from] CardTextError),
    #[error("证件号码校验未通过: {error}")]
    BadIdNumber {
        record: Box<CardRecord>,
        error: IdError,
    },
    #[error("证件已过有效期（有效期至{valid_to}），请使用有效证件 (card expired)")]
    Expired {
        record: Box<CardRecord>,
        valid_to: String,
    },
    #[error("证件尚未生效（{valid_from}起有效） (card not yet valid)")]
    NotYetValid {
        record: Box<CardRecord>,
        valid_from: String,
    },
}

impl CardError {
    /// The record, when the card itself was readable.
    pub fn record(&self) -> Option<&CardRecord> {
        match self {
            CardError::Text(_) => None,
            CardError::BadIdNumber { record, .. }
            | CardError::Expired { record, .. }
            | CardError::NotYetValid { record, .. } => Some(record),
        }
    }
}

/// Checks the number's check character (where the card type has one) and
/// that `today` lies within the validity period (both ends inclusive).
pub fn check_card(record: &CardRecord, today: CivilDate) -> Result<(), CardError> {
    let number_check = if record.card_type.has_checked_number() {
        ResidentId::parse(&record.id_number).err()
    } else {
        None
    };
    if let Some(error) = number_check {
        return Err(CardError::BadIdNumber {
            record: Box::new(record.clone()),
            error,
        });
    }
    // Dates were checked when the block was decoded; a record built by
    // hand with a bad date is treated as not yet valid rather than trusted.
    let from = CivilDate::parse(&record.valid_from);
    if from.is_none_or(|from| today < from) {
        return Err(CardError::NotYetValid {
            record: Box::new(record.clone()),
            valid_from: record.valid_from.clone(),
        });
    }
    let expired = record
        .valid_to
        .as_ref()
        .filter(|to| CivilDate::parse(to).is_none_or(|to| today > to));
    if let Some(valid_to) = expired {
        return Err(CardError::Expired {
            record: Box::new(record.clone()),
            valid_to: valid_to.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch_match_known_dates() {
        assert_eq!(
            CivilDate::from_days_since_epoch(0).to_string(),
            "1970-01-01"
        );
        assert_eq!(
            CivilDate::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            CivilDate::from_days_since_epoch(20_454).to_string(),
            "2026-01-01"
        );
        assert!(CivilDate::today_in_china().year >= 2025);
        assert_eq!(CivilDate::parse("2026-02-29"), None);
        assert!(CivilDate::parse("2024-02-29").is_some());
    }
}
