//! The console's overview, stated as properties: a subscriber's summary
//! always fits KV's metadata, and the rollup of any set of subscribers
//! equals counting them one by one with `may_send_within` and each list's
//! `consent_max_age_days` — so the overview says what `/v1/check` would
//! answer for each of them, a consent that aged out included.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::console::pass::Overview;
use doi_core::console::rollup::{via_name, Rollup, DAYS, VIAS};
use doi_core::console::summary::{self, bounded, summarise, Standing, Summary};
use doi_core::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::time::DAY;
use doi_core::{
    fold, may_send_within, Config, ConsentVersion, Event, FormId, FrequencyId, ListId, Locale,
    Reason, SendRequest, SubscriberId, SubscriberState, Timestamp, TopicId,
};
use proptest::prelude::*;

fn config() -> Config {
    Config::from_toml(include_str!("../../../doi.toml")).unwrap()
}

/// The pass's time: after every event below.
const NOW: Timestamp = Timestamp(1_800_000_000_000);

fn list(i: u8) -> ListId {
    ListId::parse(["newsletter", "updates"][i as usize % 2]).unwrap()
}

fn topic(i: u8) -> TopicId {
    TopicId::parse(["product", "events", "tips"][i as usize % 3]).unwrap()
}

fn frequency(i: u8) -> FrequencyId {
    FrequencyId::parse(["weekly", "monthly"][i as usize % 2]).unwrap()
}

fn evidence(form: Option<u8>) -> Evidence {
    Evidence {
        method: if form.is_some() {
            Method::Widget
        } else {
            Method::Import
        },
        form: form.map(|f| {
            FormId::parse(["newsletter", "whitepaper", "updates"][f as usize % 3]).unwrap()
        }),
        consent_version: ConsentVersion::of("I agree"),
        locale: Locale::Ja,
        page_url: None,
        client_time: None,
        user_agent: None,
        source: None,
        opt_in: None,
    }
}

/// A way of leaving, any but erasure.
fn via(i: u8) -> Via {
    let leaving = &VIAS[..VIAS.len() - 1];
    assert_eq!(VIAS[VIAS.len() - 1], Via::Erasure);
    leaving[i as usize % leaving.len()]
}

/// Any event a writer might append, on either list.
fn any_kind() -> impl Strategy<Value = EventKind> {
    let l = 0u8..2;
    prop_oneof![
        (
            l.clone(),
            prop::collection::vec(0u8..3, 0..3),
            any::<bool>(),
            prop::option::of(0u8..3)
        )
            .prop_map(|(l, ts, double, form)| EventKind::Subscribed {
                list: list(l),
                topics: if l == 0 {
                    ts.into_iter().map(topic).collect()
                } else {
                    vec![]
                },
                frequency: Some(frequency(l)),
                double_opt_in: double,
                evidence: evidence(form),
            }),
        l.clone().prop_map(|l| EventKind::Confirmed {
            list: list(l),
            link_issued: None
        }),
        (l.clone(), any::<bool>()).prop_map(|(l, double)| EventKind::Resubscribed {
            list: list(l),
            topics: if l == 0 {
                vec![topic(0), topic(2)]
            } else {
                vec![]
            },
            frequency: None,
            double_opt_in: double,
            evidence: evidence(Some(l)),
        }),
        (0u8..3, 0u8..2, prop::option::of(0u64..4)).prop_map(|(t, f, pause)| {
            EventKind::PreferencesChanged {
                list: list(0),
                topics: vec![topic(t)],
                frequency: Some(frequency(f)),
                // Some pauses end before the pass, some after.
                paused_until: pause.map(|d| Timestamp(NOW.millis() - 2 * DAY + d * DAY)),
            }
        }),
        (0u8..4, 0u8..8).prop_map(|(s, v)| EventKind::Unsubscribed {
            scope: match s {
                0 => UnsubscribeScope::All,
                1 => UnsubscribeScope::List { list: list(0) },
                2 => UnsubscribeScope::Topic {
                    list: list(0),
                    topic: topic(1)
                },
                _ => UnsubscribeScope::Frequency {
                    list: list(0),
                    frequency: frequency(0)
                },
            },
            via: via(v),
            reason: None,
        }),
        (0usize..4).prop_map(|r| EventKind::ReasonGiven {
            reason: doi_core::withdrawal::REASONS[r].to_string()
        }),
        Just(EventKind::Erased),
    ]
}

/// A subscriber's state after `kinds`, one event a day up to the pass.
fn state_after(sid: SubscriberId, kinds: &[EventKind]) -> SubscriberState {
    state_spaced(sid, kinds, 1)
}

