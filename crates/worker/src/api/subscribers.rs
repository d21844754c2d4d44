//! `GET /v1/subscribers/{email-or-id}`: state and proof of consent, folded
//! from the events themselves (not the snapshot). `DELETE`: erasure.

use std::collections::BTreeMap;

use doi_core::ledger::{verify, LoggedEvent};
use doi_core::retention::{self, Override};
use doi_core::{ConsentVersion, Email, Event, EventKind, SubscriberId, SubscriberState, Timestamp};
use serde::Serialize;

use crate::api::{authorize, subscriber_from_path};
use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Request, Response};
use crate::keys;
use crate::store::Store;
use crate::subscribers;
use crate::texts::StoredText;

#[derive(Serialize)]
struct Proof {
    subscriber_id: SubscriberId,
    email: Option<Email>,
    state: SubscriberState,
    events: Vec<Event>,
    consent_texts: BTreeMap<ConsentVersion, StoredText>,
    /// Whether every stored event's parent links resolve.
    verified: bool,
    /// Until when the record of consent must be kept (特定電子メール法).
    retain_until: Option<Timestamp>,
}

/// Everything stored about one subscriber, or 404.
pub async fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    who: &str,
) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let (sid, _) = subscriber_from_path(ctx, who)?;
    let (email, log) = subscribers::read_whole(&ctx.store, &sid).await?;
    if log.is_empty() {
        return Err(ApiError::NotFound(
            "no subscriber has this address or id".into(),
        ));
    }
    let consent_texts = texts(ctx, &log).await?;
    // `verified`: every stored event parses, is this subscriber's, and
    // names only parents that are stored (ARCHITECTURE.md says what that
    // does and does not prove).
    let bytes: Vec<Vec<u8>> = log.iter().map(|(_, t)| t.as_bytes().to_vec()).collect();
    let verified = verify(sid, &bytes, &[]).is_ok();
    let logged: Vec<LoggedEvent> = log.into_iter().map(|(e, _)| e).collect();
    let state = doi_core::fold(&subscribers::since_erasure(logged.clone()));
    let events: Vec<Event> = logged.into_iter().map(|e| e.event).collect();
    let prepared = crate::retention::prepared(&ctx.store).await?;
    let retain_until = retention::retain_until(&state, prepared);
    let proof = Proof {
        subscriber_id: sid,
        email,
        state,
        events,
        consent_texts,
        verified,
        retain_until,
    };
    Ok(Response::json(200, &proof))
}

/// The consent texts the evidence points at, by version (the console's
/// proof page shows them too).
pub(crate) async fn texts<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    log: &[(LoggedEvent, String)],
) -> Result<BTreeMap<ConsentVersion, StoredText>, ApiError> {
    let mut versions: Vec<ConsentVersion> =
        log.iter()
            .filter_map(|(e, _)| match &e.event.kind {
                EventKind::Subscribed { evidence, .. }
                | EventKind::Resubscribed { evidence, .. } => Some(evidence.consent_version),
                _ => None,
            })
            .collect();
    versions.sort();
    versions.dedup();
    let wanted: Vec<String> = versions.iter().map(keys::consent_text).collect();
    let found = ctx.store.get_many(&wanted).await?;
    Ok(versions
        .into_iter()
        .zip(found)
        .filter_map(|(v, text)| Some((v, serde_json::from_str(&text?).ok()?)))
        .collect())
}

#[derive(Serialize)]
struct Erased {
    erased: bool,
    subscriber_id: SubscriberId,
    #[serde(skip_serializing_if = "Option::is_none")]
    retention_override: Option<Override>,
}

/// Erases the subscriber's personal data; the id stays suppressed. Works
/// for addresses never seen too (a "never contact me" request). Inside the
/// record's retention period (特定電子メール法: a month after the last mail,
/// `doi_core::retention`) it takes `?override=REASON`, the sender's legal
/// reason, which the erasure's signed receipt records; without one it is
/// `422 retention_period` and nothing changes.
pub async fn delete<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    who: &str,
) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let (sid, _) = subscriber_from_path(ctx, who)?;
    let given = match req.query_param("override") {
        None => None,
        Some(o) => Some(Override::parse(&o).ok_or_else(|| {
            ApiError::invalid(
                "invalid_request",
                "override must be gdpr_erasure, no_consent_given or legal_order",
            )
        })?),
    };
    let sub = subscribers::load(&ctx.store, sid).await?;
    let prepared = crate::retention::prepared(&ctx.store).await?;
    let needed = retention::erasure_needs_override(&sub.state, prepared, ctx.now);
    if needed && given.is_none() {
        let until = retention::retain_until(&sub.state, prepared)
            .map_or_else(String::new, |t| t.to_string());
        return Err(ApiError::invalid(
            "retention_period",
            format!(
                "the record of consent must be kept until {until} (特定電子メール法); to erase it \
                 now, say why: ?override=gdpr_erasure, no_consent_given or legal_order"
            ),
        ));
    }
    let recorded = if needed { given } else { None };
    subscribers::erase(ctx, &sub, recorded).await?;
    match recorded {
        Some(o) => ctx.log(format!(
            "subscriber {sid} erased inside its retention period (override: {})",
            o.as_str()
        )),
        None => ctx.log(format!("subscriber {sid} erased")),
    }
    Ok(Response::json(
        200,
        &Erased {
            erased: true,
            subscriber_id: sid,
            retention_override: recorded,
        },
    ))
}
