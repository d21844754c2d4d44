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
    let model = signup::Model {
        shell,
        form,
        action: &own,
        record_id: record_id.as_str(),
        rendered_at: ctx.now.millis(),
        email: "",
        chosen: &chosen,
        problem: None,
    };
    Ok(pages::html(200, signup::render(&model)))
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
    };
    let shell = shell(ctx, req);
    match record.check(ctx.config, Method::HostedPage, req.header("user-agent")) {
        Ok(checked) => {
            crate::signup::sign_up(ctx, checked).await?;
            Ok(pages::html(200, signup::done(&shell, form)))
        }
        Err(e) => {
            let problem = match &e {
                SubmissionError::Email(err) => email_error(err, locale),
                SubmissionError::ConsentNotGiven => Msg::ConsentRequired.text(locale).to_string(),
                SubmissionError::AlteredText | SubmissionError::StaleText => {
                    Msg::ConsentTextChanged.text(locale).to_string()
                }
                SubmissionError::NoTopicChosen => Msg::TopicRequired.text(locale).to_string(),
                _ => Msg::SubmissionRefused.text(locale).to_string(),
            };
            let shell = pages::Shell { locale, ..shell };
            let own = action(&format!("/f/{}", form.id), locale);
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
            };
            Ok(pages::html(422, signup::render(&model)))
        }
    }
}
