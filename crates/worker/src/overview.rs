//! The console's overview, recounted by the cron: each scheduled run (and
//! a sender's "recount now") lists a page of [`PAGE`] `snap/` keys, whose
//! metadata carries each subscriber's summary, folds them into the pass's
//! counts ([`doi_core::console::rollup`]) and stores the pass in one KV
//! value, [`KEY`]. Per run: 1 read, 1 list per page, 1 write — no write on
//! any hot path, and a console view is that one read.
//!
//! Snapshots written before summaries existed (or whose summary could not
//! fit KV's 1,024 bytes of metadata) carry none: up to
//! [`UNSUMMARISED_READS`] of them per page are read and summarised here
//! (bulk reads of 100); any more are counted as "not yet summarised", and
//! the overview says how many. Each gets its summary at its next write.

use doi_core::console::pass::Overview;
use doi_core::console::summary::{summarise, Summary};
use doi_core::{Config, SubscriberId, Timestamp};

use crate::keys;
use crate::store::{ListedKey, PutOptions, Store, StoreError};
use crate::subscribers::{read_snapshots, SUMMARY};

/// The KV key of the overview (the last finished pass and the one under way).
pub const KEY: &str = "console/overview";

/// Snapshots without a summary one page reads (two bulk reads).
pub const UNSUMMARISED_READS: usize = 200;

/// Keys one run lists and counts: a page of 1,000 summaries took 7.0 ms of
/// CPU as wasm (`bench/wasm-cpu`, 2026-12-02), too close to the free
/// plan's 10 ms; 500 keep a run near 3.5 ms.
pub const PAGE: usize = 500;

/// Pages a "recount now" counts within one request (the cron goes on
/// with the rest): one, within the same CPU as a cron run.
pub const RECOUNT_PAGES: usize = 1;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Run {
    /// Whether a pass was due (else nothing but the read happened).
    pub looked: bool,
    /// Pages of `snap/` counted.
    pub pages: usize,
    /// Subscribers counted.
    pub counted: usize,
    /// Whether the pass finished (the overview now shows it).
    pub finished: bool,
}

/// The stored overview (one read); an unreadable one counts as none, and
/// the next pass writes it again.
pub async fn load<S: Store>(store: &S) -> Result<Overview, StoreError> {
    let stored = store.get(KEY).await?;
    // Derived data only: an unreadable value is recounted from scratch.
    let none = Overview {
        done: None,
        pass: None,
    };
    Ok(stored
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(none))
}

/// The scheduled run's share: one page when a recount is due, unless the
/// repair sweep refolded subscribers in this run (`busy`: the page waits a
/// minute rather than share the run's CPU). Returns the line to log.
pub async fn scheduled<S: Store>(store: &S, now: Timestamp, busy: bool) -> Option<String> {
    if busy {
        return None;
    }
    let config = crate::config().ok()?;
    match run(store, config, now, 1, false).await {
        Ok(r) if !r.looked => None,
        Ok(r) => Some(format!(
            "overview: {} subscribers counted{}",
            r.counted,
            if r.finished {
                ", pass finished"
            } else {
                "; more next time"
            }
        )),
        Err(e) => Some(format!("overview recount failed: {e}")),
    }
}

/// Counts up to `pages` pages of the pass under way, or of a new one when
/// one is due (always a new one when `fresh`), and stores it.
pub async fn run<S: Store>(
    store: &S,
    config: &Config,
    now: Timestamp,
    pages: usize,
    fresh: bool,
) -> Result<Run, StoreError> {
    let mut overview = load(store).await?;
    let mut run = Run::default();
    if !fresh && !overview.due(now) {
        return Ok(run);
    }
    run.looked = true;
    let mut pass = overview.take_pass(config, now, fresh);
    loop {
        let listed = match store
            .list(keys::SNAPSHOTS, pass.cursor.as_deref(), PAGE)
            .await
        {
            Ok(l) => l,
            // A cursor KV no longer takes: begin the pass again next run.
            Err(_) if pass.cursor.is_some() => {
                overview.pass = None;
                break;
            }
            Err(e) => return Err(e),
        };
        run.counted += listed.keys.len();
        count_page(store, &mut pass.rollup, listed.keys).await?;
        run.pages += 1;
        match listed.cursor {
            None => {
                overview.after_page(pass, None, now);
                run.finished = true;
                break;
            }
            Some(c) if run.pages >= pages => {
                overview.after_page(pass, Some(c), now);
                break;
            }
            Some(c) => {
                pass.pages += 1;
                pass.cursor = Some(c);
            }
        }
    }
    let text = serde_json::to_string(&overview).map_err(|e| StoreError(e.to_string()))?;
    store.put(KEY, &text, PutOptions::default()).await?;
    Ok(run)
}

/// Adds one listing page to `rollup`: each key's summary from its
/// metadata, or from the snapshot itself for the first
/// [`UNSUMMARISED_READS`] keys without one.
async fn count_page<S: Store>(
    store: &S,
    rollup: &mut doi_core::console::rollup::Rollup,
    keys: Vec<ListedKey>,
) -> Result<(), StoreError> {
    let mut missing: Vec<SubscriberId> = Vec::new();
    for k in keys {
        let Some(sid) = keys::subscriber_of(&k.name) else {
            continue;
        };
        let summary = k
            .metadata
            .as_ref()
            .and_then(|m| m.get(SUMMARY)?.as_str())
            .and_then(|text| serde_json::from_str::<Summary>(text).ok());
        match summary {
            Some(s) => rollup.add(sid, Some(&s)),
            None if missing.len() < UNSUMMARISED_READS => missing.push(sid),
            None => rollup.add(sid, None),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let snapshots = read_snapshots(store, &missing).await?;
    for (sid, snapshot) in missing.into_iter().zip(snapshots) {
        let summary = snapshot.map(|s| summarise(&s.state));
        rollup.add(sid, summary.as_ref());
    }
    Ok(())
}
