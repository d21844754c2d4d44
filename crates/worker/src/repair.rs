//! Keeping snapshots true to the events, within minutes, whatever KV's
//! eventual consistency does.
//!
//! KV is last-write-wins per key and a read elsewhere may be up to about
//! 60 s old, so a writer that read a stale snapshot can write it back
//! without a change made meanwhile (a withdrawal, say). Every change
//! therefore first writes a **mark** `mark/{not before}/{sid}` with
//! `not before` = now + [`SETTLE_MS`]: by then KV shows every event of the
//! writer (and of any writer it raced) to a listing. The cron (every
//! minute) lists the marks that are due, refolds each subscriber from its
//! events ([`rebuild`]), and deletes the marks. Bound: a withdrawal
//! answered 2xx at `t` is honoured by `/v1/check` everywhere by about
//! `t + 60 s (stale writers) + 75 s (settle) + 60 s (cron) + 60 s (KV)`,
//! under five minutes (ARCHITECTURE.md).
//!
//! So that an idle Worker costs no KV list operations (the free plan allows
//! 1,000 a day), a change also refreshes the `pulse` key when it is older
//! than [`PULSE_REFRESH_MS`], and the cron lists marks only in the few
//! minutes when marks a pulse covers fall due (about three runs after a
//! burst of changes), plus once an hour for marks a failed refold left.
//!
//! Retries after a failed snapshot write run after the response, with
//! backoff (KV allows about one write per second per key).

use std::collections::BTreeSet;
use std::future::Future;

use doi_core::time::{HOUR, SECOND};
use doi_core::{SubscriberId, Timestamp};

use crate::ctx::{Ctx, Net, Task};
use crate::http::ApiError;
use crate::keys;
use crate::store::{PutOptions, Store, StoreError, MAX_LIST};
use crate::subscribers::rebuild;

/// How long after a change its subscriber is refolded: KV's 60 s, plus
/// time for the request (and any it raced) to finish writing.
pub const SETTLE_MS: u64 = 75 * SECOND;
/// A mark nobody processed is dropped by KV after this (a week).
pub const MARK_TTL_SECS: u64 = 7 * 24 * 3600;
/// The pulse is rewritten when it is older than this: a change is at most
/// this much later than the pulse it found.
pub const PULSE_REFRESH_MS: u64 = 60 * SECOND;
/// The cron lists marks while `pulse + SETTLE_MS ≤ now ≤ pulse +` this: the
/// last mark a pulse covers is due by `pulse + PULSE_REFRESH_MS + SETTLE_MS`,
/// and the cron runs every minute (plus a margin).
pub const PULSE_WINDOW_MS: u64 = PULSE_REFRESH_MS + SETTLE_MS + 90 * SECOND;

/// Waits before each retry of a snapshot write, in milliseconds.
pub const BACKOFF_MS: [u64; 3] = [1_000, 2_000, 4_000];

/// KV operations one run may use: a Worker may do 1,000 per invocation,
/// and a run of 900 took 6.7 ms of CPU as wasm (`cargo xtask bench --only
/// wasm`); at 500 one stays below 5 ms of the free plan's 10.
pub const BUDGET: usize = 500;

/// Writes the repair mark for a change to `sid` (and refreshes the pulse
/// when it is old). Fails the request when it cannot be written: a change
/// that might be lost to a stale writer must not be claimed.
pub async fn mark<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sid: &SubscriberId,
    withdrawal: bool,
) -> Result<(), ApiError> {
    let key = keys::mark(sid, ctx.now.plus(SETTLE_MS), &ctx.fresh_id(), withdrawal);
    let options = PutOptions {
        ttl_secs: Some(MARK_TTL_SECS),
        metadata: None,
    };
    let marked = ctx.store.put(&key, "", options).await;
    if let Err(e) = marked {
        ctx.log(format!(
            "repair mark write failed for subscriber {sid}: {e}"
        ));
        return Err(ApiError::StorageUnavailable);
    }
    if ctx.pulse_checked() {
        return Ok(());
    }
    let pulse = ctx.store.get(keys::PULSE).await.ok().flatten();
    let fresh = pulse
        .and_then(|p| p.trim().parse::<u64>().ok())
        .is_some_and(|p| p + PULSE_REFRESH_MS > ctx.now.millis());
    if !fresh {
        // A failed pulse write means another request just wrote it (KV takes
        // one write per key per second) or KV is failing, which the mark's
        // own write already ruled out: never fail the change for it.
        let now = ctx.now.millis().to_string();
        if let Err(e) = ctx
            .store
            .put(keys::PULSE, &now, PutOptions::default())
            .await
        {
            ctx.log(format!("pulse write failed: {e}"));
        }
    }
    Ok(())
}

