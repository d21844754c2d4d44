//! Flows through the whole app over the in-memory store (in `stale`, over
//! one with KV's staleness): what a person, a mail client and a sender do,
//! and what must hold afterwards.

mod api;
mod backlog;
mod double_opt_in;
mod failures;
mod faults;
mod lost_snapshots;
mod mailto;
mod manage;
mod misconfigured;
mod one_click;
mod pages;
mod prepare;
mod providers;
mod races;
mod receipts;
mod renew;
mod routes;
mod signup;
mod stale;
mod turnstile;

use std::cell::{Cell, RefCell};

use doi_core::{Locale, SubscriberId};
use serde_json::{json, Value};

use crate::app;
use crate::ctx::Task;
use crate::http::{Method, Request, Response};
use crate::repair;
use crate::secrets::Secrets;
use crate::store::{Clock, MemoryStore};
use crate::testing::{block_on, config, ctx, local_secrets, Recorder, TestStore};

/// A Worker with its store, its network and a clock (the store's, when it
/// models time).
pub struct World<S: TestStore = MemoryStore> {
    pub store: S,
    pub net: Recorder,
    clock: Clock,
    pub secrets: RefCell<Secrets>,
    seed: Cell<u8>,
    pub logs: RefCell<Vec<String>>,
    pub tasks: RefCell<Vec<Task>>,
}

/// 2027-01-15, a moment.
pub const T0: u64 = 1_800_000_000_000;

pub const ORIGIN: &str = "http://127.0.0.1:8787";

impl World {
    pub fn new() -> World {
        World::over()
    }
}

