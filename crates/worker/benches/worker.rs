//! The Worker's own CPU per route and its KV operations, natively: every
//! request goes through `app::handle`, as in the Worker, over the in-memory
//! store wrapped in a counter of the KV calls the edge would make (a bulk
//! read per 100 keys, like `edge.rs`). `cargo xtask bench` runs this and
//! puts the figures in `bench/results.md`; by hand:
//! `cargo bench -p doi-worker --bench worker`.
//!
//! Before the Criterion benchmarks it prints, in the line protocol of
//! `bench/lib.mjs`, two tables: KV calls per route, and the data path
//! (check, export, snapshot sweep) at 1 000 and 10 000 subscribers.

use std::cell::Cell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use criterion::{BatchSize, Criterion};
use doi_core::Timestamp;
use doi_worker::app;
use doi_worker::ctx::{Ctx, Net, Outgoing};
use doi_worker::http::{Method, Request, Response};
use doi_worker::repair;
use doi_worker::secrets::Secrets;
use doi_worker::store::{Listed, MemoryStore, PutOptions, Store, StoreError};
use doi_worker::subscribers::Snapshot;
use doi_worker::testing::{block_on, local_secrets, local_var};

const NOW: u64 = 1_790_000_000_000;
const ORIGIN: &str = "http://127.0.0.1:8787";

// ------------------------------------------------------------ the harness

/// KV calls as the edge makes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Calls {
    reads: usize,
    bulk_reads: usize,
    writes: usize,
    lists: usize,
    deletes: usize,
}

impl Calls {
    fn total(&self) -> usize {
        self.reads + self.bulk_reads + self.writes + self.lists + self.deletes
    }

    fn since(&self, before: Calls) -> Calls {
        Calls {
            reads: self.reads - before.reads,
            bulk_reads: self.bulk_reads - before.bulk_reads,
            writes: self.writes - before.writes,
            lists: self.lists - before.lists,
            deletes: self.deletes - before.deletes,
        }
    }

    /// `1 read + 2 bulk + 2 writes`, for a table cell.
    fn describe(&self) -> String {
        let parts = [
            (self.reads, "read"),
            (self.bulk_reads, "bulk read"),
            (self.lists, "list"),
            (self.writes, "write"),
            (self.deletes, "delete"),
        ];
        let named: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
            .collect();
        if named.is_empty() {
            "none".into()
        } else {
            named.join(" + ")
        }
    }
}

/// The in-memory store, counting calls the way KV bills them.
#[derive(Clone, Default)]
struct Counted {
    inner: MemoryStore,
    calls: Rc<Cell<Calls>>,
}

impl Counted {
    fn count(&self, f: impl FnOnce(&mut Calls)) {
        let mut calls = self.calls.get();
        f(&mut calls);
        self.calls.set(calls);
    }
}

impl Store for Counted {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.count(|c| c.reads += 1);
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.count(|c| c.bulk_reads += keys.len().div_ceil(100));
        self.inner.get_many(keys).await
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        self.count(|c| c.writes += 1);
        self.inner.put(key, value, options).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        self.count(|c| c.lists += 1);
        self.inner.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.count(|c| c.deletes += 1);
        self.inner.delete(key).await
    }
}

/// Deliveries go nowhere (the whitepaper form has no double opt-in).
#[derive(Clone)]
struct NoNet;

impl Net for NoNet {
    async fn post(&self, _request: &Outgoing) -> Result<u16, String> {
        Ok(200)
    }
}

/// A Worker over one store: answers requests as `app::handle` does.
struct World {
    store: Counted,
    secrets: Secrets,
    token: String,
}

impl World {
    fn new() -> World {
        World {
            store: Counted::default(),
            secrets: local_secrets(),
            token: local_var("DOI_API_TOKEN").unwrap_or_default(),
        }
    }

    fn handle(&self, req: &Request) -> Response {
        let config = doi_worker::config().expect("doi.toml is valid");
        let mut ctx = Ctx::new(
            config,
            self.secrets.clone(),
            self.store.clone(),
            NoNet,
            Timestamp(NOW),
            [7; 32],
        );
        ctx.base_url = ORIGIN.into();
        block_on(app::handle(&ctx, req))
    }

