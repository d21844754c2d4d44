//! A subscriber's log in KV: reading it, appending an event, and keeping the
//! derived snapshot.
//!
//! The truth is the events: each is written once, to its own key
//! (`ev/{sid}/{event}`), before anything reports it as done. The snapshot
//! (`snap/{sid}`) holds the address, the folded state (with its heads), the
//! ids of the events folded in the last few minutes and a digest of every id
//! folded — never copies of the events, so its size does not grow with the
//! log. A change is applied to the snapshot's state without reading the log
//! ([`doi_core::SubscriberState::extend`]); a reader that needs the whole
//! truth (a grant, the repair) lists `ev/{sid}/` and refolds only when the
//! listing names an event the digest does not cover.
//!
//! Every change first writes a repair mark (see [`crate::repair`]): KV is
//! eventually consistent, so a writer elsewhere that read a stale snapshot
//! may write it back without this change; the mark makes the repair refold
//! this subscriber from the events once KV has settled.
//!
//! The address a signup brings is also put in its event's KV metadata
//! (`{"a": address}`: a value, never a key, outside the hashed bytes), so it
//! is as durable as the consent even if every snapshot write fails.

use std::collections::BTreeSet;

use doi_core::ledger::{open, seal};
use doi_core::time::SECOND;
use doi_core::{
    fold, Email, Event, EventId, EventKind, LoggedEvent, SubscriberId, SubscriberState, Timestamp,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ctx::{Ctx, Net, Task};
use crate::http::ApiError;
use crate::keys;
use crate::repair;
use crate::store::{list_all, PutOptions, Store, StoreError};

/// How long an event's id stays in the snapshot's `recent` list: far longer
/// than KV takes to show a new key in a listing (about 60 s).
pub const RECENT_MS: u64 = 300 * SECOND;

/// An event folded in the last [`RECENT_MS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    /// Its id.
    pub id: EventId,
    /// Its time.
    pub at: Timestamp,
}

/// What `snap/{sid}` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The normalised address, until erasure.
    #[serde(default)]
    pub email: Option<Email>,
    /// The folded state (with the heads a new event names as parents).
    #[serde(default)]
    pub state: SubscriberState,
    /// Events folded recently, which a listing may not show yet.
    #[serde(default)]
    pub recent: Vec<Recent>,
    /// XOR of a hash of every event id folded (hex): tells whether a
    /// listing names exactly the events the state covers.
    #[serde(default)]
    pub digest: String,
}

impl Snapshot {
    /// Reads a stored snapshot; an unreadable one counts as absent (the
    /// events are the truth and the repair rewrites it).
    pub fn parse(text: &str) -> Option<Snapshot> {
        serde_json::from_str(text).ok()
    }

    /// The metadata stored beside it: the number of events folded.
    pub fn metadata(&self) -> serde_json::Value {
        serde_json::json!({ "n": self.state.events })
    }
}

/// A subscriber as read before a change.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Whose.
    pub sid: SubscriberId,
    /// The address, if known.
    pub email: Option<Email>,
    /// The folded state.
    pub state: SubscriberState,
    /// Events folded recently.
    pub recent: Vec<Recent>,
    /// Digest of every event id folded.
    pub digest: u64,
}

impl Subscriber {
    /// Whether any event was ever recorded.
    pub fn exists(&self) -> bool {
        self.state.events > 0
    }

