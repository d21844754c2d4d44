//! `/n/{token}`: the re-permission link a sender mails when consent to a
//! list that ages (`consent_max_age_days`) is stale or nearly so. GET shows
//! the page and changes nothing; POST records a renewal with fresh evidence
//! (the exact text shown, its language, the browser), once per link, and
//! only for a consent in force: a withdrawal is never lifted by it.

use doi_core::lifecycle::{renewable, renewal};
use doi_core::text::Msg;
use doi_core::token::{Claims, Purpose};
use doi_core::{ConsentVersion, EventId, Evidence, Method, SubscriberState};

use crate::ctx::{Ctx, Net};
use crate::formdata::parse_form;
use crate::hosted::{action, shell, standing, verify, PageError};
use crate::http::{Request, Response};
use crate::keys;
use crate::pages::{self, renew};
use crate::store::Store;
use crate::subscribers::{self, Address};
use crate::texts::{self, StoredText};

/// The page with the button (or, with nothing to renew, the standing).
pub async fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let (claims, state) = standing(ctx, token, Purpose::Renew).await?;
    Ok(page(ctx, req, token, &claims, &state, false))
}

/// Renews (once per link) and says what is now true.
pub async fn post<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let claims = verify(ctx, token, Purpose::Renew)?;
    let fields = parse_form(req)?;
    let locale = crate::hosted::locale(ctx, req);
    let sub = subscribers::before_change(&ctx.store, claims.subscriber).await?;
    if !renewable(&sub.state, &claims.list) {
        return Ok(page(ctx, req, token, &claims, &sub.state, false));
    }
    let form = ctx
        .config
        .primary_form(&claims.list)
        .ok_or(PageError::NotFound)?;
    let version = form.consent_version(locale);
    let shown = fields
        .get("consent_version")
        .and_then(|v| ConsentVersion::from_hex(&v));
    if shown != Some(version) {
        return Err(PageError::Refused(
            Msg::ConsentTextChanged.text(locale).to_string(),
        ));
    }
    // Pressing twice on one link is one renewal.
    let id = EventId::derive(b"doi renew v1", &[token.as_bytes()]);
    if ctx
        .store
        .get(&keys::event(&claims.subscriber, &id))
        .await?
        .is_some()
    {
        return Ok(page(ctx, req, token, &claims, &sub.state, true));
    }
    let stored = StoredText {
        text: form.consent.get(locale).to_string(),
        locale,
        form: form.id.to_string(),
    };
    texts::store(ctx, &version, &stored).await?;
    let evidence = Evidence {
        method: Method::RenewalPage,
        form: Some(form.id.clone()),
        consent_version: version,
        locale,
        page_url: None,
        client_time: None,
        user_agent: req
            .header("user-agent")
            .map(|ua| ua.chars().take(512).collect()),
        source: None,
        opt_in: None,
    };
    let Some(kind) = renewal(&sub.state, &claims.list, evidence) else {
        return Ok(page(ctx, req, token, &claims, &sub.state, false));
    };
    let state = subscribers::append(ctx, &sub, id, kind, Address::Keep).await?;
    ctx.log(format!("subscriber {} renewed consent", claims.subscriber));
    Ok(page(ctx, req, token, &claims, &state, true))
}

fn page<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
    claims: &Claims,
    state: &SubscriberState,
    renewed: bool,
) -> Response {
    let shell = shell(ctx, req);
    let own = action(&format!("/n/{token}"), shell.locale);
    let model = renew::Model {
        shell,
        list: &claims.list,
        state,
        now: ctx.now,
        action: &own,
        renewable: !renewed && renewable(state, &claims.list),
        renewed,
    };
    pages::html(200, renew::render(&model))
}
