//! `GET /v1/forms/{id}`: what the widget needs to render a form.

use doi_core::form::FormDefinition;
use doi_core::FormId;

use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Response};
use crate::store::Store;

/// The form's definition, or 404.
pub fn get<S: Store, N: Net>(ctx: &Ctx<S, N>, id: &str) -> Result<Response, ApiError> {
    let form = FormId::parse(id)
        .and_then(|id| ctx.config.form(&id))
        .ok_or_else(|| ApiError::NotFound(format!("there is no form {id:?}")))?;
    let definition = FormDefinition::new(ctx.config, form);
    // Short public caching: texts change only with a deploy.
    Ok(Response::json(200, &definition).with_header("cache-control", "public, max-age=60"))
}