    /// Answers `req` and returns the KV calls it made.
    fn calls(&self, req: &Request) -> (Response, Calls) {
        let before = self.store.calls.get();
        let response = self.handle(req);
        (response, self.store.calls.get().since(before))
    }

    fn api(&self, method: Method, path: &str, body: Option<serde_json::Value>) -> Request {
        let req = Request::new(method, path)
            .with_header("authorization", &format!("Bearer {}", self.token))
            .with_header("content-type", "application/json");
        match body {
            Some(body) => req.with_body(body.to_string()),
            None => req,
        }
    }

    fn ok(&self, req: &Request) -> Response {
        let response = self.handle(req);
        assert_eq!(
            response.status,
            200,
            "{} {}: {}",
            req.path,
            response.status,
            String::from_utf8_lossy(&response.body)
        );
        response
    }

    /// Imports subscribers `from..to` in batches of 500, resending what a
    /// call marks `retry_later`. Returns the calls made.
    fn seed(&self, from: usize, to: usize) -> usize {
        let mut calls = 0;
        let mut start = from;
        while start < to {
            let end = to.min(start + 500);
            let mut pending: Vec<serde_json::Value> = (start..end).map(import_record).collect();
            while !pending.is_empty() {
                let req = self.api(
                    Method::Post,
                    "/v1/import",
                    Some(serde_json::json!({ "records": pending })),
                );
                let answer = json(&self.ok(&req));
                calls += 1;
                let retry: Vec<usize> = answer["skipped"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| s["code"] == "retry_later")
                    .filter_map(|s| s["index"].as_u64())
                    .map(|i| i as usize)
                    .collect();
                pending = retry.into_iter().map(|i| pending[i].clone()).collect();
            }
            start = end;
        }
        calls
    }

    /// The unsubscribe (or preference) token of subscriber `i`.
    fn token_of(&self, i: usize, kind: &str) -> String {
        let req = self.api(
            Method::Post,
            "/v1/links",
            Some(serde_json::json!({ "email": email(i), "list": "newsletter" })),
        );
        let links = json(&self.ok(&req));
        let url = links[kind].as_str().unwrap_or_default().to_string();
        url.rsplit('/').next().unwrap_or_default().to_string()
    }
}

fn email(i: usize) -> String {
    format!("reader.{i}@scale.example")
}

fn import_record(i: usize) -> serde_json::Value {
    serde_json::json!({
        "email": email(i),
        "list": "newsletter",
        "topics": ["product", "tips"],
        "consented_at": NOW - 86_400_000,
        "source": "bench: seeded natively",
        "consent_text": "I agree to receive the newsletter.",
        "locale": "ja",
    })
}

fn json(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap_or_default()
}

fn check_request(world: &World, n: usize) -> Request {
    let emails: Vec<String> = (0..n).map(email).collect();
    world.api(
        Method::Post,
        "/v1/check",
        Some(serde_json::json!({ "list": "newsletter", "topic": "product", "emails": emails })),
    )
}

fn subscribe_request(n: u64) -> Request {
    let config = doi_worker::config().expect("doi.toml is valid");
    let form = config
        .forms
        .iter()
        .find(|f| f.id.as_str() == "whitepaper")
        .expect("the demo has a whitepaper form");
    let text = form.consent.get(doi_core::Locale::Ja);
    let record = serde_json::json!({
        "record_id": format!("bench-record-{n:016}"),
        "form": "whitepaper",
        "email": format!("signup.{n}@example.com"),
        "locale": "ja",
        "consent_text": text,
        "consent_version": doi_core::ConsentVersion::of(text).to_string(),
        "consent": true,
        "topics": ["product"],
        "page_url": format!("{ORIGIN}/whitepaper"),
        "client_time": NOW,
        "elapsed_ms": 5_000,
        "website": "",
    });
    Request::new(Method::Post, "/v1/subscribe")
        .with_header("origin", ORIGIN)
        .with_header("content-type", "application/json")
        .with_body(record.to_string())
}

fn one_click(token: &str) -> Request {
    Request::new(Method::Post, &format!("/u/{token}"))
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("List-Unsubscribe=One-Click")
}

