//! Time as the caller gives it: milliseconds since the Unix epoch, UTC.
//!
//! The core never reads a clock. The Worker passes `Date.now()`, the widget
//! the browser's clock, tests whatever they like.

use crate::prelude::*;

use core::fmt;
use serde::{Deserialize, Serialize};

/// A moment, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// One second in milliseconds.
pub const SECOND: u64 = 1_000;
/// One hour in milliseconds.
pub const HOUR: u64 = 3_600 * SECOND;
/// One day in milliseconds.
pub const DAY: u64 = 24 * HOUR;

impl Timestamp {
    /// Milliseconds since the epoch.
    pub fn millis(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub fn seconds(self) -> u64 {
        self.0 / SECOND
    }

    /// This moment plus `ms` milliseconds, saturating.
    pub fn plus(self, ms: u64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// The calendar date (UTC) as `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let (y, m, d) = civil_from_days((self.0 / DAY) as i64);
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T01:46:37.000Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = (self.0 / DAY) as i64;
        let rem = self.0 % DAY;
        let (y, m, d) = civil_from_days(days);
        let (h, min, s, ms) = (
            rem / HOUR,
            rem % HOUR / 60_000,
            rem % 60_000 / SECOND,
            rem % SECOND,
        );
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}Z")
    }
}

/// Days since the epoch to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_epoch_and_a_leap_day() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T12:34:56.789Z
        assert_eq!(
            Timestamp(1_709_210_096_789).to_string(),
            "2024-02-29T12:34:56.789Z"
        );
        assert_eq!(Timestamp(1_709_210_096_789).date(), "2024-02-29");
    }

    #[test]
    fn plus_saturates_instead_of_wrapping() {
        assert_eq!(Timestamp(u64::MAX - 1).plus(10), Timestamp(u64::MAX));
    }
}
