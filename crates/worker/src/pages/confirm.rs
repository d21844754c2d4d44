//! The confirmation page (`/c/{token}`): GET shows a button and changes
//! nothing (mail scanners open links); POST confirms.
//!
//! So that a person need not press it, the page carries one small inline
//! script ([`PRESENCE_SCRIPT`], allowed by its SHA-256 in this page's CSP
//! and nowhere else) that submits the same POST once it sees a person: a
//! pointer moved by hand (several trusted `pointermove` events over some
//! distance) or a finger scrolling, while the page is visible and focused,
//! in a browser that is not driven by automation (`navigator.webdriver`).
//! A fetcher that runs no script, and a headless browser that only loads
//! the page, confirm nothing. A sandbox that scripts a realistic pointer
//! path can still pass: README, "Confirmation that scanners do not make",
//! says what else stands in its way. Without script the button is all.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::{ListId, Status, SubscriberState, Timestamp};
use sha2::{Digest, Sha256};

use crate::http::Response;
use crate::pages::{self, standing, Shell};

/// The only script of any hosted page: submits `#confirm` once a person is
/// seen (see the module's documentation). Untrusted (synthetic) events,
/// a hidden or unfocused page and automation-driven browsers never submit.
pub const PRESENCE_SCRIPT: &str = "(function(){\
var f=document.getElementById('confirm');if(!f||navigator.webdriver)return;\
var n=0,d=0,x=null,y=0,sent=false;\
function go(){if(sent||document.visibilityState!=='visible'||!document.hasFocus())return;\
sent=true;f.elements.presence.value='1';f.submit();}\
addEventListener('pointermove',function(e){\
if(!e.isTrusted||e.pointerType!=='mouse')return;\
if(x!==null){d+=Math.abs(e.clientX-x)+Math.abs(e.clientY-y);n++;}\
x=e.clientX;y=e.clientY;if(n>=4&&d>=60)go();});\
addEventListener('touchmove',function(e){if(e.isTrusted)go();},{passive:true});\
})();";

/// This page's `Content-Security-Policy`: every page's, plus
/// [`PRESENCE_SCRIPT`] by its hash.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = STANDARD.encode(Sha256::digest(PRESENCE_SCRIPT.as_bytes()));
        pages::content_security_policy().replacen(
            "default-src 'none';",
            &format!("default-src 'none'; script-src 'sha256-{hash}';"),
            1,
        )
    })
}

/// The page with the button (and the script that may press it for a
/// person), as a response.
pub fn ask(shell: &Shell<'_>, action: &str) -> Response {
    let main = format!(
        "<p>{}</p><form id=\"confirm\" method=\"post\" action=\"{}\">\
<input type=\"hidden\" name=\"presence\" value=\"\">\
<button type=\"submit\" class=\"primary\">{}</button></form><script>{PRESENCE_SCRIPT}</script>",
        Escaped(&shell.with_sender(Msg::ConfirmLead)),
        Escaped(action),
        Escaped(shell.t(Msg::ConfirmButton)),
    );
    pages::html(200, shell.page(shell.t(Msg::ConfirmTitle), &main))
        .with_header("content-security-policy", content_security_policy())
}

/// After the button: confirmed, or plainly what is true instead (e.g. the
/// person had already said "this wasn't me").
pub fn done(shell: &Shell<'_>, list: &ListId, state: &SubscriberState, now: Timestamp) -> String {
    let active = state.list(list).is_some_and(|l| l.status == Status::Active);
    let mut main = String::new();
    if active {
        main.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            Escaped(&shell.with_sender(Msg::Confirmed))
        ));
    }
    main.push_str(&standing::render(shell, list, state, now));
    shell.page(shell.t(Msg::ConfirmTitle), &main)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::Locale;

    #[test]
    fn the_confirm_page_allows_exactly_its_own_script_and_keeps_the_button() {
        let shell = Shell {
            config: crate::pages::tests::config(),
            locale: Locale::En,
        };
        let r = ask(&shell, "/c/t?lang=en");
        let html = r.text();
        let csp = r.header("content-security-policy").unwrap();
        let hash = STANDARD.encode(Sha256::digest(PRESENCE_SCRIPT.as_bytes()));
        assert!(
            csp.contains(&format!("script-src 'sha256-{hash}'")),
            "{csp}"
        );
        assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self'"));
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(html.contains(&format!("<script>{PRESENCE_SCRIPT}</script>")));
        assert!(html.contains("<form id=\"confirm\" method=\"post\" action=\"/c/t?lang=en\">"));
        assert!(html.contains("<button type=\"submit\""));
        assert!(PRESENCE_SCRIPT.contains("isTrusted") && PRESENCE_SCRIPT.contains("webdriver"));
    }
}
