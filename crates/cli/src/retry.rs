//! When a failed call is tried again, and after how long: pure, so the
//! policy is tested without a server.
//!
//! A network error, `429` or a `5xx` is tried again, unless the API says
//! in its body that retrying cannot help (`"retryable": false`, as for
//! `503 misconfigured`). The wait doubles from one second up to 30 s; a
//! `Retry-After` header (seconds or an HTTP date) wins when it asks for
//! longer, up to ten minutes.

use std::time::Duration;

/// The first wait.
pub const FIRST: Duration = Duration::from_secs(1);
/// The longest wait of the doubling.
pub const CEILING: Duration = Duration::from_secs(30);
/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// Whether an answer with `status` (and the API's `retryable` flag, when
/// its body had one) is worth trying again.
pub fn worth_retrying(status: u16, retryable: Option<bool>) -> bool {
    (status == 429 || (500..=599).contains(&status)) && retryable != Some(false)
}

/// How long to wait before attempt `attempt + 1` (`attempt` counts from 0),
/// given the answer's `Retry-After` header, if any, at `now` (Unix seconds).
pub fn delay(attempt: u32, retry_after: Option<&str>, now: i64) -> Duration {
    let doubled = FIRST
        .checked_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .unwrap_or(CEILING)
        .min(CEILING);
    match retry_after.and_then(|value| parse_retry_after(value, now)) {
        Some(asked) => asked.max(doubled).min(MAX_RETRY_AFTER),
        None => doubled,
    }
}

/// `Retry-After` as a wait: delay-seconds or an HTTP date (RFC 9110).
pub fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value)
        .ok()?
        .timestamp()
        .as_second();
    Some(Duration::from_secs(u64::try_from(at - now).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_server_errors_are_retried_but_not_refusals() {
        assert!(worth_retrying(429, None));
        assert!(worth_retrying(503, Some(true)));
        assert!(worth_retrying(502, None));
        assert!(!worth_retrying(400, None));
        assert!(!worth_retrying(422, Some(true)));
        assert!(!worth_retrying(200, None));
    }

    #[test]
    fn a_server_error_the_api_calls_final_is_not_retried() {
        assert!(!worth_retrying(503, Some(false)));
    }

    #[test]
    fn the_wait_doubles_up_to_the_ceiling() {
        let waits: Vec<u64> = (0..8).map(|a| delay(a, None, 0).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(delay(40, None, 0), CEILING);
    }

    #[test]
    fn retry_after_in_seconds_wins_when_it_asks_for_longer() {
        assert_eq!(delay(0, Some("60"), 0), Duration::from_secs(60));
        assert_eq!(delay(3, Some("1"), 0), Duration::from_secs(8));
        assert_eq!(delay(0, Some("86400"), 0), MAX_RETRY_AFTER);
    }

    #[test]
    fn retry_after_as_an_http_date_counts_from_now() {
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
        let wait = delay(0, Some("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_757);
        assert_eq!(wait, Duration::from_secs(20));
        assert_eq!(parse_retry_after("soon", 0), None);
    }
}
