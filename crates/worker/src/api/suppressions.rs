//! `POST /v1/suppressions`: bounces, complaints and manual blocks. Each
//! address gets an unsubscribe from everything, recorded as an event.

use doi_core::withdrawal::suppression_via;
use doi_core::{EventKind, SubscriberId, UnsubscribeScope};
use serde::{Deserialize, Serialize};

use crate::api::{
    authorize, check_batch, parse_email, Skipped, WRITES_PER_CALL, WRITES_PER_CHANGE,
};
use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::store::Store;
use crate::subscribers::{self, Address};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    emails: Vec<String>,
    reason: String,
}

#[derive(Serialize)]
struct Answer {
    suppressed: usize,
    skipped: Vec<Skipped>,
}

/// `POST /v1/suppressions`: the JSON face of [`suppress`].
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    let (suppressed, skipped) = suppress(ctx, &ask.emails, &ask.reason).await?;
    Ok(Response::json(
        200,
        &Answer {
            suppressed,
            skipped,
        },
    ))
}

/// Suppresses every valid address; invalid ones (and any beyond this
/// call's KV budget, code `retry_later`) come back in `skipped`. The
/// console's CSV upload and its suppress button call this too.
pub async fn suppress<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    emails: &[String],
    reason: &str,
) -> Result<(usize, Vec<Skipped>), ApiError> {
    check_batch(emails.len(), doi_core::limits::CHANGE_BATCH)?;
    let via = suppression_via(reason).ok_or_else(|| {
        ApiError::invalid(
            "invalid_request",
            format!("reason {reason:?} is not bounce, complaint, manual or unsubscribe"),
        )
    })?;
    let id_key = ctx.id_key()?;
    let mut skipped = Vec::new();
    let mut valid: Vec<(usize, SubscriberId)> = Vec::new();
    for (index, e) in emails.iter().enumerate() {
        match parse_email(e) {
            Ok(email) => valid.push((index, id_key.subscriber_id(&email))),
            Err(err) => skipped.push(Skipped {
                index,
                code: err.code(),
            }),
        }
    }
    let sids: Vec<SubscriberId> = valid.iter().map(|(_, s)| *s).collect();
    let snapshots = subscribers::read_snapshots(&ctx.store, &sids).await?;
    let mut suppressed = 0;
    for (n, ((index, sid), snapshot)) in valid.into_iter().zip(snapshots).enumerate() {
        if WRITES_PER_CHANGE * (n + 1) > WRITES_PER_CALL {
            skipped.push(Skipped {
                index,
                code: "retry_later",
            });
            continue;
        }
        let sub = subscribers::from_snapshot(sid, snapshot);
        let kind = EventKind::Unsubscribed {
            scope: UnsubscribeScope::All,
            via,
            reason: None,
        };
        subscribers::append(ctx, &sub, ctx.fresh_id(), kind, Address::Keep).await?;
        suppressed += 1;
    }
    skipped.sort_by_key(|s| s.index);
    ctx.log(format!("{suppressed} addresses suppressed ({reason})"));
    Ok((suppressed, skipped))
}
