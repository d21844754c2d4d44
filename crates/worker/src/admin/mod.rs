//! The sender's console at `/admin`: sign-in, one person's state, events
//! and printable proof of consent, suppress and erase, a CSV of addresses
//! to suppress, and the export. Server-rendered like the hosted pages
//! (`view`); the decisions (session, CSRF, Access claims, the CSV) are
//! doi-core's [`doi_core::console`].
//!
//! The guard: every console route but the sign-in form answers only a
//! viewer — behind Cloudflare Access ([`access`], when `DOI_ACCESS_TEAM` /
//! `DOI_ACCESS_AUD` are set) a verified `Cf-Access-Jwt-Assertion`, and
//! token sign-in is off; otherwise the session cookie of a sign-in with
//! the API token. Every POST must come from this origin and, but the
//! sign-in, carry the viewer's CSRF token. Every answer is `no-store` and
//! framed by nobody. Addresses travel only in POST bodies, never in a URL.

pub mod access;
mod act;
mod activity;
mod overview;
mod person;
pub mod texts;
mod view;

use doi_core::console::session;
use doi_core::Locale;
use subtle::ConstantTimeEq;

use crate::ctx::{Ctx, Net};
use crate::formdata::{parse_form, Fields};
use crate::hosted;
use crate::http::{Method, Request, Response};
use crate::store::Store;
use texts::C;
use view::Console;

/// Largest body a console form may send (a CSV of
/// [`doi_core::limits::CHANGE_BATCH`] rows with a few columns fits).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The signed-in viewer.
pub struct Viewer {
    /// Shown as who is signed in.
    pub who: String,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// Whether the viewer came through a token sign-in (offers sign-out).
    pub session: bool,
}

/// Answers a request under `/admin`; `rest` is the path after it.
pub async fn handle<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request, rest: &[&str]) -> Response {
    use Method::{Get, Post};
    let locale = hosted::locale(ctx, req);
    let result = match (req.method, rest) {
        (Get, ["sign-in"]) => Ok(sign_in_page(ctx, req, locale).await),
        (Post, ["sign-in"]) => Ok(sign_in(ctx, req, locale)),
        _ => match viewer(ctx, req, locale).await {
            Err(refusal) => Ok(refusal),
            Ok(viewer) => {
                let page = Console {
                    ctx,
                    locale,
                    viewer: &viewer,
                };
                match form_checked(ctx, req, &viewer, locale) {
                    Err(refusal) => Ok(refusal),
                    Ok(fields) => route(&page, req, rest, &fields).await,
                }
            }
        },
    };
    result.unwrap_or_else(|e| hosted::error_page(ctx, req, e))
}

async fn route<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    req: &Request,
    rest: &[&str],
    fields: &Fields,
) -> Result<Response, hosted::PageError> {
    use Method::{Get, Post};
    match (req.method, rest) {
        (Get, [] | [""]) => Ok(page.home(None)),
        (Post, ["sign-out"]) => Ok(sign_out(page.locale)),
        (Post, ["person"]) => person::lookup(page, fields).await,
        (Post, ["proof"]) => person::proof(page, fields).await,
        (Post, ["suppress"]) => person::suppress(page, fields).await,
        (Post, ["erase"]) => person::erase(page, fields).await,
        (Get, ["suppress-list"]) => Ok(act::upload_page(page, None)),
        (Post, ["suppress-list"]) => act::upload(page, req, fields).await,
        (Get, ["export"]) => act::export_page(page, req).await,
        (Get, ["export", "download"]) => act::download(page.ctx, req).await,
        (Get, ["overview"]) => overview::page(page).await,
        (Post, ["overview", "recount"]) => overview::recount(page).await,
        (Get, ["activity"]) => activity::page(page, req).await,
        (Get, ["subscriber", id]) => activity::open(page, id).await,
        (_, ["overview", "recount"]) => Ok(page.not_allowed("POST")),
        (_, ["overview"] | ["activity"] | ["subscriber", _]) => Ok(page.not_allowed("GET")),
        (_, ["sign-out" | "person" | "proof" | "suppress" | "erase"]) => {
            Ok(page.not_allowed("POST"))
        }
        (_, ["suppress-list"]) => Ok(page.not_allowed("GET, POST")),
        (_, [] | [""] | ["export"] | ["export", "download"]) => Ok(page.not_allowed("GET")),
        _ => Ok(page.not_found()),
    }
}

