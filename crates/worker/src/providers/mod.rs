//! `POST /v1/providers/{ses|sendgrid|postmark|resend|mailgun}`: a mail
//! provider's webhook. Each delivery is verified as its provider documents
//! (a file per provider here), read by `doi_core::provider`, and each report
//! recorded as the suppression `POST /v1/suppressions` records: an
//! unsubscribe from everything with the report's `via`, under an event id
//! derived from the provider's event id, so a redelivery stores nothing new.
//!
//! Answers: 200 once every report is written (or was already); 401 for a
//! delivery whose signature (or credentials) are missing, wrong or too old;
//! 503 `misconfigured` when the provider's secret is not set; 400/413 for a
//! body that is not the provider's shape or carries too many events; 503
//! `retry_later` when the request's KV budget ran out before the last
//! report: the provider redelivers, and what was written is skipped then.

mod mailgun;
mod postmark;
mod secrets;
mod sendgrid;
mod sns;
mod svix;

use std::collections::BTreeSet;

use doi_core::provider::{self, PayloadError, Provider, Report};
use doi_core::{EventId, SubscriberId};
use serde::Serialize;

use crate::api::parse_email;
use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Request, Response};
use crate::store::Store;
use crate::subscribers::{self, Address};

pub use secrets::ProviderSecrets;
pub use sns::clear_certificates;

/// KV operations one delivery may spend (a Worker may make 1,000 per
/// invocation; the rest is headroom for the pulse and the repair's mark).
pub const OPS_PER_CALL: usize = 900;

/// KV operations one suppression costs, measured over the memory store: its
/// repair mark, the event and the snapshot written (3), the snapshot read
/// back around the write (2), and past the signing budget its receipt's
/// queue key (1: `receipts::deferred`).
pub const OPS_PER_SUPPRESSION: usize = 6;

/// Largest body a provider may POST: SendGrid batches events up to 768 KB.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Serialize)]
struct Answer {
    /// Reports written now.
    suppressed: usize,
    /// Reports written by an earlier delivery of the same events.
    duplicates: usize,
    /// Reports whose address is not one Dōi accepts.
    invalid: usize,
}

/// Handles one delivery from the provider named `name`.
pub async fn post<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    name: &str,
) -> Result<Response, ApiError> {
    let provider = Provider::from_name(name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no provider {name:?}; Dōi reads ses, sendgrid, postmark, resend and mailgun"
        ))
    })?;
    let secrets = &ctx.secrets.providers;
    let delivery = match provider {
        Provider::Ses => match sns::verify(ctx, secrets.ses_topics()?, &req.body).await? {
            sns::Verified::Notification => String::new(),
            sns::Verified::Answered(response) => return Ok(response),
        },
        Provider::Sendgrid => {
            sendgrid::verify(secrets.sendgrid_key()?, req, ctx.now)?;
            String::new()
        }
        Provider::Postmark => {
            postmark::verify(secrets.postmark_auth()?, req)?;
            String::new()
        }
        Provider::Resend => svix::verify(secrets.resend_secret()?, req, ctx.now)?,
        Provider::Mailgun => {
            mailgun::verify(secrets.mailgun_key()?, &req.body, ctx.now)?;
            String::new()
        }
    };
    let reports = provider
        .reports(&req.body, &delivery)
        .map_err(|e| match e {
            PayloadError::TooMany => ApiError::BatchTooLarge(provider::MAX_EVENTS),
            PayloadError::Shape(..) => ApiError::InvalidJson(e.to_string()),
        })?;
    record(ctx, provider, &reports).await
}

/// Writes each report not written before, within the request's KV budget.
async fn record<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    provider: Provider,
    reports: &[Report],
) -> Result<Response, ApiError> {
    let id_key = ctx.id_key()?;
    let mut invalid = 0;
    let mut seen = BTreeSet::new();
    let mut wanted: Vec<(SubscriberId, EventId, &Report)> = Vec::new();
    for r in reports {
        let Ok(email) = parse_email(&r.email) else {
            invalid += 1;
            continue;
        };
        let sid = id_key.subscriber_id(&email);
        // One delivery suppresses a subscriber once: the rest add nothing.
        if seen.insert(sid) {
            wanted.push((sid, provider::event_id(provider, r), r));
        }
    }
    let sids: Vec<SubscriberId> = wanted.iter().map(|(sid, _, _)| *sid).collect();
    let snapshots = subscribers::read_snapshots(&ctx.store, &sids).await?;
    let events: Vec<(SubscriberId, EventId)> = wanted
        .iter()
        .map(|(sid, id, _)| (*sid, id.clone()))
        .collect();
    let existing = subscribers::events_stored(&ctx.store, &events).await?;
    // Bulk reads: one operation per 100 keys, snapshots and event keys.
    let budget = OPS_PER_CALL.saturating_sub(2 * sids.len().div_ceil(100)) / OPS_PER_SUPPRESSION;
    let (mut suppressed, mut duplicates) = (0, 0);
    for (((sid, id, report), snapshot), exists) in wanted.into_iter().zip(snapshots).zip(existing) {
        let sub = subscribers::from_snapshot(sid, snapshot);
        if exists || sub.recent.iter().any(|r| r.id == id) {
            duplicates += 1;
            continue;
        }
        if suppressed == budget {
            crate::receipts::deferred::queue(ctx).await;
            ctx.log(format!(
                "{} webhook: {suppressed} suppressions written, the rest next delivery",
                provider.name()
            ));
            return Err(ApiError::RetryLater(format!(
                "{suppressed} suppressions written; the rest are written when the provider delivers again"
            )));
        }
        let kind = provider::withdrawal(provider, report);
        subscribers::append(ctx, &sub, id, kind, Address::Keep).await?;
        suppressed += 1;
    }
    crate::receipts::deferred::queue(ctx).await;
    ctx.log(format!(
        "{} webhook: {suppressed} suppressed, {duplicates} already, {invalid} invalid addresses",
        provider.name()
    ));
    Ok(Response::json(
        200,
        &Answer {
            suppressed,
            duplicates,
            invalid,
        },
    ))
}
