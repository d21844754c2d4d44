//! The consent rule at every scope — everything, a list, a topic of a list,
//! a frequency of a list — stated as properties over arbitrary histories.
//!
//! A withdrawal is honoured by every later decision inside its scope until
//! a resubscribe for that scope that saw it; nothing else lifts it.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::{
    fold, may_send, ConsentVersion, Event, EventHash, FrequencyId, ListId, Locale, SendRequest,
    SubscriberId, SubscriberState, Timestamp, TopicId,
};
use proptest::prelude::*;

const SID: SubscriberId = SubscriberId([9; 16]);
const LATER: Timestamp = Timestamp(u64::MAX / 2);

fn list(i: u8) -> ListId {
    ListId::parse(&format!("list{i}")).unwrap()
}
fn topic(i: u8) -> TopicId {
    TopicId::parse(&format!("t{i}")).unwrap()
}
fn freq(i: u8) -> FrequencyId {
    FrequencyId::parse(&format!("f{i}")).unwrap()
}

fn evidence() -> Evidence {
    Evidence {
        method: Method::Widget,
        form: None,
        consent_version: ConsentVersion::of("I agree"),
        locale: Locale::Ja,
        page_url: None,
        client_time: None,
        user_agent: None,
        source: None,
        opt_in: None,
    }
}

fn scope() -> impl Strategy<Value = UnsubscribeScope> {
    prop_oneof![
        Just(UnsubscribeScope::All),
        (0u8..2).prop_map(|l| UnsubscribeScope::List { list: list(l) }),
        (0u8..2, 0u8..3).prop_map(|(l, t)| UnsubscribeScope::Topic {
            list: list(l),
            topic: topic(t)
        }),
        (0u8..2, 0u8..2).prop_map(|(l, f)| UnsubscribeScope::Frequency {
            list: list(l),
            frequency: freq(f)
        }),
    ]
}

fn via() -> impl Strategy<Value = Via> {
    prop_oneof![
        Just(Via::OneClick),
        Just(Via::Page),
        Just(Via::NotMe),
        Just(Via::Mailto),
        Just(Via::Api),
        Just(Via::Complaint),
        Just(Via::Bounce),
        Just(Via::Manual),
    ]
}

fn topics() -> impl Strategy<Value = Vec<TopicId>> {
    prop::collection::btree_set(0u8..3, 1..=3).prop_map(|s| s.into_iter().map(topic).collect())
}

fn withdrawal() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        5 => (scope(), via()).prop_map(|(scope, via)| EventKind::Unsubscribed { scope, via, reason: None }),
        1 => Just(EventKind::Erased),
    ]
}

/// Every event that is not an explicit resubscribe.
fn other_than_resubscribe() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        (0u8..2, topics(), 0u8..2, any::<bool>()).prop_map(|(l, topics, f, d)| {
            EventKind::Subscribed {
                list: list(l),
                topics,
                frequency: Some(freq(f)),
                double_opt_in: d,
                evidence: evidence(),
            }
        }),
        (0u8..2, any::<bool>()).prop_map(|(l, issued)| EventKind::Confirmed {
            list: list(l),
            link_issued: issued.then_some(Timestamp(u64::MAX / 4)),
        }),
        (0u8..2, topics(), prop::option::of(0u8..2)).prop_map(|(l, topics, f)| {
            EventKind::PreferencesChanged {
                list: list(l),
                topics,
                frequency: f.map(freq),
                paused_until: None,
            }
        }),
        Just(EventKind::ReasonGiven {
            reason: "other".into()
        }),
        (scope(), via()).prop_map(|(scope, via)| EventKind::Unsubscribed {
            scope,
            via,
            reason: None
        }),
    ]
}

fn resubscribe() -> impl Strategy<Value = EventKind> {
    (0u8..2, topics(), 0u8..2, any::<bool>()).prop_map(|(l, topics, f, d)| {
        EventKind::Resubscribed {
            list: list(l),
            topics,
            frequency: Some(freq(f)),
            double_opt_in: d,
            evidence: evidence(),
        }
    })
}

fn any_event() -> impl Strategy<Value = EventKind> {
    prop_oneof![4 => other_than_resubscribe(), 1 => resubscribe(), 1 => withdrawal()]
}

fn request() -> impl Strategy<Value = SendRequest> {
    (0u8..2, prop::option::of(0u8..3), prop::option::of(0u8..2)).prop_map(|(l, t, f)| SendRequest {
        list: list(l),
        topic: t.map(topic),
        frequency: f.map(freq),
    })
}

