//! `/f/{form}`: the hosted signup page. GET renders the form (a fresh
//! record id, the render time); POST turns the fields into the same
//! consent record the widget sends and records it the same way.

use doi_core::consent::{ConsentRecord, SubmissionError};
use doi_core::origin::{may_submit, Surface};
use doi_core::text::{email_error, Msg};
use doi_core::{ConsentVersion, FormId, Locale, Method, TopicId};

use crate::ctx::{Ctx, Net};
use crate::formdata::parse_form;
use crate::hosted::{action, shell, PageError};
use crate::http::{ApiError, Request, Response};
use crate::pages::{self, signup};
use crate::store::Store;

/// The form.
pub fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    id: &str,
) -> Result<Response, PageError> {
    let form = FormId::parse(id)
        .and_then(|f| ctx.config.form(&f))
        .ok_or(PageError::NotFound)?;
    let shell = shell(ctx, req);
    let own = action(&format!("/f/{}", form.id), shell.locale);
    let record_id = ctx.fresh_id();
    let chosen: Vec<TopicId> = ctx
        .config
        .offered_topics(form)
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let script = crate::turnstile::endpoints(ctx).1;
    let model = signup::Model {
        shell,
        form,
        action: &own,
        record_id: record_id.as_str(),
        rendered_at: ctx.now.millis(),
        email: "",
        chosen: &chosen,
        problem: None,
        turnstile_script: Some(&script),
    };
    Ok(page(ctx, form, 200, signup::render(&model)))
}

/// The page as a response: with Turnstile's script and frame in its CSP
/// when the form uses Turnstile.
fn page<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    form: &doi_core::config::Form,
    status: u16,
    html: String,
) -> Response {
    let r = pages::html(status, html);
    if form.turnstile.is_none() {
        return r;
    }
    let csp = signup::turnstile_csp(&crate::turnstile::script_origin(ctx));
    r.with_header("content-security-policy", &csp)
}

/// A submission.
pub async fn post<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    id: &str,
) -> Result<Response, PageError> {
    let form = FormId::parse(id)
        .and_then(|f| ctx.config.form(&f))
        .ok_or(PageError::NotFound)?;
    let origin = req.header("origin");
    if !may_submit(form, origin, &req.origin, Surface::HostedPage) {
        #[allow(clippy::disallowed_methods, reason = "no Origin header is named as ''")]
        let shown = origin.unwrap_or_default().to_string();
        return Err(ApiError::ForbiddenOrigin(shown).into());
    }
    let fields = parse_form(req)?;
    let locale = fields
        .get("locale")
        .and_then(|l| Locale::from_tag(&l))
        .unwrap_or_else(|| crate::hosted::locale(ctx, req));
    let email = fields.get_or_empty("email");
    let topics: Vec<TopicId> = fields
        .all("topics")
        .iter()
        .filter_map(|t| TopicId::parse(t))
        .collect();
    let record_id = fields.get_or_empty("record_id");
    let rendered_at: u64 = fields
        .get("rendered_at")
        .and_then(|t| t.parse().ok())
        .unwrap_or(u64::MAX);
    let record = ConsentRecord {
        record_id: record_id.clone(),
        form: form.id.clone(),
        email: email.clone(),
        locale,
        // The page showed the form's text in `locale`; the posted version
        // says which text that was, so a text changed meanwhile is refused.
        consent_text: form.consent.get(locale).to_string(),
        consent_version: fields
            .get("consent_version")
            .and_then(|v| ConsentVersion::from_hex(&v))
            .unwrap_or(ConsentVersion([0; 32])),
        consent: fields.get("consent").is_some_and(|c| c == "yes"),
        topics: topics.clone(),
        // Where consent was given: this page.
        page_url: format!("{}/f/{}", req.origin, form.id),
        client_time: ctx.now,
        elapsed_ms: ctx.now.millis().saturating_sub(rendered_at),
        website: fields.get_or_empty("website"),
        attach: false,
    };
    let shell = shell(ctx, req);
    let checked = match record.check(ctx.config, Method::HostedPage, req.header("user-agent")) {
        Ok(checked) => {
            let token = fields.get(doi_core::turnstile::RESPONSE_FIELD);
            let ip = req.header("cf-connecting-ip");
            match crate::turnstile::check(ctx, form, token.as_deref(), ip, &record_id).await {
                Ok(()) => Ok(checked),
                Err(ApiError::Invalid { .. }) => Err(None),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => Err(Some(e)),
    };
    match checked {
        Ok(checked) => {
            let sid = ctx.id_key()?.subscriber_id(&checked.email);
            crate::ratelimit::count_signup(ctx, req, &sid).await?;
            crate::signup::sign_up(ctx, checked).await?;
            Ok(pages::html(200, signup::done(&shell, form)))
        }
        Err(None) => {
            let problem = Msg::TurnstileFailed.text(locale);
            let shell = pages::Shell { locale, ..shell };
            let own = action(&format!("/f/{}", form.id), locale);
            let script = crate::turnstile::endpoints(ctx).1;
            let model = signup::Model {
                shell,
                form,
                action: &own,
                record_id: &record_id,
                rendered_at: rendered_at.min(ctx.now.millis()),
                email: &email,
                chosen: &topics,
                problem: Some(problem),
                turnstile_script: Some(&script),
            };
            Ok(page(ctx, form, 422, signup::render(&model)))
        }
        Err(Some(e)) => {
            let problem = match &e {
                SubmissionError::Email(err) => email_error(err, locale).to_string(),
                SubmissionError::ConsentNotGiven => Msg::ConsentRequired.text(locale).to_string(),
                SubmissionError::AlteredText | SubmissionError::StaleText => {
                    Msg::ConsentTextChanged.text(locale).to_string()
                }
                SubmissionError::NoTopicChosen => Msg::TopicRequired.text(locale).to_string(),
                _ => Msg::SubmissionRefused.text(locale).to_string(),
            };
            let shell = pages::Shell { locale, ..shell };
            let own = action(&format!("/f/{}", form.id), locale);
            let script = crate::turnstile::endpoints(ctx).1;
            let fresh_id;
            let record_id = if matches!(e, SubmissionError::BadRecordId) {
                fresh_id = ctx.fresh_id();
                fresh_id.as_str()
            } else {
                record_id.as_str()
            };
            let model = signup::Model {
                shell,
                form,
                action: &own,
                record_id,
                rendered_at: if matches!(e, SubmissionError::Automated) {
                    ctx.now.millis()
                } else {
                    rendered_at.min(ctx.now.millis())
                },
                email: &email,
                chosen: &topics,
                problem: Some(&problem),
                turnstile_script: Some(&script),
            };
            Ok(page(ctx, form, 422, signup::render(&model)))
        }
    }
}
