//! One person: look up an address (POSTed, never in a URL), their current
//! state and every event, the printable proof of consent, and the suppress
//! and erase buttons, each behind a confirmation step, through the same code
//! as `POST /v1/suppressions` and `DELETE /v1/subscribers/{id}`.

use doi_core::html::Escaped;
use doi_core::ledger::verify;
use doi_core::{Email, LoggedEvent, SubscriberId, SubscriberState};

use super::texts::C;
use super::view::{notice, Console};
use crate::api::subscribers::texts;
use crate::ctx::{Ctx, Net};
use crate::formdata::Fields;
use crate::hosted::PageError;
use crate::http::Response;
use crate::pages::hidden;
use crate::store::Store;
use crate::subscribers;

mod proof;
mod tables;

use tables::events_table;
pub(super) use tables::state_table;

/// What the store holds about one address.
pub(super) struct Found {
    pub email: Email,
    pub sid: SubscriberId,
    pub stored_email: Option<Email>,
    pub log: Vec<(LoggedEvent, String)>,
    pub state: SubscriberState,
    pub verified: bool,
}

/// The address of a form, parsed; or the home page saying what is wrong.
fn address<S: Store, N: Net>(page: &Console<'_, S, N>, fields: &Fields) -> Result<Email, Response> {
    Email::parse(&fields.get_or_empty("email")).map_err(|_| page.home(Some(page.t(C::BadAddress))))
}

/// Reads one subscriber's log, folds it and verifies it, as
/// `GET /v1/subscribers/{id}` does.
pub(super) async fn find<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    email: Email,
) -> Result<Found, PageError> {
    let sid = ctx.id_key()?.subscriber_id(&email);
    let (stored_email, log) = subscribers::read_whole(&ctx.store, &sid).await?;
    let bytes: Vec<Vec<u8>> = log.iter().map(|(_, t)| t.as_bytes().to_vec()).collect();
    let verified = verify(sid, &bytes, &[]).is_ok();
    let logged: Vec<LoggedEvent> = log.iter().map(|(e, _)| e.clone()).collect();
    let state = doi_core::fold(&subscribers::since_erasure(logged));
    Ok(Found {
        email,
        sid,
        stored_email,
        log,
        state,
        verified,
    })
}

/// `POST /admin/person`: the person page.
pub async fn lookup<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let email = match address(page, fields) {
        Ok(e) => e,
        Err(r) => return Ok(r),
    };
    show(page, email).await
}

/// The person page of `email` (also opened by subscriber id from the
/// activity: [`super::activity::open`]).
pub(super) async fn show<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    email: Email,
) -> Result<Response, PageError> {
    let found = find(page.ctx, email).await?;
    if found.log.is_empty() {
        return Ok(page.home(Some(page.t(C::NoSubscriber))));
    }
    Ok(page.page(
        200,
        "/admin/person",
        page.t(C::Person),
        &person_html(page, &found, None),
    ))
}

/// The person page's content, with an optional result notice on top.
fn person_html<S: Store, N: Net>(page: &Console<'_, S, N>, f: &Found, done: Option<C>) -> String {
    let t = |m: C| page.t(m);
    let shown = f.stored_email.as_ref().unwrap_or(&f.email);
    let mut out = done.map_or_else(String::new, |d| notice(t(d), false));
    out.push_str(&format!(
        "<dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><code>{}</code></dd></dl>{}",
        Escaped(t(C::Address)),
        Escaped(shown.as_str()),
        Escaped(t(C::SubscriberId)),
        Escaped(&f.sid.to_string()),
        notice(
            t(if f.verified {
                C::LogVerifies
            } else {
                C::LogBroken
            }),
            !f.verified
        ),
    ));
    out.push_str(&format!("<h2>{}</h2>", Escaped(t(C::CurrentState))));
    out.push_str(&state_table(page, &f.state));
    let with_email = hidden("email", f.email.as_str());
    out.push_str(&page.form(
        "/admin/proof",
        "",
        &format!(
            "{with_email}<button type=\"submit\">{}</button>",
            Escaped(t(C::Proof))
        ),
    ));
    out.push_str(&format!("<h2>{}</h2>", Escaped(t(C::Events))));
    out.push_str(&events_table(page, &f.log));
    for (path, label) in [("/admin/suppress", C::Suppress), ("/admin/erase", C::Erase)] {
        out.push_str(&page.form(
            path,
            "",
            &format!(
                "{with_email}<p><button class=\"danger\" type=\"submit\">{}</button></p>",
                Escaped(t(label))
            ),
        ));
    }
    out
}

/// `POST /admin/proof`: the printable proof of consent.
pub async fn proof<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let email = match address(page, fields) {
        Ok(e) => e,
        Err(r) => return Ok(r),
    };
    let found = find(page.ctx, email).await?;
    if found.log.is_empty() {
        return Ok(page.home(Some(page.t(C::NoSubscriber))));
    }
    let texts = texts(page.ctx, &found.log).await?;
    Ok(page.page(
        200,
        "/admin/proof",
        page.t(C::Proof),
        &proof::html(page, &found, &texts),
    ))
}

