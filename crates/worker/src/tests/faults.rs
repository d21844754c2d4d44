//! Storage that fails at every possible write of a request, once or for
//! good: a 2xx always means the event it reports is durable, every failure
//! is a retryable 503, and the retry (the same record id, the same link)
//! leaves exactly one event.

use std::cell::Cell;
use std::rc::Rc;

use doi_core::{Locale, Timestamp};

use super::*;
use crate::ctx::Ctx;
use crate::store::{Listed, PutOptions, Store, StoreError};
use crate::testing::config as doi_config;

/// The memory store with its `n`th write (put or delete, counted from 0)
/// failing — and, with `outage`, every write after it too.
#[derive(Clone)]
struct FailingWrite {
    inner: MemoryStore,
    n: usize,
    outage: bool,
    writes: Rc<Cell<usize>>,
}

impl FailingWrite {
    fn write_fails(&self) -> bool {
        let i = self.writes.get();
        self.writes.set(i + 1);
        i == self.n || (self.outage && i > self.n)
    }
}

impl Store for FailingWrite {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.inner.get_many(keys).await
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        if self.write_fails() {
            return Err(StoreError(format!("injected failure at {key}")));
        }
        self.inner.put(key, value, options).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        self.inner.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if self.write_fails() {
            return Err(StoreError(format!("injected failure at {key}")));
        }
        self.inner.delete(key).await
    }
}

/// `req` through the app over `store`; background tasks are dropped (the
/// worst case: the isolate went away), so only what the request itself
/// wrote counts.
fn send_over(w: &World, store: FailingWrite, req: &Request) -> Response {
    let mut c = Ctx::new(
        doi_config(),
        local_secrets(),
        store,
        w.net.clone(),
        Timestamp(w.now()),
        [7; 32],
    );
    c.base_url = ORIGIN.into();
    block_on(app::handle(&c, req))
}

/// Events of `kind` in `email`'s log, read from the events themselves.
fn count(w: &World, email: &str, kind: &str) -> usize {
    let r = w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid(email)),
        None,
    );
    if r.status == 404 {
        return 0;
    }
    body_json(&r)["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .count()
}

/// A request that writes, set up on a fresh Worker, and the event it adds.
struct Case {
    name: &'static str,
    email: &'static str,
    event: &'static str,
    request: fn(&World) -> Request,
}

fn signed_up(w: &World, email: &str) -> Value {
    assert_eq!(
        w.subscribe(&record("whitepaper", email, "rec-fault-setup-0001"))
            .status,
        200
    );
    w.links(email, None)
}

fn hosted_signup(w: &World) -> Request {
    let f = config()
        .forms
        .iter()
        .find(|f| f.id.as_str() == "whitepaper")
        .unwrap();
    let version = f.consent_version(Locale::En).to_string();
    let rendered = (w.now() - 5_000).to_string();
    form_post(
        "/f/whitepaper?lang=en",
        &[
            ("email", "hosted@example.com"),
            ("consent", "yes"),
            ("topics", "tips"),
            ("locale", "en"),
            ("consent_version", &version),
            ("record_id", "rec-fault-hosted-001"),
            ("rendered_at", &rendered),
            ("website", ""),
        ],
    )
}

const CASES: &[Case] = &[
    Case {
        name: "widget signup",
        email: "widget@example.com",
        event: "subscribed",
        request: |_| {
            Request::new(Method::Post, "/v1/subscribe")
                .with_header("content-type", "application/json")
                .with_header("origin", ORIGIN)
                .with_body(
                    record("whitepaper", "widget@example.com", "rec-fault-widget-01").to_string(),
                )
        },
    },
    Case {
        name: "double opt-in signup",
        email: "doi@example.com",
        event: "subscribed",
        request: |_| {
            Request::new(Method::Post, "/v1/subscribe")
                .with_header("content-type", "application/json")
                .with_header("origin", ORIGIN)
                .with_body(
                    record("newsletter", "doi@example.com", "rec-fault-doi-00001").to_string(),
                )
        },
    },
    Case {
        name: "hosted signup",
        email: "hosted@example.com",
        event: "subscribed",
        request: hosted_signup,
    },
    Case {
        name: "one-click",
        email: "oneclick@example.com",
        event: "unsubscribed",
        request: |w| {
            let links = signed_up(w, "oneclick@example.com");
            one_click_urlencoded(&path_of(links["unsubscribe_url"].as_str().unwrap()))
        },
    },
    Case {
        name: "preference save",
        email: "save@example.com",
        event: "preferences_changed",
        request: |w| {
            let links = signed_up(w, "save@example.com");
            form_post(
                &path_of(links["preferences_url"].as_str().unwrap()),
                &[
                    ("action", "save"),
                    ("topics", "tips"),
                    ("frequency", "monthly"),
                ],
            )
        },
    },
    Case {
        name: "suppression",
        email: "bounce@example.com",
        event: "unsubscribed",
        request: |_| {
            Request::new(Method::Post, "/v1/suppressions")
                .with_header(
                    "authorization",
                    "Bearer dev-api-token-do-not-use-in-production",
                )
                .with_header("content-type", "application/json")
                .with_body(
                    json!({"emails": ["bounce@example.com"], "reason": "bounce"}).to_string(),
                )
        },
    },
];

/// Whether `r` claims its change happened. Batch calls answer 200 with the
/// items they could not store marked `retry_later`.
fn claims_success(r: &Response) -> bool {
    if r.status != 200 {
        return false;
    }
    let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    v["skipped"].as_array().is_none_or(|s| s.is_empty())
}

#[test]
fn every_2xx_is_a_durable_event_and_every_failure_a_retryable_503_that_retries_once() {
    for case in CASES {
        for outage in [false, true] {
            for n in 0..6 {
                let w = World::new();
                let req = (case.request)(&w);
                let before = count(&w, case.email, case.event);
                let store = FailingWrite {
                    inner: w.store.clone(),
                    n,
                    outage,
                    writes: Rc::default(),
                };
                let r = send_over(&w, store, &req);
                let what = format!("{} with write {n} failing (outage {outage})", case.name);
                let after = count(&w, case.email, case.event);
                if claims_success(&r) {
                    assert_eq!(after, before + 1, "{what}: 2xx without its event");
                } else if r.status == 200 {
                    // A batch item marked retry_later: not claimed, not stored.
                    assert_eq!(after, before, "{what}");
                } else {
                    assert_eq!(r.status, 503, "{what}: {}", r.text());
                    if r.header("content-type")
                        .unwrap()
                        .starts_with("application/json")
                    {
                        let e = body_json(&r);
                        assert_eq!(e["error"]["code"], "storage_unavailable", "{what}");
                        assert_eq!(e["error"]["retryable"], true, "{what}");
                    }
                }
                // The client retries the same request on healthy storage.
                let retry = w.send(req.clone());
                assert!(claims_success(&retry), "{what}: retry {}", retry.text());
                let expected = if case.event == "subscribed" {
                    1
                } else {
                    before + 1
                };
                let got = count(&w, case.email, case.event);
                if case.event == "subscribed" {
                    assert_eq!(got, expected, "{what}: the retry duplicated the signup");
                } else {
                    // A repeated unsubscribe or save may add a second event
                    // (it has no record id); it must never add none.
                    assert!(got >= expected, "{what}");
                }
                let sweep = w.settle();
                assert!(sweep.complete && sweep.failed == 0, "{what}: {sweep:?}");
            }
        }
    }
}
