//! `POST /v1/check`: "may I send this mail to these addresses?", with the
//! reason for each. Reads snapshots only (one bulk read per 100 addresses).

use doi_core::decision::Decision;
use doi_core::{may_send, FrequencyId, SendRequest, SubscriberId, SubscriberState};
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

#[derive(Serialize)]
struct Line {
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscriber_id: Option<SubscriberId>,
    #[serde(flatten)]
    decision: Verdict,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Verdict {
    Decided(Decision),
    InvalidEmail { allowed: bool, reason: InvalidEmail },
}

#[derive(Serialize)]
struct InvalidEmail {
    code: &'static str,
}

/// One decision per address, in input order.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    check_batch(ask.emails.len())?;
    let (list, topic) = list_and_topic(ctx, &ask.list, ask.topic.as_deref())?;
    let frequency = match &ask.frequency {
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
    let request = SendRequest {
        list,
        topic,
        frequency,
    };
    let id_key = ctx.id_key()?;
    let sids: Vec<Option<SubscriberId>> = ask
        .emails
        .iter()
        .map(|e| {
            doi_core::Email::parse(e)
                .ok()
                .map(|e| id_key.subscriber_id(&e))
        })
        .collect();
    let wanted: Vec<String> = sids.iter().flatten().map(keys::snapshot).collect();
    let mut found = ctx.store.get_many(&wanted).await?.into_iter();
    let mut results = Vec::with_capacity(ask.emails.len());
    for (email, sid) in ask.emails.into_iter().zip(sids) {
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
                    .and_then(|text| Snapshot::parse(&text))
                    .map(|s| s.state)
                    .unwrap_or_else(SubscriberState::default);
                Verdict::Decided(may_send(&state, &request, ctx.now))
            }
        };
        results.push(Line {
            email,
            subscriber_id: sid,
            decision,
        });
    }
    Ok(Response::json(200, &Answer { results }))
}
