//! What a signup records, given anything that happened before: the list's
//! default frequency, nothing for an identical repeat, and a resubscribe
//! awaiting confirmation for someone a withdrawal stops.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::config::Config;
use doi_core::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::signup::{signup_event, SignupEffect};
use doi_core::{fold, ConsentVersion, Event, Locale, SubscriberId, Timestamp, TopicId};
use proptest::prelude::*;

fn config() -> Config {
    Config::from_toml(include_str!("../../../doi.toml")).unwrap()
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

/// Something that happened to the subscriber before, on list `newsletter`.
fn before() -> impl Strategy<Value = EventKind> {
    let list = || doi_core::ListId::parse("newsletter").unwrap();
    let topic = |t: &str| TopicId::parse(t).unwrap();
    prop_oneof![
        prop::sample::select(vec!["product", "events", "tips"]).prop_map(move |t| {
            EventKind::Subscribed {
                list: list(),
                topics: vec![topic(t)],
                frequency: None,
                double_opt_in: false,
                evidence: evidence(),
            }
        }),
        prop::sample::select(vec!["product", "events", "tips"]).prop_map(move |t| {
            EventKind::Unsubscribed {
                scope: UnsubscribeScope::Topic {
                    list: list(),
                    topic: topic(t),
                },
                via: Via::OneClick,
                reason: None,
            }
        }),
        Just(EventKind::Unsubscribed {
            scope: UnsubscribeScope::All,
            via: Via::Page,
            reason: None
        }),
    ]
}

fn state_after(kinds: &[EventKind]) -> doi_core::SubscriberState {
    let mut log: Vec<LoggedEvent> = Vec::new();
    for (n, kind) in kinds.iter().enumerate() {
        let event = Event {
            id: EventId::parse(&format!("event-{n:012}")).unwrap(),
            at: Timestamp(1_000 * (n as u64 + 1)),
            subscriber: SubscriberId([3; 16]),
            parents: ledger::heads(&log),
            kind: kind.clone(),
        };
        let (hash, _) = ledger::seal(&event).unwrap();
        log.push(LoggedEvent { hash, event });
    }
    fold(&log)
}

proptest! {
    #[test]
    fn a_signup_records_the_default_frequency_and_never_silently_lifts_a_no(
        history in prop::collection::vec(before(), 0..6),
        form in 0usize..3,
    ) {
        let c = config();
        let form = &c.forms[form];
        let topics: Vec<TopicId> = c.offered_topics(form).iter().map(|t| t.id.clone()).collect();
        let state = state_after(&history);
        let stopped = state.list_stopped(&form.list).is_some()
            || topics.iter().any(|t| state.topic_stopped(&form.list, t));
        let default = c.list(&form.list).map(|l| l.default_frequency.clone());
        match signup_event(&state, &c, form, &topics, &evidence()) {
            SignupEffect::NoChange => {
                prop_assert!(!stopped);
                let entry = state.list(&form.list).unwrap();
                prop_assert!(topics.iter().all(|t| entry.topics.contains(t)));
            }
            SignupEffect::Record(kind) => match *kind {
                EventKind::Subscribed { frequency, .. } => {
                    prop_assert!(!stopped);
                    prop_assert_eq!(frequency, default);
                }
                EventKind::Resubscribed { frequency, double_opt_in, .. } => {
                    prop_assert!(stopped);
                    prop_assert_eq!(frequency, default);
                    prop_assert!(double_opt_in, "the mailbox owner must confirm a return");
                }
                other => prop_assert!(false, "{other:?}"),
            },
        }
    }
}
