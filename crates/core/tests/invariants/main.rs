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

mod properties;
mod sending;
mod verification;
mod withdrawals;
