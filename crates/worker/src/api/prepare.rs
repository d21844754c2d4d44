//! `POST /v1/prepare`: everything a campaign needs for a batch of
//! recipients in one call — for each, in input order, `may_send`'s decision
//! with its reason, and for each who may be mailed the unsubscribe and
//! preference links, both `List-Unsubscribe` headers and the footer (text
//! and HTML) in the chosen language; for each whose consent is stale or
//! nearly so, the re-permission link. Reads snapshots; stores nothing but,
//! at most once a day, the last-prepared time ([`crate::retention`]).
//! At most [`MAX_PREPARE`] recipients a call: signing two links and writing
//! two footers costs ~18 µs per recipient natively (`POST /v1/prepare ×50`
//! in `cargo bench -p doi-worker --bench worker`), about three times a
//! check's, and the free plan allows 10 ms of CPU as wasm. Raise it once
//! the route is measured as wasm (the performance issue).

use doi_core::lifecycle::renew_url;
use doi_core::mail::{links, MailLinks, Recipient};
use doi_core::Locale;
use serde::{Deserialize, Serialize};

use crate::api::authorize;
use crate::api::check::{decide, send_request, Line};
use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::store::Store;

/// Most recipients one call prepares.
pub const MAX_PREPARE: usize = doi_core::limits::PREPARE_BATCH;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    list: String,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    frequency: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    recipients: Vec<String>,
}

#[derive(Serialize)]
struct Answer {
    list: String,
    locale: Locale,
    results: Vec<Prepared>,
}

#[derive(Serialize)]
struct Prepared {
    #[serde(flatten)]
    line: Line,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    links: Option<MailLinks>,
    /// The re-permission link, for a consent stale or stale within
    /// `doi_core::lifecycle::RENEW_AHEAD` (a list with `consent_max_age_days`).
    #[serde(skip_serializing_if = "Option::is_none")]
    renew_url: Option<String>,
}

/// Decides and, for those who may be mailed, signs their links.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    if ask.recipients.len() > MAX_PREPARE {
        return Err(ApiError::BatchTooLarge(MAX_PREPARE));
    }
    let request = send_request(
        ctx,
        &ask.list,
        ask.topic.as_deref(),
        ask.frequency.as_deref(),
    )?;
    let locale = match ask.locale.as_deref() {
        None => ctx.config.sender.default_locale,
        Some(tag) => Locale::from_tag(tag).ok_or_else(|| {
            ApiError::invalid("invalid_request", format!("locale {tag:?} is not ja or en"))
        })?,
    };
    let keyring = ctx.keyring()?;
    let lines = decide(ctx, &request, ask.recipients).await?;
    if lines.iter().any(|l| l.decision.allowed()) {
        crate::retention::record(ctx).await?;
    }
    let results = lines
        .into_iter()
        .map(|line| {
            let links = match (line.decision.allowed(), line.subscriber_id) {
                (true, Some(subscriber)) => Some(links(
                    ctx.config,
                    &keyring,
                    &ctx.base_url,
                    &Recipient {
                        subscriber,
                        list: request.list.clone(),
                        topic: request.topic.clone(),
                    },
                    locale,
                    ctx.now,
                )),
                _ => None,
            };
            let renew_url = match (line.freshness.offers_renewal(), line.subscriber_id) {
                (true, Some(subscriber)) => Some(renew_url(
                    &keyring,
                    &ctx.base_url,
                    subscriber,
                    &request.list,
                    ctx.now,
                )),
                _ => None,
            };
            Prepared {
                line,
                links,
                renew_url,
            }
        })
        .collect();
    Ok(Response::json(
        200,
        &Answer {
            list: request.list.to_string(),
            locale,
            results,
        },
    ))
}
