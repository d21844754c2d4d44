//! A store for native tests with Workers KV's consistency between
//! locations: last write wins per key, and a read may see any value the
//! key held in the last [`STALE_MS`] (a list may miss a key created, or
//! still show one deleted, that recently). Which of those a read sees is
//! a [`Policy`] the test sets; `Oldest` is the adversary. Time is a manual
//! [`Clock`], so a test can say "a minute later".
//!
//! Failures, operation counts and the newest values are the
//! [`MemoryStore`]'s: every operation goes through one, and only what a
//! read returns comes from the history of writes kept here.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{page, under, Listed, ListedKey, MemoryStore, Ops, PutOptions, Store, StoreError};

/// How long a location may go on seeing an older value (KV: about 60 s).
pub const STALE_MS: u64 = 60_000;

/// A manual clock in milliseconds; clones share the time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Rc<Cell<u64>>);

impl Clock {
    /// A clock showing `ms`.
    pub fn at(ms: u64) -> Clock {
        Clock(Rc::new(Cell::new(ms)))
    }

    /// The time.
    pub fn now(&self) -> u64 {
        self.0.get()
    }

    /// Lets `ms` pass.
    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get().saturating_add(ms));
    }

    /// Sets the time (going back does not undo writes already made).
    pub fn set(&self, ms: u64) {
        self.0.set(ms);
    }
}

/// Which of the values a key may show a read sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Policy {
    /// The newest: a [`MemoryStore`] with a clock.
    Newest,
    /// The most stale allowed: the value of [`STALE_MS`] ago.
    #[default]
    Oldest,
    /// Any allowed one, drawn per key and read from this seed.
    Random(u64),
}

/// One write: the time, and what the key held after it (`None`: deleted).
#[derive(Debug, Clone)]
struct Version {
    at: u64,
    held: Option<Held>,
}

#[derive(Debug, Clone)]
struct Held {
    value: String,
    metadata: Option<serde_json::Value>,
}

/// Picks a version by the policy (with its random state).
#[derive(Debug, Default)]
struct Chooser {
    policy: Policy,
    rng: u64,
}

impl Chooser {
    fn set(&mut self, policy: Policy) {
        self.policy = policy;
        if let Policy::Random(seed) = policy {
            self.rng = if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            };
        }
    }

    /// What a read at `now` sees of a key written `versions` (in order).
    fn pick<'v>(&mut self, versions: &'v [Version], now: u64) -> Option<&'v Held> {
        // Versions written `STALE_MS` ago or earlier are settled; the last
        // of them (or "absent" before the first write) and every later
        // one are what the key held at some moment of the window.
        let settled = versions.partition_point(|v| v.at.saturating_add(STALE_MS) <= now);
        let before = settled
            .checked_sub(1)
            .and_then(|i| versions.get(i))
            .and_then(|v| v.held.as_ref());
        let later = &versions[settled..];
        let choices = later.len() + 1;
        let chosen = match self.policy {
            Policy::Newest => choices - 1,
            Policy::Oldest => 0,
            Policy::Random(_) => {
                // xorshift64: deterministic for a seed.
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 7;
                self.rng ^= self.rng << 17;
                (self.rng % choices as u64) as usize
            }
        };
        match chosen.checked_sub(1) {
            None => before,
            Some(i) => later.get(i).and_then(|v| v.held.as_ref()),
        }
    }
}

#[derive(Debug, Default)]
struct History {
    chooser: Chooser,
    writes: BTreeMap<String, Vec<Version>>,
}

/// A store with KV's staleness for native tests. Clones share everything.
#[derive(Debug, Clone, Default)]
pub struct StaleStore {
    newest: MemoryStore,
    clock: Clock,
    history: Rc<RefCell<History>>,
}

impl StaleStore {
    /// An empty store at time 0, reading as [`Policy::Oldest`].
    pub fn new() -> StaleStore {
        StaleStore::default()
    }

    /// An empty store on `clock` (shared: the test's time is the store's).
    pub fn with_clock(clock: Clock) -> StaleStore {
        StaleStore {
            clock,
            ..StaleStore::default()
        }
    }

    /// Which value reads see from now on.
    pub fn set_policy(&self, policy: Policy) {
        self.history.borrow_mut().chooser.set(policy);
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// The time, in milliseconds.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Lets `ms` pass.
    pub fn advance(&self, ms: u64) {
        self.clock.advance(ms);
    }

    /// Sets the time.
    pub fn set(&self, ms: u64) {
        self.clock.set(ms);
    }

    /// Makes every write to a key starting with `prefix` fail (as
    /// [`MemoryStore::fail_writes_to`]).
    pub fn fail_writes_to(&self, prefix: &str) {
        self.newest.fail_writes_to(prefix);
    }

    /// Makes every read and list fail too.
    pub fn fail_reads(&self) {
        self.newest.fail_reads();
    }

    /// Ends every injected failure.
    pub fn heal(&self) {
        self.newest.heal();
    }

    /// Operations so far.
    pub fn ops(&self) -> Ops {
        self.newest.ops()
    }

    /// Every key that exists now (newest), sorted.
    pub fn keys(&self) -> Vec<String> {
        self.newest.keys()
    }

    /// The newest value, without counting a read.
    pub fn peek(&self, key: &str) -> Option<String> {
        self.newest.peek(key)
    }

    /// The TTL a key was last put with.
    pub fn ttl_of(&self, key: &str) -> Option<u64> {
        self.newest.ttl_of(key)
    }

    /// What a read of `key` sees now, by the policy.
    fn seen(&self, key: &str) -> Option<String> {
        let now = self.now();
        let mut history = self.history.borrow_mut();
        let History { chooser, writes } = &mut *history;
        let versions = writes.get(key).map_or(&[][..], Vec::as_slice);
        chooser.pick(versions, now).map(|h| h.value.clone())
    }

    fn record(&self, key: &str, held: Option<Held>) {
        let at = self.now();
        self.history
            .borrow_mut()
            .writes
            .entry(key.to_string())
            .or_default()
            .push(Version { at, held });
    }
}

impl Store for StaleStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        // The newest store fails the read as told and counts it.
        self.newest.get(key).await?;
        Ok(self.seen(key))
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        let metadata = options.metadata.clone();
        self.newest.put(key, value, options).await?;
        let value = value.to_string();
        self.record(key, Some(Held { value, metadata }));
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        self.newest.begin_list()?;
        let now = self.now();
        let mut history = self.history.borrow_mut();
        let History { chooser, writes } = &mut *history;
        let keys = under(writes, prefix).filter_map(|(k, versions)| {
            chooser.pick(versions, now).map(|h| ListedKey {
                name: k.clone(),
                metadata: h.metadata.clone(),
            })
        });
        Ok(page(keys, cursor, limit))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.newest.delete(key).await?;
        self.record(key, None);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
