//! The two tables printed before Criterion runs: KV operations per route,
//! and the data path (import, check, export, repair) at scale.

use std::time::{Duration, Instant};

use doi_core::Timestamp;
use doi_worker::http::Method;
use doi_worker::keys;
use doi_worker::repair;
use doi_worker::store::{PutOptions, Store};
use doi_worker::testing::block_on;

use crate::harness::{check_request, routes, Calls, World, NOW};

pub fn section(title: &str) {
    println!("@section {title}");
}
pub fn text(line: &str) {
    println!("@text {line}");
}
pub fn head(cells: &[&str]) {
    println!("@head {}", cells.join(" | "));
}
pub fn row(cells: &[String]) {
    println!("@row {}", cells.join(" | "));
}

fn ms(started: Instant) -> String {
    took(started.elapsed())
}

/// A duration as the tables show it.
pub fn took(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 1_000.0 {
        format!("{:.1} ms", micros / 1e3)
    } else {
        format!("{micros:.1} µs")
    }
}
/// KV calls each route makes, on a store of 1 000 imported subscribers.
pub fn kv_per_route() {
    let world = World::new();
    world.seed(0, 1_000);
    section("KV operations per request");
    text(
        "Counted by instrumenting: the Worker's handlers (`app::handle`) run natively over \
         the in-memory store wrapped in a counter of the calls `edge.rs` makes to KV (a \
         bulk read covers up to 100 keys). Store of 1 000 imported subscribers; a \
         Worker may make 1 000 KV operations per invocation, and the free plan allows \
         1 000 writes a day. Every change first writes a repair mark and reads the \
         `pulse` key; the cron (once a minute) reads the pulse, and lists the marks \
         only while a change is recent (`repair::sweep`).",
    );
    head(&["route", "status", "KV operations", "total"]);
    for (label, req) in routes(&world) {
        let (response, calls) = world.calls(&req);
        row(&[
            format!("`{label}`"),
            response.status.to_string(),
            calls.describe(),
            calls.total().to_string(),
        ]);
    }
    // The cron, every minute: idle once nothing changed for 15 minutes;
    // while changes are recent but none is due, one listing of the marks;
    // once they are due, one run refolds as many as its budget allows.
    for (label, at) in [
        ("cron run, idle", NOW + repair::PULSE_WINDOW_MS),
        ("cron run, marks not yet due", NOW),
        (
            "cron run, the import's 1 000 marks due (one run)",
            NOW + repair::SETTLE_MS,
        ),
    ] {
        let started = Instant::now();
        let (sweep, calls) = sweep(&world, at);
        row(&[
            label.into(),
            format!("{} refolded", sweep.subscribers),
            calls.describe(),
            format!("{} ({})", calls.total(), ms(started)),
        ]);
    }
    let snapshot = world
        .store
        .inner
        .keys()
        .into_iter()
        .find(|k| k.starts_with("snap/"))
        .and_then(|k| world.store.inner.peek(&k))
        .unwrap_or_default();
    text("");
    text(&format!(
        "A stored snapshot of one imported subscriber (one event) is {} bytes of JSON: \
         its state and heads, no copy of any event.",
        snapshot.len()
    ));
}

/// One cron run at `at`: what it did and the KV calls it made.
fn sweep(world: &World, at: u64) -> (repair::Sweep, Calls) {
    let before = world.store.calls.get();
    let sweep = block_on(repair::sweep(&world.store, Timestamp(at), repair::BUDGET));
    let sweep = sweep.expect("the in-memory store does not fail");
    (sweep, world.store.calls.get().since(before))
}

