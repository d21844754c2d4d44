//! The console's pages: a shell with the console's menu, and the pages
//! every route shares (sign-in, home, refusals). Everything from outside or
//! from the store goes through [`Escaped`]; the stylesheet is the hosted
//! pages' plus a few rules for tables and print, allowed by its hash, so no
//! script and no other style can run.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use doi_core::html::Escaped;
use doi_core::time::HOUR;
use doi_core::{Locale, Timestamp};
use sha2::{Digest, Sha256};

use super::texts::C;
use super::Viewer;
use crate::ctx::{Ctx, Net};
use crate::hosted::action;
use crate::http::Response;
use crate::pages::{self, hidden};
use crate::store::Store;

/// The console's stylesheet: the hosted pages' and these rules.
fn css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        format!(
            "{}.wrap{{max-width:64rem}}\
table{{border-collapse:collapse;width:100%;margin:.5rem 0}}\
th,td{{text-align:left;vertical-align:top;border-bottom:1px solid #c7c7c7;padding:.4rem .5rem;overflow-wrap:anywhere}}\
.scroll{{overflow-x:auto}}\
nav.menu a{{margin:0 .75rem 0 0;display:inline-block;padding:.25rem 0}}\
.inline{{display:inline}}.who{{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding-bottom:.75rem}}\
input[type=password],input[type=file],select{{display:block;width:100%;font:inherit;padding:.6rem;border:2px solid #6b6b6b;border-radius:.4rem;margin-bottom:.75rem}}\
dl{{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem}}dt{{font-weight:700}}dd{{margin:0;overflow-wrap:anywhere}}\
blockquote{{margin:.5rem 0;padding:.75rem;background:#f3f3f3;border-left:.35rem solid #6b6b6b;white-space:pre-wrap}}\
.danger{{border-color:#b3261e;color:#b3261e}}\
.chart{{margin:.5rem 0}}.chart svg{{display:block;max-width:100%;height:auto;background:#fafafa;border:1px solid #c7c7c7}}\
figcaption{{font-size:.9rem}}summary{{cursor:pointer;padding:.25rem 0}}nav.pager a,nav.pager span{{margin-right:1rem}}\
@media print{{header nav,nav.menu,form,.skip{{display:none}}body{{font-size:11pt}}}}",
            pages::CSS
        )
    })
}

/// The console's Content-Security-Policy: the hosted pages' with this
/// stylesheet's hash.
fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = STANDARD.encode(Sha256::digest(css().as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        )
    })
}

/// A console HTML response: strict CSP, framed by nobody, never stored.
pub fn html(status: u16, body: String) -> Response {
    Response::new(status, "text/html; charset=utf-8", body)
        .with_header("content-security-policy", csp())
        .with_header("x-frame-options", "DENY")
        .with_header("cache-control", "no-store")
}

/// A 303 to `to` (after a sign-in or sign-out).
pub fn redirect(to: &str) -> Response {
    html(303, String::new()).with_header("location", to)
}

/// `2026-12-01 23:42:31 UTC`.
pub fn utc(t: Timestamp) -> String {
    let s = t.to_string();
    format!("{} {} UTC", &s[..10], &s[11..19])
}

/// `2026-12-02 08:42:31 JST` (UTC+9, no daylight saving).
pub fn jst(t: Timestamp) -> String {
    let s = t.plus(9 * HOUR).to_string();
    format!("{} {} JST", &s[..10], &s[11..19])
}

/// A whole console page; `viewer` adds the menu and sign-out.
pub fn document(
    locale: Locale,
    viewer: Option<&Viewer>,
    path: &str,
    title: &str,
    main: &str,
) -> String {
    let t = |m: C| m.text(locale);
    let switch: String = Locale::ALL
        .iter()
        .map(|&other| {
            let current = if other == locale { " aria-current=\"true\"" } else { "" };
            format!(
                "<a href=\"{path}?lang={tag}\" lang=\"{tag}\" hreflang=\"{tag}\"{current}>{name}</a>",
                tag = other.tag(),
                name = Escaped(other.name()),
            )
        })
        .collect();
    let menu = viewer.map_or_else(String::new, |v| {
        let link = |href: &str, m: C| {
            let current = if href == path { " aria-current=\"page\"" } else { "" };
            format!("<a href=\"{}\"{current}>{}</a>", Escaped(&action(href, locale)), Escaped(t(m)))
        };
        let out = if v.session {
            format!(
                "<form class=\"inline\" method=\"post\" action=\"{}\">{}<button type=\"submit\">{}</button></form>",
                Escaped(&action("/admin/sign-out", locale)),
                hidden("csrf", &v.csrf),
                Escaped(t(C::SignOut))
            )
        } else {
            String::new()
        };
        format!(
            "<div class=\"wrap\"><nav class=\"menu\" aria-label=\"{}\">{}{}{}{}{}</nav>\
<div class=\"who\">{}: {} {out}</div></div>",
            Escaped(t(C::Nav)),
            link("/admin/overview", C::OverviewTitle),
            link("/admin/activity", C::ActivityTitle),
            link("/admin", C::Home),
            link("/admin/suppress-list", C::UploadTitle),
            link("/admin/export", C::ExportTitle),
            Escaped(t(C::SignedInAs)),
            Escaped(&v.who),
        )
    });
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"robots\" content=\"noindex,nofollow\">\
<title>{title} | Dōi {console}</title><style>{css}</style></head><body>\
<a class=\"skip\" href=\"#main\">{skip}</a>\
<header><div class=\"wrap\"><p class=\"sender\">Dōi {console}</p>\
<nav aria-label=\"{switch_label}\">{switch}</nav></div>{menu}</header>\
<main id=\"main\" class=\"wrap\"><h1>{title}</h1>{main}</main></body></html>",
        lang = locale.tag(),
        title = Escaped(title),
        console = Escaped(t(C::Console)),
        css = css(),
        skip = Escaped(doi_core::text::Msg::MainContent.text(locale)),
        switch_label = Escaped(doi_core::text::Msg::LanguageSwitch.text(locale)),
    )
}

