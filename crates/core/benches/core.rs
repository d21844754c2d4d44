//! CPU cost of the consent domain without any I/O: the work every Worker
//! route does between reading KV and answering. `cargo xtask bench` runs
//! this and puts the medians in `bench/results.md`; by hand:
//! `cargo bench -p doi-core --bench core`.
//!
//! The inputs are what the Worker sees in practice: the demo `doi.toml`,
//! tokens signed with a two-key ring, logs built the way writers build them.
// A benchmark of fixed inputs: a failed expect is a broken benchmark.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use doi_core::consent::ConsentRecord;
use doi_core::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::mail::{self, Recipient};
use doi_core::{
    fold, may_send, Claims, Config, ConsentVersion, Email, Event, EventHash, IdKey, Keyring,
    ListId, Locale, Purpose, SendRequest, SubscriberId, SubscriberState, Timestamp, TopicId,
};

const CONFIG: &str = include_str!("../../../doi.toml");
const NOW: Timestamp = Timestamp(1_790_000_000_000);

fn config() -> Config {
    Config::from_toml(CONFIG).expect("the demo doi.toml is valid")
}

fn keyring() -> Keyring {
    Keyring::new(vec![("k1".into(), vec![1; 32]), ("k0".into(), vec![2; 32])])
        .expect("two 32-byte keys")
}

fn id_key() -> IdKey {
    IdKey::new(&[3; 32]).expect("a 32-byte key")
}

fn list() -> ListId {
    ListId::parse("newsletter").expect("a slug")
}

fn topic(name: &str) -> TopicId {
    TopicId::parse(name).expect("a slug")
}

fn evidence() -> Evidence {
    Evidence {
        method: Method::Widget,
        form: None,
        consent_version: ConsentVersion::of("I agree to receive the newsletter."),
        locale: Locale::Ja,
        page_url: Some("https://sample-shoji.example/whitepaper".into()),
        client_time: Some(NOW),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0".into()),
        source: None,
        opt_in: None,
    }
}

/// A realistic history of `n` events: a signup, then preference changes,
/// topic unsubscribes and resubscribes, each naming the heads it saw.
fn history(subscriber: SubscriberId, n: usize) -> Vec<Vec<u8>> {
    // Each event names the one before (the only head): the heads, without
    // recomputing them over the whole log at every event.
    let mut head: Option<EventHash> = None;
    let mut bytes = Vec::new();
    for i in 0..n {
        let kind = match (i, i % 4) {
            (0, _) => EventKind::Subscribed {
                list: list(),
                topics: vec![topic("product"), topic("tips")],
                frequency: None,
                double_opt_in: true,
                evidence: evidence(),
            },
            (1, _) => EventKind::Confirmed {
                list: list(),
                link_issued: None,
            },
            (_, 0 | 1) => EventKind::PreferencesChanged {
                list: list(),
                topics: vec![topic("product"), topic("events")],
                frequency: None,
                paused_until: None,
            },
            (_, 2) => EventKind::Unsubscribed {
                scope: UnsubscribeScope::Topic {
                    list: list(),
                    topic: topic("events"),
                },
                via: Via::Page,
                reason: None,
            },
            _ => EventKind::Resubscribed {
                list: list(),
                topics: vec![topic("product"), topic("tips")],
                frequency: None,
                double_opt_in: false,
                evidence: evidence(),
            },
        };
        let event = Event {
            id: EventId::parse(&format!("bench-event-{i:08}")).expect("a valid id"),
            at: Timestamp(NOW.millis() - 1_000 * (n - i) as u64),
            subscriber,
            parents: head.into_iter().collect(),
            kind,
        };
        let (hash, sealed) = ledger::seal(&event).expect("an event serialises");
        head = Some(hash);
        bytes.push(sealed);
    }
    bytes
}

fn unsubscribe_token(keys: &Keyring, subscriber: SubscriberId) -> String {
    keys.sign(&Claims {
        purpose: Purpose::Unsubscribe,
        subscriber,
        list: list(),
        topic: None,
        issued: NOW,
    })
}

fn tokens(c: &mut Criterion) {
    let keys = keyring();
    let subscriber = SubscriberId([9; 16]);
    let token = unsubscribe_token(&keys, subscriber);
    c.bench_function("token/verify", |b| {
        b.iter(|| keys.verify(black_box(&token), Purpose::Unsubscribe, NOW, None))
    });
    c.bench_function("token/sign", |b| {
        b.iter(|| unsubscribe_token(&keys, black_box(subscriber)))
    });
}

