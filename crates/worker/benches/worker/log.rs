//! One subscriber with a long log (1, 100 and 10 000 events), issue 10:
//! the one-click's own CPU, the snapshot's size, the fold, the rebuild and
//! the repair after a one-click.
//!
//! The log is written straight into the store as the Worker writes it: an
//! import through `/v1/import`, then sealed events `ev/{sid}/{id}`, each
//! naming the previous head, an hour apart, cycling through a topic
//! withdrawal, a preference change, a resubscribe and a signup; then the
//! snapshot from `subscribers::rebuild`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::{
    fold, ConsentVersion, Event, EventId, EventKind, Evidence, FormId, ListId, Locale, Method,
    SubscriberId, Timestamp, TopicId, UnsubscribeScope, Via,
};
use doi_worker::keys;
use doi_worker::repair;
use doi_worker::store::{PutOptions, Store};
use doi_worker::subscribers::{self, Snapshot};
use doi_worker::testing::block_on;

use crate::harness::{one_click, Calls, World, NOW};
use crate::tables::{head, row, section, text, took};

/// The log lengths measured.
pub const LENGTHS: [usize; 3] = [1, 100, 10_000];
/// Between two events: an hour, so only the newest is "recent" in the
/// snapshot (`subscribers::RECENT_MS`).
const SPACING_MS: u64 = 3_600_000;
/// One-clicks timed per log (after one to warm up).
const CLICKS: usize = 201;
/// Rebuilds timed per log.
const REBUILDS: usize = 5;

/// A store holding one subscriber whose log has `events` events.
pub struct Long {
    pub events: usize,
    world: World,
    sid: SubscriberId,
    token: String,
    log: Vec<LoggedEvent>,
    /// `snap/{sid}` as `subscribers::rebuild` wrote it.
    snapshot: String,
    /// Median time and the KV calls of a rebuild with the snapshot gone.
    rebuilt: (Duration, Calls),
}

fn slug(s: &str) -> TopicId {
    TopicId::parse(s).expect("a slug")
}

fn evidence(method: Method) -> Evidence {
    Evidence {
        method,
        form: FormId::parse("whitepaper"),
        consent_version: ConsentVersion::of("I agree to receive the newsletter."),
        locale: Locale::Ja,
        page_url: Some("http://127.0.0.1:8787/whitepaper".into()),
        client_time: Some(Timestamp(NOW)),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0".into()),
        source: None,
        opt_in: None,
    }
}

/// Event `i` (from 1) of the cycle.
fn kind(i: usize) -> EventKind {
    let list = ListId::parse("newsletter").expect("a slug");
    let both = vec![slug("product"), slug("tips")];
    match (i - 1) % 4 {
        0 => EventKind::Unsubscribed {
            scope: UnsubscribeScope::Topic {
                list,
                topic: slug("tips"),
            },
            via: Via::Page,
            reason: None,
        },
        1 => EventKind::PreferencesChanged {
            list,
            topics: both,
            frequency: None,
            paused_until: None,
        },
        2 => EventKind::Resubscribed {
            list,
            topics: both,
            frequency: None,
            double_opt_in: false,
            evidence: evidence(Method::PreferencePage),
        },
        _ => EventKind::Subscribed {
            list,
            topics: vec![slug("product")],
            frequency: None,
            double_opt_in: false,
            evidence: evidence(Method::Widget),
        },
    }
}

