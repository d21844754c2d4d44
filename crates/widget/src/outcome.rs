//! How a signup went, in words, and whether to try again.
//!
//! The loader sends the record (`POST /v1/subscribe`, see `docs/api.md`)
//! and asks here what to do with each answer: wait and retry with the same
//! record id, or stop and say which message. No cookies go with the
//! request, nothing is stored in the browser, and no origin but the
//! Worker's is contacted.

use crate::text::{self, Text};

/// Waits before each retry after a network failure or a retryable error:
/// three retries, about five seconds in all, all with the same record id.
pub const BACKOFF_MS: [i32; 3] = [400, 1_200, 3_600];

/// How long to wait before retry number `attempt` (1 for the first), or -1
/// to give up. `status` 0 means no answer came (always worth retrying);
/// otherwise the Worker's `retryable` decides, and without it a 5xx.
pub fn retry_delay(attempt: u32, status: u16, retryable: Option<bool>) -> i32 {
    let worth_it = status == 0 || retryable.unwrap_or(status >= 500);
    match attempt.checked_sub(1).map(|i| BACKOFF_MS.get(i as usize)) {
        Some(Some(&ms)) if worth_it => ms,
        _ => -1,
    }
}

/// Progress: `sending`, else `retrying`.
pub fn progress(what: &str) -> Text {
    match what {
        "sending" => text::SENDING,
        _ => text::RETRYING,
    }
}

/// Accepted: pending a confirmation click, or subscribed at once.
pub fn accepted(status: &str, double_opt_in: bool) -> Text {
    if double_opt_in || status == "pending" {
        text::CHECK_INBOX
    } else {
        text::SUBSCRIBED
    }
}

/// Given up: what to tell the person about HTTP `status` (0: no answer)
/// with the contract's error `code`.
pub fn failure(status: u16, code: &str) -> Text {
    if status == 0 {
        return text::NETWORK_FAILED;
    }
    match code {
        "invalid_email" => text::EMAIL_INVALID,
        "consent_not_given" => text::CONSENT_REQUIRED,
        "altered_consent_text" | "stale_consent_text" => text::CONSENT_TEXT_CHANGED,
        "rate_limited" => text::TOO_MANY_REQUESTS,
        "turnstile_failed" => text::TURNSTILE_FAILED,
        "storage_unavailable" | "delivery_failed" | "internal" => text::NETWORK_FAILED,
        _ => text::SUBMISSION_REFUSED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_failures_and_retryable_errors_are_retried_three_times() {
        let delays: Vec<i32> = (1..=4).map(|n| retry_delay(n, 0, None)).collect();
        assert_eq!(delays, [400, 1_200, 3_600, -1]);
        assert_eq!(retry_delay(1, 503, Some(true)), 400);
        assert_eq!(retry_delay(1, 503, None), 400);
        assert_eq!(retry_delay(0, 0, None), -1);
    }

    #[test]
    fn refusals_are_not_retried() {
        assert_eq!(retry_delay(1, 422, Some(false)), -1);
        assert_eq!(retry_delay(1, 422, None), -1);
        assert_eq!(retry_delay(1, 500, Some(false)), -1);
    }

    #[test]
    fn refusals_are_explained_with_catalogue_messages() {
        assert_eq!(failure(0, ""), text::NETWORK_FAILED);
        assert_eq!(
            failure(422, "stale_consent_text"),
            text::CONSENT_TEXT_CHANGED
        );
        assert_eq!(failure(422, "automated"), text::SUBMISSION_REFUSED);
        assert_eq!(failure(429, "rate_limited"), text::TOO_MANY_REQUESTS);
        assert_eq!(failure(503, "storage_unavailable"), text::NETWORK_FAILED);
    }

    #[test]
    fn double_opt_in_asks_the_person_to_check_their_inbox() {
        assert_eq!(accepted("pending", true), text::CHECK_INBOX);
        assert_eq!(accepted("pending", false), text::CHECK_INBOX);
        assert_eq!(accepted("subscribed", false), text::SUBSCRIBED);
    }
}
