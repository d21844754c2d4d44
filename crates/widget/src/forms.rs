//! The forms of `doi.toml`, built into the widget (see `build.rs`).
//!
//! The Worker and the widget are built from the same `doi.toml` by the same
//! `cargo xtask build`, so each form here is the definition
//! `GET /v1/forms/{id}` serves, field for field (a test holds them equal),
//! and each consent text comes with the version doi-core computed for it at
//! build time. Built in, it costs no request before the form can be drawn
//! and no JSON reader.
//!
//! Whether a page may show a form follows the Worker's rule for accepting
//! its records (`doi_core::origin::may_submit`, widget surface): the
//! Worker's own origin or one of the form's `allowed_origins`. Elsewhere
//! the loader leaves the link to the hosted page instead of a form whose
//! records would be refused.

use doi_core::{ConsentVersion, FormId, Locale};

/// Text in Japanese and English.
pub(crate) type Words = [&'static str; 2];

/// `words` in `locale`.
pub(crate) fn say(words: &Words, locale: Locale) -> &'static str {
    match locale {
        Locale::Ja => words[0],
        Locale::En => words[1],
    }
}

/// One form of `doi.toml`, as `build.rs` writes it: the parts of its
/// `FormDefinition` the widget uses, as static text. Read in place, it
/// costs no allocation and no parsing (that was most of the code that
/// made a widget's form).
#[derive(Debug, Clone, Copy)]
pub struct Built {
    pub(crate) id: &'static str,
    pub(crate) title: Words,
    pub(crate) consent: [(&'static str, [u8; 32]); 2],
    pub(crate) topics: &'static [(&'static str, Words)],
    pub(crate) privacy_url: &'static str,
    pub(crate) min_fill_ms: u64,
    pub(crate) default_ja: bool,
    pub(crate) origins: &'static [&'static str],
    /// The form's Turnstile site key (`turnstile` in doi.toml), or "".
    pub(crate) turnstile: &'static str,
}

/// Every form of `doi.toml`.
static FORMS: &[Built] = include!(concat!(env!("OUT_DIR"), "/forms.rs"));

/// Why a place gets no form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `data-form` / `data-doi-form` is empty.
    NoId,
    /// Not a form id at all.
    BadId,
    /// No such form in `doi.toml`.
    Unknown,
    /// The page's origin is not among the form's `allowed_origins`.
    Origin,
}

impl Refusal {
    /// The number the loader gets for this refusal; `www/loader/wasm.js`
    /// has the sentence for the console that says why and what to do
    /// (developers read it: English only), so the module carries no
    /// sentence-building code.
    pub fn code(&self) -> i32 {
        match self {
            Refusal::NoId => 1,
            Refusal::BadId => 2,
            Refusal::Unknown => 3,
            Refusal::Origin => 4,
        }
    }
}

/// Form `id` for a page at `page_origin`, when the widget served from
/// `own` (the Worker's origin) may show it there.
pub fn find(id: &str, page_origin: &str, own: &str) -> Result<&'static Built, Refusal> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Refusal::NoId);
    }
    if FormId::parse(id).is_none() {
        return Err(Refusal::BadId);
    }
    let built = FORMS
        .iter()
        .find(|form| form.id == id)
        .ok_or(Refusal::Unknown)?;
    let allowed = page_origin.eq_ignore_ascii_case(own) || built.origins.contains(&page_origin);
    if allowed {
        Ok(built)
    } else {
        Err(Refusal::Origin)
    }
}

impl Built {
    /// Where this form is among the built-in forms (the loader's handle).
    pub fn index(&'static self) -> usize {
        FORMS
            .iter()
            .position(|form| core::ptr::eq(form, self))
            .unwrap_or(0)
    }

    /// The built-in form at `index`, if there is one.
    pub fn at(index: usize) -> Option<&'static Built> {
        FORMS.get(index)
    }

    /// The heading in `locale`.
    pub fn title(&self, locale: Locale) -> &'static str {
        say(&self.title, locale)
    }

    /// The consent text shown in `locale`, and its version.
    pub fn consent(&self, locale: Locale) -> (&'static str, ConsentVersion) {
        let [ja, en] = self.consent;
        let (text, version) = match locale {
            Locale::Ja => ja,
            Locale::En => en,
        };
        (text, ConsentVersion(version))
    }

    /// The sender's default language.
    pub fn default_locale(&self) -> Locale {
        if self.default_ja {
            Locale::Ja
        } else {
            Locale::En
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::config::Config;
    use doi_core::form::FormDefinition;

    const OWN: &str = "https://doi.example";

    fn config() -> Config {
        Config::from_toml(include_str!("../../../doi.toml")).unwrap()
    }

    #[test]
    fn every_built_form_is_what_the_worker_serves() {
        let config = config();
        assert_eq!(FORMS.len(), config.forms.len());
        for form in &config.forms {
            let served = FormDefinition::new(&config, form);
            let built = find(form.id.as_str(), OWN, OWN).unwrap();
            assert_eq!(built.id, served.id.as_str());
            assert_eq!(built.title, [served.title.ja.as_str(), &served.title.en]);
            for locale in Locale::ALL {
                let (text, version) = built.consent(locale);
                assert_eq!(text, served.consent(locale).text);
                assert_eq!(version, served.consent(locale).version);
                assert_eq!(version, ConsentVersion::of(text));
            }
            let topics: Vec<(&str, [&str; 2])> = served
                .topics
                .iter()
                .map(|t| (t.id.as_str(), [t.name.ja.as_str(), &t.name.en]))
                .collect();
            assert_eq!(built.topics, topics.as_slice());
            assert_eq!(built.privacy_url, served.privacy_url);
            assert_eq!(built.min_fill_ms, served.min_fill_ms);
            assert_eq!(built.default_locale(), served.default_locale);
            assert_eq!(built.origins, form.allowed_origins.as_slice());
        }
    }

    #[test]
    fn a_form_shows_on_the_workers_origin_and_its_allowed_origins_only() {
        let config = config();
        let form = &config.forms[0];
        let id = form.id.as_str();
        assert!(find(id, &form.allowed_origins[0], OWN).is_ok());
        assert!(find(id, "HTTPS://DOI.EXAMPLE", OWN).is_ok());
        assert_eq!(
            find(id, "https://elsewhere.example", OWN).err(),
            Some(Refusal::Origin)
        );
        assert_eq!(find(id, "null", OWN).err(), Some(Refusal::Origin));
    }

    #[test]
    fn ids_are_checked_before_anything_is_looked_up() {
        assert_eq!(find(" ", OWN, OWN).err(), Some(Refusal::NoId));
        assert_eq!(find("../x", OWN, OWN).err(), Some(Refusal::BadId));
        assert_eq!(find("no-such-form", OWN, OWN).err(), Some(Refusal::Unknown));
    }

    #[test]
    fn the_loader_has_a_sentence_for_every_refusal_code() {
        let loader = include_str!("../../../www/loader/wasm.js");
        let all = [
            Refusal::NoId,
            Refusal::BadId,
            Refusal::Unknown,
            Refusal::Origin,
        ];
        let codes: Vec<i32> = all.iter().map(Refusal::code).collect();
        assert_eq!(
            codes,
            [1, 2, 3, 4],
            "REFUSED in wasm.js is indexed by code - 1"
        );
        for key in [
            "names no form",
            "is not a form id",
            "there is no form",
            "allowed_origins",
        ] {
            assert!(loader.contains(key), "{key}");
        }
    }
}