/// A subscriber's state after `kinds`, one event every `gap` days up to
/// the pass (long gaps age a consent past a list's `consent_max_age_days`).
fn state_spaced(sid: SubscriberId, kinds: &[EventKind], gap: u64) -> SubscriberState {
    let mut log: Vec<LoggedEvent> = Vec::new();
    let first = NOW.millis() - (kinds.len() as u64 + 1) * gap * DAY;
    for (i, kind) in kinds.iter().enumerate() {
        let event = Event {
            id: EventId::parse(&format!("event-{i:012}")).unwrap(),
            at: Timestamp(first + i as u64 * gap * DAY),
            subscriber: sid,
            parents: ledger::heads(&log),
            kind: kind.clone(),
        };
        let (hash, _) = ledger::seal(&event).unwrap();
        log.push(LoggedEvent { hash, event });
    }
    fold(&log)
}

fn sid(i: usize) -> SubscriberId {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&(i as u64).to_be_bytes());
    SubscriberId(b)
}

fn ask(s: &SubscriberState, l: &ListId, t: Option<TopicId>, f: Option<FrequencyId>) -> Reason {
    let req = SendRequest {
        list: l.clone(),
        topic: t,
        frequency: f,
    };
    let max_age = config().consent_max_age(l);
    may_send_within(s, &req, NOW, max_age).reason
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_summary_always_fits_in_kv_metadata(kinds in prop::collection::vec(any_kind(), 0..40)) {
        let s = state_after(sid(1), &kinds);
        if let Some(text) = bounded(&s) {
            let meta = serde_json::json!({ "n": usize::MAX, "s": text });
            prop_assert!(serde_json::to_string(&meta).unwrap().len() <= 1024);
            // What is stored reads back as the summary, but for events
            // dropped to fit.
            let read: Summary = serde_json::from_str(&text).unwrap();
            let mut whole = summarise(&s);
            prop_assert_eq!(&read.lists, &whole.lists);
            whole.activity.drain(..whole.activity.len() - read.activity.len());
            prop_assert_eq!(read, whole);
        }
    }

    #[test]
    fn the_rollup_of_any_subscribers_equals_asking_may_send_for_each(
        people in prop::collection::vec((prop::collection::vec(any_kind(), 0..12), 1u64..90), 0..12)
    ) {
        let config = config();
        let states: Vec<SubscriberState> =
            people.iter().enumerate().map(|(i, (k, gap))| state_spaced(sid(i), k, *gap)).collect();
        let mut rollup = Rollup::new(&config, NOW);
        for (i, s) in states.iter().enumerate() {
            rollup.add(sid(i), Some(&summarise(s)));
        }
        prop_assert_eq!(rollup.subscribers, states.len() as u64);
        prop_assert_eq!(rollup.erased, states.iter().filter(|s| s.erased).count() as u64);
        for l in &config.lists {
            let c = &rollup.lists[&l.id];
            let whole: Vec<Reason> = states.iter().map(|s| ask(s, &l.id, None, None)).collect();
            let count = |f: &dyn Fn(&Reason) -> bool| whole.iter().filter(|r| f(r)).count() as u64;
            let suppression = |r: &Reason| matches!(r, Reason::Unsubscribed { via, .. } if summary::is_suppression(*via));
            // Without a list entry, /v1/check says "unsubscribed" only for
            // a withdrawal from everything: not counted on this list.
            let on = |s: &SubscriberState| s.lists.contains_key(&l.id);
            let listed: Vec<(&SubscriberState, &Reason)> =
                states.iter().zip(&whole).filter(|(s, _)| on(s)).collect();
            let n = |f: &dyn Fn(&Reason) -> bool| listed.iter().filter(|(_, r)| f(r)).count() as u64;
            prop_assert_eq!(c.standing.active, n(&|r| matches!(r, Reason::Consented)));
            prop_assert_eq!(c.standing.stale, n(&|r| matches!(r, Reason::ConsentStale { .. })));
            prop_assert_eq!(c.standing.paused, n(&|r| matches!(r, Reason::Paused { .. })));
            prop_assert_eq!(c.standing.pending, n(&|r| matches!(r, Reason::PendingConfirmation)));
            prop_assert_eq!(c.standing.erased, n(&|r| matches!(r, Reason::Erased)));
            prop_assert_eq!(c.standing.suppressed, n(&suppression));
            prop_assert_eq!(
                c.standing.unsubscribed,
                n(&|r| matches!(r, Reason::Unsubscribed { .. }) && !suppression(r))
            );
            prop_assert!(c.standing.active + c.standing.paused + c.standing.stale <= count(&|r| !matches!(r, Reason::NoConsent)));
            for t in &l.topics {
                let yes = states
                    .iter()
                    .filter(|s| on(s) && may_send_within(s, &SendRequest { list: l.id.clone(), topic: Some(t.id.clone()), frequency: None }, NOW, config.consent_max_age(&l.id)).allowed)
                    .count() as u64;
                prop_assert_eq!(c.topics[t.id.as_str()], yes, "topic {}", t.id);
            }
            for f in &l.frequencies {
                let yes = states
                    .iter()
                    .filter(|s| on(s) && may_send_within(s, &SendRequest { list: l.id.clone(), topic: None, frequency: Some(f.id.clone()) }, NOW, config.consent_max_age(&l.id)).allowed)
                    .count() as u64;
                prop_assert_eq!(c.frequencies[f.id.as_str()], yes, "frequency {}", f.id);
            }
            let left: u64 = c.via.values().sum();
            prop_assert_eq!(left, c.standing.unsubscribed + c.standing.suppressed + c.standing.erased);
            prop_assert_eq!(c.joined.len(), DAYS);
        }
    }

    #[test]
    fn a_withdrawal_counts_as_unsubscribed_at_its_scope(
        before in prop::collection::vec(any_kind(), 0..8),
        scope in 0u8..4,
        v in 0u8..8,
        after in prop::collection::vec(any_kind().prop_filter("no resubscribe", |k| !matches!(k, EventKind::Resubscribed { .. })), 0..6),
    ) {
        let newsletter = list(0);
        let withdrawal = EventKind::Unsubscribed {
            scope: match scope {
                0 => UnsubscribeScope::All,
                1 => UnsubscribeScope::List { list: newsletter.clone() },
                2 => UnsubscribeScope::Topic { list: newsletter.clone(), topic: topic(1) },
                _ => UnsubscribeScope::Frequency { list: newsletter.clone(), frequency: frequency(0) },
            },
            via: via(v),
            reason: None,
        };
        let mut kinds = before;
        kinds.push(withdrawal);
        kinds.extend(after);
        let s = summarise(&state_after(sid(2), &kinds));
        let Some(l) = s.lists.get(&newsletter) else { return Ok(()) };
        match scope {
            0 | 1 => {
                prop_assert!(matches!(l.standing, Standing::Unsubscribed | Standing::Suppressed | Standing::Erased));
                prop_assert!(l.topics.is_empty() && l.frequency.is_none());
                prop_assert!(l.via.is_some());
            }
            2 => prop_assert!(!l.topics.contains(&topic(1))),
            _ => prop_assert_ne!(l.frequency.as_ref(), Some(&frequency(0))),
        }
        if scope == 0 {
            prop_assert!(s.withdrawn.is_some());
        }
    }

    #[test]
    fn a_pass_page_by_page_counts_what_one_page_would(
        people in prop::collection::vec(prop::collection::vec(any_kind(), 0..8), 0..30),
        page in 1usize..7,
    ) {
        let config = config();
        let summaries: Vec<Summary> = people.iter().enumerate().map(|(i, k)| summarise(&state_after(sid(i), k))).collect();
        let mut whole = Rollup::new(&config, NOW);
        for (i, s) in summaries.iter().enumerate() {
            whole.add(sid(i), Some(s));
        }
        whole.finish(NOW);
        let mut stored = Overview::default();
        let chunks: Vec<&[Summary]> = summaries.chunks(page).collect();
        let mut start = 0;
        for (n, chunk) in chunks.iter().enumerate() {
            prop_assert!(stored.due(NOW));
            let mut pass = stored.take_pass(&config, NOW, false);
            for (i, s) in chunk.iter().enumerate() {
                pass.rollup.add(sid(start + i), Some(s));
            }
            start += chunk.len();
            let more = (n + 1 < chunks.len()).then(|| format!("cursor-{n}"));
            // Through the stored JSON, as KV keeps it between runs.
            stored.after_page(pass, more, NOW);
            stored = serde_json::from_str(&serde_json::to_string(&stored).unwrap()).unwrap();
        }
        if !chunks.is_empty() {
            prop_assert_eq!(stored.done.clone(), Some(whole));
            prop_assert!(stored.pass.is_none());
            prop_assert!(!stored.due(NOW), "a finished pass waits for its interval");
        }
    }
}

#[test]
fn an_unreadable_summary_is_counted_as_not_summarised_and_nowhere_else() {
    let mut r = Rollup::new(&config(), NOW);
    r.add(sid(1), None);
    assert_eq!((r.subscribers, r.unsummarised), (1, 1));
    assert!(r.lists.values().all(|c| c.standing == Default::default()));
}

#[test]
fn exits_are_named_as_the_api_names_them() {
    let json = serde_json::to_value(Via::NotMe).unwrap();
    assert_eq!(json, via_name(Via::NotMe));
}