/// Every route the load test drives, and a few more, as (label, request).
fn routes(world: &World) -> Vec<(&'static str, Request)> {
    let unsubscribe = world.token_of(1, "unsubscribe_url");
    let preferences = world.token_of(1, "preferences_url");
    vec![
        (
            "GET /v1/forms/newsletter",
            Request::new(Method::Get, "/v1/forms/newsletter").with_header("origin", ORIGIN),
        ),
        ("POST /v1/subscribe", subscribe_request(1)),
        (
            "GET /u/{token}",
            Request::new(Method::Get, &format!("/u/{unsubscribe}")),
        ),
        ("POST /u/{token} one-click", one_click(&unsubscribe)),
        (
            "GET /p/{token}",
            Request::new(Method::Get, &format!("/p/{preferences}")),
        ),
        (
            "POST /v1/links",
            world.api(
                Method::Post,
                "/v1/links",
                Some(serde_json::json!({ "email": email(2), "list": "newsletter" })),
            ),
        ),
        ("POST /v1/check ×100", check_request(world, 100)),
        ("POST /v1/check ×500", check_request(world, 500)),
        (
            "GET /v1/export?limit=300",
            world.api(Method::Get, "/v1/export?limit=300", None),
        ),
    ]
}

// ------------------------------------------------------------ the tables

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
fn kv_per_route() {
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
fn data_path() {
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

// ------------------------------------------------------------ Criterion

fn per_route(c: &mut Criterion) {
    let world = World::new();
    world.seed(0, 1_000);
    for (label, req) in routes(&world) {
        let id = format!("route/{label}");
        if label.starts_with("POST /u/") {
            // A write: each iteration on a fresh store holding one subscriber.
            c.bench_function(&id, |b| {
                b.iter_batched(
                    || {
                        let fresh = World::new();
                        fresh.seed(0, 2);
                        let token = fresh.token_of(1, "unsubscribe_url");
                        (fresh, one_click(&token))
                    },
                    |(fresh, req)| fresh.handle(black_box(&req)),
                    BatchSize::SmallInput,
                )
            });
        } else if label == "POST /v1/subscribe" {
            let n = Cell::new(0);
            c.bench_function(&id, |b| {
                b.iter_batched(
                    || {
                        n.set(n.get() + 1);
                        subscribe_request(1_000_000 + n.get())
                    },
                    |req| world.handle(black_box(&req)),
                    BatchSize::SmallInput,
                )
            });
        } else {
            c.bench_function(&id, |b| b.iter(|| world.handle(black_box(&req))));
        }
    }
    check_parts(c, &world);
    c.bench_function("route/POST /v1/import ×500 (new subscribers)", |b| {
        b.iter_batched(
            World::new,
            |fresh| fresh.seed(0, 500),
            BatchSize::LargeInput,
        )
    });
}

/// Where `/v1/check`'s time goes, per address: the steps of `api::check`.
fn check_parts(c: &mut Criterion, world: &World) {
    let key = world
        .store
        .inner
        .keys()
        .into_iter()
        .find(|k| k.starts_with("snap/"))
        .expect("seeded");
    let snapshot = world.store.inner.peek(&key).expect("seeded");
    let id_key = world.secrets.id_key().expect("local secrets");
    let request = doi_core::SendRequest {
        list: doi_core::ListId::parse("newsletter").expect("a slug"),
        topic: doi_core::TopicId::parse("product"),
        frequency: None,
    };
    let state = Snapshot::parse(&snapshot).expect("a snapshot").state;
    c.bench_function("check, per address/parse the snapshot", |b| {
        b.iter(|| Snapshot::parse(black_box(&snapshot)))
    });
    c.bench_function("check, per address/parse the address, derive its id", |b| {
        b.iter(|| {
            id_key.subscriber_id(
                &doi_core::Email::parse(black_box("reader.7@scale.example")).expect("valid"),
            )
        })
    });
    c.bench_function("check, per address/may_send", |b| {
        b.iter(|| doi_core::may_send(black_box(&state), &request, Timestamp(NOW)))
    });
}

fn main() {
    kv_per_route();
    data_path();
    let mut c = Criterion::default().configure_from_args();
    per_route(&mut c);
    c.final_summary();
}
