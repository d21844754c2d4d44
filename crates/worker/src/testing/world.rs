//! The benchmarks' harness: the in-memory store counting KV calls as the
//! edge makes them, a Worker (`app::handle`) over it, and the requests the
//! tables, Criterion and the wasm CPU benchmark (`bench/wasm-cpu`) send.
// A harness of fixed inputs, like the tests: an answer that cannot be read
// is a broken benchmark, and reads as empty rather than stopping it.
#![allow(
    missing_docs,
    clippy::missing_panics_doc,
    clippy::new_without_default,
    clippy::disallowed_methods
)]

use std::cell::Cell;
use std::rc::Rc;

use doi_core::Timestamp;

use crate::app;
use crate::ctx::{Ctx, Net, Outgoing};
use crate::http::{Method, Request, Response};
use crate::secrets::Secrets;
use crate::store::{Listed, MemoryStore, PutOptions, Store, StoreError};
use crate::testing::{block_on, local_secrets, local_var};

/// The time of every request (ms since the epoch).
pub const NOW: u64 = 1_790_000_000_000;
pub const ORIGIN: &str = "http://127.0.0.1:8787";

/// KV calls as the edge makes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub reads: usize,
    pub bulk_reads: usize,
    pub writes: usize,
    pub lists: usize,
    pub deletes: usize,
}

impl Calls {
    pub fn total(&self) -> usize {
        self.reads + self.bulk_reads + self.writes + self.lists + self.deletes
    }

    pub fn since(&self, before: Calls) -> Calls {
        Calls {
            reads: self.reads - before.reads,
            bulk_reads: self.bulk_reads - before.bulk_reads,
            writes: self.writes - before.writes,
            lists: self.lists - before.lists,
            deletes: self.deletes - before.deletes,
        }
    }

