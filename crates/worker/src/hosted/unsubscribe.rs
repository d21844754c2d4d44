//! `/u/{token}`: GET shows the unsubscribe page and changes nothing. POST
//! is either RFC 8058 one-click (`List-Unsubscribe=One-Click`, from a mail
//! client: no cookie, no CSRF token, 200 and no redirect) or a button on
//! the page (`action=unsubscribe_all` / `unsubscribe_topic`). Reached from
//! a confirmation mail's "this wasn't me" link (`?from=not_me`, kept in the
//! page's form action), stopping everything is recorded as `via: not_me`.

use doi_core::mail::NOT_ME_QUERY;
use doi_core::token::{Claims, Purpose};
use doi_core::withdrawal::{unsubscribe_event, Link, PageAction};
use doi_core::{EventKind, Locale, UnsubscribeScope};

use crate::ctx::{Ctx, Net};
use crate::formdata::parse_form;
use crate::hosted::{action, shell, standing, verify, PageError};
use crate::http::{Request, Response};
use crate::pages::{
    self,
    unsubscribe::{render, Done, Model},
};
use crate::store::Store;
use crate::subscribers::{self, Address};

/// The page.
pub async fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let (claims, state) = standing(ctx, token, Purpose::Unsubscribe).await?;
    Ok(page(ctx, req, token, &claims, &state, None))
}

/// One-click or a page button. Any POST with a valid token that is not a
/// page button is a one-click (RFC 8058: be liberal; some clients send no
/// body): a valid token never gets a 4xx. The withdrawal is written on top
/// of the snapshot alone (one read), before anything that grows with the
/// log.
pub async fn post<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let claims = verify(ctx, token, Purpose::Unsubscribe)?;
    let action = parse_form(req)
        .ok()
        .and_then(|fields| PageAction::from_field(fields.get("action").as_deref()));
    let link = Link {
        list: claims.list.clone(),
        topic: claims.topic.clone(),
        not_me: from_not_me(req),
    };
    let kind = unsubscribe_event(&link, action);
    let done = match &kind {
        EventKind::Unsubscribed {
            scope: UnsubscribeScope::All,
            ..
        } => Done::All,
        EventKind::Unsubscribed {
            scope: UnsubscribeScope::Topic { topic, .. },
            ..
        } => Done::Topic(topic.clone()),
        _ => Done::List,
    };
    let sub = subscribers::before_change(&ctx.store, claims.subscriber).await?;
    let state = subscribers::append(ctx, &sub, ctx.fresh_id(), kind, Address::Keep).await?;
    ctx.log(format!("subscriber {} unsubscribed", claims.subscriber));
    Ok(page(ctx, req, token, &claims, &state, Some(done)))
}

fn page<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
    claims: &Claims,
    state: &doi_core::SubscriberState,
    done: Option<Done>,
) -> Response {
    let shell = shell(ctx, req);
    let mut own = action(&format!("/u/{token}"), shell.locale);
    if from_not_me(req) {
        own.push('&');
        own.push_str(NOT_ME_QUERY);
    }
    let preferences = preferences_link(ctx, claims, shell.locale);
    let model = Model {
        shell,
        list: &claims.list,
        topic: claims.topic.as_ref(),
        state,
        now: ctx.now,
        action: &own,
        preferences: &preferences,
        done,
    };
    pages::html(200, render(&model))
}

/// Whether the page was reached by a "this wasn't me" link.
fn from_not_me(req: &Request) -> bool {
    req.query_param("from").as_deref() == Some("not_me")
}

/// The same person's preference page (a fresh token for the same list).
fn preferences_link<S: Store, N: Net>(ctx: &Ctx<S, N>, claims: &Claims, locale: Locale) -> String {
    let token = ctx.keyring().map(|k| {
        k.sign(&Claims {
            purpose: Purpose::Preferences,
            subscriber: claims.subscriber,
            list: claims.list.clone(),
            topic: None,
            issued: ctx.now,
        })
    });
    match token {
        Ok(t) => action(&format!("/p/{t}"), locale),
        Err(_) => String::new(),
    }
}
