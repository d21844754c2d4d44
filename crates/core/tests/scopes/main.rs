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
        (0u8..2).prop_map(|l| EventKind::Renewed {
            list: list(l),
            evidence: evidence(),
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

mod examples;
mod extend;
mod lifecycle;
mod rule;
