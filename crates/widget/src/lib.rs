//! doi-widget: the script tag that asks for email consent properly.
//!
//! The widget is split by what each half is good at:
//!
//! - **This crate decides and words** (compiled to WebAssembly): it holds
//!   the forms of `doi.toml`, built in ([`forms`]), chooses the language,
//!   lays out what each mode shows ([`view`]), says what is wrong with the
//!   answers and builds the consent record with doi-core ([`record`],
//!   written as JSON by [`json`]), and chooses every message and whether to
//!   retry ([`outcome`]).
//! - **`www/loader.js` does the browser's part** (bundled with this crate's
//!   wasm into `doi.js`): it finds the places on the page, builds the
//!   layout in a
//!   shadow root with `createElement`, `setAttribute` and `textContent`
//!   (never `innerHTML`), listens for submissions, sends the record with
//!   `fetch` and announces success with a `doi:consent` event.
//!
//! Why the split: each DOM or `fetch` call made from Rust costs a
//! JavaScript shim and a wasm import, and asynchronous Rust costs a task
//! runtime. Written in Rust, that plumbing was most of a 48 KB download;
//! in JavaScript it is a few KB. The rules stay in Rust, in doi-core, where
//! the Worker applies the same ones.
//!
//! When a place cannot get a widget (no such form, a page the form does not
//! allow, no email field to attach to) the loader leaves a link to the
//! hosted signup page and says why in the console; it does the same when WebAssembly
//! cannot run at all (a Content-Security-Policy without
//! `'wasm-unsafe-eval'`). The widget never sets cookies or storage, talks
//! only to the Worker's origin, and never blocks or breaks the host's form.
#![cfg_attr(feature = "trap", no_std)]

extern crate alloc;

/// What `std`'s prelude would bring, from `alloc` (the shipped build has
/// no `std`).
mod prelude {
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

/// The shipped build's panic: trap. The call that panicked throws a
/// `RuntimeError` in JavaScript, which the loader catches (a place that
/// cannot be mounted gets the link to the hosted page).
#[cfg(all(feature = "trap", target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// The browser runs one thread, and the widget allocates little: a small
// free-list allocator saves about 10 KB of every visitor's download.
// SAFETY: wasm32-unknown-unknown without atomics is single-threaded.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
mod abi;
pub mod forms;
pub mod json;
pub mod outcome;
pub mod record;
pub mod style;
pub mod text;
pub mod view;

use doi_core::{Locale, Timestamp};

use crate::forms::{Built, Refusal};
use crate::prelude::*;
use crate::record::{Answers, Moment, Problem};

/// The stylesheet of both modes ([`style::CSS`]).
pub fn stylesheet() -> String {
    style::CSS.into()
}

/// How long to wait (ms) before retry number `attempt` (1 for the first),
/// or -1 to give up. `status` is 0 when no answer came at all; `retryable`
/// is what the Worker's error said, if it said.
pub fn retry_delay(attempt: u32, status: u16, retryable: Option<bool>) -> i32 {
    outcome::retry_delay(attempt, status, retryable)
}

/// One form at one place: its built-in definition (see [`forms`]), in the
/// language chosen for the place. The loader holds it as a number
/// (`abi`): which built-in form, and which language.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    built: &'static Built,
    locale: Locale,
}

impl Form {
    /// The form `id` (from `data-form` / `data-doi-form`) for a page at
    /// `page_origin`, from the widget served by `own` (the Worker's
    /// origin), in `language`: `ja` or `en` as the loader chose it from
    /// what the page says (`www/loader/page.js`, `language`), anything
    /// else for the sender's default. Refused, with why, when the place
    /// gets no form (see [`forms::find`]).
    pub fn new(id: &str, language: &str, page_origin: &str, own: &str) -> Result<Form, Refusal> {
        let built = forms::find(id, page_origin, own)?;
        Ok(Form {
            locale: match language {
                "ja" => Locale::Ja,
                "en" => Locale::En,
                _ => built.default_locale(),
            },
            built,
        })
    }

    /// The form `built` in `locale`.
    pub fn from_parts(built: &'static Built, locale: Locale) -> Form {
        Form { built, locale }
    }