    /// `1 read + 2 bulk + 2 writes`, for a table cell.
    pub fn describe(&self) -> String {
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
pub struct Counted {
    pub inner: MemoryStore,
    pub calls: Rc<Cell<Calls>>,
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
pub struct NoNet;

impl Net for NoNet {
    async fn post(&self, _request: &Outgoing) -> Result<u16, String> {
        Ok(200)
    }
}

/// A Worker over one store: answers requests as `app::handle` does.
pub struct World {
    pub store: Counted,
    pub secrets: Secrets,
    token: String,
    /// The time requests see (ms); [`NOW`] unless set.
    now: Cell<u64>,
}

impl World {
    pub fn new() -> World {
        World {
            store: Counted::default(),
            secrets: local_secrets(),
            token: local_var("DOI_API_TOKEN").unwrap_or_default(),
            now: Cell::new(NOW),
        }
    }

    /// Makes later requests happen at `ms`.
    pub fn set_now(&self, ms: u64) {
        self.now.set(ms);
    }

    pub fn handle(&self, req: &Request) -> Response {
        let config = crate::config().expect("doi.toml is valid");
        let mut ctx = Ctx::new(
            config,
            self.secrets.clone(),
            self.store.clone(),
            NoNet,
            Timestamp(self.now.get()),
            [7; 32],
        );
        ctx.base_url = ORIGIN.into();
        block_on(app::handle(&ctx, req))
    }

    /// Answers `req` and returns the KV calls it made.
    pub fn calls(&self, req: &Request) -> (Response, Calls) {
        let before = self.store.calls.get();
        let response = self.handle(req);
        (response, self.store.calls.get().since(before))
    }

    pub fn api(&self, method: Method, path: &str, body: Option<serde_json::Value>) -> Request {
        let req = Request::new(method, path)
            .with_header("authorization", &format!("Bearer {}", self.token))
            .with_header("content-type", "application/json");
        match body {
            Some(body) => req.with_body(body.to_string()),
            None => req,
        }
    }

    pub fn ok(&self, req: &Request) -> Response {
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

    /// Imports subscribers `from..to` in batches of the most a call takes
    /// (`doi_core::limits::CHANGE_BATCH`), resending what a
    /// call marks `retry_later` (and failing on any other refusal).
    /// Returns the calls made.
    pub fn seed(&self, from: usize, to: usize) -> usize {
        let mut calls = 0;
        let mut start = from;
        while start < to {
            let end = to.min(start + doi_core::limits::CHANGE_BATCH);
            let mut pending: Vec<serde_json::Value> = (start..end)
                .map(|i| import_record(i, self.now.get()))
                .collect();
            while !pending.is_empty() {
                let req = self.api(
                    Method::Post,
                    "/v1/import",
                    Some(serde_json::json!({ "records": pending })),
                );
                let answer = json(&self.ok(&req));
                calls += 1;
                let skipped = answer["skipped"].as_array().cloned().unwrap_or_default();
                let refused: Vec<_> = skipped
                    .iter()
                    .filter(|s| s["code"] != "retry_later")
                    .collect();
                assert!(refused.is_empty(), "the import refused {refused:?}");
                let retry: Vec<usize> = skipped
                    .iter()
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

    /// `POST /v1/import` of subscribers `from..from + n`.
    pub fn import_request(&self, from: usize, n: usize) -> Request {
        let records: Vec<serde_json::Value> = (from..from + n)
            .map(|i| import_record(i, self.now.get()))
            .collect();
        self.api(
            Method::Post,
            "/v1/import",
            Some(serde_json::json!({ "records": records })),
        )
    }

    /// The unsubscribe (or preference) token of subscriber `i`.
    pub fn token_of(&self, i: usize, kind: &str) -> String {
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

pub fn email(i: usize) -> String {
    format!("reader.{i}@scale.example")
}

/// Subscriber `i` as the sender's records have them: consent a day before `now`.
fn import_record(i: usize, now: u64) -> serde_json::Value {
    serde_json::json!({
        "email": email(i),
        "list": "newsletter",
        "topics": ["product", "tips"],
        "consented_at": now - 86_400_000,
        "source": "bench: seeded natively",
        "consent_text": "I agree to receive the newsletter.",
        "locale": "ja",
    })
}

pub fn json(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap_or_default()
}

pub fn check_request(world: &World, n: usize) -> Request {
    let emails: Vec<String> = (0..n).map(email).collect();
    world.api(
        Method::Post,
        "/v1/check",
        Some(serde_json::json!({ "list": "newsletter", "topic": "product", "emails": emails })),
    )
}

pub fn subscribe_request(n: u64) -> Request {
    let config = crate::config().expect("doi.toml is valid");
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

pub fn one_click(token: &str) -> Request {
    Request::new(Method::Post, &format!("/u/{token}"))
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("List-Unsubscribe=One-Click")
}

/// Every route the load test drives, and a few more, as (label, request).
pub fn routes(world: &World) -> Vec<(String, Request)> {
    use doi_core::limits::{CHECK_BATCH, EXPORT_PAGE_MAX, PREPARE_BATCH};
    let unsubscribe = world.token_of(1, "unsubscribe_url");
    let preferences = world.token_of(1, "preferences_url");
    vec![
        (
            "GET /v1/forms/newsletter".into(),
            Request::new(Method::Get, "/v1/forms/newsletter").with_header("origin", ORIGIN),
        ),
        ("POST /v1/subscribe".into(), subscribe_request(1)),
        (
            "GET /u/{token}".into(),
            Request::new(Method::Get, &format!("/u/{unsubscribe}")),
        ),
        ("POST /u/{token} one-click".into(), one_click(&unsubscribe)),
        (
            "GET /p/{token}".into(),
            Request::new(Method::Get, &format!("/p/{preferences}")),
        ),
        (
            "POST /v1/links".into(),
            world.api(
                Method::Post,
                "/v1/links",
                Some(serde_json::json!({ "email": email(2), "list": "newsletter" })),
            ),
        ),
        ("POST /v1/check ×100".into(), check_request(world, 100)),
        (
            format!("POST /v1/check ×{CHECK_BATCH}"),
            check_request(world, CHECK_BATCH),
        ),
        (
            format!("POST /v1/prepare ×{PREPARE_BATCH}"),
            world.api(
                Method::Post,
                "/v1/prepare",
                Some(serde_json::json!({
                    "list": "newsletter",
                    "topic": "product",
                    "recipients": (0..PREPARE_BATCH).map(email).collect::<Vec<_>>(),
                })),
            ),
        ),
        (
            format!("GET /v1/export?limit={EXPORT_PAGE_MAX}"),
            world.api(
                Method::Get,
                &format!("/v1/export?limit={EXPORT_PAGE_MAX}"),
                None,
            ),
        ),
    ]
}
