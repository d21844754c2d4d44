//! `POST /v1/subscribe`: the widget's consent record becomes evidence.

use doi_core::consent::ConsentRecord;
use doi_core::origin::{may_submit, Surface};
use doi_core::Method;

use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::signup;
use crate::store::Store;

/// Checks the record against the form's current text and origin, stores it
/// (idempotently by record id) and answers the same for everyone.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    let record: ConsentRecord = json_body(req)?;
    let origin = req.header("origin");
    if let Some(form) = ctx.config.form(&record.form) {
        if !may_submit(form, origin, &req.origin, Surface::Widget) {
            let shown = origin.unwrap_or("a request without an Origin header");
            return Err(ApiError::ForbiddenOrigin(shown.to_string()));
        }
    }
    let method = if record.attach {
        Method::WidgetAttach
    } else {
        Method::Widget
    };
    let checked = record.check(ctx.config, method, req.header("user-agent"))?;
    // A form with Turnstile: the widget sends the token in a header.
    crate::turnstile::check(
        ctx,
        &checked.form,
        req.header(doi_core::turnstile::RESPONSE_FIELD),
        req.header("cf-connecting-ip"),
        checked.id.as_str(),
    )
    .await?;
    let sid = ctx.id_key()?.subscriber_id(&checked.email);
    crate::ratelimit::count_signup(ctx, req, &sid).await?;
    let receipt = signup::sign_up(ctx, checked).await?;
    Ok(Response::json(200, &receipt))
}
