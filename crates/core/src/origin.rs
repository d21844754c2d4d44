//! The one origin policy: which browser origins may submit a form or read
//! its definition. The Worker asks this in all three places that see an
//! `Origin` header, so they cannot drift apart. `null` is never readable
//! (CORS) and never submits through the widget.

use crate::config::{Config, Form};

/// Where the request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The widget's `POST /v1/subscribe` (always sent by a script: a
    /// browser always names its origin, so a missing one is refused).
    Widget,
    /// The hosted page's `POST /f/{form}` (a plain HTML form; a client that
    /// is not a browser may send no `Origin`, and cannot be a forged
    /// cross-site post).
    HostedPage,
}

/// Whether a submission of `form` from `origin` is allowed. The Worker's
/// own origin `own` always is. `null` is refused from the widget (a script
/// on a page always has an origin); the hosted page accepts it, because a
/// browser posting a form from a page served with `Referrer-Policy:
/// no-referrer` (ours) sends `Origin: null` — and a forged post there can
/// do nothing a plain HTTP client could not (the form has no cookie, no
/// session: the origin check is about where consent was given, not CSRF).
pub fn may_submit(form: &Form, origin: Option<&str>, own: &str, surface: Surface) -> bool {
    match origin.map(str::trim) {
        None | Some("null") => surface == Surface::HostedPage,
        Some(o) => o.eq_ignore_ascii_case(own) || form.allows_origin(o),
    }
}

/// Whether a browser at `origin` may read form definitions and see answers
/// (CORS): the Worker's own origin or any form's allowed origin.
pub fn may_read(config: &Config, origin: &str, own: &str) -> bool {
    origin != "null"
        && (origin.eq_ignore_ascii_case(own)
            || config.forms.iter().any(|f| f.allows_origin(origin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_toml(include_str!("../../../doi.toml")).unwrap()
    }

    const OWN: &str = "https://doi.example";

    #[test]
    fn the_widget_needs_an_allowed_origin() {
        let c = config();
        let form = &c.forms[0];
        let allowed = form.allowed_origins[0].as_str();
        assert!(may_submit(form, Some(allowed), OWN, Surface::Widget));
        assert!(may_submit(form, Some(OWN), OWN, Surface::Widget));
        assert!(!may_submit(
            form,
            Some("https://evil.example"),
            OWN,
            Surface::Widget
        ));
        assert!(!may_submit(form, None, OWN, Surface::Widget));
    }

    #[test]
    fn the_hosted_page_takes_clients_without_origin_or_with_null() {
        let c = config();
        let form = &c.forms[0];
        assert!(may_submit(form, None, OWN, Surface::HostedPage));
        assert!(may_submit(form, Some("null"), OWN, Surface::HostedPage));
        assert!(!may_submit(form, Some("null"), OWN, Surface::Widget));
        assert!(!may_submit(
            form,
            Some("https://evil.example"),
            OWN,
            Surface::HostedPage
        ));
        assert!(may_submit(form, Some(OWN), OWN, Surface::HostedPage));
    }

    #[test]
    fn definitions_are_readable_from_any_forms_origin_only() {
        let c = config();
        assert!(may_read(&c, &c.forms[0].allowed_origins[0], OWN));
        assert!(may_read(&c, OWN, OWN));
        assert!(!may_read(&c, "https://evil.example", OWN));
        assert!(!may_read(&c, "null", OWN));
    }
}
