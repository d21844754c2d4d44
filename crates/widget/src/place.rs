//! Where the widget goes and what it is asked to do there: the attributes of
//! the `<script>` tag or of a `<div data-doi-form>` placeholder, and what the
//! page says about language.
//!
//! | attribute | on | meaning |
//! |---|---|---|
//! | `data-form` / `data-doi-form` | script / placeholder | the form id in `doi.toml` |
//! | `data-attach` | script | CSS selector of the site's form to add the consent box to |
//! | `data-email-field` | script | CSS selector of its email field (default: the first `type=email`, else a field whose name contains "email") |
//! | `data-locale` | either | `ja` or `en`, overriding the page's language |

use doi_core::{FormId, Locale};
use web_sys::Element;

use crate::MountError;

/// What a place asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Render a whole signup form where the place stands.
    Form,
    /// Add the consent box to the site's own form.
    Attach {
        /// CSS selector of the host form.
        target: String,
        /// CSS selector of the host form's email field, if given.
        email_field: Option<String>,
    },
}

/// A script tag or placeholder, read.
#[derive(Debug, Clone)]
pub struct Place {
    /// The script tag or the placeholder.
    pub element: Element,
    /// Which form of `doi.toml`.
    pub form: FormId,
    /// Whole form or consent box.
    pub mode: Mode,
    /// `data-locale`, when given.
    pub locale: Option<String>,
}

impl Place {
    /// Reads the attributes of `element`.
    pub fn read(element: Element) -> Result<Place, MountError> {
        let attribute = |name: &str| element.get_attribute(name).filter(|v| !v.trim().is_empty());
        let form = attribute("data-doi-form")
            .or_else(|| attribute("data-form"))
            .ok_or(MountError::NoFormId)?;
        let form = FormId::parse(form.trim()).ok_or(MountError::BadFormId(form))?;
        let mode = match attribute("data-attach") {
            Some(target) => Mode::Attach {
                target,
                email_field: attribute("data-email-field"),
            },
            None => Mode::Form,
        };
        let locale = attribute("data-locale");
        Ok(Place {
            element,
            form,
            mode,
            locale,
        })
    }

    /// The language to show: `data-locale`, then the nearest `lang`
    /// attribute around the place, then the browser's languages, then the
    /// sender's default.
    pub fn locale(&self, default: Locale) -> Locale {
        let page = self
            .element
            .closest("[lang]")
            .ok()
            .flatten()
            .and_then(|element| element.get_attribute("lang"));
        let explicit = [self.locale.as_deref(), page.as_deref()]
            .into_iter()
            .flatten()
            .find_map(Locale::from_tag);
        Locale::negotiate(
            explicit.map(Locale::tag),
            Some(&browser_languages()),
            default,
        )
    }
}

/// `navigator.languages`, as an `Accept-Language`-like list.
fn browser_languages() -> String {
    web_sys::window()
        .map(|window| window.navigator().languages())
        .map(|languages| {
            languages
                .iter()
                .filter_map(|tag| tag.as_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// The page the form is on, as evidence: origin and path, without the query
/// string or fragment (they can carry tokens or the visitor's address).
pub fn page_url() -> String {
    web_sys::window()
        .map(|window| window.location())
        .and_then(|location| Some(location.origin().ok()? + &location.pathname().ok()?))
        .unwrap_or_default()
}

/// The browser's clock, in milliseconds since the epoch.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Whether `element` is a `<script>` (the form then goes just before it).
pub fn is_script(element: &Element) -> bool {
    element.tag_name().eq_ignore_ascii_case("script")
}
