//! Erasure and rebuilding: an `Erased` event starts a new log and every
//! older event is deleted; a rebuild refolds `snap/{sid}` from the events
//! and finishes what an erasure left behind.

use std::collections::BTreeSet;

use doi_core::ledger::seal;
use doi_core::{fold, Event, EventId, EventKind, LoggedEvent, SubscriberId, SubscriberState};

use super::read::{load_beside, read_log, since_erasure};
use super::write::put_snapshot;
use super::{id_digest, Recent, Subscriber};
use crate::ctx::{Ctx, Net};
use crate::http::ApiError;
use crate::keys;
use crate::repair;
use crate::store::{list_all, PutOptions, Store, StoreError};

/// Erases a subscriber: an `Erased` event that starts a new log, a snapshot
/// without the address, then every older event deleted (they hold evidence:
/// page, browser, the address in metadata). A listing may not show events
/// written in the last minute: the repair mark makes the repair delete
/// those too. The id stays, so the address stays
/// suppressed. Any failure is a 503 and a retry finishes it. The erasure's
/// receipt (in its key's metadata) records `retention_override`, the
/// sender's legal reason when the record was still inside its retention
/// period (the caller decides whether one is needed: `doi_core::retention`).
pub async fn erase<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sub: &Subscriber,
    retention_override: Option<doi_core::retention::Override>,
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
    let logged = LoggedEvent { hash, event };
    let receipt = crate::receipts::sign(ctx, &logged, retention_override);
    let LoggedEvent { event, .. } = logged;
    let options = PutOptions {
        ttl_secs: None,
        metadata: crate::receipts::with_receipt(ctx, None, receipt),
    };
    repair::mark(ctx, &sub.sid, true).await?;
    ctx.store
        .put(&keys::event(&sub.sid, &id), &text, options)
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