/// Reading a log from KV's bytes: parse, check every link, fold.
fn logs(c: &mut Criterion) {
    let subscriber = SubscriberId([9; 16]);
    for n in [5, 50] {
        let entries = history(subscriber, n);
        let opened: Vec<LoggedEvent> = ledger::verify(subscriber, &entries, &[]).expect("valid");
        c.bench_function(&format!("fold/{n}_events"), |b| {
            b.iter(|| fold(black_box(&opened)))
        });
        c.bench_function(&format!("log/verify_and_fold_{n}_events"), |b| {
            b.iter(|| {
                let log = ledger::verify(subscriber, black_box(&entries), &[]).expect("valid");
                fold(&log)
            })
        });
    }
    // Long logs, so that the scaling shows: a fold is what a repair or a
    // grant pays, never a one-click (which extends the snapshot's state).
    let mut long = c.benchmark_group("fold");
    long.sample_size(10);
    for n in [1_000, 10_000] {
        let entries = history(subscriber, n);
        let opened: Vec<LoggedEvent> = ledger::verify(subscriber, &entries, &[]).expect("valid");
        long.bench_function(format!("{n}_events"), |b| {
            b.iter(|| fold(black_box(&opened)))
        });
    }
    long.finish();
}

fn decisions(c: &mut Criterion) {
    let subscriber = SubscriberId([9; 16]);
    let entries = history(subscriber, 5);
    let state = fold(&ledger::verify(subscriber, &entries, &[]).expect("valid"));
    let snapshot = serde_json::to_string(&state).expect("serialisable");
    let request = SendRequest {
        list: list(),
        topic: Some(topic("product")),
        frequency: None,
    };
    c.bench_function("decision/may_send", |b| {
        b.iter(|| may_send(black_box(&state), &request, NOW))
    });
    c.bench_function("decision/snapshot_parse_and_may_send", |b| {
        b.iter(|| {
            let state: SubscriberState =
                serde_json::from_str(black_box(&snapshot)).expect("a snapshot");
            may_send(&state, &request, NOW)
        })
    });

    // `/v1/check` for 500 addresses, minus KV: parse each address, derive its
    // id, read its snapshot, decide, and write the JSON answer.
    let key = id_key();
    let emails: Vec<String> = (0..500)
        .map(|i| format!("  Reader.{i}@Example.COM "))
        .collect();
    c.bench_function("check/500_addresses", |b| {
        b.iter(|| {
            let mut answer = Vec::with_capacity(500);
            for email in black_box(&emails) {
                let email = Email::parse(email).expect("valid");
                let id = key.subscriber_id(&email);
                let state: SubscriberState = serde_json::from_str(&snapshot).expect("a snapshot");
                answer.push((email, id.to_string(), may_send(&state, &request, NOW)));
            }
            serde_json::to_vec(&answer).expect("serialisable")
        })
    });
}

fn signups(c: &mut Criterion) {
    let config = config();
    let form = config
        .form(&doi_core::FormId::parse("whitepaper").expect("a slug"))
        .expect("the demo has a whitepaper form");
    let text = form.consent.get(Locale::Ja).to_string();
    let record = ConsentRecord {
        record_id: "bench-record-000000000001".into(),
        form: form.id.clone(),
        email: "Reader@Example.com".into(),
        locale: Locale::Ja,
        consent_version: ConsentVersion::of(&text),
        consent_text: text,
        consent: true,
        topics: vec![topic("product")],
        page_url: "https://sample-shoji.example/whitepaper".into(),
        client_time: NOW,
        elapsed_ms: 4_000,
        website: String::new(),
        attach: false,
    };
    let body = serde_json::to_vec(&record).expect("serialisable");
    c.bench_function("consent/parse_and_check", |b| {
        b.iter(|| {
            let record: ConsentRecord = serde_json::from_slice(black_box(&body)).expect("json");
            record.check(&config, Method::Widget, Some("Mozilla/5.0"))
        })
    });
    c.bench_function("email/parse_and_id", |b| {
        let key = id_key();
        b.iter(|| key.subscriber_id(&Email::parse(black_box(" Reader@Example.COM")).expect("ok")))
    });
}

fn mail_links(c: &mut Criterion) {
    let config = config();
    let keys = keyring();
    let to = Recipient {
        subscriber: SubscriberId([9; 16]),
        list: list(),
        topic: None,
    };
    c.bench_function("mail/links_and_footer", |b| {
        b.iter(|| {
            mail::links(
                &config,
                &keys,
                "https://doi.sample-shoji.example",
                black_box(&to),
                Locale::Ja,
                NOW,
            )
        })
    });
}

/// What an isolate pays once, on its first request.
fn startup(c: &mut Criterion) {
    c.bench_function("config/load_doi_toml", |b| {
        b.iter(|| Config::from_toml(black_box(CONFIG)))
    });
}

criterion_group!(benches, tokens, logs, decisions, signups, mail_links, startup);
criterion_main!(benches);
