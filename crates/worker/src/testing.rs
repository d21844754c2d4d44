//! Test support: a tiny executor, the demo config, a recording network and
//! a context builder with the local secrets.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use doi_core::{Config, Timestamp};

use crate::ctx::{Ctx, Net, Outgoing};
use crate::secrets::Secrets;
use crate::store::MemoryStore;

struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// Runs a future that never waits on anything external (the memory store,
/// the recording network) to completion.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
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

/// Records every outgoing request and answers with a set status.
#[derive(Clone, Default)]
pub struct Recorder {
    pub sent: Rc<RefCell<Vec<Outgoing>>>,
    pub status: Rc<RefCell<Option<u16>>>,
}

impl Recorder {
    pub fn answer(&self, status: u16) {
        *self.status.borrow_mut() = Some(status);
    }
    pub fn count(&self) -> usize {
        self.sent.borrow().len()
    }
    pub fn last(&self) -> Option<Outgoing> {
        self.sent.borrow().last().cloned()
    }
}

impl Net for Recorder {
    async fn post(&self, request: &Outgoing) -> Result<u16, String> {
        self.sent.borrow_mut().push(request.clone());
        Ok(self.status.borrow().unwrap_or(200))
    }
}

/// The local development secrets (.dev.vars.example).
pub fn local_secrets() -> Secrets {
    let text = include_str!("../../../.dev.vars.example");
    let pairs: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Secrets::from_lookup(|name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

/// A context at `now` over `store` and `net`.
pub fn ctx(store: &MemoryStore, net: &Recorder, now: u64, seed: u8) -> Ctx<MemoryStore, Recorder> {
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
