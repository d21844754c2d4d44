//! Keeping snapshots true to the events: retries after a failed snapshot
//! write (run after the response, with backoff: KV allows about one write
//! per second per key) and the scheduled sweep that rebuilds any snapshot
//! the retries could not.
//!
//! The sweep lists every `ev/` key (one list operation per 1,000 events)
//! and every `snap/` key with its metadata (the number of events it was
//! folded from; one list per 1,000 subscribers), and rebuilds each snapshot
//! whose count differs from its events' or that is missing: about four
//! operations per repair (read the snapshot, list the events, one bulk read
//! of those the snapshot lacks, write). It stops before `budget` operations.

use std::collections::BTreeMap;
use std::future::Future;

use doi_core::SubscriberId;

use crate::ctx::Task;
use crate::keys;
use crate::store::{Store, StoreError, MAX_LIST};
use crate::subscribers::rebuild;

/// Waits before each retry of a snapshot write, in milliseconds.
pub const BACKOFF_MS: [u64; 3] = [1_000, 2_000, 4_000];

/// KV operations one sweep may use (a Worker may do 1,000 per invocation).
pub const SWEEP_BUDGET: usize = 900;

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
                "snapshot of subscriber {sid} still stale after {} retries; the cron will rebuild it",
                BACKOFF_MS.len()
            )]
        }
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Subscribers with events.
    pub subscribers: usize,
    /// Snapshots rebuilt.
    pub repaired: usize,
    /// Rebuilds that failed (tried again next time).
    pub failed: usize,
    /// KV operations used (approximately, as KV bills them).
    pub operations: usize,
    /// Whether every stale snapshot was handled within the budget.
    pub complete: bool,
}

/// Rebuilds every snapshot that does not match its events.
pub async fn sweep<S: Store>(store: &S, budget: usize) -> Result<Sweep, StoreError> {
    let mut s = Sweep {
        complete: true,
        ..Sweep::default()
    };
    let mut events: BTreeMap<SubscriberId, usize> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .list(keys::EVENTS, cursor.as_deref(), MAX_LIST)
            .await?;
        s.operations += 1;
        for k in &page.keys {
            if let Some(sid) = keys::subscriber_of(&k.name) {
                *events.entry(sid).or_default() += 1;
            }
        }
        match page.cursor {
            Some(c) if s.operations < budget => cursor = Some(c),
            Some(_) => {
                return Ok(Sweep {
                    complete: false,
                    ..s
                })
            }
            None => break,
        }
    }
    let mut folded: BTreeMap<SubscriberId, usize> = BTreeMap::new();
    cursor = None;
    loop {
        let page = store
            .list(keys::SNAPSHOTS, cursor.as_deref(), MAX_LIST)
            .await?;
        s.operations += 1;
        for k in &page.keys {
            let n = k
                .metadata
                .as_ref()
                .and_then(|m| m.get("n"))
                .and_then(|n| n.as_u64());
            if let (Some(sid), Some(n)) = (keys::subscriber_of(&k.name), n) {
                folded.insert(sid, n as usize);
            }
        }
        match page.cursor {
            Some(c) if s.operations < budget => cursor = Some(c),
            Some(_) => {
                return Ok(Sweep {
                    complete: false,
                    ..s
                })
            }
            None => break,
        }
    }
    s.subscribers = events.len();
    for (sid, n) in events {
        if folded.get(&sid) == Some(&n) {
            continue;
        }
        if s.operations + 4 > budget {
            s.complete = false;
            break;
        }
        s.operations += 4;
        match rebuild(store, sid).await {
            Ok(()) => s.repaired += 1,
            Err(_) => s.failed += 1,
        }
    }
    Ok(s)
}
