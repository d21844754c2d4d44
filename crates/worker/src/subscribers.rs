//! A subscriber's log in KV: reading it, appending an event, and keeping the
//! derived snapshot.
//!
//! The truth is the events: each is written once, to its own key
//! (`ev/{sid}/{event}`), before anything reports it as done. The snapshot
//! (`snap/{sid}`) holds the address, the folded state and a copy of the
//! sealed events; it is what batch reads (`/v1/check`, export) use and it is
//! always rebuildable from the events. The address a signup brings is also
//! put in its event's KV metadata (`{"a": address}`: a value, never a key,
//! and outside the hashed bytes), so it is durable with the event even if
//! every snapshot write fails. A failed snapshot write is retried after the
//! response and repaired by the cron; it never fails a request whose event
//! was written.

use std::collections::BTreeSet;

use doi_core::ledger::{heads, open, seal};
use doi_core::{
    fold, Email, Event, EventId, EventKind, LoggedEvent, SubscriberId, SubscriberState,
};
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Net, Task};
use crate::http::ApiError;
use crate::keys;
use crate::store::{list_all, PutOptions, Store, StoreError};

/// What `snap/{sid}` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The normalised address, until erasure.
    #[serde(default)]
    pub email: Option<Email>,
    /// The folded state.
    #[serde(default)]
    pub state: SubscriberState,
    /// The sealed events the state was folded from, as stored.
    #[serde(default)]
    pub log: Vec<String>,
}

impl Snapshot {
    /// Reads a stored snapshot; an unreadable one counts as absent (the
    /// events are the truth and the cron rewrites it).
    pub fn parse(text: &str) -> Option<Snapshot> {
        serde_json::from_str(text).ok()
    }

    /// The metadata stored beside it: the number of events, so the cron can
    /// spot a stale snapshot from a listing alone.
    pub fn metadata(&self) -> serde_json::Value {
        serde_json::json!({ "n": self.log.len() })
    }
}

/// A subscriber's log as read before a change.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Whose.
    pub sid: SubscriberId,
    /// The address, if known.
    pub email: Option<Email>,
    /// The sealed events, as stored.
    pub raw: Vec<String>,
    /// The events.
    pub log: Vec<LoggedEvent>,
    /// Their fold.
    pub state: SubscriberState,
}

impl Subscriber {
    /// Whether any event was ever recorded.
    pub fn exists(&self) -> bool {
        !self.log.is_empty()
    }
}

/// What to do with the stored address when appending.
#[derive(Debug, Clone)]
pub enum Address {
    /// Keep what the snapshot has.
    Keep,
    /// Store this one (a signup brings it).
    Set(Email),
}

/// Reads the snapshot alone (one KV read): enough to show a page.
pub async fn read_snapshot<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<Option<Snapshot>, StoreError> {
    Ok(store
        .get(&keys::snapshot(sid))
        .await?
        .as_deref()
        .and_then(Snapshot::parse))
}

/// Reads the whole log: the snapshot, the `ev/` listing, and any event the
/// snapshot does not already hold. Costs 1 read + 1 list (+ 1 bulk read
/// when the snapshot lacks some events, usually not).
pub async fn load<S: Store>(store: &S, sid: SubscriberId) -> Result<Subscriber, StoreError> {
    let snapshot = read_snapshot(store, &sid).await?.unwrap_or_default();
    let mut sub = from_snapshot(sid, Some(snapshot));
    catch_up(store, &mut sub).await?;
    Ok(sub)
}

/// Adds the events listed under `ev/{sid}/` that `sub` does not hold yet
/// (one list, plus one bulk read when some are missing) and refolds.
async fn catch_up<S: Store>(store: &S, sub: &mut Subscriber) -> Result<(), StoreError> {
    let listed = list_all(store, &keys::events_of(&sub.sid)).await?;
    let recovered = listed.iter().rev().find_map(|k| {
        let address = k.metadata.as_ref()?.get(ADDRESS)?.as_str()?;
        Email::parse(address).ok()
    });
    let known: BTreeSet<EventId> = sub.log.iter().map(|e| e.event.id.clone()).collect();
    let missing: Vec<String> = listed
        .iter()
        .filter(|k| keys::event_id_of(&k.name).is_none_or(|id| !known.contains(&id)))
        .map(|k| k.name.clone())
        .collect();
    if !missing.is_empty() {
        for text in store.get_many(&missing).await?.into_iter().flatten() {
            push(sub, text);
        }
        sub.state = fold(&sub.log);
    }
    // The snapshot lost the address (all its writes failed): take it from
    // the signup event's metadata. Never after an erasure: a listing may
    // still show deleted events for a while.
    if sub.email.is_none() && !sub.state.erased {
        sub.email = recovered;
    }
    Ok(())
}

