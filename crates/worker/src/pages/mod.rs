//! Hosted pages, rendered on the server as plain HTML that works without
//! JavaScript: pure functions from a model to a `String`, unit-tested here.
//!
//! Every page has the sender's name, postal address and contact (特定電子
//! メール法), a language switch, a skip link, one `<h1>`, labelled fields and
//! visible focus. Every piece of text from outside or from `doi.toml` goes
//! through [`Escaped`]. The stylesheet is inline and allowed by its hash, so
//! the Content-Security-Policy allows no script and no other style at all
//! (the confirmation page alone adds one small script by its hash: see
//! [`confirm`]).

pub mod confirm;
pub mod manage;
pub mod preferences;
pub mod receipt;
pub mod renew;
pub mod signup;
pub mod standing;
pub mod unsubscribe;

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::{Config, Locale};
use sha2::{Digest, Sha256};

use crate::http::Response;

/// The only style on any page. Colours meet WCAG AA contrast (text 16:1,
/// links and buttons ≥ 6:1 on white); focus is a thick orange outline.
pub const CSS: &str = "\
:root{color-scheme:light}\
*{box-sizing:border-box}\
body{margin:0;font:1rem/1.6 system-ui,-apple-system,\"Hiragino Sans\",\"Noto Sans JP\",sans-serif;color:#1b1b1b;background:#fff}\
.wrap{max-width:36rem;margin:0 auto;padding:0 1rem}\
header{border-bottom:1px solid #c7c7c7}\
header .wrap{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem;padding-top:.75rem;padding-bottom:.75rem}\
.sender{font-weight:700;margin:0}\
nav a{margin-left:.75rem}\
h1{font-size:1.6rem;line-height:1.3;margin:1.5rem 0 1rem}\
h2{font-size:1.2rem;line-height:1.4;margin:2.5rem 0 .5rem}\
a{color:#0b57d0}\
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #c25100;outline-offset:2px}\
.skip{position:absolute;left:-9999px}\
.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.5rem}\
button{font:inherit;cursor:pointer;border-radius:.5rem;padding:.7rem 1rem;min-height:2.75rem;border:2px solid #0b57d0;background:#fff;color:#0b57d0;font-weight:600}\
button.primary{display:block;width:100%;background:#0b57d0;color:#fff;font-size:1.2rem;padding:1rem}\
button:hover{text-decoration:underline}\
.notice,.problem{padding:.75rem 1rem;margin:1rem 0;border-radius:.25rem}\
.notice{border-left:.35rem solid #137333;background:#e6f4ea}\
.problem{border-left:.35rem solid #b3261e;background:#fce8e6}\
.now{font-weight:600}\
fieldset{border:1px solid #c7c7c7;border-radius:.5rem;margin:1rem 0;padding:.5rem 1rem}\
legend{font-weight:700;padding:0 .25rem}\
label{display:block;padding:.4rem 0}\
input[type=email]{display:block;width:100%;font:inherit;padding:.6rem;border:2px solid #6b6b6b;border-radius:.4rem}\
input[type=checkbox],input[type=radio]{width:1.25rem;height:1.25rem;margin:0 .5rem 0 0;vertical-align:-.2rem}\
.consent{background:#f3f3f3;padding:.75rem;border-radius:.4rem}\
.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}\
footer{border-top:1px solid #c7c7c7;margin-top:3rem;padding:1rem 0 2rem;color:#4a4a4a;font-size:.9rem}\
";

/// `Content-Security-Policy` of every page: no script, no frames, forms
/// only to this origin, and only the inline stylesheet above.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = STANDARD.encode(Sha256::digest(CSS.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        )
    })
}

/// What every page needs besides its content.
#[derive(Debug, Clone, Copy)]
pub struct Shell<'a> {
    /// The configuration (sender identity).
    pub config: &'a Config,
    /// The page's language.
    pub locale: Locale,
}

