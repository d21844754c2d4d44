//! The summary's small facts: the JST day, the empty summary, and which
//! standing each `/v1/check` answer means.

use super::*;

#[test]
fn a_day_is_counted_in_japan_time() {
    // 2026-12-01T15:00:00Z is 2026-12-02 00:00 JST: the next day.
    let before = Timestamp(1_795_964_399_000);
    let after = Timestamp(1_795_964_400_000);
    assert_eq!(day(after), day(before) + 1);
}

#[test]
fn an_empty_state_summarises_to_a_few_bytes() {
    assert_eq!(bounded(&SubscriberState::default()).unwrap(), r#"{"l":{}}"#);
    assert_eq!(escaped_len(r#"{"l":{}}"#), 10);
}

#[test]
fn a_check_answer_maps_to_one_standing() {
    let at = Timestamp(1);
    assert_eq!(Standing::of(&Reason::Erased), Some(Standing::Erased));
    assert_eq!(
        Standing::of(&Reason::Unsubscribed {
            via: Via::Bounce,
            at
        }),
        Some(Standing::Suppressed)
    );
    assert_eq!(
        Standing::of(&Reason::Unsubscribed {
            via: Via::OneClick,
            at
        }),
        Some(Standing::Unsubscribed)
    );
    assert_eq!(
        Standing::of(&Reason::PendingConfirmation),
        Some(Standing::Pending)
    );
    assert_eq!(Standing::of(&Reason::NoConsent), None);
    assert_eq!(Standing::of(&Reason::Consented), Some(Standing::Active));
}