    /// The number the loader holds for this form: twice its place among
    /// the built-in forms, plus one for English.
    pub fn handle(&self) -> u32 {
        (self.built.index() * 2) as u32 + u32::from(self.locale == Locale::En)
    }

    /// `ja` or `en`.
    pub fn locale(&self) -> &'static str {
        self.locale.tag()
    }

    /// The form's minimum fill time (ms). A faster submission is held back
    /// until it has passed, so the Worker does not take a quick person (or
    /// the browser's autofill) for a bot.
    pub fn min_fill_ms(&self) -> f64 {
        self.built.min_fill_ms as f64
    }

    /// The form's Cloudflare Turnstile site key, or "" when the form asks
    /// for no bot check (the loader then loads nothing of Turnstile's).
    pub fn turnstile(&self) -> &'static str {
        self.built.turnstile
    }

    /// What the shadow root shows, as a tree for the loader to build (see
    /// [`view`]): a whole form, or (`attach`) the consent box for the
    /// site's own form.
    pub fn layout(&self, attach: bool) -> String {
        view::layout(self.built, self.locale, attach)
    }

    /// The problems with these answers, as three messages (empty where
    /// there is none) for the email, topic and consent fields, in that
    /// order. `topics` are the ticked topic ids, separated by commas.
    ///
    /// In attach mode an unticked box is no problem: the host form goes on
    /// and nothing is recorded, so nothing is said.
    pub fn problems(
        &self,
        email: &str,
        consent: bool,
        topics: &str,
        attach: bool,
    ) -> [&'static str; 3] {
        let mut said = [""; 3];
        if attach && !consent {
            return said;
        }
        let answers = Answers::from_form(self.built, email, consent, topics, "");
        for problem in record::problems(&answers) {
            let slot = match problem {
                Problem::Email(_) => 0,
                Problem::NoTopic => 1,
                Problem::NoConsent => 2,
            };
            said[slot] = problem.message(self.locale);
        }
        said
    }

    /// The consent record for `POST /v1/subscribe`, as JSON text, or
    /// `undefined` when these answers must not be sent: any problem, and
    /// above all an unticked box. `random` is 16 bytes from
    /// `crypto.getRandomValues`, which become the record id; the loader
    /// sends the same text on every retry. `attach`: the box sits in the
    /// site's own form (the evidence says so).
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        email: &str,
        consent: bool,
        topics: &str,
        website: &str,
        page_url: &str,
        client_time: f64,
        elapsed_ms: f64,
        random: &[u8],
        attach: bool,
    ) -> Option<String> {
        let answers = Answers::from_form(self.built, email, consent, topics, website);
        if !answers.consent || !record::problems(&answers).is_empty() {
            return None;
        }
        let moment = Moment {
            record_id: record::record_id(random)?,
            page_url: record::evidence_url(page_url),
            client_time: Timestamp(client_time.max(0.0) as u64),
            elapsed_ms: elapsed_ms.max(0.0) as u64,
            attach,
        };
        let record = record::consent_record(self.built, self.locale, &answers, moment)?;
        Some(json::consent_record(&record))
    }

    /// A progress message: `sending` or `retrying`.
    pub fn says(&self, what: &str) -> &'static str {
        outcome::progress(what).get(self.locale)
    }

    /// What to say once the Worker accepted a signup: its `status` and
    /// whether a confirmation mail follows.
    pub fn accepted(&self, status: &str, double_opt_in: bool) -> &'static str {
        outcome::accepted(status, double_opt_in).get(self.locale)
    }

    /// What to say once the last attempt failed: `status` 0 when no answer
    /// came at all, else the HTTP status and the contract's error `code`.
    pub fn failed(&self, status: u16, code: &str) -> &'static str {
        outcome::failure(status, code).get(self.locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://127.0.0.1:8787";

    #[test]
    fn the_language_the_loader_chose_wins_else_the_senders_default() {
        let default = Form::new("newsletter", "", OWN, OWN).unwrap().locale;
        assert_eq!(
            Form::new("newsletter", "en", OWN, OWN).unwrap().locale(),
            "en"
        );
        assert_eq!(
            Form::new("newsletter", "ja", OWN, OWN).unwrap().locale(),
            "ja"
        );
        assert_eq!(
            Form::new("newsletter", "fr", OWN, OWN).unwrap().locale,
            default
        );
    }
}
