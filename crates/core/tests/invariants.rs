//! The rules of consent, stated as properties over arbitrary event histories.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use doi_core::fold::{fold, Status};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::{
    may_send, ConsentVersion, Event, EventHash, ListId, Locale, Reason, SendRequest, SubscriberId,
    Timestamp, TopicId,
};
use proptest::prelude::*;

const SID: SubscriberId = SubscriberId([7; 16]);

fn list() -> ListId {
    ListId::parse("news").unwrap()
}

fn topic(i: u8) -> TopicId {
    TopicId::parse(&format!("t{i}")).unwrap()
}

fn evidence() -> Evidence {
    Evidence {
        method: Method::Widget,
        form: None,
        consent_version: ConsentVersion::of("I agree"),
        locale: Locale::En,
        page_url: Some("https://example.com/".into()),
        client_time: Some(Timestamp(1)),
        user_agent: None,
        source: None,
        opt_in: None,
    }
}

/// Builds a log the way writers do: each event names the current heads.
struct Log(Vec<LoggedEvent>, Vec<Vec<u8>>);

impl Log {
    fn new() -> Log {
        Log(Vec::new(), Vec::new())
    }

    fn push(&mut self, n: u64, kind: EventKind) -> EventHash {
        let parents = ledger::heads(&self.0);
        self.push_with(n, parents, kind)
    }

    fn push_with(&mut self, n: u64, parents: Vec<EventHash>, kind: EventKind) -> EventHash {
        let event = Event {
            id: EventId::parse(&format!("event-{n:012}")).unwrap(),
            at: Timestamp(1_000 * n),
            subscriber: SID,
            parents,
            kind,
        };
        let (hash, bytes) = ledger::seal(&event).unwrap();
        self.0.push(LoggedEvent { hash, event });
        self.1.push(bytes);
        hash
    }
}

fn subscribed(double: bool) -> EventKind {
    EventKind::Subscribed {
        list: list(),
        topics: vec![topic(0), topic(1)],
        frequency: None,
        double_opt_in: double,
        evidence: evidence(),
    }
}

fn resubscribed() -> EventKind {
    EventKind::Resubscribed {
        list: list(),
        topics: vec![topic(0), topic(1)],
        frequency: None,
        double_opt_in: false,
        evidence: evidence(),
    }
}

fn unsub(scope: UnsubscribeScope) -> EventKind {
    EventKind::Unsubscribed {
        scope,
        via: Via::OneClick,
        reason: None,
    }
}

fn req(t: Option<u8>) -> SendRequest {
    SendRequest {
        list: list(),
        topic: t.map(topic),
        frequency: None,
    }
}

fn allowed(log: &Log, t: Option<u8>) -> bool {
    may_send(&fold(&log.0), &req(t), Timestamp(u64::MAX / 2)).allowed
}

/// Any event a writer might append.
fn any_kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        any::<bool>().prop_map(subscribed),
        Just(EventKind::Confirmed {
            list: list(),
            link_issued: None
        }),
        Just(resubscribed()),
        (0u8..3).prop_map(|t| EventKind::PreferencesChanged {
            list: list(),
            topics: vec![topic(t)],
            frequency: None,
            paused_until: None
        }),
        Just(unsub(UnsubscribeScope::All)),
        Just(unsub(UnsubscribeScope::List { list: list() })),
        (0u8..3).prop_map(|t| unsub(UnsubscribeScope::Topic {
            list: list(),
            topic: topic(t)
        })),
        Just(EventKind::Erased),
    ]
}

fn build(kinds: &[EventKind]) -> Log {
    let mut log = Log::new();
    for (i, k) in kinds.iter().enumerate() {
        log.push(i as u64 + 1, k.clone());
    }
    log
}

fn grants(k: &EventKind) -> bool {
    matches!(
        k,
        EventKind::Subscribed { .. } | EventKind::Resubscribed { .. }
    )
}

