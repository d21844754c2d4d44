//! Receipts a request could not afford, signed by the cron.
//!
//! A request signs at most [`SIGN_BUDGET`] receipts. Only a provider's
//! delivery can hold more changes than that (SendGrid batches up to 1,000
//! events, and a bounce cannot be asked to come in smaller calls), so it
//! stores every suppression at once — a "no" never waits for a signature —
//! and leaves one **queue key** `unsigned/{sid}/{event id}` per change past
//! the budget (its metadata: the event key's own metadata, to keep), plus
//! the flag [`PENDING`] holding the time it was last raised.
//!
//! Each minute the cron reads the flag (1 read) and, only when it is up,
//! lists one page of [`SIGN_BUDGET`] queue keys (1 list), signs each event
//! as it is stored, rewrites the event key with the same bytes and the
//! receipt in its metadata (1 read, 1 write) and deletes the queue key (1
//! delete): at most 2 + 3 × 16 operations and about 2.5 ms of CPU a run.
//! The flag comes down once a listing finds nothing and the flag is older
//! than [`SETTLE_MS`] (a queue key written just before may not show in a
//! listing yet). An event that is gone (erased meanwhile) is not written
//! back: its queue key is just deleted.
//!
//! Until then the event is in its subscriber's hash chain like any other,
//! and `doi verify` counts it among the events no receipt covers.

use doi_core::{EventId, SubscriberId};

use super::{sign, with_receipt, SIGN_BUDGET};
use crate::ctx::{Ctx, Net};
use crate::keys;
use crate::repair::SETTLE_MS;
use crate::store::{PutOptions, Store, StoreError};

/// The prefix of the queue keys.
pub const UNSIGNED: &str = "unsigned/";

/// The flag: the time (ms) a queue key was last written.
pub const PENDING: &str = "receipts/pending";

/// The queue key of `sid`'s event `id`.
pub fn queue_key(sid: &SubscriberId, id: &EventId) -> String {
    format!("{UNSIGNED}{sid}/{}", id.as_str())
}

/// The event key a queue key stands for.
fn event_key(queue: &str) -> Option<String> {
    let rest = queue.strip_prefix(UNSIGNED)?;
    let (sid, id) = rest.split_once('/')?;
    Some(keys::event(
        &SubscriberId::parse(sid)?,
        &EventId::parse(id)?,
    ))
}

/// Writes the queue keys of the changes this request stored unsigned for
/// want of budget, and raises the flag. A failure is logged, not returned:
/// the changes themselves are stored, which is what the answer claims.
pub async fn queue<S: Store, N: Net>(ctx: &Ctx<S, N>) {
    let deferred = std::mem::take(&mut *ctx.deferred_receipts.borrow_mut());
    if deferred.is_empty() {
        return;
    }
    let mut queued = 0;
    for (sid, id, metadata) in &deferred {
        let options = PutOptions {
            ttl_secs: None,
            metadata: metadata.clone(),
        };
        match ctx.store.put(&queue_key(sid, id), "", options).await {
            Ok(()) => queued += 1,
            Err(e) => ctx.log(format!(
                "event {} stays without a receipt: queueing it failed: {e}",
                id.as_str()
            )),
        }
    }
    let raised = ctx
        .store
        .put(
            PENDING,
            &ctx.now.millis().to_string(),
            PutOptions::default(),
        )
        .await;
    if let Err(e) = raised {
        ctx.log(format!(
            "{queued} receipts queued, but the flag failed: {e}"
        ));
        return;
    }
    ctx.log(format!(
        "{queued} receipts queued for the cron: this request signed {SIGN_BUDGET} already"
    ));
}

/// What one cron run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Signed {
    /// Whether the flag was up.
    pub looked: bool,
    /// Receipts signed and stored.
    pub signed: usize,
    /// Queue keys whose event is gone.
    pub gone: usize,
}

/// One cron run: signs up to [`SIGN_BUDGET`] queued events.
pub async fn run<S: Store, N: Net>(ctx: &Ctx<S, N>) -> Result<Signed, StoreError> {
    let mut done = Signed::default();
    let Some(flag) = ctx.store.get(PENDING).await? else {
        return Ok(done);
    };
    done.looked = true;
    let page = ctx.store.list(UNSIGNED, None, SIGN_BUDGET as usize).await?;
    if page.keys.is_empty() {
        let raised = flag.trim().parse::<u64>().unwrap_or(0);
        if ctx.now.millis() >= raised.saturating_add(SETTLE_MS) {
            ctx.store.delete(PENDING).await?;
        }
        return Ok(done);
    }
    for queued in page.keys {
        let Some(key) = event_key(&queued.name) else {
            ctx.store.delete(&queued.name).await?;
            continue;
        };
        let Some(text) = ctx.store.get(&key).await? else {
            done.gone += 1;
            ctx.store.delete(&queued.name).await?;
            continue;
        };
        let applies = doi_core::ledger::open(text.as_bytes())
            .ok()
            .filter(|logged| super::applies(ctx, logged));
        let Some(logged) = applies else {
            ctx.store.delete(&queued.name).await?;
            continue;
        };
        // No key configured (or the budget spent): leave it queued.
        let Some(receipt) = sign(ctx, &logged, None) else {
            break;
        };
        let options = PutOptions {
            ttl_secs: None,
            metadata: with_receipt(ctx, queued.metadata, Some(receipt)),
        };
        ctx.store.put(&key, &text, options).await?;
        ctx.store.delete(&queued.name).await?;
        done.signed += 1;
    }
    Ok(done)
}