/// The metadata field of an event key that holds the signup's address.
const ADDRESS: &str = "a";

/// Adds one sealed event to `sub` unless unreadable, foreign or known.
fn push(sub: &mut Subscriber, text: String) {
    if let Ok(e) = open(text.as_bytes()) {
        let known = sub.log.iter().any(|l| l.event.id == e.event.id);
        if e.event.subscriber == sub.sid && !known {
            sub.log.push(e);
            sub.raw.push(text);
        }
    }
}

/// Writes event `id` with `kind` after everything in `sub`, then the new
/// snapshot. Returns the new state. The event write failing is a 503; the
/// snapshot write failing only queues a rebuild. After the snapshot is
/// written the log is listed again (one more list operation), so a request
/// racing this one cannot have its event hidden by our snapshot.
pub async fn append<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
    id: EventId,
    kind: EventKind,
    address: Address,
) -> Result<SubscriberState, ApiError> {
    write(ctx, sub, id, kind, address, true).await
}

/// [`append`] without listing again, for batch calls (import,
/// suppressions) that cannot afford a list per address; a raced snapshot
/// is then left for the retries and the cron.
pub async fn append_batched<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
    id: EventId,
    kind: EventKind,
    address: Address,
) -> Result<SubscriberState, ApiError> {
    write(ctx, sub, id, kind, address, false).await
}

async fn write<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
    id: EventId,
    kind: EventKind,
    address: Address,
    recheck: bool,
) -> Result<SubscriberState, ApiError> {
    let event = Event {
        id: id.clone(),
        at: ctx.now,
        subscriber: sub.sid,
        parents: heads(&sub.log),
        kind,
    };
    let (hash, bytes) = seal(&event);
    let text = String::from_utf8(bytes).map_err(|_| ApiError::StorageUnavailable)?;
    let options = PutOptions {
        ttl_secs: None,
        metadata: match &address {
            Address::Set(e) => Some(serde_json::json!({ ADDRESS: e.as_str() })),
            Address::Keep => None,
        },
    };
    if let Err(e) = ctx
        .store
        .put(&keys::event(&sub.sid, &id), &text, options)
        .await
    {
        ctx.log(format!(
            "event write failed for subscriber {}: {e}",
            sub.sid
        ));
        return Err(ApiError::StorageUnavailable);
    }
    let mut after = sub.clone();
    after.log.push(LoggedEvent { hash, event });
    after.raw.push(text);
    let email = match address {
        Address::Set(e) => Some(e),
        Address::Keep => sub.email.clone(),
    };
    // Another request may have written an event for this subscriber since
    // we read the log (a one-click racing a preference save) and its
    // snapshot before ours. So list the log again *after* writing: a writer
    // whose last snapshot write is followed by a listing with nothing new
    // wrote every event, whichever request writes last (tests/races.rs).
    // Something new: fold it in and write again; a few rounds, then the
    // retries after the response take over.
    for round in 1.. {
        let snapshot = Snapshot {
            email: email.clone(),
            state: fold(&after.log),
            log: after.raw.clone(),
        };
        if !write_snapshot(ctx, &sub.sid, &snapshot).await || !recheck {
            break;
        }
        let known = after.log.len();
        if let Err(e) = catch_up(&ctx.store, &mut after).await {
            ctx.log(format!(
                "re-reading the log of subscriber {} failed: {e}",
                sub.sid
            ));
            ctx.defer(Task::RebuildSnapshot(sub.sid));
            break;
        }
        if after.log.len() == known {
            break;
        }
        if round == SNAPSHOT_ROUNDS {
            ctx.defer(Task::RebuildSnapshot(sub.sid));
            break;
        }
    }
    Ok(fold(&after.log))
}