proptest! {
    #[test]
    fn no_consent_means_no_send(kinds in prop::collection::vec(any_kind(), 0..12)) {
        let kinds: Vec<EventKind> = kinds.into_iter().filter(|k| !grants(k)).collect();
        let log = build(&kinds);
        for t in [None, Some(0), Some(1)] {
            prop_assert!(!allowed(&log, t));
        }
    }

    #[test]
    fn after_unsubscribe_all_only_a_resubscribe_reenables(before in prop::collection::vec(any_kind(), 0..8), after in prop::collection::vec(any_kind(), 0..8)) {
        let mut kinds = before;
        kinds.push(unsub(UnsubscribeScope::All));
        let split = kinds.len();
        kinds.extend(after);
        let log = build(&kinds);
        let resubscribed_after = kinds[split..].iter().any(|k| matches!(k, EventKind::Resubscribed { .. }));
        if !resubscribed_after {
            for t in [None, Some(0), Some(1), Some(2)] {
                prop_assert!(!allowed(&log, t), "sendable after unsubscribe-all without a resubscribe: {:?}", kinds);
            }
        }
    }

    #[test]
    fn duplicates_and_order_change_nothing(kinds in prop::collection::vec(any_kind(), 1..10), seed in any::<u64>(), dups in prop::collection::vec(any::<prop::sample::Index>(), 0..5)) {
        let log = build(&kinds);
        let expected = fold(&log.0);
        let mut shuffled = log.0.clone();
        for d in &dups {
            shuffled.push(d.get(&log.0).clone());
        }
        // Deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(fold(&shuffled), expected);
    }

    #[test]
    fn any_changed_byte_breaks_verification(kinds in prop::collection::vec(any_kind(), 1..6), which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let log = build(&kinds);
        let anchors = ledger::heads(&log.0);
        prop_assert!(ledger::verify(SID, &log.1, &anchors).is_ok());
        let mut entries = log.1.clone();
        let e = which.index(entries.len());
        let b = at.index(entries[e].len());
        entries[e][b] ^= flip;
        prop_assert!(ledger::verify(SID, &entries, &anchors).is_err());
    }

    #[test]
    fn an_unconfirmed_double_opt_in_is_never_sendable(extra in prop::collection::vec(any_kind(), 0..6)) {
        let kinds: Vec<EventKind> = std::iter::once(subscribed(true))
            .chain(extra.into_iter().filter(|k| !matches!(k, EventKind::Confirmed { .. } | EventKind::Resubscribed { .. })))
            .collect();
        let log = build(&kinds);
        prop_assert!(!allowed(&log, None));
    }
}

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
fn a_signup_or_import_never_lifts_an_unsubscribe() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::All));
    log.push(3, subscribed(false));
    assert!(fold(&log.0).list_stopped(&list()).is_some());
    log.push(4, resubscribed());
    assert!(allowed(&log, None));
}

#[test]
fn a_resubscribe_racing_an_unsubscribe_it_never_saw_loses() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::List { list: list() }));
    // A writer that read the log before the unsubscribe...
    let stale = vec![log.0[0].hash];
    let u = log.push(3, unsub(UnsubscribeScope::All));
    let _ = u;
    // ...resubscribes later in time, but never saw the unsubscribe-all.
    log.push_with(4, stale, resubscribed());
    assert!(!allowed(&log, None));
    // A later resubscribe that saw everything wins.
    log.push(5, resubscribed());
    assert!(allowed(&log, None));
}

#[test]
fn concurrent_one_click_and_preference_change_both_survive_and_no_mail_goes() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    let seen = ledger::heads(&log.0);
    log.push_with(
        2,
        seen.clone(),
        unsub(UnsubscribeScope::List { list: list() }),
    );
    log.push_with(
        3,
        seen,
        EventKind::PreferencesChanged {
            list: list(),
            topics: vec![topic(0)],
            frequency: None,
            paused_until: None,
        },
    );
    let state = fold(&log.0);
    assert_eq!(state.events, 3);
    assert_eq!(state.heads.len(), 2, "the fork keeps both events");
    assert_eq!(state.list(&list()).unwrap().status, Status::Unsubscribed);
    assert!(!allowed(&log, Some(0)));
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

#[test]
fn erasure_keeps_the_subscriber_suppressed() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, EventKind::Erased);
    let state = fold(&log.0);
    assert!(state.erased);
    assert_eq!(
        may_send(&state, &req(None), Timestamp(0)).reason,
        Reason::Erased
    );
    assert!(
        state.list(&list()).unwrap().consent.is_none(),
        "no evidence remains"
    );
}

#[test]
fn verification_reports_missing_parents_foreign_events_and_missing_anchors() {
    use doi_core::ledger::ChainError;
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::All));
    let anchors = ledger::heads(&log.0);
    assert!(matches!(
        ledger::verify(SID, &log.1[1..], &anchors),
        Err(ChainError::MissingParent { .. })
    ));
    assert!(matches!(
        ledger::verify(SID, &log.1[..1], &anchors),
        Err(ChainError::MissingAnchor(_))
    ));
    assert!(matches!(
        ledger::verify(SubscriberId([8; 16]), &log.1, &anchors),
        Err(ChainError::WrongSubscriber { index: 0 })
    ));
    assert!(matches!(
        ledger::verify(SID, &[b"{".to_vec()], &[]),
        Err(ChainError::Unreadable { index: 0, .. })
    ));
}
