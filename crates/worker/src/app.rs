//! The route table: which handler answers which request, with what body
//! limit, and how a handler's error becomes a response (JSON for `/v1`,
//! a plain page for the hosted pages). Nothing here knows the runtime.

use crate::api;
use crate::ctx::{Ctx, Net};
use crate::hosted::{self, PageError};
use crate::http::{ApiError, Method, Request, Response, API_BODY_LIMIT, PUBLIC_BODY_LIMIT};
use crate::providers;
use crate::store::Store;

/// The largest body `path` accepts.
pub fn body_limit(path: &str) -> usize {
    if path == "/admin" || path.starts_with("/admin/") {
        crate::admin::BODY_LIMIT
    } else if path.starts_with("/v1/providers/") {
        crate::providers::BODY_LIMIT
    } else if path.starts_with("/v1/") && path != "/v1/subscribe" {
        API_BODY_LIMIT
    } else {
        PUBLIC_BODY_LIMIT
    }
}

/// The answer to a body over [`body_limit`], in the route's own format.
pub fn too_large<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Response {
    let e = ApiError::PayloadTooLarge(body_limit(&req.path));
    if req.path.starts_with("/v1/") {
        let r = e.to_response();
        if req.path == "/v1/subscribe" {
            return api::with_cors(ctx.config, req, r);
        }
        r
    } else {
        hosted::error_page(ctx, req, PageError::Api(e))
    }
}

/// Answers one request.
pub async fn handle<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Response {
    use Method::{Delete, Get, Options, Post};
    let path = req.path.trim_start_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let c = ctx.config;
    match (req.method, segments.as_slice()) {
        (Get, ["healthz"]) => Response::json(200, &serde_json::json!({ "ok": true })),
        (Get, [".well-known", "jwks.json"]) => json(ctx, crate::receipts::jwks(ctx)),

        (Options, ["v1", "forms", _] | ["v1", "subscribe"]) => api::preflight(c, req),
        (Get, ["v1", "forms", id]) => api::with_cors(c, req, json(ctx, api::forms::get(ctx, id))),
        (Post, ["v1", "subscribe"]) => {
            api::with_cors(c, req, json(ctx, api::subscribe::post(ctx, req).await))
        }
        (Get, ["v1", "turnstile.js"]) => crate::turnstile::script(ctx),
        (Post, ["v1", "links"]) => json(ctx, api::links::post(ctx, req).await),
        (Post, ["v1", "check"]) => json(ctx, api::check::post(ctx, req).await),
        (Post, ["v1", "prepare"]) => json(ctx, api::prepare::post(ctx, req).await),
        (Get, ["v1", "subscribers", who]) => json(ctx, api::subscribers::get(ctx, req, who).await),
        (Delete, ["v1", "subscribers", who]) => {
            json(ctx, api::subscribers::delete(ctx, req, who).await)
        }
        (Get, ["v1", "export"]) => json(ctx, api::export::get(ctx, req).await),
        (Post, ["v1", "import"]) => json(ctx, api::import::post(ctx, req).await),
        (Post, ["v1", "suppressions"]) => json(ctx, api::suppressions::post(ctx, req).await),
        (Post, ["v1", "providers", name]) => json(ctx, providers::post(ctx, req, name).await),
        (
            _,
            ["v1", "forms" | "subscribers" | "providers", _]
            | ["v1", "subscribe" | "links" | "check" | "export" | "import" | "suppressions"],
        ) => ApiError::MethodNotAllowed.to_response(),
        (_, ["v1", ..]) => {
            ApiError::NotFound("no such API route; see docs/api.md".into()).to_response()
        }

        (Get, ["f", form]) => page(ctx, req, hosted::signup::get(ctx, req, form)),
        (Post, ["f", form]) => page(ctx, req, hosted::signup::post(ctx, req, form).await),
        (Get, ["c", token]) => page(ctx, req, hosted::confirm::get(ctx, req, token)),
        (Post, ["c", token]) => page(ctx, req, hosted::confirm::post(ctx, req, token).await),
        (Get, ["u", token]) => page(ctx, req, hosted::unsubscribe::get(ctx, req, token).await),
        (Post, ["u", token]) => page(ctx, req, hosted::unsubscribe::post(ctx, req, token).await),
        (Get, ["p", token]) => page(ctx, req, hosted::preferences::get(ctx, req, token).await),
        (Post, ["p", token]) => page(ctx, req, hosted::preferences::post(ctx, req, token).await),
        (Get, ["r", token]) => page(ctx, req, hosted::receipt::get(ctx, req, token).await),
        (_, ["r", _]) => hosted::error_page(ctx, req, PageError::Api(ApiError::MethodNotAllowed))
            .with_header("allow", "GET"),
        (Get, ["m"]) => page(ctx, req, hosted::manage::get(ctx, req)),
        (Post, ["m"]) => page(ctx, req, hosted::manage::post(ctx, req).await),
        (_, ["m"]) => hosted::error_page(ctx, req, PageError::Api(ApiError::MethodNotAllowed))
            .with_header("allow", "GET, POST"),
        (Get, ["n", token]) => page(ctx, req, hosted::renew::get(ctx, req, token).await),
        (Post, ["n", token]) => page(ctx, req, hosted::renew::post(ctx, req, token).await),
        (_, ["f" | "c" | "u" | "p" | "n", _]) => {
            hosted::error_page(ctx, req, PageError::Api(ApiError::MethodNotAllowed))
                .with_header("allow", "GET, POST")
        }

        // The console (issue 13): every route behind its guard.
        (_, ["admin", rest @ ..]) => crate::admin::handle(ctx, req, rest).await,

        _ => hosted::error_page(ctx, req, PageError::NotFound),
    }
}

/// A JSON handler's result as a response; the Worker's own failures are logged.
fn json<S: Store, N: Net>(ctx: &Ctx<S, N>, result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|e| {
        if let Some(line) = e.log_line() {
            ctx.log(line);
        }
        e.to_response()
    })
}

/// A page handler's result as a response.
fn page<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    result: Result<Response, PageError>,
) -> Response {
    result.unwrap_or_else(|e| hosted::error_page(ctx, req, e))
}
