//! Consent that ages: a stale consent is never a yes, every other "no" is
//! answered before staleness, and a renewal refreshes only a consent in
//! force, never one a withdrawal stopped.

use super::*;
use doi_core::lifecycle::{freshness, renewable, Freshness};
use doi_core::{may_send_within, Reason};

fn renewal(l: u8) -> EventKind {
    EventKind::Renewed {
        list: list(l),
        evidence: evidence(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// With a maximum age, a yes is still a yes without one, and rests on a
    /// consent younger than the maximum.
    #[test]
    fn a_stale_consent_is_never_a_yes(
        history in prop::collection::vec(any_event(), 0..10),
        req in request(),
        max in 1u64..20_000,
        now in 0u64..30_000,
    ) {
        let mut log = Log::default();
        log.extend(&history);
        let state = log.state();
        let now = Timestamp(now);
        let d = may_send_within(&state, &req, now, Some(max));
        if d.allowed {
            prop_assert!(may_send(&state, &req, now).allowed);
            let since = state.list(&req.list).and_then(|l| l.consent_since()).unwrap();
            prop_assert!(now.millis() < since.millis() + max);
        }
    }

    /// A maximum age only ever turns a yes into `consent_stale`: every "no"
    /// without it is the same "no", with the same reason, with it.
    #[test]
    fn every_other_no_wins_over_staleness(
        history in prop::collection::vec(any_event(), 0..10),
        req in request(),
        max in 1u64..20_000,
        now in 0u64..30_000,
    ) {
        let mut log = Log::default();
        log.extend(&history);
        let state = log.state();
        let now = Timestamp(now);
        let plain = may_send(&state, &req, now);
        let aged = may_send_within(&state, &req, now, Some(max));
        if plain.allowed {
            let stale = matches!(aged.reason, Reason::ConsentStale { .. });
            prop_assert!(aged.allowed || stale);
        } else {
            prop_assert_eq!(plain, aged);
        }
    }

    /// Renewals, however many, never lift a withdrawal in force.
    #[test]
    fn a_renewal_never_lifts_a_withdrawal(
        before in prop::collection::vec(any_event(), 0..6),
        no in withdrawal(),
        renewals in prop::collection::vec(0u8..2, 1..4),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        log.push(no.clone());
        for l in &renewals {
            log.push(renewal(*l));
        }
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req));
            prop_assert!(!may_send_within(&log.state(), &req, LATER, Some(1)).allowed);
        }
    }

    /// A renewal of a consent in force makes it fresh again from the
    /// renewal's time, and changes nothing else the sender is told.
    #[test]
    fn a_renewal_refreshes_a_consent_in_force_and_nothing_else(
        history in prop::collection::vec(any_event(), 0..10),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&history);
        let before = log.state();
        let was_renewable = renewable(&before, &req.list);
        log.push(renewal(0));
        log.push(renewal(1));
        let after = log.state();
        let renewed_at = Timestamp(1_000 * log.0.len() as u64);
        let just_after = renewed_at.plus(1);
        prop_assert_eq!(
            may_send(&before, &req, just_after).allowed,
            may_send(&after, &req, just_after).allowed
        );
        if was_renewable {
            let since = after.list(&req.list).and_then(|l| l.consent_since()).unwrap();
            prop_assert!(since.millis() >= renewed_at.millis() - 1_000);
            prop_assert_eq!(
                may_send_within(&after, &req, just_after, Some(1_500)).allowed,
                may_send(&after, &req, just_after).allowed
            );
        } else {
            prop_assert_eq!(
                before.list(&req.list).and_then(|l| l.consent.clone()),
                after.list(&req.list).and_then(|l| l.consent.clone())
            );
        }
    }

    /// A re-permission link is offered only to someone it could renew.
    #[test]
    fn renewal_is_offered_only_to_a_consent_in_force(
        history in prop::collection::vec(any_event(), 0..10),
        l in 0u8..2,
        max in 1u64..20_000,
        now in 0u64..30_000,
    ) {
        let mut log = Log::default();
        log.extend(&history);
        let state = log.state();
        let f = freshness(&state, &list(l), Timestamp(now), Some(max));
        if f != Freshness::NotApplicable {
            prop_assert!(renewable(&state, &list(l)));
        }
        prop_assert_eq!(freshness(&state, &list(l), Timestamp(now), None), Freshness::NotApplicable);
    }
}

#[test]
fn a_confirmation_restarts_the_age_of_a_double_opt_in_consent() {
    let mut log = Log::default();
    log.push(EventKind::Subscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: Some(freq(0)),
        double_opt_in: true,
        evidence: evidence(),
    });
    log.push(EventKind::Confirmed {
        list: list(0),
        link_issued: None,
    });
    let state = log.state();
    let req = SendRequest {
        list: list(0),
        topic: None,
        frequency: None,
    };
    // Signed up at 1 s, confirmed at 2 s; fresh for 1.5 s from the latest.
    assert!(may_send_within(&state, &req, Timestamp(3_400), Some(1_500)).allowed);
    let stale = may_send_within(&state, &req, Timestamp(3_500), Some(1_500));
    assert_eq!(
        stale.reason,
        Reason::ConsentStale {
            since: Timestamp(2_000),
            stale_at: Timestamp(3_500)
        }
    );
    assert!(!stale.allowed);
}

#[test]
fn a_renewal_after_staleness_lets_mail_go_again() {
    let mut log = Log::default();
    log.push(EventKind::Subscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: None,
        double_opt_in: false,
        evidence: evidence(),
    });
    let req = SendRequest {
        list: list(0),
        topic: None,
        frequency: None,
    };
    assert!(!may_send_within(&log.state(), &req, Timestamp(5_000), Some(1_000)).allowed);
    log.push(renewal(0));
    assert!(may_send_within(&log.state(), &req, Timestamp(2_500), Some(1_000)).allowed);
}
