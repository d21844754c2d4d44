//! The two tables printed before Criterion runs: KV operations per route,
//! and the data path (import, check, export, repair) at scale.

use std::time::Instant;

use doi_core::Timestamp;
use doi_worker::http::Method;
use doi_worker::repair;
use doi_worker::testing::block_on;

use crate::harness::{check_request, routes, World, NOW};

fn section(title: &str) {
    println!("@section {title}");
}
fn text(line: &str) {
    println!("@text {line}");
}
fn head(cells: &[&str]) {
    println!("@head {}", cells.join(" | "));
}
fn row(cells: &[String]) {
    println!("@row {}", cells.join(" | "));
}

fn ms(started: Instant) -> String {
    format!("{:.1} ms", started.elapsed().as_secs_f64() * 1e3)
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
         1 000 writes a day.",
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
    let started = Instant::now();
    let before = world.store.calls.get();
    let sweep = block_on(repair::sweep(
        &world.store,
        Timestamp(NOW + repair::SETTLE_MS),
        repair::BUDGET,
    ))
    .expect("sweep");
    let calls = world.store.calls.get().since(before);
    row(&[
        "scheduled sweep, nothing stale".into(),
        format!("{} rebuilt", sweep.repaired),
        calls.describe(),
        format!("{} ({})", calls.total(), ms(started)),
    ]);
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

/// Check, export and snapshot rebuild at 1 000 and 10 000 subscribers.
pub fn data_path() {
    section("Data path at scale, natively (KV operations counted)");
    text(
        "The same handlers over the counting in-memory store: time is the Worker's own \
         CPU (native, no KV latency), operations are what KV would bill. *Full rebuild*: \
         every snapshot deleted, then the scheduled sweep run until it reports complete \
         (each run stops before 900 operations).",
    );
    head(&[
        "subscribers",
        "import (calls per 500)",
        "check 500",
        "export everyone, limit 300",
        "sweep, nothing stale",
        "full rebuild",
    ]);
    let world = World::new();
    let mut seeded = 0;
    for size in [1_000, 10_000] {
        let before = world.store.calls.get();
        let started = Instant::now();
        let calls = world.seed(seeded, size);
        let import = format!(
            "{} ({:.1}); {} ops",
            ms(started),
            calls as f64 / ((size - seeded) as f64 / 500.0),
            world.store.calls.get().since(before).total()
        );
        seeded = size;

        let check = check_request(&world, 500);
        let started = Instant::now();
        let (_, calls) = world.calls(&check);
        let check = format!("{}; {} ops", ms(started), calls.total());

        let started = Instant::now();
        let before = world.store.calls.get();
        let mut cursor = String::new();
        let mut pages = 0;
        let mut most = 0;
        loop {
            let path = if cursor.is_empty() {
                "/v1/export?limit=300".to_string()
            } else {
                format!("/v1/export?limit=300&cursor={cursor}")
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
        let export = format!(
            "{}; {pages} calls, {} ops (≤ {most} per call)",
            ms(started),
            world.store.calls.get().since(before).total()
        );

        let started = Instant::now();
        let before = world.store.calls.get();
        let sweep = block_on(repair::sweep(
            &world.store,
            Timestamp(NOW + repair::SETTLE_MS),
            repair::BUDGET,
        ))
        .expect("sweep");
        let fresh = format!(
            "{}; {} ops{}",
            ms(started),
            world.store.calls.get().since(before).total(),
            if sweep.complete { "" } else { ", incomplete" }
        );

        let rebuild = full_rebuild(&world);
        row(&[format!("{size}"), import, check, export, fresh, rebuild]);
    }
}

/// Deletes every snapshot, then sweeps until done: (time, runs, operations).
fn full_rebuild(world: &World) -> String {
    for key in world.store.inner.keys() {
        if key.starts_with("snap/") {
            world.store.inner.remove(&key);
        }
    }
    let started = Instant::now();
    let before = world.store.calls.get();
    let mut runs = 0;
    loop {
        runs += 1;
        let sweep = block_on(repair::sweep(
            &world.store,
            Timestamp(NOW + repair::SETTLE_MS),
            repair::BUDGET,
        ))
        .expect("sweep");
        if sweep.complete || runs >= 1_000 {
            break;
        }
    }
    format!(
        "{}; {runs} cron runs, {} ops",
        ms(started),
        world.store.calls.get().since(before).total()
    )
}