/// A notice (`problem` for an error) as HTML.
pub fn notice(text: &str, problem: bool) -> String {
    let (class, role) = if problem {
        ("problem", "alert")
    } else {
        ("notice", "status")
    };
    format!("<p class=\"{class}\" role=\"{role}\">{}</p>", Escaped(text))
}

/// The sign-in page, with `why` above the form.
pub fn sign_in<S: Store, N: Net>(
    _ctx: &Ctx<S, N>,
    locale: Locale,
    status: u16,
    why: Option<C>,
) -> Response {
    let t = |m: C| m.text(locale);
    let main = format!(
        "{}<p>{}</p><form method=\"post\" action=\"{}\"><label for=\"token\">{}</label>\
<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required>\
<button class=\"primary\" type=\"submit\">{}</button></form>",
        why.map_or_else(String::new, |w| notice(t(w), true)),
        Escaped(t(C::SignInHelp)),
        Escaped(&action("/admin/sign-in", locale)),
        Escaped(t(C::TokenLabel)),
        Escaped(t(C::SignIn)),
    );
    html(
        status,
        document(locale, None, "/admin/sign-in", t(C::SignInTitle), &main),
    )
}

/// A refusal page (no sign-in form: Access, or an expired form).
pub fn refusal<S: Store, N: Net>(
    _ctx: &Ctx<S, N>,
    locale: Locale,
    status: u16,
    why: C,
) -> Response {
    html(
        status,
        document(
            locale,
            None,
            "/admin",
            C::Console.text(locale),
            &notice(why.text(locale), true),
        ),
    )
}

/// What a signed-in page renders with.
pub struct Console<'a, S: Store, N: Net> {
    /// The request's context.
    pub ctx: &'a Ctx<S, N>,
    /// The page's language.
    pub locale: Locale,
    /// Who is signed in.
    pub viewer: &'a Viewer,
}

impl<S: Store, N: Net> Console<'_, S, N> {
    /// A message in the page's language.
    pub fn t(&self, m: C) -> &'static str {
        m.text(self.locale)
    }

    /// A signed-in page at `path`.
    pub fn page(&self, status: u16, path: &str, title: &str, main: &str) -> Response {
        html(
            status,
            document(self.locale, Some(self.viewer), path, title, main),
        )
    }

    /// A form posting to `path` with the CSRF token; `inner` is its content.
    pub fn form(&self, path: &str, extra: &str, inner: &str) -> String {
        format!(
            "<form method=\"post\" action=\"{}\"{extra}>{}{inner}</form>",
            Escaped(&action(path, self.locale)),
            hidden("csrf", &self.viewer.csrf)
        )
    }

    /// The home page: look up one address.
    pub fn home(&self, problem: Option<&str>) -> Response {
        let main = format!(
            "{}<p>{}</p>{}",
            problem.map_or_else(String::new, |p| notice(p, true)),
            Escaped(self.t(C::LookupHelp)),
            // `novalidate`: a browser would refuse an address typed with a
            // Japanese IME (full-width); the Worker understands it.
            self.form(
                "/admin/person",
                " novalidate",
                &format!(
                    "<label for=\"email\">{}</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"off\" required>\
<button class=\"primary\" type=\"submit\">{}</button>",
                    Escaped(self.t(C::Address)),
                    Escaped(self.t(C::LookUp))
                )
            )
        );
        self.page(
            if problem.is_some() { 422 } else { 200 },
            "/admin",
            self.t(C::Home),
            &main,
        )
    }

    /// 404 inside the console.
    pub fn not_found(&self) -> Response {
        let title = doi_core::text::Msg::NotFound.text(self.locale);
        self.page(404, "/admin", title, "")
    }

    /// 405 inside the console.
    pub fn not_allowed(&self, allow: &str) -> Response {
        let title = doi_core::text::Msg::ErrorTitle.text(self.locale);
        self.page(405, "/admin", title, "")
            .with_header("allow", allow)
    }
}