/// Imports one subscriber `n` hours ago, writes `n - 1` more events on top
/// and rebuilds the snapshot (timed, [`REBUILDS`] times).
pub fn build(n: usize) -> Long {
    let world = World::new();
    world.set_now(NOW - n as u64 * SPACING_MS);
    world.seed(0, 1);
    world.set_now(NOW);
    let token = world.token_of(0, "unsubscribe_url");
    let sid = world
        .store
        .inner
        .keys()
        .iter()
        .find_map(|k| keys::subscriber_of(k))
        .expect("one subscriber imported");
    let stored = block_on(subscribers::read_log(&world.store.inner, &sid));
    let mut log: Vec<LoggedEvent> = stored
        .expect("in memory")
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    for i in 1..n {
        let event = Event {
            id: EventId::parse(&format!("bench-log-{i:08}")).expect("a valid id"),
            at: Timestamp(NOW - (n - i) as u64 * SPACING_MS),
            subscriber: sid,
            parents: vec![log[i - 1].hash],
            kind: kind(i),
        };
        let (hash, bytes) = ledger::seal(&event).expect("an event serialises");
        let sealed = String::from_utf8(bytes).expect("sealed events are JSON");
        let key = keys::event(&sid, &event.id);
        block_on(world.store.inner.put(&key, &sealed, PutOptions::default())).expect("in memory");
        log.push(LoggedEvent { hash, event });
    }
    let mut times = Vec::new();
    let mut calls = Calls::default();
    for _ in 0..REBUILDS {
        world.store.inner.remove(&keys::snapshot(&sid));
        let before = world.store.calls.get();
        let started = Instant::now();
        let wrote = block_on(subscribers::rebuild(&world.store, sid)).expect("in memory");
        times.push(started.elapsed());
        calls = world.store.calls.get().since(before);
        assert!(wrote, "a lost snapshot is rewritten");
    }
    let snapshot = world
        .store
        .inner
        .peek(&keys::snapshot(&sid))
        .expect("rebuilt");
    let state = Snapshot::parse(&snapshot).expect("a snapshot").state;
    assert_eq!(state.events, n);
    assert_eq!(state, fold(&log), "the rebuild folds exactly this log");
    Long {
        events: n,
        world,
        sid,
        token,
        log,
        snapshot,
        rebuilt: (median(times), calls),
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

impl Long {
    /// Puts the rebuilt snapshot back, so every one-click starts the same.
    fn restore(&self) {
        let options = PutOptions {
            ttl_secs: None,
            metadata: Snapshot::parse(&self.snapshot).map(|s| s.metadata()),
        };
        let key = keys::snapshot(&self.sid);
        block_on(self.world.store.inner.put(&key, &self.snapshot, options)).expect("in memory");
    }

    /// The median one-click and the KV calls of one (after a warm-up that
    /// also refreshes the `pulse`, as the first change of a while does).
    fn one_click(&self) -> (Duration, Calls) {
        let req = one_click(&self.token);
        let mut times = Vec::with_capacity(CLICKS + 1);
        let mut calls = Calls::default();
        for _ in 0..=CLICKS {
            self.restore();
            let before = self.world.store.calls.get();
            let started = Instant::now();
            let response = self.world.handle(black_box(&req));
            times.push(started.elapsed());
            calls = self.world.store.calls.get().since(before);
            assert_eq!(response.status, 200, "one-click answered");
        }
        times.remove(0);
        (median(times), calls)
    }

    /// The median `doi_core::fold` of the log.
    fn fold(&self) -> Duration {
        let runs = (100_000 / self.events).clamp(11, 1_001);
        let times = (0..runs)
            .map(|_| {
                let started = Instant::now();
                black_box(fold(black_box(&self.log)));
                started.elapsed()
            })
            .collect();
        median(times)
    }

    /// The cron run once the one-click's mark is due: time, the KV calls
    /// counted, and the operations the sweep budgeted for them.
    fn repair(&self) -> (Duration, Calls, usize) {
        let before = self.world.store.calls.get();
        let started = Instant::now();
        let at = Timestamp(NOW + repair::SETTLE_MS);
        let sweep = block_on(repair::sweep(&self.world.store, at, repair::BUDGET));
        let took = started.elapsed();
        let sweep = sweep.expect("in memory");
        assert_eq!(sweep.subscribers, 1, "the one subscriber is refolded");
        (
            took,
            self.world.store.calls.get().since(before),
            sweep.operations,
        )
    }
}

/// The table: one row per log length.
pub fn table(logs: &[Long]) {
    section("One subscriber's log at 1, 100 and 10 000 events, natively");
    text(
        "One subscriber imported, then events written into the store as the Worker writes \
         them (sealed `ev/{sid}/{id}`, each naming the previous head, an hour apart: a topic \
         withdrawal, a preference change, a resubscribe, a signup, again and again), its \
         snapshot from `subscribers::rebuild`. *One-click*: `POST /u/{token}` through \
         `app::handle`, the Worker's own CPU natively (median of 201, each from the same \
         snapshot), and the KV operations of one. *Snapshot*: the bytes of `snap/{sid}` as \
         stored. *Fold*: `doi_core::fold` over the whole log in memory (median). *Rebuild \
         from the events*: `subscribers::rebuild` with the snapshot gone, which lists and \
         reads every event, folds and writes (median of 5). *Repair after the one-click*: \
         the cron run once its mark is due (`repair::sweep`): the snapshot is current, so \
         it lists the events and writes nothing; KV operations counted, and in brackets \
         what the sweep counted against its 900-operation budget.",
    );
    head(&[
        "events in the log",
        "one-click, native",
        "one-click KV ops",
        "snapshot",
        "fold",
        "rebuild from the events",
        "repair after the one-click",
    ]);
    for long in logs {
        let (click, calls) = long.one_click();
        let fold = long.fold();
        let (repair, repaired, budgeted) = long.repair();
        let (rebuild, rebuilt) = long.rebuilt;
        row(&[
            long.events.to_string(),
            took(click),
            calls.describe(),
            format!("{} bytes", long.snapshot.len()),
            took(fold),
            format!("{}; {}", took(rebuild), rebuilt.describe()),
            format!(
                "{}; {} ({budgeted} budgeted)",
                took(repair),
                repaired.describe()
            ),
        ]);
    }
}

/// Criterion: the one-click on the longest log, beside the route's own.
pub fn bench(c: &mut Criterion, long: &Long) {
    let req = one_click(&long.token);
    let id = format!(
        "route/POST /u/{{token}} one-click, {}-event log",
        long.events
    );
    c.bench_function(&id, |b| {
        b.iter_batched(
            || long.restore(),
            |()| long.world.handle(black_box(&req)),
            BatchSize::SmallInput,
        )
    });
}
