//! Reading a subscriber: the snapshot alone (what a page or a change
//! needs), or the whole truth (the snapshot beside a listing of the events,
//! folded again when the listing names an event the digest does not cover).

use std::collections::BTreeSet;

use doi_core::ledger::open;
use doi_core::{fold, Email, EventId, EventKind, LoggedEvent, SubscriberId, Timestamp};

use super::write::listed_ids;
use super::{id_digest, Recent, Snapshot, Subscriber, ADDRESS, RECENT_MS};
use crate::keys;
use crate::store::{list_all, Store, StoreError};

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

/// Whether each of `events` (subscriber, event id) is already stored: what
/// an idempotent batch (import, a provider's redelivery) skips. Bulk reads
/// (the store splits them by 100 keys, one KV operation each).
pub async fn events_stored<S: Store>(
    store: &S,
    events: &[(SubscriberId, EventId)],
) -> Result<Vec<bool>, StoreError> {
    let wanted: Vec<String> = events
        .iter()
        .map(|(sid, id)| keys::event(sid, id))
        .collect();
    Ok(store
        .get_many(&wanted)
        .await?
        .into_iter()
        .map(|v| v.is_some())
        .collect())
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
pub(super) async fn load_beside<S: Store>(
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
    Ok(read_whole(store, sid).await?.1)
}

/// The address (the snapshot's, or a signup event's metadata when the
/// snapshot lost it; never after an erasure) and [`read_log`], from one
/// snapshot read and one listing: what a proof of consent shows.
pub async fn read_whole<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<(Option<Email>, Vec<(LoggedEvent, String)>), StoreError> {
    let stored = read_snapshot(store, sid).await?;
    let listed = list_all(store, &keys::events_of(sid)).await?;
    let recovered = listed.iter().rev().find_map(|k| {
        let address = k.metadata.as_ref()?.get(ADDRESS)?.as_str()?;
        Email::parse(address).ok()
    });
    let names: Vec<String> = listed.into_iter().map(|k| k.name).collect();
    let log = read_events(store, sid, &names).await?;
    let erased = log
        .iter()
        .any(|(e, _)| matches!(e.event.kind, doi_core::EventKind::Erased));
    let email = match stored {
        Some(s) if s.email.is_some() || erased || s.state.erased => s.email,
        _ if erased => None,
        _ => recovered,
    };
    Ok((email, log))
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

/// Every stored event of `sid` as stored, oldest first, for the export: a
/// listing and one bulk read per 100 events, like [`read_log`], but no
/// snapshot read and no full parse — only each event's `id`, `at` and
/// `subscriber` are read, to order them and leave out foreign entries. The
/// bytes are the proof; whoever holds the export verifies them. Beside
/// each, the receipt its key's metadata holds (the listing brings the
/// metadata, so no read more), as a compact JWS: for these events alone
/// the bytes are parsed whole, to rebuild the signed claims.
pub async fn stored_log<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Header<'a> {
        #[serde(borrow)]
        id: &'a str,
        at: u64,
        #[serde(borrow)]
        subscriber: &'a str,
    }
    let listed = list_all(store, &keys::events_of(sid)).await?;
    let names: Vec<String> = listed.iter().map(|k| k.name.clone()).collect();
    let own = sid.to_string();
    let mut log: Vec<((u64, EventId), String, Option<String>)> = Vec::with_capacity(names.len());
    for (chunk, keys) in names.chunks(100).zip(listed.chunks(100)) {
        let texts = store.get_many(chunk).await?;
        for (text, key) in texts.into_iter().zip(keys) {
            let Some(text) = text else { continue };
            let order = match serde_json::from_str::<Header>(&text) {
                Ok(h) if h.subscriber == own => EventId::parse(h.id).map(|id| (h.at, id)),
                _ => None,
            };
            let Some(order) = order else { continue };
            let receipt = key
                .metadata
                .as_ref()
                .filter(|m| m.get(crate::receipts::FIELD).is_some())
                .and_then(|m| {
                    let logged = doi_core::ledger::open(text.as_bytes()).ok()?;
                    crate::receipts::jws_of(&logged, Some(m))
                });
            log.push((order, text, receipt));
        }
    }
    log.sort_by(|(a, _, _), (b, _, _)| a.cmp(b));
    Ok(log.into_iter().map(|(_, text, r)| (text, r)).collect())
}

/// Reads the events `ids` and folds them. After an erasure only the
/// erasure and what was written on top of it count: anything older that a
/// listing still showed is left for `erase_leftovers`.
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
pub(super) async fn merge<S: Store>(
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
