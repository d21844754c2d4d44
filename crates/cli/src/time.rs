//! Times as exports write them, read into doi-core's [`Timestamp`]
//! (milliseconds, UTC) with jiff.
//!
//! - Mailchimp: `2020-09-13 12:26:40`, in UTC.
//! - listmonk: Go's `time.Time` text, `2020-09-13 12:26:40.123456 +0000 UTC`.
//! - A plain CSV: RFC 3339 (`2020-09-13T12:26:40Z`, `…+09:00`), a UTC
//!   `2020-09-13 12:26:40`, or milliseconds since the epoch.

use doi_core::Timestamp;

/// Mailchimp's `OPTIN_TIME` / `CONFIRM_TIME` (UTC, no offset written).
pub fn mailchimp(text: &str) -> Result<Timestamp, String> {
    utc_civil(text.trim()).ok_or_else(|| format!("{text:?} is not a time like 2020-09-13 12:26:40"))
}

/// listmonk's `created_at`: Go's `2006-01-02 15:04:05.999999999 -0700 MST`.
pub fn listmonk(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    // The zone's abbreviation after the offset says nothing the offset does not.
    let without_zone = match text.rsplit_once(' ') {
        Some((head, zone)) if zone.bytes().all(|b| b.is_ascii_alphabetic()) => head,
        _ => text,
    };
    jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S%.f %z", without_zone)
        .and_then(|parsed| parsed.to_timestamp())
        .ok()
        .and_then(millis)
        .ok_or_else(|| format!("{text:?} is not a time like 2020-09-13 12:26:40 +0000 UTC"))
}

/// A plain CSV's `consented_at`.
pub fn plain(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .map(Timestamp)
            .map_err(|_| format!("{text:?} is too large for milliseconds since 1970"));
    }
    text.parse::<jiff::Timestamp>()
        .ok()
        .and_then(millis)
        .or_else(|| utc_civil(text))
        .ok_or_else(|| {
            format!(
                "{text:?} is not a time: use RFC 3339 (2020-09-13T12:26:40Z), \
                 2020-09-13 12:26:40 (UTC) or milliseconds since 1970"
            )
        })
}

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`), read as UTC.
fn utc_civil(text: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    millis(jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?)
}

fn millis(t: jiff::Timestamp) -> Option<Timestamp> {
    u64::try_from(t.as_millisecond()).ok().map(Timestamp)
}

/// `at` as RFC 3339 in UTC, for people reading a summary.
pub fn show(at: Timestamp) -> String {
    i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or_else(|| at.0.to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2020-09-13T12:26:40Z
    const AT: u64 = 1_600_000_000_000;

    #[test]
    fn mailchimp_times_are_utc_without_an_offset() {
        assert_eq!(mailchimp("2020-09-13 12:26:40"), Ok(Timestamp(AT)));
        assert!(mailchimp("13/09/2020").is_err());
    }

    #[test]
    fn listmonk_times_are_go_time_text_with_offset_and_zone() {
        assert_eq!(listmonk("2020-09-13 12:26:40 +0000 UTC"), Ok(Timestamp(AT)));
        assert_eq!(
            listmonk("2020-09-13 21:26:40.25 +0900 JST"),
            Ok(Timestamp(AT + 250))
        );
        assert!(listmonk("yesterday").is_err());
    }

    #[test]
    fn plain_times_take_rfc3339_utc_text_or_milliseconds() {
        assert_eq!(plain("2020-09-13T12:26:40Z"), Ok(Timestamp(AT)));
        assert_eq!(plain("2020-09-13T21:26:40+09:00"), Ok(Timestamp(AT)));
        assert_eq!(plain("2020-09-13 12:26:40"), Ok(Timestamp(AT)));
        assert_eq!(plain("1600000000000"), Ok(Timestamp(AT)));
        assert!(plain("").is_err());
        assert!(plain("1969-12-31T23:59:59Z").is_err());
    }

    #[test]
    fn a_time_is_shown_as_rfc3339_utc() {
        assert_eq!(show(Timestamp(AT)), "2020-09-13T12:26:40Z");
    }
}
