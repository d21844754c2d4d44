//! By example: an older signup's confirmation, and frequencies withdrawn
//! or recorded.

use super::*;

/// A signup to topic 0 of list 0 at frequency 0.
fn signup(double_opt_in: bool) -> EventKind {
    EventKind::Subscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: Some(freq(0)),
        double_opt_in,
        evidence: evidence(),
    }
}

#[test]
fn the_confirmation_of_an_older_signup_does_not_activate_a_newer_one() {
    let mut log = Log::default();
    log.push(signup(true));
    log.push(EventKind::Unsubscribed {
        scope: UnsubscribeScope::List { list: list(0) },
        via: Via::Page,
        reason: None,
    });
    log.push(EventKind::Resubscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: Some(freq(0)),
        double_opt_in: true,
        evidence: evidence(),
    });
    // A link issued for the first signup (before the resubscribe's time).
    log.push(EventKind::Confirmed {
        list: list(0),
        link_issued: Some(Timestamp(1_000)),
    });
    let req = SendRequest {
        list: list(0),
        topic: None,
        frequency: None,
    };
    assert!(!allowed(&log.state(), &req));
    log.push(EventKind::Confirmed {
        list: list(0),
        link_issued: Some(Timestamp(3_000)),
    });
    assert!(allowed(&log.state(), &req));
}

#[test]
fn a_frequency_withdrawal_stops_only_that_frequency() {
    let mut log = Log::default();
    log.push(signup(false));
    log.push(EventKind::Unsubscribed {
        scope: UnsubscribeScope::Frequency {
            list: list(0),
            frequency: freq(0),
        },
        via: Via::Page,
        reason: None,
    });
    let at = |f: Option<u8>| SendRequest {
        list: list(0),
        topic: None,
        frequency: f.map(freq),
    };
    assert!(!allowed(&log.state(), &at(Some(0))));
    assert!(allowed(&log.state(), &at(None)));
}

#[test]
fn a_recorded_frequency_refuses_mail_at_another() {
    let mut log = Log::default();
    log.push(signup(false));
    let at = |f: u8| SendRequest {
        list: list(0),
        topic: None,
        frequency: Some(freq(f)),
    };
    assert!(allowed(&log.state(), &at(0)));
    assert_eq!(
        may_send(&log.state(), &at(1), LATER).reason,
        doi_core::Reason::OtherFrequency { chosen: freq(0) }
    );
}
