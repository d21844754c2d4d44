//! The moments providers sign: RFC 3339 times (SNS) and Unix seconds
//! (SendGrid, Svix, Mailgun), and the window a signed moment must lie in.

use crate::time::Timestamp;

/// Whether a signed moment lies within `tolerance_ms` of `now`, either way
/// (a clock a little ahead of ours is not an attack; a day-old one is a replay).
pub fn fresh(signed: Timestamp, now: Timestamp, tolerance_ms: u64) -> bool {
    signed.millis().abs_diff(now.millis()) <= tolerance_ms
}

/// `1700000000` (seconds since the epoch, as a header or a field sends it).
pub fn parse_unix_seconds(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: u64 = text.parse().ok()?;
    Some(Timestamp(seconds.checked_mul(1000)?))
}

/// `2026-12-01T19:45:04.751Z` (UTC only, as SNS writes it).
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 20 || b.len() > 40 || !text.ends_with('Z') {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<u64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let millis = match &text[19..text.len() - 1] {
        "" => 0,
        frac if frac.starts_with('.') && frac.len() > 1 => {
            let digits = &frac[1..];
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let mut ms: u64 = 0;
            for (i, d) in digits.bytes().take(3).enumerate() {
                ms += u64::from(d - b'0') * [100, 10, 1][i];
            }
            ms
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day)?;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(Timestamp(seconds * 1000 + millis))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method).
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y % 400;
    let m = (month + 9) % 12;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_read_as_the_epoch_milliseconds_they_name() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(Timestamp(0)));
        assert_eq!(
            parse_rfc3339("2012-04-26T20:45:04.751Z"),
            Some(Timestamp(1_335_473_104_751))
        );
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00.5Z"),
            Some(Timestamp(951_868_800_500))
        );
        for bad in [
            "",
            "2012-04-26 20:45:04Z",
            "2012-13-01T00:00:00Z",
            "2012-04-26T20:45:04+09:00",
            "2012-04-26T20:45:04.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn unix_seconds_are_digits_only() {
        assert_eq!(
            parse_unix_seconds("1700000000"),
            Some(Timestamp(1_700_000_000_000))
        );
        for bad in ["", "-1", "1e9", "17000000000000000"] {
            assert_eq!(parse_unix_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_signed_moment_is_fresh_only_within_the_window_either_way() {
        let now = Timestamp(1_000_000);
        assert!(fresh(Timestamp(1_000_000 - 300_000), now, 300_000));
        assert!(fresh(Timestamp(1_000_000 + 300_000), now, 300_000));
        assert!(!fresh(Timestamp(1_000_000 - 300_001), now, 300_000));
        assert!(!fresh(Timestamp(1_000_000 + 300_001), now, 300_000));
    }
}