/// Snapshot writes one change may make while racing others.
const SNAPSHOT_ROUNDS: usize = 3;

/// Erases a subscriber: writes an `Erased` event that starts a new log,
/// deletes every older event (they hold evidence: page, browser), and
/// writes a snapshot without the address. The subscriber id stays, so the
/// address stays suppressed. Any failure is a 503 and a retry finishes it.
pub async fn erase<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
) -> Result<SubscriberState, ApiError> {
    let id = ctx.fresh_id();
    let event = Event {
        id: id.clone(),
        at: ctx.now,
        subscriber: sub.sid,
        parents: Vec::new(),
        kind: EventKind::Erased,
    };
    let (hash, bytes) = seal(&event);
    let text = String::from_utf8(bytes).map_err(|_| ApiError::StorageUnavailable)?;
    ctx.store
        .put(&keys::event(&sub.sid, &id), &text, PutOptions::default())
        .await?;
    let log = vec![LoggedEvent { hash, event }];
    let state = fold(&log);
    let snapshot = Snapshot {
        email: None,
        state: state.clone(),
        log: vec![text],
    };
    // The address must go now, not eventually: this write is not optional.
    put_snapshot(&ctx.store, &sub.sid, &snapshot).await?;
    for old in list_all(&ctx.store, &keys::events_of(&sub.sid)).await? {
        if keys::event_id_of(&old.name).as_ref() != Some(&id) {
            ctx.store.delete(&old.name).await?;
        }
    }
    Ok(state)
}

async fn put_snapshot<S: Store>(
    store: &S,
    sid: &SubscriberId,
    snapshot: &Snapshot,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(snapshot).map_err(|e| StoreError(e.to_string()))?;
    store
        .put(
            &keys::snapshot(sid),
            &text,
            PutOptions {
                ttl_secs: None,
                metadata: Some(snapshot.metadata()),
            },
        )
        .await
}

/// Writes the snapshot; `false` (and a rebuild queued) if that failed.
async fn write_snapshot<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sid: &SubscriberId,
    snapshot: &Snapshot,
) -> bool {
    if let Err(e) = put_snapshot(&ctx.store, sid, snapshot).await {
        ctx.log(format!(
            "snapshot write failed for subscriber {sid} ({e}); retrying after the response"
        ));
        ctx.defer(Task::RebuildSnapshot(*sid));
        return false;
    }
    true
}

/// Rebuilds `snap/{sid}` from the events (keeping the stored address).
pub async fn rebuild<S: Store>(store: &S, sid: SubscriberId) -> Result<(), StoreError> {
    let sub = load(store, sid).await?;
    if !sub.exists() {
        return Ok(());
    }
    let snapshot = Snapshot {
        email: sub.email,
        state: sub.state,
        log: sub.raw,
    };
    put_snapshot(store, &sid, &snapshot).await
}

/// A subscriber as their snapshot knows them, without listing `ev/`: for
/// batch writes (import, suppressions), where a list per address would
/// exceed a Worker's KV operations. A stale snapshot only means the new
/// event forks the log, which the fold joins; the cron rebuilds the snapshot.
pub fn from_snapshot(sid: SubscriberId, snapshot: Option<Snapshot>) -> Subscriber {
    let snapshot = snapshot.unwrap_or_default();
    let mut sub = Subscriber {
        sid,
        email: snapshot.email,
        raw: Vec::new(),
        log: Vec::new(),
        state: SubscriberState::default(),
    };
    for text in snapshot.log {
        push(&mut sub, text);
    }
    sub.state = fold(&sub.log);
    sub
}

/// The snapshots of several subscribers (bulk reads).
pub async fn read_snapshots<S: Store>(
    store: &S,
    sids: &[SubscriberId],
) -> Result<Vec<Option<Snapshot>>, StoreError> {
    let wanted: Vec<String> = sids.iter().map(keys::snapshot).collect();
    Ok(store
        .get_many(&wanted)
        .await?
        .into_iter()
        .map(|v| v.as_deref().and_then(Snapshot::parse))
        .collect())
}
