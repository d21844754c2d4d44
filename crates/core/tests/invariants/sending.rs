//! What may be sent: a confirmed double opt-in, one-click's refusal with its
//! reason, topics, pauses and frequencies.

use super::*;

#[test]
fn a_confirmed_double_opt_in_is_sendable() {
    let mut log = Log::new();
    log.push(1, subscribed(true));
    assert_eq!(
        may_send(&fold(&log.0), &req(None), Timestamp(9_000)).reason,
        Reason::PendingConfirmation
    );
    log.push(
        2,
        EventKind::Confirmed {
            list: list(),
            link_issued: None,
        },
    );
    assert!(allowed(&log, Some(0)));
}

#[test]
fn one_click_refuses_with_the_reason() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::List { list: list() }));
    let d = may_send(&fold(&log.0), &req(None), Timestamp(9_000));
    assert!(!d.allowed);
    assert_eq!(
        d.reason,
        Reason::Unsubscribed {
            via: Via::OneClick,
            at: Timestamp(2_000)
        }
    );
}

#[test]
fn topic_unsubscribe_blocks_only_that_topic() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(
        2,
        unsub(UnsubscribeScope::Topic {
            list: list(),
            topic: topic(0),
        }),
    );
    assert!(!allowed(&log, Some(0)));
    assert!(allowed(&log, Some(1)));
    assert!(allowed(&log, None));
    assert_eq!(
        may_send(&fold(&log.0), &req(Some(0)), Timestamp(0)).reason,
        Reason::Unsubscribed {
            via: Via::OneClick,
            at: Timestamp(2_000)
        }
    );
}

#[test]
fn pause_holds_mail_until_its_date() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(
        2,
        EventKind::PreferencesChanged {
            list: list(),
            topics: vec![topic(0)],
            frequency: None,
            paused_until: Some(Timestamp(50_000)),
        },
    );
    let state = fold(&log.0);
    assert_eq!(
        may_send(&state, &req(Some(0)), Timestamp(49_999)).reason,
        Reason::Paused {
            until: Timestamp(50_000)
        }
    );
    assert!(may_send(&state, &req(Some(0)), Timestamp(50_000)).allowed);
    assert!(
        !may_send(&state, &req(Some(1)), Timestamp(50_000)).allowed,
        "topic 1 was dropped"
    );
}

#[test]
fn frequency_choice_filters_mail_of_another_frequency() {
    use doi_core::FrequencyId;
    let monthly = FrequencyId::parse("monthly").unwrap();
    let weekly = FrequencyId::parse("weekly").unwrap();
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(
        2,
        EventKind::PreferencesChanged {
            list: list(),
            topics: vec![topic(0)],
            frequency: Some(monthly.clone()),
            paused_until: None,
        },
    );
    let state = fold(&log.0);
    let mut r = req(None);
    r.frequency = Some(weekly);
    assert_eq!(
        may_send(&state, &r, Timestamp(0)).reason,
        Reason::OtherFrequency {
            chosen: monthly.clone()
        }
    );
    r.frequency = Some(monthly);
    assert!(may_send(&state, &r, Timestamp(0)).allowed);
}
