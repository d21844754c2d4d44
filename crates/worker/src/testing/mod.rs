//! Test support: a tiny executor, the demo config, a recording network, a
//! context builder with the local secrets and what a store needs for the
//! native flows to run over it. Used by the unit tests, and
//! (feature `testing`) by the benchmarks and the fuzz targets.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use doi_core::{Config, Timestamp};

use crate::ctx::{Ctx, Net, Outgoing};
use crate::secrets::Secrets;
use crate::store::{Clock, MemoryStore, StaleStore, Store};

pub mod world;

/// Runs a future that never waits on anything external (the memory store,
/// the recording network) to completion.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The repository's doi.toml.
pub fn config() -> &'static Config {
    crate::config().unwrap()
}

/// What a GET of a URL answers: the URL, the status, the body.
pub type Page = (String, u16, Vec<u8>);

/// Records every outgoing request and answers with a set status.
#[derive(Clone, Default)]
pub struct Recorder {
    /// Every request, in order.
    pub sent: Rc<RefCell<Vec<Outgoing>>>,
    /// The status to answer (200 when unset).
    pub status: Rc<RefCell<Option<u16>>>,
    /// What a GET of each URL answers (others: 404).
    pub pages: Rc<RefCell<Vec<Page>>>,
    /// Every URL fetched with GET, in order.
    pub fetched: Rc<RefCell<Vec<String>>>,
}

impl Recorder {
    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        *self.status.borrow_mut() = Some(status);
    }
    /// How many requests were sent.
    pub fn count(&self) -> usize {
        self.sent.borrow().len()
    }
    /// Answers a GET of `url` with `status` and `body` from now on.
    pub fn serve(&self, url: &str, status: u16, body: impl Into<Vec<u8>>) {
        let mut pages = self.pages.borrow_mut();
        pages.retain(|(u, _, _)| u != url);
        pages.push((url.to_string(), status, body.into()));
    }
    /// The last request sent.
    pub fn last(&self) -> Option<Outgoing> {
        self.sent.borrow().last().cloned()
    }
}

impl Net for Recorder {
    async fn post(&self, request: &Outgoing) -> Result<u16, String> {
        self.sent.borrow_mut().push(request.clone());
        Ok(self.status.borrow().unwrap_or(200))
    }

    async fn exchange(&self, request: &Outgoing) -> Result<(u16, Vec<u8>), String> {
        self.sent.borrow_mut().push(request.clone());
        Ok(self
            .pages
            .borrow()
            .iter()
            .find(|(u, _, _)| *u == request.url)
            .map_or((404, Vec::new()), |(_, s, b)| (*s, b.clone())))
    }

    async fn get(&self, url: &str) -> Result<(u16, Vec<u8>), String> {
        self.fetched.borrow_mut().push(url.to_string());
        Ok(self
            .pages
            .borrow()
            .iter()
            .find(|(u, _, _)| u == url)
            .map_or((404, Vec::new()), |(_, s, b)| (*s, b.clone())))
    }
}

/// A value of the local development secrets (`.dev.vars.example`).
pub fn local_var(name: &str) -> Option<String> {
    include_str!("../../../../.dev.vars.example")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The local development secrets (`.dev.vars.example`).
pub fn local_secrets() -> Secrets {
    Secrets::from_lookup(local_var)
}

/// The local development secrets with `name` set to `value`.
pub fn local_secrets_with(name: &str, value: &str) -> Secrets {
    Secrets::from_lookup(|n| {
        if n == name {
            Some(value.to_string())
        } else {
            local_var(n)
        }
    })
}

/// A context at `now` over `store` and `net`.
pub fn ctx<S: Store>(store: &S, net: &Recorder, now: u64, seed: u8) -> Ctx<S, Recorder> {
    let mut c = Ctx::new(
        config(),
        local_secrets(),
        store.clone(),
        net.clone(),
        Timestamp(now),
        [seed; 32],
    );
    c.base_url = "http://127.0.0.1:8787".into();
    c
}

/// A store the native flows can run over: a fresh one on the test's clock,
/// and a look at what it holds.
pub trait TestStore: Store {
    /// An empty store; one that models time follows `clock`.
    fn fresh(clock: &Clock) -> Self;
    /// Every key that exists now, sorted.
    fn keys(&self) -> Vec<String>;
    /// The newest value of `key`, without counting a read.
    fn peek(&self, key: &str) -> Option<String>;
}

impl TestStore for MemoryStore {
    fn fresh(_: &Clock) -> Self {
        MemoryStore::new()
    }
    fn keys(&self) -> Vec<String> {
        MemoryStore::keys(self)
    }
    fn peek(&self, key: &str) -> Option<String> {
        MemoryStore::peek(self, key)
    }
}

impl TestStore for StaleStore {
    fn fresh(clock: &Clock) -> Self {
        StaleStore::with_clock(clock.clone())
    }
    fn keys(&self) -> Vec<String> {
        StaleStore::keys(self)
    }
    fn peek(&self, key: &str) -> Option<String> {
        StaleStore::peek(self, key)
    }
}