/// Runs a background task; returns the lines to log.
pub async fn run<S, F>(store: &S, task: Task, sleep: impl Fn(u64) -> F) -> Vec<String>
where
    S: Store,
    F: Future<Output = ()>,
{
    match task {
        Task::RebuildSnapshot(sid) => {
            for (attempt, wait) in BACKOFF_MS.iter().enumerate() {
                sleep(*wait).await;
                if rebuild(store, sid).await.is_ok() {
                    return vec![format!(
                        "snapshot of subscriber {sid} rebuilt on retry {}",
                        attempt + 1
                    )];
                }
            }
            vec![format!(
                "snapshot of subscriber {sid} still stale after {} retries; its repair mark will rebuild it",
                BACKOFF_MS.len()
            )]
        }
        // Needs the network: the Worker runs it with `hosted::manage::run`.
        Task::SendManageLink { .. } => Vec::new(),
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Whether the pulse said there was anything to look at.
    pub looked: bool,
    /// Subscribers refolded.
    pub subscribers: usize,
    /// Snapshots rewritten.
    pub repaired: usize,
    /// Refolds that failed (their marks stay for the next run).
    pub failed: usize,
    /// KV operations used (approximately, as KV bills them).
    pub operations: usize,
    /// Whether every due mark was handled within the budget.
    pub complete: bool,
}

/// Refolds every subscriber whose mark is due at `now`, withdrawals' first,
/// then deletes the marks. Stops once fewer than [`LARGEST_REFOLD`]
/// operations of `budget` are left (each refold is counted as it goes: a
/// long log costs one list per 1,000 events and one bulk read per 100);
/// what is left stays due, and the pulse is kept open for the next run.
pub async fn sweep<S: Store>(
    store: &S,
    now: Timestamp,
    budget: usize,
) -> Result<Sweep, StoreError> {
    let store = Counting::new(store.clone());
    let mut s = Sweep {
        complete: true,
        ..Sweep::default()
    };
    let pulse = store.get(keys::PULSE).await?;
    let due = pulse
        .and_then(|p| p.trim().parse::<u64>().ok())
        .is_some_and(|p| (p + SETTLE_MS..=p + PULSE_WINDOW_MS).contains(&now.millis()));
    // Once an hour regardless: marks a failed refold left behind.
    let hourly = now.millis() % HOUR < 60 * SECOND;
    if !due && !hourly {
        s.operations = store.used();
        return Ok(s);
    }
    s.looked = true;
    let mut marks: Vec<(String, SubscriberId)> = Vec::new();
    let mut cursor: Option<String> = None;
    'listing: loop {
        let page = store.list(keys::MARKS, cursor.as_deref(), MAX_LIST).await?;
        for k in page.keys {
            match keys::parse_mark(&k.name) {
                // Withdrawals' marks come first; past the due ones, go on
                // to the others'.
                Some((true, at, _)) if at > now => continue,
                Some((false, at, _)) if at > now => break 'listing,
                Some((_, _, sid)) => marks.push((k.name, sid)),
                None => marks.push((k.name, SubscriberId([0; 16]))),
            }
        }
        match page.cursor {
            Some(c) if store.used() < budget / 4 => cursor = Some(c),
            Some(_) => {
                s.complete = false;
                break;
            }
            None => break,
        }
    }
    let mut done: BTreeSet<SubscriberId> = BTreeSet::new();
    for (key, sid) in marks {
        if store.used() + LARGEST_REFOLD > budget {
            s.complete = false;
            break;
        }
        if sid != SubscriberId([0; 16]) && done.insert(sid) {
            s.subscribers += 1;
            match rebuild(&store, sid).await {
                Ok(true) => s.repaired += 1,
                Ok(false) => {}
                Err(_) => {
                    s.failed += 1;
                    done.remove(&sid);
                    continue;
                }
            }
        }
        store.delete(&key).await?;
    }
    if !s.complete {
        // Keep the window open: the next run (a minute on) lists again.
        let open = now.millis().saturating_sub(SETTLE_MS).to_string();
        store.put(keys::PULSE, &open, PutOptions::default()).await?;
    }
    s.operations = store.used();
    Ok(s)
}

/// KV operations one refold may take that a run keeps in hand: a log of up
/// to about 10,000 events (10 lists, 100 bulk reads, a few more).
pub const LARGEST_REFOLD: usize = 120;

/// A store that counts the operations made through it, as KV bills them (a
/// bulk read of up to 100 keys is one).
#[derive(Clone)]
struct Counting<S> {
    inner: S,
    used: std::rc::Rc<std::cell::Cell<usize>>,
}

impl<S: Store> Counting<S> {
    fn new(inner: S) -> Self {
        Counting {
            inner,
            used: Default::default(),
        }
    }

    fn used(&self) -> usize {
        self.used.get()
    }

    fn count(&self, n: usize) {
        self.used.set(self.used.get() + n);
    }
}

impl<S: Store> Store for Counting<S> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.count(1);
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.count(keys.len().div_ceil(100).max(1));
        self.inner.get_many(keys).await
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        self.count(1);
        self.inner.put(key, value, options).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::store::Listed, StoreError> {
        self.count(1);
        self.inner.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.count(1);
        self.inner.delete(key).await
    }
}
