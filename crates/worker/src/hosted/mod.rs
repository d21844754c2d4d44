//! Handlers of the hosted pages: signup (`/f`), confirm (`/c`), unsubscribe
//! (`/u`), preferences (`/p`) and re-permission (`/n`). Each verifies its token, reads or appends
//! events, and hands a model to [`crate::pages`]. Errors become plain pages
//! here, in one place: a bad link is a 400 page, never a 500.

pub mod confirm;
pub mod manage;
pub mod preferences;
pub mod receipt;
pub mod renew;
pub mod signup;
pub mod unsubscribe;

use doi_core::text::Msg;
use doi_core::time::HOUR;
use doi_core::token::{Claims, Purpose, TokenError};
use doi_core::Locale;

use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Request, Response};
use crate::pages::{self, Shell};
use crate::store::Store;

/// Why a page could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// Forged, truncated, foreign-key or wrong-purpose token.
    InvalidLink,
    /// A confirmation link past its time.
    ExpiredLink,
    /// No such form or page.
    NotFound,
    /// The submission cannot be accepted as sent (422), with the reason.
    Refused(String),
    /// Anything the JSON API would also report (storage, configuration…).
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        PageError::Api(e)
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(_: crate::store::StoreError) -> PageError {
        PageError::Api(ApiError::StorageUnavailable)
    }
}

/// The page's language: `?lang=`, then `Accept-Language`, then the sender's.
pub fn locale<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Locale {
    Locale::negotiate(
        req.query_param("lang").as_deref(),
        req.header("accept-language"),
        ctx.config.sender.default_locale,
    )
}

/// The shell of a page in the request's language.
pub fn shell<'a, S: Store, N: Net>(ctx: &'a Ctx<S, N>, req: &Request) -> Shell<'a> {
    Shell {
        config: ctx.config,
        locale: locale(ctx, req),
    }
}

/// `path?lang=…`: where a page's forms post, keeping its language.
pub fn action(path: &str, locale: Locale) -> String {
    format!("{path}?lang={}", locale.tag())
}

/// A link's claims and what its subscriber's snapshot says now (one KV
/// read; nothing changes): what a `/u` or `/p` page shows on GET.
pub async fn standing<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    token: &str,
    purpose: Purpose,
) -> Result<(Claims, doi_core::SubscriberState), PageError> {
    let claims = verify(ctx, token, purpose)?;
    #[allow(
        clippy::disallowed_methods,
        reason = "a read: no snapshot yet is a subscriber with no consent"
    )]
    let state = crate::subscribers::read_snapshot(&ctx.store, &claims.subscriber)
        .await?
        .map(|s| s.state)
        .unwrap_or_default();
    Ok((claims, state))
}

/// Verifies a token for `purpose`; confirmation links expire.
pub fn verify<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    token: &str,
    purpose: Purpose,
) -> Result<Claims, PageError> {
    let max_age = match purpose {
        Purpose::Confirm => ctx
            .config
            .confirmation
            .as_ref()
            .map(|c| u64::from(c.ttl_hours) * HOUR),
        Purpose::Unsubscribe | Purpose::Preferences | Purpose::Mailto | Purpose::Renew => None,
    };
    ctx.keyring()?
        .verify(token, purpose, ctx.now, max_age)
        .map_err(|e| {
            ctx.log(format!("refused a {purpose:?} link: {e}"));
            match e {
                TokenError::Expired => PageError::ExpiredLink,
                _ => PageError::InvalidLink,
            }
        })
}

/// The page for an error, with its status.
pub fn error_page<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request, e: PageError) -> Response {
    let shell = shell(ctx, req);
    let (status, title, body) = match &e {
        PageError::InvalidLink => (
            400,
            Msg::InvalidLinkTitle,
            shell.t(Msg::InvalidLinkBody).to_string(),
        ),
        PageError::ExpiredLink => (
            400,
            Msg::InvalidLinkTitle,
            shell.t(Msg::ExpiredLinkBody).to_string(),
        ),
        PageError::NotFound => (
            404,
            Msg::NotFound,
            shell.t(Msg::InvalidLinkBody).to_string(),
        ),
        PageError::Refused(why) => (422, Msg::ErrorTitle, why.clone()),
        PageError::Api(api) => {
            if let Some(line) = api.log_line() {
                ctx.log(line);
            }
            let body = match api {
                ApiError::RateLimited => shell.t(Msg::TooManyRequests),
                ApiError::Invalid { .. }
                | ApiError::UnsupportedMediaType(_)
                | ApiError::PayloadTooLarge(_) => shell.t(Msg::SubmissionRefused),
                _ => shell.t(Msg::TryAgainLater),
            };
            (api.status(), Msg::ErrorTitle, body.to_string())
        }
    };
    pages::html(status, shell.message(title, &body, true))
}
