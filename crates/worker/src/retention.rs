//! Record keeping (特定電子メール法 施行規則4条): the time mail was last
//! prepared, kept as [`doi_core::retention`] says — one KV value for the
//! whole sender (`prepared`), rewritten only when more than a day old, so
//! `POST /v1/prepare` and `POST /v1/links` cost one read each and at most one
//! write a day between them, never a write per recipient.
//!
//! The rewrite happens before the answer, not after it: a 2xx that hands
//! out links says those mails' records will be kept, so a failed write is
//! `503 storage_unavailable` (once a day at most; the sender retries) rather
//! than a record-keeping time that silently stays behind.

use doi_core::retention;
use doi_core::Timestamp;

use crate::ctx::{Ctx, Net};
use crate::http::ApiError;
use crate::store::{PutOptions, Store, StoreError};

/// The KV key of the sender's last-prepared time (milliseconds, as text).
pub const PREPARED: &str = "prepared";

/// The stored last-prepared time; `None` when mail was never prepared.
pub async fn prepared<S: Store>(store: &S) -> Result<Option<Timestamp>, StoreError> {
    Ok(store
        .get(PREPARED)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .map(Timestamp))
}

/// Records that mail is being prepared now, when the stored time is more
/// than a day old.
pub async fn record<S: Store, N: Net>(ctx: &Ctx<S, N>) -> Result<(), ApiError> {
    let stored = prepared(&ctx.store).await.map_err(|e| {
        ctx.log(format!("last-prepared read failed: {e}"));
        ApiError::StorageUnavailable
    })?;
    if !retention::should_record(stored, ctx.now) {
        return Ok(());
    }
    ctx.store
        .put(
            PREPARED,
            &ctx.now.millis().to_string(),
            PutOptions::default(),
        )
        .await
        .map_err(|e| {
            ctx.log(format!("last-prepared write failed: {e}"));
            ApiError::StorageUnavailable
        })
}