impl<S: TestStore> World<S> {
    /// A fresh Worker over a fresh `S` at [`T0`].
    pub fn over() -> World<S> {
        let clock = Clock::at(T0);
        World {
            store: S::fresh(&clock),
            net: Recorder::default(),
            clock,
            secrets: RefCell::new(local_secrets()),
            seed: Cell::new(0),
            logs: RefCell::new(Vec::new()),
            tasks: RefCell::new(Vec::new()),
        }
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    pub fn advance(&self, ms: u64) {
        self.clock.advance(ms);
    }

    /// Handles one request as the Worker would.
    pub fn send(&self, req: Request) -> Response {
        self.seed.set(self.seed.get().wrapping_add(1));
        let mut c = ctx(&self.store, &self.net, self.now(), self.seed.get());
        c.secrets = self.secrets.borrow().clone();
        let response = if req.body.len() > app::body_limit(&req.path) {
            app::too_large(&c, &req)
        } else {
            block_on(app::handle(&c, &req))
        };
        self.logs.borrow_mut().extend(c.take_logs());
        self.tasks.borrow_mut().extend(c.take_tasks());
        response
    }

    /// Runs the cron's repair now (the marks that are due).
    pub fn sweep(&self) -> repair::Sweep {
        block_on(repair::sweep(
            &self.store,
            doi_core::Timestamp(self.now()),
            repair::BUDGET,
        ))
        .unwrap()
    }

    /// Lets KV settle ([`repair::SETTLE_MS`]) and runs the repair: what the
    /// cron does once every mark written so far is due.
    pub fn settle(&self) -> repair::Sweep {
        self.advance(repair::SETTLE_MS);
        self.sweep()
    }

    /// Runs the queued background tasks (without waiting).
    pub fn run_tasks(&self) -> Vec<String> {
        let tasks: Vec<Task> = self.tasks.borrow_mut().drain(..).collect();
        tasks
            .into_iter()
            .flat_map(|t| match t {
                Task::SendManageLink { email, locale } => {
                    let mut c = ctx(&self.store, &self.net, self.now(), 0);
                    c.secrets = self.secrets.borrow().clone();
                    block_on(crate::hosted::manage::run(&c, &email, locale));
                    c.take_logs()
                }
                t => block_on(repair::run(&self.store, t, |_| async {})),
            })
            .collect()
    }

    /// A sender-API call with the bearer token.
    pub fn api(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let token = "dev-api-token-do-not-use-in-production";
        let mut req =
            Request::new(method, path).with_header("authorization", &format!("Bearer {token}"));
        if let Some(b) = body {
            req = req
                .with_header("content-type", "application/json")
                .with_body(b.to_string());
        }
        self.send(req)
    }

    /// The widget's POST /v1/subscribe.
    pub fn subscribe(&self, record: &Value) -> Response {
        self.send(
            Request::new(Method::Post, "/v1/subscribe")
                .with_header("content-type", "application/json")
                .with_header("origin", ORIGIN)
                .with_header("user-agent", "TestBrowser/1.0")
                .with_body(record.to_string()),
        )
    }

    /// `/v1/check` for one address: (allowed, reason code, whole reason).
    pub fn check(&self, email: &str, topic: Option<&str>) -> (bool, String, Value) {
        let mut body = json!({"list": "newsletter", "emails": [email]});
        if let Some(t) = topic {
            body["topic"] = json!(t);
        }
        let r = self.api(Method::Post, "/v1/check", Some(body));
        assert_eq!(r.status, 200, "{}", r.text());
        let v = body_json(&r);
        let line = &v["results"][0];
        (
            line["allowed"].as_bool().unwrap(),
            line["reason"]["code"].as_str().unwrap().to_string(),
            line["reason"].clone(),
        )
    }

    /// `/v1/links` for an address: the JSON answer.
    /// The URL `which` (`unsubscribe_url`, `preferences_url`) of
    /// `/v1/links` for `email` (and `topic`).
    pub fn link(&self, email: &str, topic: Option<&str>, which: &str) -> String {
        self.links(email, topic)[which]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn links(&self, email: &str, topic: Option<&str>) -> Value {
        let mut body = json!({"email": email, "list": "newsletter"});
        if let Some(t) = topic {
            body["topic"] = json!(t);
        }
        let r = self.api(Method::Post, "/v1/links", Some(body));
        assert_eq!(r.status, 200, "{}", r.text());
        body_json(&r)
    }

    /// Every key and value and log line, joined (for "no address anywhere").
    pub fn everything_visible(&self) -> String {
        let mut out = self.store.keys().join("\n");
        out.push('\n');
        out.push_str(&self.logs.borrow().join("\n"));
        out
    }

    pub fn sid(&self, email: &str) -> SubscriberId {
        let e = doi_core::Email::parse(email).unwrap();
        local_secrets().id_key().unwrap().subscriber_id(&e)
    }
}

pub fn body_json(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

/// A valid consent record for `form` as the widget builds it.
pub fn record(form: &str, email: &str, record_id: &str) -> Value {
    let f = config()
        .forms
        .iter()
        .find(|f| f.id.as_str() == form)
        .unwrap();
    let text = f.consent.get(Locale::Ja);
    // As the widget sends it: every offered topic ticked where it shows a
    // choice (it shows them ticked), none where it shows no choice.
    let offered: Vec<doi_core::TopicId> = config()
        .offered_topics(f)
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let topics: Vec<&str> = if doi_core::consent::shows_topic_choice(&offered) {
        offered.iter().map(|t| t.as_str()).collect()
    } else {
        Vec::new()
    };
    json!({
        "record_id": record_id,
        "form": form,
        "email": email,
        "locale": "ja",
        "consent_text": text,
        "consent_version": f.consent_version(Locale::Ja).to_string(),
        "consent": true,
        "topics": topics,
        "page_url": "https://sample-shoji.example/whitepaper",
        "client_time": T0 - 5_000,
        "elapsed_ms": 4_000,
        "website": ""
    })
}

/// The path of a URL the Worker generated (`http://…/u/T` → `/u/T`).
pub fn path_of(url: &str) -> String {
    crate::http::split_url(url).1
}

/// A one-click POST as a mail client sends it, urlencoded.
pub fn one_click_urlencoded(path: &str) -> Request {
    Request::new(Method::Post, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("List-Unsubscribe=One-Click")
}

/// A one-click POST as RFC 8058 says receivers SHOULD send it.
pub fn one_click_multipart(path: &str) -> Request {
    Request::new(Method::Post, path)
        .with_header("content-type", "multipart/form-data; boundary=----b0undary")
        .with_body("------b0undary\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n------b0undary--\r\n")
}

/// A form POST from a page.
pub fn form_post(path: &str, fields: &[(&str, &str)]) -> Request {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::formdata::percent_encode(k),
                crate::formdata::percent_encode(v)
            )
        })
        .collect();
    Request::new(Method::Post, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("origin", ORIGIN)
        .with_body(body.join("&"))
}
