//! Writing a change: the repair mark, the event, then the snapshot, read
//! again and checked so that a request racing this one cannot leave a
//! snapshot without a withdrawal.

use std::collections::BTreeSet;

use doi_core::ledger::seal;
use doi_core::{Email, Event, EventId, EventKind, LoggedEvent, SubscriberId, SubscriberState};

use super::read::{merge, read_snapshot};
use super::{id_digest, Address, Recent, Snapshot, Subscriber, ADDRESS, RECENT_MS};
use crate::ctx::{Ctx, Net, Task};
use crate::http::ApiError;
use crate::keys;
use crate::repair;
use crate::store::{list_all, PutOptions, Store, StoreError};

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
    let logged = LoggedEvent { hash, event };
    let receipt = crate::receipts::sign(ctx, &logged, None);
    let LoggedEvent { event, .. } = logged;
    let base = match &address {
        Address::Set(e) => Some(serde_json::json!({ ADDRESS: e.as_str() })),
        Address::Keep => None,
    };
    let options = PutOptions {
        ttl_secs: None,
        metadata: crate::receipts::with_receipt(ctx, base, receipt),
    };
    crate::receipts::defer_metadata(ctx, &id, options.metadata.as_ref());
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
pub(super) async fn listed_ids<S: Store>(
    store: &S,
    sid: &SubscriberId,
) -> Result<BTreeSet<EventId>, StoreError> {
    Ok(list_all(store, &keys::events_of(sid))
        .await?
        .iter()
        .filter_map(|k| keys::event_id_of(&k.name))
        .collect())
}

pub(super) async fn put_snapshot<S: Store>(store: &S, sub: &Subscriber) -> Result<(), StoreError> {
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
