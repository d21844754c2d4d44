//! `/p/{token}`: GET shows the preference page and changes nothing. POST
//! `action=save` (topics, frequency, pause), `unsubscribe_all` (optional
//! reason), `resubscribe` (fresh consent, with the text shown) or `reason`.

use doi_core::preferences::preferences_event;
use doi_core::text::Msg;
use doi_core::time::DAY;
use doi_core::token::{Claims, Purpose};
use doi_core::withdrawal::reason_event;
use doi_core::{
    ConsentVersion, EventKind, Evidence, FrequencyId, Method, SubscriberState, TopicId,
    UnsubscribeScope, Via,
};

use crate::ctx::{Ctx, Net};
use crate::formdata::{parse_form, Fields};
use crate::hosted::{action, shell, standing, verify, PageError};
use crate::http::{Request, Response};
use crate::pages::{
    self,
    preferences::{render, Done, Model, PAUSES},
};
use crate::store::Store;
use crate::subscribers::{self, Address};
use crate::texts::{self, StoredText};

/// The page.
pub async fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let (claims, state) = standing(ctx, token, Purpose::Preferences).await?;
    Ok(page(ctx, req, token, &claims, &state, None))
}

/// A change.
pub async fn post<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let claims = verify(ctx, token, Purpose::Preferences)?;
    let fields = parse_form(req)?;
    let locale = crate::hosted::locale(ctx, req);
    let refused = |msg: Msg| PageError::Refused(msg.text(locale).to_string());
    let sub = subscribers::before_change(&ctx.store, claims.subscriber).await?;
    let (kind, done) = match fields.get("action").as_deref() {
        Some("save") => (
            save(ctx, &claims, &sub.state, &fields).ok_or(refused(Msg::SubmissionRefused))?,
            Done::Saved,
        ),
        Some("unsubscribe_all") => {
            let reason = reason(&fields).ok_or(refused(Msg::SubmissionRefused))?;
            (
                EventKind::Unsubscribed {
                    scope: UnsubscribeScope::All,
                    via: Via::Page,
                    reason,
                },
                Done::UnsubscribedAll,
            )
        }
        // Only a reason: it stops nothing more than the person stopped.
        Some("reason") => (
            fields
                .get("reason")
                .as_deref()
                .and_then(reason_event)
                .ok_or(refused(Msg::SubmissionRefused))?,
            Done::ReasonThanks,
        ),
        Some("resubscribe") => {
            let kind = resubscribe(ctx, req, &claims, &fields, locale).await?;
            (
                kind.ok_or(refused(Msg::ConsentTextChanged))?,
                Done::Resubscribed,
            )
        }
        _ => return Err(refused(Msg::SubmissionRefused)),
    };
    let state = subscribers::append(ctx, &sub, ctx.fresh_id(), kind, Address::Keep).await?;
    ctx.log(format!(
        "subscriber {} changed preferences ({done:?})",
        claims.subscriber
    ));
    Ok(page(ctx, req, token, &claims, &state, Some(done)))
}

/// `action=save`: the event for the chosen topics, frequency and pause.
fn save<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    claims: &Claims,
    state: &SubscriberState,
    fields: &Fields,
) -> Option<EventKind> {
    let list = ctx.config.list(&claims.list)?;
    let topics: Vec<TopicId> = fields
        .all("topics")
        .iter()
        .map(|t| TopicId::parse(t))
        .collect::<Option<_>>()?;
    let frequency = match fields.get("frequency") {
        None => None,
        Some(f) => Some(FrequencyId::parse(&f)?),
    };
    let days: u32 = fields
        .get("pause")
        .unwrap_or_else(|| "0".into())
        .parse()
        .ok()?;
    PAUSES.iter().find(|(d, _)| *d == days)?;
    let paused_until = (days > 0).then(|| ctx.now.plus(u64::from(days) * DAY));
    preferences_event(list, state, &topics, frequency.as_ref(), paused_until).ok()
}

/// The reason given: `Some(None)` when none was chosen and none is required.
fn reason(fields: &Fields) -> Option<Option<String>> {
    match fields.get("reason").filter(|r| !r.is_empty()) {
        None => Some(None),
        Some(r) => match reason_event(&r)? {
            EventKind::ReasonGiven { reason } => Some(Some(reason)),
            _ => None,
        },
    }
}

/// `action=resubscribe`: fresh consent to the text the page showed, or
/// `None` when that text is no longer the current one.
async fn resubscribe<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    claims: &Claims,
    fields: &Fields,
    locale: doi_core::Locale,
) -> Result<Option<EventKind>, PageError> {
    let Some(form) = ctx.config.primary_form(&claims.list) else {
        return Ok(None);
    };
    let version = form.consent_version(locale);
    let shown = fields
        .get("consent_version")
        .and_then(|v| ConsentVersion::from_hex(&v));
    if shown != Some(version) {
        return Ok(None);
    }
    let shown = StoredText {
        text: form.consent.get(locale).to_string(),
        locale,
        form: form.id.to_string(),
    };
    texts::store(ctx, &version, &shown).await?;
    let evidence = Evidence {
        method: Method::PreferencePage,
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
    let topics = ctx
        .config
        .offered_topics(form)
        .into_iter()
        .map(|t| t.id.clone())
        .collect();
    Ok(Some(EventKind::Resubscribed {
        list: claims.list.clone(),
        topics,
        frequency: ctx
            .config
            .list(&claims.list)
            .map(|l| l.default_frequency.clone()),
        // The link came from the person's own mailbox: the address is proven.
        double_opt_in: false,
        evidence,
    }))
}

fn page<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
    claims: &Claims,
    state: &SubscriberState,
    done: Option<Done>,
) -> Response {
    let shell = shell(ctx, req);
    let own = action(&format!("/p/{token}"), shell.locale);
    let model = Model {
        shell,
        list: &claims.list,
        state,
        now: ctx.now,
        action: &own,
        done,
    };
    pages::html(200, render(&model))
}