/// A log written the way writers write it: each event names every head.
#[derive(Default)]
struct Log(Vec<LoggedEvent>);

impl Log {
    fn push(&mut self, kind: EventKind) -> EventHash {
        let parents = ledger::heads(&self.0);
        self.push_on(parents, kind)
    }

    fn push_on(&mut self, parents: Vec<EventHash>, kind: EventKind) -> EventHash {
        let n = self.0.len() as u64 + 1;
        let event = Event {
            id: EventId::parse(&format!("event-{n:012}")).unwrap(),
            at: Timestamp(1_000 * n),
            subscriber: SID,
            parents,
            kind,
        };
        let (hash, _) = ledger::seal(&event).unwrap();
        self.0.push(LoggedEvent { hash, event });
        hash
    }

    fn extend(&mut self, kinds: &[EventKind]) {
        for k in kinds {
            self.push(k.clone());
        }
    }

    fn state(&self) -> SubscriberState {
        fold(&self.0)
    }
}

/// Whether a withdrawal at `scope` covers `req` (Erased: everything).
fn in_scope(kind: &EventKind, req: &SendRequest) -> bool {
    match kind {
        EventKind::Erased => true,
        EventKind::Unsubscribed { scope, .. } => match scope {
            UnsubscribeScope::All => true,
            UnsubscribeScope::List { list } => *list == req.list,
            UnsubscribeScope::Topic { list, topic } => {
                *list == req.list && req.topic.as_ref() == Some(topic)
            }
            UnsubscribeScope::Frequency { list, frequency } => {
                *list == req.list && req.frequency.as_ref() == Some(frequency)
            }
        },
        _ => false,
    }
}