/// Import, check, export and repair at 1 000 and 10 000 subscribers.
pub fn data_path() {
    section("Data path at scale, natively (KV operations counted)");
    text(
        "The same handlers over the counting in-memory store, each size a fresh store of \
         that many imported subscribers: time is the Worker's own CPU (native, no KV \
         latency), operations are what KV would bill. *Repair once due*: every import \
         left a repair mark; past `repair::SETTLE_MS` the cron runs `repair::sweep` \
         once a minute until a run reports complete (each within `repair::BUDGET` operations), \
         refolding each marked subscriber from its events. *Cron run, idle*: a run 15 minutes \
         after the last change, when the `pulse` key says there is nothing to look at.",
    );
    head(&[
        "subscribers",
        "import (calls per 1 000)",
        "check, the most a call takes",
        "export everyone, largest pages",
        "repair of every marked subscriber once due",
        "cron run, idle",
    ]);
    for size in [1_000, 10_000] {
        let world = World::new();
        let started = Instant::now();
        let calls = world.seed(0, size);
        let import = format!(
            "{} ({:.1}); {} ops",
            ms(started),
            calls as f64 / (size as f64 / 1000.0),
            world.store.calls.get().total()
        );

        let check = check_request(&world, doi_core::limits::CHECK_BATCH);
        let started = Instant::now();
        let (_, calls) = world.calls(&check);
        let check = format!("{}; {} ops", ms(started), calls.total());

        let export = export_everyone(&world);
        let (repair, last) = repair_all(&world, size);

        let started = Instant::now();
        let (_, calls) = sweep(&world, last + repair::PULSE_WINDOW_MS);
        let idle = format!("{} ({})", calls.describe(), ms(started));
        row(&[format!("{size}"), import, check, export, repair, idle]);
    }
}

/// Every page of `/v1/export` at the largest page: time, calls, operations.
fn export_everyone(world: &World) -> String {
    let started = Instant::now();
    let before = world.store.calls.get();
    let mut cursor = String::new();
    let mut pages = 0;
    let mut most = 0;
    loop {
        let path = if cursor.is_empty() {
            format!("/v1/export?limit={}", doi_core::limits::EXPORT_PAGE_MAX)
        } else {
            format!(
                "/v1/export?limit={}&cursor={cursor}",
                doi_core::limits::EXPORT_PAGE_MAX
            )
        };
        let page_before = world.store.calls.get();
        let response = world.ok(&world.api(Method::Get, &path, None));
        most = most.max(world.store.calls.get().since(page_before).total());
        pages += 1;
        match response
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("doi-next-cursor"))
        {
            Some((_, next)) => cursor = next.clone(),
            None => break,
        }
    }
    format!(
        "{}; {pages} calls, {} ops (≤ {most} per call)",
        ms(started),
        world.store.calls.get().since(before).total()
    )
}

/// Once the import's marks are due, the cron every minute until a run
/// reports complete: time, runs, subscribers refolded, operations (most in
/// one run). When the `pulse` runs out first (15 minutes after the import,
/// the last change) the runs go idle with marks left: that is noted, the
/// pulse refreshed (as the next change anywhere would) and the runs go on.
fn repair_all(world: &World, size: usize) -> (String, u64) {
    let started = Instant::now();
    let (mut runs, mut refolded, mut total, mut most) = (0, 0, 0, 0);
    let mut expired = None;
    let mut at = NOW + repair::SETTLE_MS;
    loop {
        let (sweep, calls) = sweep(world, at);
        if !sweep.looked && marks(world) > 0 {
            expired.get_or_insert((runs, marks(world)));
            let pulse = PutOptions::default();
            block_on(world.store.inner.put(keys::PULSE, &at.to_string(), pulse))
                .expect("in memory");
            continue;
        }
        runs += 1;
        refolded += sweep.subscribers;
        total += calls.total();
        most = most.max(calls.total());
        if (sweep.complete && marks(world) == 0) || runs >= 10 * size {
            break;
        }
        at += 60_000;
    }
    let took = ms(started);
    let left = match (marks(world), expired) {
        (0, None) => String::new(),
        (0, Some((runs, marks))) => format!(
            "; with no change after the import the pulse runs out after {runs} runs, \
             leaving {marks} marks until the next change"
        ),
        (marks, _) => format!("; {marks} marks left"),
    };
    let done = format!(
        "{took}; {runs} cron runs, {refolded} refolded, {total} ops (≤ {most} per run){left}"
    );
    (done, at)
}

fn marks(world: &World) -> usize {
    let keys = world.store.inner.keys();
    keys.iter().filter(|k| k.starts_with(keys::MARKS)).count()
}