    fn from_snapshot(sid: SubscriberId, snapshot: Snapshot) -> Subscriber {
        Subscriber {
            sid,
            email: snapshot.email,
            state: snapshot.state,
            recent: snapshot.recent,
            digest: u64::from_str_radix(&snapshot.digest, 16).unwrap_or(0),
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            email: if self.state.erased {
                None
            } else {
                self.email.clone()
            },
            state: self.state.clone(),
            recent: self.recent.clone(),
            digest: format!("{:016x}", self.digest),
        }
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

/// The part of the digest one event id contributes.
fn id_digest(id: &EventId) -> u64 {
    let h = Sha256::digest(id.as_str().as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    u64::from_le_bytes(b)
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

/// A subscriber as their snapshot knows them, without listing: what a
/// withdrawal writes on top of (it must not wait on anything that grows
/// with the log) and what batch calls use.
pub fn from_snapshot(sid: SubscriberId, snapshot: Option<Snapshot>) -> Subscriber {
    // Not an error hidden: no snapshot is a subscriber with no events yet,
    // and a withdrawal for them must still be written (it suppresses).
    #[allow(clippy::disallowed_methods, reason = "no snapshot is an empty one")]
    let snapshot = snapshot.unwrap_or_default();
    Subscriber::from_snapshot(sid, snapshot)
}

/// What a change is written on top of: the snapshot alone (one read,
/// however long the log; none yet: nothing). Never a listing: a change
/// written on a stale view is safe, because the fold lets a grant lift only
/// withdrawals its writer saw, and a stale snapshot it writes back is
/// refolded by the repair its mark asks for.
pub async fn before_change<S: Store>(
    store: &S,
    sid: SubscriberId,
) -> Result<Subscriber, StoreError> {
    Ok(from_snapshot(sid, read_snapshot(store, &sid).await?))
}

/// Reads the whole truth: the snapshot and the `ev/{sid}/` listing. When the
/// listing names exactly what the snapshot folded, that is it (1 read + 1
/// list per 1,000 events); otherwise every event is read (one bulk read per
/// 100) and folded again.
pub async fn load<S: Store>(store: &S, sid: SubscriberId) -> Result<Subscriber, StoreError> {
    Ok(load_beside(store, sid).await?.0)
}

/// [`load`], with the snapshot as stored.
async fn load_beside<S: Store>(
    store: &S,
    sid: SubscriberId,
) -> Result<(Subscriber, Option<Snapshot>), StoreError> {
    let stored = read_snapshot(store, &sid).await?;
    let mut sub = from_snapshot(sid, stored.clone());
    let listed = list_all(store, &keys::events_of(&sid)).await?;
    let recovered = listed.iter().rev().find_map(|k| {
        let address = k.metadata.as_ref()?.get(ADDRESS)?.as_str()?;
        Email::parse(address).ok()
    });
    let mut ids: BTreeSet<EventId> = listed
        .iter()
        .filter_map(|k| keys::event_id_of(&k.name))
        .collect();
    ids.extend(sub.recent.iter().map(|r| r.id.clone()));
    let digest = ids.iter().fold(0, |d, id| d ^ id_digest(id));
    if digest != sub.digest || (sub.state.events == 0 && !ids.is_empty()) {
        refold(store, &mut sub, &ids).await?;
    }
    // The snapshot lost the address (all its writes failed): take it from
    // the signup event's metadata. Never after an erasure.
    if sub.email.is_none() && !sub.state.erased {
        sub.email = recovered;
    }
    Ok((sub, stored))
}

/// Every stored event of `sid`, oldest first, with its bytes exactly as
/// stored (a listing, then one bulk read per 100 events). Unreadable or
/// foreign entries are left out.
pub async fn read_log<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<Vec<(LoggedEvent, String)>, StoreError> {
    let names: Vec<String> = list_all(store, &keys::events_of(sid))
        .await?
        .into_iter()
        .map(|k| k.name)
        .collect();
    read_events(store, sid, &names).await
}

async fn read_events<S: Store>(
    store: &S,
    sid: &SubscriberId,
    names: &[String],
) -> Result<Vec<(LoggedEvent, String)>, StoreError> {
    let mut log = Vec::with_capacity(names.len());
    for chunk in names.chunks(100) {
        for text in store.get_many(chunk).await?.into_iter().flatten() {
            if let Ok(e) = open(text.as_bytes()) {
                if e.event.subscriber == *sid {
                    log.push((e, text));
                }
            }
        }
    }
    log.sort_by(|(a, _), (b, _)| (a.event.at, &a.event.id).cmp(&(b.event.at, &b.event.id)));
    Ok(log)
}

/// Reads the events `ids` and folds them. After an erasure only the
/// erasure and what was written on top of it count: anything older that a
/// listing still showed is left for [`erase_leftovers`].
async fn refold<S: Store>(
    store: &S,
    sub: &mut Subscriber,
    ids: &BTreeSet<EventId>,
) -> Result<(), StoreError> {
    let names: Vec<String> = ids.iter().map(|id| keys::event(&sub.sid, id)).collect();
    let log = read_events(store, &sub.sid, &names).await?;
    fold_into(sub, log.into_iter().map(|(e, _)| e).collect());
    Ok(())
}

/// Folds `log` into `sub`: state, digest, recent ids.
fn fold_into(sub: &mut Subscriber, log: Vec<LoggedEvent>) {
    let log = since_erasure(log);
    sub.digest = log.iter().fold(0, |d, e| d ^ id_digest(&e.event.id));
    sub.recent = Vec::new();
    sub.state = fold(&log);
    let newest = sub.state.updated.unwrap_or(Timestamp(0));
    sub.recent = log
        .iter()
        .filter(|e| e.event.at.millis() + RECENT_MS >= newest.millis())
        .map(|e| Recent {
            id: e.event.id.clone(),
            at: e.event.at,
        })
        .collect();
    if sub.state.erased {
        sub.email = None;
    }
}

/// Folds again, from the events themselves, what a request racing this one
/// wrote: every listed event, the `ids` the snapshots involved name, and
/// `ours` (in hand: a listing or read may not show it yet). `None` when
/// some event cannot be read yet (KV has not settled): a fold without it
/// could drop a withdrawal, so the caller keeps what it has and the repair
/// mark finishes the job.
async fn merge<S: Store>(
    store: &S,
    base: &Subscriber,
    ids: impl IntoIterator<Item = EventId>,
    ours: &LoggedEvent,
) -> Result<Option<Subscriber>, StoreError> {
    let mut wanted = listed_ids(store, &base.sid).await?;
    wanted.extend(ids);
    wanted.remove(&ours.event.id);
    let names: Vec<String> = wanted.iter().map(|id| keys::event(&base.sid, id)).collect();
    let read = read_events(store, &base.sid, &names).await?;
    if read.len() < wanted.len() {
        return Ok(None);
    }
    let mut log: Vec<LoggedEvent> = read.into_iter().map(|(e, _)| e).collect();
    log.push(ours.clone());
    let mut merged = base.clone();
    fold_into(&mut merged, log);
    Ok(Some(merged))
}

/// The events at or after the latest erasure (an erasure starts a new log:
/// it has no parents), or the whole log when there is none.
pub fn since_erasure(log: Vec<LoggedEvent>) -> Vec<LoggedEvent> {
    let Some(root) = log
        .iter()
        .filter(|e| matches!(e.event.kind, EventKind::Erased))
        .max_by_key(|e| (e.event.at, e.hash))
        .map(|e| e.hash)
    else {
        return log;
    };
    let mut keep: BTreeSet<_> = BTreeSet::from([root]);
    // Parents come before children in time; a few passes settle any order.
    let mut changed = true;
    while changed {
        changed = false;
        for e in &log {
            if !keep.contains(&e.hash) && e.event.parents.iter().any(|p| keep.contains(p)) {
                keep.insert(e.hash);
                changed = true;
            }
        }
    }
    log.into_iter().filter(|e| keep.contains(&e.hash)).collect()
}

/// The metadata field of an event key that holds the signup's address.
const ADDRESS: &str = "a";

/// Writes event `id` with `kind` on top of `sub`'s heads, then the new
/// snapshot, and returns the new state. First a repair mark: a failed mark
/// or event write is a 503 and nothing is claimed; a failed snapshot write
/// only queues a rebuild (the event is safe).
pub async fn append<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
    id: EventId,
    kind: EventKind,
    address: Address,
) -> Result<SubscriberState, ApiError> {
    let event = Event {
        id: id.clone(),
        at: ctx.now,
        subscriber: sub.sid,
        parents: sub.state.heads.clone(),
        kind,
    };
    let (hash, bytes) = seal(&event).map_err(|_| ApiError::StorageUnavailable)?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::StorageUnavailable)?;
    repair::mark(ctx, &sub.sid, event.kind.is_withdrawal()).await?;
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
    let email = match address {
        Address::Set(e) => Some(e),
        Address::Keep => None,
    };
    Ok(settle(ctx, sub, &event, hash, email).await)
}

/// Snapshot writes one change may make while racing others.
const SNAPSHOT_ROUNDS: usize = 3;

/// Writes the snapshot after `event` (stored as `hash`), written on top of
/// `sub`: `sub`'s state extended by it. A request racing this one in the same
/// place must not leave a snapshot without a withdrawal, so the snapshot is
/// read again before writing (did another request write one, naming events
/// we do not have? then the events themselves are folded, ours included),
/// and the outcome is checked after: a grant lists the events (a withdrawal
/// racing it may have been written after our read), a withdrawal reads the
/// snapshot back (a grant racing it lists). Whatever KV hides for longer
/// (other locations) is left to the repair mark.
async fn settle<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
    event: &Event,
    hash: doi_core::EventHash,
    email: Option<Email>,
) -> SubscriberState {
    let sid = sub.sid;
    let ours = LoggedEvent {
        hash,
        event: event.clone(),
    };
    let mut after = sub.clone();
    after.state.extend(hash, event);
    after.digest ^= id_digest(&event.id);
    after.recent.push(Recent {
        id: event.id.clone(),
        at: event.at,
    });
    if let Ok(Some(current)) = read_snapshot(&ctx.store, &sid).await {
        if let Some(ids) = foreign(&current, &after) {
            if let Ok(Some(merged)) = merge(&ctx.store, &after, ids, &ours).await {
                after = merged;
                after.email = after.email.or(current.email);
            }
        }
    }
    for _ in 0..SNAPSHOT_ROUNDS {
        if email.is_some() {
            after.email.clone_from(&email);
        }
        after
            .recent
            .retain(|r| r.at.millis() + RECENT_MS >= ctx.now.millis());
        if !write_snapshot(ctx, &after).await {
            return after.state;
        }
        let others: Option<Vec<EventId>> = if event.kind.is_withdrawal() {
            match read_snapshot(&ctx.store, &sid).await {
                Ok(Some(stored)) => foreign(&stored, &after),
                _ => None,
            }
        } else {
            match listed_ids(&ctx.store, &sid).await {
                Ok(listed) => {
                    let mut ids = listed.clone();
                    ids.extend(after.recent.iter().map(|r| r.id.clone()));
                    let digest = ids.iter().fold(0, |d, id| d ^ id_digest(id));
                    (digest != after.digest).then(|| listed.into_iter().collect())
                }
                Err(_) => None,
            }
        };
        let Some(ids) = others else {
            return after.state;
        };
        match merge(&ctx.store, &after, ids, &ours).await {
            Ok(Some(merged)) => after = merged,
            _ => break,
        }
    }
    ctx.defer(Task::RebuildSnapshot(sid));
    after.state
}

/// The recent events `stored` names that `ours` does not: `None` when it
/// names none (it is ours, or an older value a stale read returned).
fn foreign(stored: &Snapshot, ours: &Subscriber) -> Option<Vec<EventId>> {
    let theirs: Vec<EventId> = stored
        .recent
        .iter()
        .filter(|r| !ours.recent.iter().any(|o| o.id == r.id))
        .map(|r| r.id.clone())
        .collect();
    (!theirs.is_empty()).then_some(theirs)
}

/// The ids of the events a listing of `ev/{sid}/` shows.
async fn listed_ids<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<BTreeSet<EventId>, StoreError> {
    Ok(list_all(store, &keys::events_of(sid))
        .await?
        .iter()
        .filter_map(|k| keys::event_id_of(&k.name))
        .collect())
}

/// Erases a subscriber: an `Erased` event that starts a new log, a snapshot
/// without the address, then every older event deleted (they hold evidence:
/// page, browser, the address in metadata). A listing may not show events
/// written in the last minute: the repair mark makes the repair delete
/// those too. The id stays, so the address stays
/// suppressed. Any failure is a 503 and a retry finishes it.
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
    let (hash, bytes) = seal(&event).map_err(|_| ApiError::StorageUnavailable)?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::StorageUnavailable)?;
    repair::mark(ctx, &sub.sid, true).await?;
    ctx.store
        .put(&keys::event(&sub.sid, &id), &text, PutOptions::default())
        .await?;
    let erased = Subscriber {
        sid: sub.sid,
        email: None,
        state: fold(&[LoggedEvent { hash, event }]),
        recent: vec![Recent {
            id: id.clone(),
            at: ctx.now,
        }],
        digest: id_digest(&id),
    };
    // The address must go now, not eventually: this write is not optional.
    put_snapshot(&ctx.store, &erased).await?;
    erase_leftovers(&ctx.store, &sub.sid, &BTreeSet::from([id])).await?;
    Ok(erased.state)
}