fn allowed(state: &SubscriberState, req: &SendRequest) -> bool {
    may_send(state, req, LATER).allowed
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The rule itself: after a withdrawal at any scope, whatever follows
    /// that is not a resubscribe, every request inside the scope is refused.
    #[test]
    fn a_withdrawal_is_honoured_inside_its_scope_until_a_resubscribe(
        before in prop::collection::vec(any_event(), 0..8),
        no in withdrawal(),
        after in prop::collection::vec(other_than_resubscribe(), 0..8),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        log.push(no.clone());
        log.extend(&after);
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req), "{:?} let {:?} through", no, req);
        }
    }

    /// A resubscribe for another scope (another list, other topics, another
    /// frequency) lifts nothing it does not cover.
    #[test]
    fn a_resubscribe_lifts_only_the_scopes_it_covers(
        before in prop::collection::vec(any_event(), 0..6),
        no in withdrawal(),
        after in prop::collection::vec(prop_oneof![other_than_resubscribe(), resubscribe()], 0..6),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        log.push(no.clone());
        log.extend(&after);
        let lifted = after.iter().any(|k| match (k, &no) {
            (EventKind::Resubscribed { list, topics, frequency, .. }, EventKind::Unsubscribed { scope, .. }) => {
                *list == req.list && match scope {
                    UnsubscribeScope::All | UnsubscribeScope::List { .. } => true,
                    UnsubscribeScope::Topic { topic, .. } => topics.contains(topic),
                    UnsubscribeScope::Frequency { frequency: f, .. } => frequency.as_ref() == Some(f),
                }
            }
            (EventKind::Resubscribed { list, .. }, EventKind::Erased) => *list == req.list,
            _ => false,
        });
        if in_scope(&no, &req) && !lifted {
            prop_assert!(!allowed(&log.state(), &req));
        }
    }

    /// A resubscribe that never saw a withdrawal (a writer racing it) lifts
    /// nothing: races end in "no mail".
    #[test]
    fn a_resubscribe_racing_a_withdrawal_never_lifts_it(
        before in prop::collection::vec(any_event(), 0..6),
        no in withdrawal(),
        yes in resubscribe(),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        let heads = ledger::heads(&log.0);
        log.push_on(heads.clone(), no.clone());
        log.push_on(heads, yes);
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req));
        }
        // And whoever writes next, seeing both, changes nothing by a grant.
        log.push(EventKind::ReasonGiven { reason: "other".into() });
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req));
        }
    }

    /// No consent, no send: without a signup or resubscribe nothing is allowed.
    #[test]
    fn no_consent_means_no_send(
        kinds in prop::collection::vec(prop_oneof![withdrawal(),
            (0u8..2, any::<bool>()).prop_map(|(l, _)| EventKind::Confirmed { list: list(l), link_issued: None }),
            Just(EventKind::ReasonGiven { reason: "other".into() })], 0..10),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&kinds);
        prop_assert!(!allowed(&log.state(), &req));
    }

    /// Leaving every topic one has is leaving the list: list-wide mail stops.
    #[test]
    fn leaving_every_topic_is_leaving_the_list(
        chosen in topics(),
        noise in prop::collection::vec(other_than_resubscribe().prop_filter("no withdrawals", |k| !k.is_withdrawal()), 0..5),
        via in via(),
    ) {
        let mut log = Log::default();
        log.push(EventKind::Subscribed { list: list(0), topics: chosen.clone(), frequency: Some(freq(0)), double_opt_in: false, evidence: evidence() });
        log.extend(&noise);
        let held = log.state().list(&list(0)).map(|l| l.topics.clone()).unwrap_or_default();
        for t in &held {
            log.push(EventKind::Unsubscribed { scope: UnsubscribeScope::Topic { list: list(0), topic: t.clone() }, via, reason: None });
        }
        if !held.is_empty() {
            let whole = SendRequest { list: list(0), topic: None, frequency: None };
            prop_assert!(!allowed(&log.state(), &whole));
            log.extend(&noise);
            prop_assert!(!allowed(&log.state(), &whole));
        }
    }

    /// A reason is only a reason: recording one anywhere changes no decision.
    #[test]
    fn a_reason_changes_no_decision(
        kinds in prop::collection::vec(any_event(), 1..10),
        at in any::<prop::sample::Index>(),
        req in request(),
    ) {
        let mut plain = Log::default();
        plain.extend(&kinds);
        let mut with_reason = Log::default();
        let i = at.index(kinds.len());
        with_reason.extend(&kinds[..i]);
        with_reason.push(EventKind::ReasonGiven { reason: "too_many".into() });
        with_reason.extend(&kinds[i..]);
        prop_assert_eq!(
            may_send(&plain.state(), &req, LATER).allowed,
            may_send(&with_reason.state(), &req, LATER).allowed
        );
    }

    /// Applying events one at a time on top of the heads (what a one-click
    /// does without reading the log) gives exactly the fold of the log.
    #[test]
    fn extending_a_state_equals_folding_the_log(kinds in prop::collection::vec(any_event(), 1..14)) {
        let mut log = Log::default();
        let mut state = SubscriberState::default();
        for k in kinds {
            let parents = ledger::heads(&log.0);
            let hash = log.push_on(parents, k);
            let event = log.0.last().unwrap().event.clone();
            prop_assert!(state.extend(hash, &event));
        }
        prop_assert_eq!(state, log.state());
    }

    /// An event that does not name exactly the state's heads is refused by
    /// `extend` (only a whole fold is right for it).
    #[test]
    fn extending_refuses_an_event_written_on_other_heads(kinds in prop::collection::vec(any_event(), 2..8)) {
        let mut log = Log::default();
        log.extend(&kinds);
        let mut state = log.state();
        let before = state.clone();
        log.push_on(Vec::new(), EventKind::ReasonGiven { reason: "other".into() });
        let last = log.0.last().unwrap().clone();
        prop_assert!(!state.extend(last.hash, &last.event));
        prop_assert_eq!(state, before);
    }

    /// However many times someone withdraws, the state stays small: one
    /// entry per scope, one event per entry when they follow each other.
    #[test]
    fn repeated_withdrawals_keep_the_state_small(scope in scope(), n in 1usize..50) {
        let mut log = Log::default();
        log.push(EventKind::Subscribed { list: list(0), topics: vec![topic(0)], frequency: Some(freq(0)), double_opt_in: false, evidence: evidence() });
        for _ in 0..n {
            log.push(EventKind::Unsubscribed { scope: scope.clone(), via: Via::OneClick, reason: None });
        }
        let state = log.state();
        prop_assert!(state.withdrawals.len() <= 2);
        prop_assert!(state.withdrawals.iter().all(|w| w.events.len() == 1));
    }
}

#[test]
fn the_confirmation_of_an_older_signup_does_not_activate_a_newer_one() {
    let mut log = Log::default();
    log.push(EventKind::Subscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: Some(freq(0)),
        double_opt_in: true,
        evidence: evidence(),
    });
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
    log.push(EventKind::Subscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: Some(freq(0)),
        double_opt_in: false,
        evidence: evidence(),
    });
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
    log.push(EventKind::Subscribed {
        list: list(0),
        topics: vec![topic(0)],
        frequency: Some(freq(0)),
        double_opt_in: false,
        evidence: evidence(),
    });
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