/// The confirmation step of a suppress or erase.
fn confirm_step<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    path: &str,
    email: &Email,
    erase: bool,
) -> Response {
    let t = |m: C| page.t(m);
    let reason = if erase {
        let options: String = [
            ("", C::LegalNone),
            ("gdpr_erasure", C::LegalGdpr),
            ("no_consent_given", C::LegalNoConsent),
            ("legal_order", C::LegalOrder),
        ]
        .iter()
        .map(|(v, m)| format!("<option value=\"{v}\">{}</option>", Escaped(t(*m))))
        .collect();
        format!(
            "<label for=\"legal\">{}</label><select id=\"legal\" name=\"legal\">{options}</select>",
            Escaped(t(C::LegalReason))
        )
    } else {
        let options: String = [
            ("manual", C::ReasonManual),
            ("bounce", C::ReasonBounce),
            ("complaint", C::ReasonComplaint),
        ]
        .iter()
        .map(|(v, m)| format!("<option value=\"{v}\">{}</option>", Escaped(t(*m))))
        .collect();
        format!("<label for=\"reason\">{}</label><select id=\"reason\" name=\"reason\">{options}</select>", Escaped(t(C::Reason)))
    };
    let main = format!(
        "<dl><dt>{}</dt><dd>{}</dd></dl>{}{}<p><a href=\"{}\">{}</a></p>",
        Escaped(t(C::Address)),
        Escaped(email.as_str()),
        notice(
            t(if erase {
                C::EraseExplain
            } else {
                C::SuppressExplain
            }),
            true
        ),
        page.form(
            path,
            "",
            &format!(
                "{}{}{reason}<button class=\"primary\" type=\"submit\">{}</button>",
                hidden("email", email.as_str()),
                hidden("confirm", "yes"),
                Escaped(t(if erase { C::YesErase } else { C::YesSuppress }))
            )
        ),
        Escaped(&crate::hosted::action("/admin", page.locale)),
        Escaped(t(C::Cancel)),
    );
    page.page(200, path, t(C::AreYouSure), &main)
}

/// `POST /admin/suppress`: asks first, then suppresses like the API.
pub async fn suppress<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let email = match address(page, fields) {
        Ok(e) => e,
        Err(r) => return Ok(r),
    };
    if fields.get("confirm").as_deref() != Some("yes") {
        return Ok(confirm_step(page, "/admin/suppress", &email, false));
    }
    let reason = fields.get("reason").unwrap_or_else(|| "manual".into());
    let (done, skipped) =
        crate::api::suppressions::suppress(page.ctx, &[email.as_str().to_string()], &reason)
            .await?;
    if done != 1 || !skipped.is_empty() {
        return Err(PageError::Api(crate::http::ApiError::StorageUnavailable));
    }
    let found = find(page.ctx, email).await?;
    Ok(page.page(
        200,
        "/admin/person",
        page.t(C::Person),
        &person_html(page, &found, Some(C::Suppressed)),
    ))
}

/// `POST /admin/erase`: asks first, then erases like the API.
pub async fn erase<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let email = match address(page, fields) {
        Ok(e) => e,
        Err(r) => return Ok(r),
    };
    if fields.get("confirm").as_deref() != Some("yes") {
        return Ok(confirm_step(page, "/admin/erase", &email, true));
    }
    let sid = page.ctx.id_key()?.subscriber_id(&email);
    let sub = subscribers::load(&page.ctx.store, sid).await?;
    // Inside the record-keeping period (README, Record keeping) an erasure
    // takes the sender's legal reason, as the API's `?override=` does; the
    // erasure's signed receipt records it.
    let prepared = crate::retention::prepared(&page.ctx.store).await?;
    let needed = doi_core::retention::erasure_needs_override(&sub.state, prepared, page.ctx.now);
    let given = fields
        .get("legal")
        .and_then(|v| doi_core::retention::Override::parse(&v));
    if needed && given.is_none() {
        return Err(PageError::Refused(
            page.t(C::RetentionNeedsReason).to_string(),
        ));
    }
    let recorded = if needed { given } else { None };
    subscribers::erase(page.ctx, &sub, recorded).await?;
    page.ctx.log(match recorded {
        Some(o) => format!(
            "subscriber {sid} erased from the console inside its retention period (override: {})",
            o.as_str()
        ),
        None => format!("subscriber {sid} erased from the console"),
    });
    let found = find(page.ctx, email).await?;
    Ok(page.page(
        200,
        "/admin/person",
        page.t(C::Person),
        &person_html(page, &found, Some(C::Erased)),
    ))
}