async fn put_snapshot<S: Store>(store: &S, sub: &Subscriber) -> Result<(), StoreError> {
    let snapshot = sub.snapshot();
    let text = serde_json::to_string(&snapshot).map_err(|e| StoreError(e.to_string()))?;
    store
        .put(
            &keys::snapshot(&sub.sid),
            &text,
            PutOptions {
                ttl_secs: None,
                metadata: Some(snapshot.metadata()),
            },
        )
        .await
}

/// Writes the snapshot; on failure queues a rebuild after the response and
/// says `false`.
async fn write_snapshot<S: Store, N: Net>(ctx: &Ctx<S, N>, sub: &Subscriber) -> bool {
    if let Err(e) = put_snapshot(&ctx.store, sub).await {
        ctx.log(format!(
            "snapshot write failed for subscriber {} ({e}); retrying after the response",
            sub.sid
        ));
        ctx.defer(Task::RebuildSnapshot(sub.sid));
        return false;
    }
    true
}

/// Rebuilds `snap/{sid}` from the events (keeping the stored address) when
/// it does not cover exactly the stored events; deletes what an erasure
/// left behind. Returns whether anything was written.
pub async fn rebuild<S: Store>(store: &S, sid: SubscriberId) -> Result<bool, StoreError> {
    let (sub, stored) = load_beside(store, sid).await?;
    let before = stored.as_ref().map(|s| s.digest.clone());
    if !sub.exists() {
        return Ok(false);
    }
    if sub.state.erased {
        if let Some(keep) = since_latest_erasure(store, &sid).await? {
            erase_leftovers(store, &sid, &keep).await?;
        }
    }
    let now = sub.snapshot();
    let same = before.as_deref() == Some(now.digest.as_str())
        && stored.is_some_and(|s| s.email == now.email && s.state == now.state);
    if same {
        return Ok(false);
    }
    put_snapshot(store, &sub).await?;
    Ok(true)
}

/// The ids of the latest erasure and everything written on top of it.
async fn since_latest_erasure<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<Option<BTreeSet<EventId>>, StoreError> {
    let log: Vec<LoggedEvent> = read_log(store, sid)
        .await?
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    if !log
        .iter()
        .any(|e| matches!(e.event.kind, EventKind::Erased))
    {
        return Ok(None);
    }
    Ok(Some(
        since_erasure(log).into_iter().map(|e| e.event.id).collect(),
    ))
}

/// Deletes every listed event of an erased subscriber but `keep` (the
/// erasure and what was written on top of it).
async fn erase_leftovers<S: Store>(
    store: &S,
    sid: &SubscriberId,
    keep: &BTreeSet<EventId>,
) -> Result<(), StoreError> {
    for old in list_all(store, &keys::events_of(sid)).await? {
        if keys::event_id_of(&old.name).is_none_or(|id| !keep.contains(&id)) {
            store.delete(&old.name).await?;
        }
    }
    Ok(())
}