/// The viewer, or the refusal to send instead.
async fn viewer<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    locale: Locale,
) -> Result<Viewer, Response> {
    let key = ctx
        .secrets
        .console_key()
        .map_err(|e| hosted::error_page(ctx, req, e.into()))?;
    let config = &ctx.secrets.access;
    if config.enabled() {
        return match access::verify(ctx, config, req.header("cf-access-jwt-assertion")).await {
            Ok(id) => Ok(Viewer {
                who: id.email.clone().unwrap_or_else(|| id.sub.clone()),
                csrf: session::csrf(&key, &format!("access:{}", id.sub)),
                session: false,
            }),
            Err(why) => {
                ctx.log(format!(
                    "console: refused an Access token ({})",
                    why.reason()
                ));
                Err(view::refusal(ctx, locale, 403, C::AccessRequired))
            }
        };
    }
    match session_value(req).filter(|v| session::valid(&key, v, ctx.now)) {
        Some(value) => Ok(Viewer {
            who: C::TokenHolder.text(locale).to_string(),
            csrf: session::csrf(&key, value),
            session: true,
        }),
        None => Err(view::sign_in(ctx, locale, 401, Some(C::SignInFirst))),
    }
}

fn session_value(req: &Request) -> Option<&str> {
    req.header("cookie").and_then(session::from_cookie_header)
}

/// Whether a POST came from a page of this origin. A browser says so in
/// `Sec-Fetch-Site`, which no page can forge; one that sends only `Origin`
/// must name this origin (the console's `Referrer-Policy: no-referrer`
/// makes browsers send `Origin: null` on its own forms, hence
/// `Sec-Fetch-Site` first). A client that sends neither is no browser's
/// cross-site form, and still needs the CSRF token.
fn same_origin(req: &Request) -> bool {
    match (req.header("sec-fetch-site"), req.header("origin")) {
        (Some(site), _) => matches!(site.trim(), "same-origin" | "none"),
        (None, Some(origin)) => origin.eq_ignore_ascii_case(&req.origin),
        (None, None) => true,
    }
}

/// A POST's fields once its origin and CSRF token are checked; a GET's none.
fn form_checked<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    viewer: &Viewer,
    locale: Locale,
) -> Result<Fields, Response> {
    if req.method != Method::Post {
        return Ok(Fields::default());
    }
    let refused = || view::refusal(ctx, locale, 403, C::FormExpired);
    if !same_origin(req) {
        return Err(refused());
    }
    let fields = parse_form(req).map_err(|e| hosted::error_page(ctx, req, e.into()))?;
    let given = fields.get_or_empty("csrf");
    // The viewer's token, derived above from the session or the Access
    // identity; compared in constant time.
    let ok = !given.is_empty() && bool::from(given.as_bytes().ct_eq(viewer.csrf.as_bytes()));
    if ok {
        Ok(fields)
    } else {
        Err(refused())
    }
}

async fn sign_in_page<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    locale: Locale,
) -> Response {
    if ctx.secrets.access.enabled() {
        return match viewer(ctx, req, locale).await {
            Ok(_) => view::redirect(&hosted::action("/admin", locale)),
            Err(refusal) => refusal,
        };
    }
    view::sign_in(ctx, locale, 200, None)
}

fn sign_in<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request, locale: Locale) -> Response {
    if ctx.secrets.access.enabled() {
        return view::refusal(ctx, locale, 403, C::AccessRequired);
    }
    if !same_origin(req) {
        return view::refusal(ctx, locale, 403, C::FormExpired);
    }
    let fields = match parse_form(req) {
        Ok(f) => f,
        Err(e) => return hosted::error_page(ctx, req, e.into()),
    };
    let (key, matches) = match (
        ctx.secrets.console_key(),
        ctx.secrets.token_matches(&fields.get_or_empty("token")),
    ) {
        (Ok(k), Ok(m)) => (k, m),
        (Err(e), _) | (_, Err(e)) => return hosted::error_page(ctx, req, e.into()),
    };
    if !matches {
        ctx.log("console: a sign-in with a wrong token");
        return view::sign_in(ctx, locale, 401, Some(C::WrongToken));
    }
    let value = session::issue(&key, ctx.now, ctx.fresh_id().as_str().as_bytes());
    ctx.log("console: signed in with the API token");
    view::redirect(&hosted::action("/admin", locale)).with_header(
        "set-cookie",
        &format!(
            "{}={value}; Path=/admin; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
            session::COOKIE,
            session::SESSION_TTL_MS / 1000
        ),
    )
}

fn sign_out(locale: Locale) -> Response {
    view::redirect(&hosted::action("/admin/sign-in", locale)).with_header(
        "set-cookie",
        &format!(
            "{}=; Path=/admin; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
            session::COOKIE
        ),
    )
}

#[cfg(test)]
mod tests;
