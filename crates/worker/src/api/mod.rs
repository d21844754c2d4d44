//! The JSON API: the widget's routes (form definitions, subscribe) and the
//! sender's (links, check, subscribers, export, import, suppressions). Each
//! handler parses its input, asks doi-core, and maps the answer to JSON;
//! errors become responses in one place, [`crate::http::ApiError::to_response`].

pub mod check;
pub mod export;
pub mod forms;
pub mod import;
pub mod links;
pub mod prepare;
pub mod subscribe;
pub mod subscribers;
pub mod suppressions;

use doi_core::{Config, Email, SubscriberId};

use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Request, Response};
use crate::store::Store;

/// Whether a browser at `origin` may talk to the widget routes of any form
/// (CORS headers are set on every answer of those routes, errors included,
/// so the widget can read them; which form accepts what is checked later).
pub fn allowed_origin<'a>(config: &Config, req: &'a Request) -> Option<&'a str> {
    let origin = req.header("origin")?;
    doi_core::origin::may_read(config, origin, &req.origin).then_some(origin)
}

/// Adds CORS headers for the widget routes.
pub fn with_cors(config: &Config, req: &Request, mut response: Response) -> Response {
    response = response.with_header("vary", "Origin");
    if let Some(origin) = allowed_origin(config, req) {
        response = response.with_header("access-control-allow-origin", origin);
    }
    response
}

/// The answer to a CORS preflight.
pub fn preflight(config: &Config, req: &Request) -> Response {
    let r = Response::new(204, "text/plain", Vec::new())
        .with_header("access-control-allow-methods", "GET, POST, OPTIONS")
        .with_header(
            "access-control-allow-headers",
            "content-type, cf-turnstile-response",
        )
        .with_header("access-control-max-age", "600");
    with_cors(config, req, r)
}

/// Checks the bearer token of a sender-API call.
pub fn authorize<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<(), ApiError> {
    ctx.secrets.authorize(req.header("authorization"))
}

/// Refuses a batch larger than `max` (one of [`doi_core::limits`]).
pub fn check_batch(n: usize, max: usize) -> Result<(), ApiError> {
    if n > max {
        Err(ApiError::BatchTooLarge(max))
    } else {
        Ok(())
    }
}

/// Parses an address for the API, with the contract's code.
pub fn parse_email(text: &str) -> Result<Email, ApiError> {
    Email::parse(text)
        .map_err(|e| ApiError::invalid("invalid_email", format!("invalid email address: {e}")))
}

/// A subscriber named in a path: their id, or their address (percent-encoded).
pub fn subscriber_from_path<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    segment: &str,
) -> Result<(SubscriberId, Option<Email>), ApiError> {
    let decoded = crate::formdata::decode_path_segment(segment);
    if let Some(sid) = SubscriberId::parse(&decoded) {
        return Ok((sid, None));
    }
    let email = parse_email(&decoded)?;
    Ok((ctx.id_key()?.subscriber_id(&email), Some(email)))
}

/// KV writes one batch call may make: a Worker may do 1,000 KV operations
/// per invocation, and each recorded address costs [`WRITES_PER_CHANGE`]
/// writes plus a share of the bulk reads.
pub const WRITES_PER_CALL: usize = 900;

/// KV writes one recorded change costs: its repair mark, the event and the
/// snapshot.
pub const WRITES_PER_CHANGE: usize = 3;

/// An item of a batch that was not processed, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    /// Its position in the input.
    pub index: usize,
    /// A contract code (`invalid_email`, `unknown_topic`, …, or
    /// `retry_later` when the call's KV budget ran out: send it again).
    pub code: &'static str,
}
