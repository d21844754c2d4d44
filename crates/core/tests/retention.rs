//! Record keeping (特定電子メール法 施行規則4条): whatever the sequence of
//! prepares, the stored coarse last-prepared time gives a `retain_until`
//! never earlier than a month after the last mail prepared for the person;
//! and it is rewritten at most once per day.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::fold::{ConsentRef, Exit, ListState, Status};
use doi_core::retention::{self, Override, GRANULARITY, KEEP};
use doi_core::time::DAY;
use doi_core::{ConsentVersion, EventId, ListId, Method, SubscriberState, Timestamp, Via};
use proptest::prelude::*;

/// A state whose latest consent is at `consent` and which a withdrawal
/// from everything stops from `exit` on.
fn state(consent: Option<u64>, exit: Option<u64>) -> SubscriberState {
    let mut s = SubscriberState::default();
    if let Some(at) = consent {
        s.lists.insert(
            ListId::parse("newsletter").unwrap(),
            ListState {
                status: Status::Active,
                topics: vec![],
                frequency: None,
                paused_until: None,
                consent: Some(ConsentRef {
                    event: EventId::from_random([1; 16]),
                    at: Timestamp(at),
                    method: Method::Widget,
                    form: None,
                    consent_version: ConsentVersion::of("x"),
                    given: None,
                }),
                exit: None,
                confirmed: None,
            },
        );
    }
    s.suppressed = exit.map(|at| Exit {
        at: Timestamp(at),
        via: Via::OneClick,
    });
    s
}

/// Runs the scheme over prepares at `times` (sorted): the stored value and
/// how many writes it took.
fn stored_after(times: &[u64]) -> (Option<Timestamp>, usize) {
    let mut stored = None;
    let mut writes = 0;
    for &t in times {
        if retention::should_record(stored, Timestamp(t)) {
            stored = Some(Timestamp(t));
            writes += 1;
        }
    }
    (stored, writes)
}

proptest! {
    #[test]
    fn retain_until_is_never_earlier_than_a_month_after_the_last_mail_prepared_for_them(
        mut times in prop::collection::vec(0u64..400 * DAY, 1..60),
        consent in 0u64..400 * DAY,
        exit in prop::option::of(0u64..400 * DAY),
    ) {
        times.sort_unstable();
        let (stored, _) = stored_after(&times);
        // Mail is prepared for them only after they consented and while no
        // withdrawal stops them.
        let last_for_them = times
            .iter()
            .copied()
            .filter(|&t| t >= consent && exit.is_none_or(|e| t <= e))
            .max();
        let until = retention::retain_until(&state(Some(consent), exit), stored).unwrap();
        if let Some(last) = last_for_them {
            prop_assert!(until.millis() >= last + KEEP, "{until:?} < {last} + a month");
        }
    }

    #[test]
    fn the_last_prepared_time_is_written_at_most_once_a_day(
        mut times in prop::collection::vec(0u64..30 * DAY, 1..500),
    ) {
        times.sort_unstable();
        let (_, writes) = stored_after(&times);
        let days = (times[times.len() - 1] - times[0]) / GRANULARITY + 1;
        prop_assert!(writes as u64 <= days, "{writes} writes over {days} days");
    }

    #[test]
    fn erasure_needs_an_override_exactly_inside_the_retention_period(
        prepared in 0u64..400 * DAY, now in 0u64..500 * DAY,
    ) {
        let s = state(Some(0), None);
        let until = retention::retain_until(&s, Some(Timestamp(prepared))).unwrap();
        prop_assert_eq!(
            retention::erasure_needs_override(&s, Some(Timestamp(prepared)), Timestamp(now)),
            now < until.millis()
        );
    }
}

#[test]
fn a_record_without_consent_or_mail_has_nothing_to_keep() {
    assert_eq!(retention::retain_until(&state(Some(0), None), None), None);
    let prepared = Some(Timestamp(5 * DAY));
    assert_eq!(retention::retain_until(&state(None, None), prepared), None);
    assert!(!retention::erasure_needs_override(
        &state(None, None),
        prepared,
        Timestamp(0)
    ));
    assert!(retention::erasure_needs_override(
        &state(Some(0), None),
        prepared,
        Timestamp(6 * DAY)
    ));
}

#[test]
fn a_withdrawal_ends_the_mail_a_record_is_kept_for() {
    let s = state(Some(0), Some(10 * DAY));
    let until = retention::retain_until(&s, Some(Timestamp(100 * DAY))).unwrap();
    assert_eq!(until, Timestamp(10 * DAY + KEEP));
}

#[test]
fn override_reasons_parse_by_their_names_only() {
    for o in [
        Override::GdprErasure,
        Override::NoConsentGiven,
        Override::LegalOrder,
    ] {
        assert_eq!(Override::parse(o.as_str()), Some(o));
    }
    assert_eq!(Override::parse("because"), None);
}
