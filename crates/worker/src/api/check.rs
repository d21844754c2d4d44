//! `POST /v1/check`: "may I send this mail to these addresses?", with the
//! reason for each. Reads snapshots only (one bulk read per 100 addresses).
//! On a list with `consent_max_age_days`, an old consent is `consent_stale`.

use doi_core::decision::Decision;
use doi_core::lifecycle::{freshness, Freshness};
use doi_core::{may_send_within, FrequencyId, SendRequest, SubscriberId, SubscriberState};
use serde::{Deserialize, Serialize};

use crate::api::{authorize, check_batch, links::list_and_topic};
use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::keys;
use crate::store::Store;
use crate::subscribers::Snapshot;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    list: String,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    frequency: Option<String>,
    emails: Vec<String>,
}

#[derive(Serialize)]
struct Answer {
    results: Vec<Line>,
}

/// One address's answer.
#[derive(Serialize)]
pub struct Line {
    /// As the sender sent it.
    pub email: String,
    /// Its subscriber id, when it is an address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber_id: Option<SubscriberId>,
    /// The decision.
    #[serde(flatten)]
    pub decision: Verdict,
    /// Where the consent stands in its life cycle (the list's
    /// `consent_max_age_days`): whether a re-permission link is due.
    #[serde(skip)]
    pub freshness: Freshness,
}

/// `may_send`'s decision, or why there is none.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Verdict {
    /// Decided.
    Decided(Decision),
    /// Not an address.
    InvalidEmail {
        /// Always false.
        allowed: bool,
        /// `invalid_email`.
        reason: InvalidEmail,
    },
}

impl Verdict {
    /// Whether the mail may go.
    pub fn allowed(&self) -> bool {
        matches!(self, Verdict::Decided(d) if d.allowed)
    }
}

/// The reason of an [`Verdict::InvalidEmail`].
#[derive(Serialize)]
pub struct InvalidEmail {
    code: &'static str,
}

/// One decision per address, in input order.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    check_batch(ask.emails.len(), doi_core::limits::CHECK_BATCH)?;
    let request = send_request(
        ctx,
        &ask.list,
        ask.topic.as_deref(),
        ask.frequency.as_deref(),
    )?;
    let results = decide(ctx, &request, ask.emails).await?;
    Ok(Response::json(200, &Answer { results }))
}

/// The mail a batch is about: list, topic and frequency, each checked
/// against `doi.toml`.
pub fn send_request<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    list: &str,
    topic: Option<&str>,
    frequency: Option<&str>,
) -> Result<SendRequest, ApiError> {
    let (list, topic) = list_and_topic(ctx, list, topic)?;
    let frequency = match frequency {
        None => None,
        Some(f) => {
            let known = ctx.config.list(&list).and_then(|l| {
                FrequencyId::parse(f).and_then(|id| l.frequency(&id).map(|f| f.id.clone()))
            });
            Some(known.ok_or_else(|| {
                ApiError::invalid(
                    "invalid_request",
                    format!("list {:?} has no frequency {f:?}", list.as_str()),
                )
            })?)
        }
    };
    Ok(SendRequest {
        list,
        topic,
        frequency,
    })
}

/// `may_send` for each address, in input order, from the snapshots (one
/// bulk read per 100 addresses).
pub async fn decide<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    request: &SendRequest,
    emails: Vec<String>,
) -> Result<Vec<Line>, ApiError> {
    let id_key = ctx.id_key()?;
    let sids: Vec<Option<SubscriberId>> = emails
        .iter()
        .map(|e| {
            doi_core::Email::parse(e)
                .ok()
                .map(|e| id_key.subscriber_id(&e))
        })
        .collect();
    let wanted: Vec<String> = sids.iter().flatten().map(keys::snapshot).collect();
    let mut found = ctx.store.get_many(&wanted).await?.into_iter();
    let max_age = ctx.config.consent_max_age(&request.list);
    let mut results = Vec::with_capacity(emails.len());
    for (email, sid) in emails.into_iter().zip(sids) {
        let mut aged = Freshness::NotApplicable;
        let decision = match sid {
            None => Verdict::InvalidEmail {
                allowed: false,
                reason: InvalidEmail {
                    code: "invalid_email",
                },
            },
            Some(_) => {
                let state = found
                    .next()
                    .flatten()
                    .and_then(|text| Snapshot::state_of(&text))
                    .unwrap_or_else(SubscriberState::default);
                aged = freshness(&state, &request.list, ctx.now, max_age);
                Verdict::Decided(may_send_within(&state, request, ctx.now, max_age))
            }
        };
        results.push(Line {
            email,
            subscriber_id: sid,
            decision,
            freshness: aged,
        });
    }
    Ok(results)
}
