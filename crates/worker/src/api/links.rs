//! `POST /v1/links`: the unsubscribe and preference links, the
//! `List-Unsubscribe` headers and the footer for one mail.

use doi_core::mail::{links, MailLinks, Recipient};
use doi_core::{ListId, Locale, SubscriberId, TopicId};
use serde::{Deserialize, Serialize};

use crate::api::{authorize, parse_email};
use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::store::Store;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    email: String,
    list: String,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    locale: Option<String>,
}

#[derive(Serialize)]
struct Answer {
    subscriber_id: SubscriberId,
    #[serde(flatten)]
    links: MailLinks,
    /// The re-permission link, on a list whose consent ages (this call
    /// reads nothing, so it cannot tell whether it is due: `/v1/prepare`
    /// says so per recipient).
    #[serde(skip_serializing_if = "Option::is_none")]
    renew_url: Option<String>,
}

/// Signs fresh links for one recipient. Stores nothing but, at most once
/// a day, the last-prepared time ([`crate::retention`]).
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    let email = parse_email(&ask.email)?;
    let (list, topic) = list_and_topic(ctx, &ask.list, ask.topic.as_deref())?;
    let locale = match ask.locale.as_deref() {
        None => ctx.config.sender.default_locale,
        Some(tag) => Locale::from_tag(tag).ok_or_else(|| {
            ApiError::invalid("invalid_request", format!("locale {tag:?} is not ja or en"))
        })?,
    };
    let subscriber = ctx.id_key()?.subscriber_id(&email);
    let recipient = Recipient {
        subscriber,
        list,
        topic,
    };
    crate::retention::record(ctx).await?;
    let keyring = ctx.keyring()?;
    let renew_url = ctx.config.consent_max_age(&recipient.list).map(|_| {
        doi_core::lifecycle::renew_url(
            &keyring,
            &ctx.base_url,
            subscriber,
            &recipient.list,
            ctx.now,
        )
    });
    let links = links(
        ctx.config,
        &keyring,
        &ctx.base_url,
        &recipient,
        locale,
        ctx.now,
    );
    Ok(Response::json(
        200,
        &Answer {
            subscriber_id: subscriber,
            links,
            renew_url,
        },
    ))
}

/// A list of the config and, optionally, one of its topics.
pub fn list_and_topic<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    list: &str,
    topic: Option<&str>,
) -> Result<(ListId, Option<TopicId>), ApiError> {
    let l = ListId::parse(list)
        .and_then(|id| ctx.config.list(&id))
        .ok_or_else(|| ApiError::invalid("unknown_list", format!("there is no list {list:?}")))?;
    let topic = match topic {
        None => None,
        Some(t) => Some(
            TopicId::parse(t)
                .and_then(|id| l.topic(&id))
                .map(|t| t.id.clone())
                .ok_or_else(|| {
                    ApiError::invalid("unknown_topic", format!("list {list:?} has no topic {t:?}"))
                })?,
        ),
    };
    Ok((l.id.clone(), topic))
}