impl Shell<'_> {
    /// A catalogue message in the page's language.
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.locale)
    }

    /// A catalogue message with `{sender}` filled in.
    pub fn with_sender(&self, msg: Msg) -> String {
        doi_core::text::t(msg, self.locale, &[("sender", self.sender())])
    }

    /// The sender's name in the page's language.
    pub fn sender(&self) -> &str {
        self.config.sender.name.get(self.locale)
    }

    /// A whole page: `title` in `<title>` and `<h1>`, `main` (already
    /// escaped HTML) below it.
    pub fn page(&self, title: &str, main: &str) -> String {
        let s = &self.config.sender;
        let l = self.locale;
        let (contact_href, contact_text) = match &s.contact_url {
            Some(u) => (u.clone(), u.clone()),
            None => (
                format!("mailto:{}", s.contact_email),
                s.contact_email.clone(),
            ),
        };
        let switch: String = Locale::ALL
            .iter()
            .map(|&other| {
                let current = if other == l {
                    " aria-current=\"true\""
                } else {
                    ""
                };
                format!(
                    "<a href=\"?lang={tag}\" lang=\"{tag}\" hreflang=\"{tag}\"{current}>{name}</a>",
                    tag = other.tag(),
                    name = Escaped(other.name()),
                )
            })
            .collect();
        format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"robots\" content=\"noindex,nofollow\">\
<title>{title} | {sender}</title><style>{CSS}</style></head><body>\
<a class=\"skip\" href=\"#main\">{skip}</a>\
<header><div class=\"wrap\"><p class=\"sender\">{sender}</p>\
<nav aria-label=\"{switch_label}\">{switch}</nav></div></header>\
<main id=\"main\" class=\"wrap\"><h1>{title}</h1>{main}</main>\
<footer><div class=\"wrap\"><p>{sl}: {sender}<br>{al}: {address}<br>{cl}: <a href=\"{ch}\">{ct}</a></p>\
<p><a href=\"/m?lang={lang}\">{manage}</a></p></div></footer>\
</body></html>",
            lang = l.tag(),
            title = Escaped(title),
            sender = Escaped(self.sender()),
            skip = Escaped(self.t(Msg::MainContent)),
            switch_label = Escaped(self.t(Msg::LanguageSwitch)),
            sl = Escaped(self.t(Msg::FooterSender)),
            al = Escaped(self.t(Msg::FooterAddress)),
            address = Escaped(s.postal_address.get(l)),
            cl = Escaped(self.t(Msg::FooterContact)),
            ch = Escaped(&contact_href),
            ct = Escaped(&contact_text),
            manage = Escaped(self.t(Msg::ManageLink)),
        )
    }

    /// A page with a custom title and one result message.
    pub fn message_with_title(&self, title: &str, body: &str) -> String {
        self.page(
            title,
            &format!("<p class=\"notice\" role=\"status\">{}</p>", Escaped(body)),
        )
    }

    /// A page with one message: an error, or a result with nothing to do.
    pub fn message(&self, title: Msg, body: &str, problem: bool) -> String {
        let class = if problem { "problem" } else { "notice" };
        let role = if problem { "alert" } else { "status" };
        self.page(
            self.t(title),
            &format!("<p class=\"{class}\" role=\"{role}\">{}</p>", Escaped(body)),
        )
    }
}

/// An HTML response with the page headers: CSP, no framing, no caching
/// (token pages must not be stored by proxies or the browser's history).
pub fn html(status: u16, body: String) -> Response {
    Response::new(status, "text/html; charset=utf-8", body)
        .with_header("content-security-policy", content_security_policy())
        .with_header("x-frame-options", "DENY")
        .with_header("cache-control", "no-store")
}

/// A hidden field.
pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        Escaped(name),
        Escaped(value)
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn config() -> &'static Config {
        crate::testing::config()
    }

    #[test]
    fn every_page_shows_sender_name_address_and_contact_in_its_language() {
        for l in Locale::ALL {
            let shell = Shell {
                config: config(),
                locale: l,
            };
            let html = shell.page("T", "<p>x</p>");
            let s = &config().sender;
            assert!(html.contains(&doi_core::html::escape(s.name.get(l))));
            assert!(html.contains(&doi_core::html::escape(s.postal_address.get(l))));
            assert!(html.contains(&format!("<html lang=\"{}\"", l.tag())));
            assert!(html.contains("href=\"?lang=en\"") && html.contains("href=\"?lang=ja\""));
            assert_eq!(html.matches("<h1>").count(), 1);
        }
    }

    #[test]
    fn pages_carry_no_script_and_a_csp_that_allows_only_our_style() {
        let html = Shell {
            config: config(),
            locale: Locale::En,
        }
        .page("T", "");
        assert!(!html.contains("<script"));
        assert!(!html.contains(" style=\""));
        let csp = content_security_policy();
        let hash = STANDARD.encode(Sha256::digest(CSS.as_bytes()));
        assert!(csp.contains(&format!("style-src 'sha256-{hash}'")));
        assert!(csp.contains("default-src 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(html.contains(&format!("<style>{CSS}</style>")));
        let r = html_response_headers();
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }

    fn html_response_headers() -> Response {
        html(200, String::new())
    }
}
