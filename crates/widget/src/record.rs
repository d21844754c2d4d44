//! From what the person entered to the consent record the Worker checks.
//!
//! The rules are doi-core's: [`Email::parse`] decides whether an address is
//! valid, [`ConsentVersion::of`] names the exact text shown, [`EventId`]
//! says what a record id looks like. This module only collects the answers,
//! says what is missing before anything is sent, and fills in a
//! [`ConsentRecord`]. It is pure, so it is tested natively.

use crate::prelude::*;

use doi_core::consent::ConsentRecord;
use doi_core::text::email_error;

use crate::forms::Built;
use crate::text;
#[cfg(doc)]
use doi_core::ConsentVersion;
use doi_core::{Email, EmailError, EventId, FormId, Locale, Timestamp, TopicId};

/// What the person entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// The address as typed.
    pub email: String,
    /// Whether the consent box is ticked.
    pub consent: bool,
    /// Topics ticked, among those offered.
    pub topics: Vec<&'static str>,
    /// Whether the form offered a choice of topics at all.
    pub topics_offered: bool,
    /// The honeypot field (people leave it empty).
    pub website: String,
}

/// Something to fix before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The address is not valid.
    Email(EmailError),
    /// The consent box is not ticked.
    NoConsent,
    /// Topics were offered and none is ticked.
    NoTopic,
}

impl Problem {
    /// What to tell the person, in their language.
    pub fn message(&self, locale: Locale) -> &'static str {
        match self {
            Problem::Email(error) => email_error(error, locale),
            Problem::NoConsent => text::CONSENT_REQUIRED.get(locale),
            Problem::NoTopic => text::TOPIC_REQUIRED.get(locale),
        }
    }
}

/// [`Email::parse`], lower-casing with the browser's own Unicode tables
/// (`String.prototype.toLowerCase`, imported by the shipped build: see
/// `abi`) instead of compiling Rust's into the widget; with Rust's where
/// `std` is at hand (tests, native and in the browser).
pub fn parse_email(input: &str) -> Result<Email, EmailError> {
    #[cfg(all(feature = "trap", target_arch = "wasm32"))]
    use crate::abi::lowercase;
    #[cfg(not(all(feature = "trap", target_arch = "wasm32")))]
    fn lowercase(s: &str) -> String {
        s.to_lowercase()
    }
    Email::parse_with(input, lowercase)
}

/// Every problem with `answers`, in the order of the form (empty: send).
/// Unticked consent is always a problem: nothing is ever sent without it.
pub fn problems(answers: &Answers) -> Vec<Problem> {
    let mut found = Vec::new();
    if let Err(error) = parse_email(&answers.email) {
        found.push(Problem::Email(error));
    }
    if answers.topics_offered && answers.topics.is_empty() {
        found.push(Problem::NoTopic);
    }
    if !answers.consent {
        found.push(Problem::NoConsent);
    }
    found
}

/// When and where the answers were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// Made once per submission, reused by its retries.
    pub record_id: EventId,
    /// The page, without query or fragment.
    pub page_url: String,
    /// The browser's clock at submission.
    pub client_time: Timestamp,
    /// Milliseconds from the form appearing to submission.
    pub elapsed_ms: u64,
    /// Attach mode: the consent box sits in the site's own form.
    pub attach: bool,
}

/// The record for `POST /v1/subscribe`: the exact consent text shown in
/// `locale` and its SHA-256, as `build.rs` built them in together
/// (doi-core's [`ConsentVersion::of`], the Worker's own check). `None`
/// only if an id built in were not one, which doi-core's checks of
/// `doi.toml` rule out.
///
/// The widget does not hash the text again: SHA-256 would add 4 KB to every
/// visitor's download, and it would prove nothing the Worker does not
/// check anyway. On receipt the Worker hashes the text it was sent, refuses
/// a record whose version does not match (`altered_consent_text`) or is not
/// the form's current text (`stale_consent_text`).
pub fn consent_record(
    form: &Built,
    locale: Locale,
    answers: &Answers,
    moment: Moment,
) -> Option<ConsentRecord> {
    let (text, version) = form.consent(locale);
    let mut topics = Vec::with_capacity(answers.topics.len());
    for topic in &answers.topics {
        topics.push(TopicId::parse(topic)?);
    }
    Some(ConsentRecord {
        record_id: moment.record_id.as_str().to_string(),
        form: FormId::parse(form.id)?,
        email: answers.email.trim().to_string(),
        locale,
        consent_text: text.to_string(),
        consent_version: version,
        consent: answers.consent,
        topics,
        page_url: moment.page_url,
        client_time: moment.client_time,
        elapsed_ms: moment.elapsed_ms,
        website: answers.website.clone(),
        attach: moment.attach,
    })
}

/// The record id from 16 random bytes (`crypto.getRandomValues`): 32 hex
/// digits, a valid [`EventId`] (16-64 URL-safe characters). Hex rather than
/// `EventId::from_random`'s base64url because the hex encoder is in the
/// widget anyway and base64 would add 2 KB. `None` unless exactly 16.
pub fn record_id(random: &[u8]) -> Option<EventId> {
    if random.len() != 16 {
        return None;
    }
    EventId::parse(&doi_core::hash::hex(random))
}

/// The page as evidence: origin and path of `url`, without the query
/// string or fragment (they can carry tokens or the visitor's address).
pub fn evidence_url(url: &str) -> String {
    // `split`, not slicing at a found index: slicing compiles in a panic
    // path (and its messages) that every visitor would download.
    url.split(['?', '#']).next().unwrap_or("").to_string()
}

impl Answers {
    /// The answers given on `form`: `topics` are the ticked topic ids
    /// separated by commas; ids the form does not offer are dropped. A form
    /// offering one topic sends it without asking.
    pub fn from_form(
        form: &Built,
        email: &str,
        consent: bool,
        topics: &str,
        website: &str,
    ) -> Answers {
        let offered = form.topics;
        let topics = match offered {
            [(only, _)] => vec![*only],
            _ => offered
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| topics.split(',').any(|ticked| ticked == *id))
                .collect(),
        };
        Answers {
            email: email.to_string(),
            consent,
            topics,
            topics_offered: offered.len() > 1,
            website: website.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::config::Config;
    use doi_core::{ConsentVersion, Method};

    fn config() -> Config {
        Config::from_toml(include_str!("../../../doi.toml")).unwrap()
    }

    fn built(form: &str) -> &'static Built {
        crate::forms::find(form, "https://doi.example", "https://doi.example").unwrap()
    }

    fn answers() -> Answers {
        Answers {
            email: " Someone@Example.COM ".into(),
            consent: true,
            topics: vec!["tips"],
            topics_offered: true,
            website: String::new(),
        }
    }

    fn moment() -> Moment {
        Moment {
            record_id: EventId::from_random([7; 16]),
            page_url: "http://127.0.0.1:8787/".into(),
            client_time: Timestamp(1_800_000_000_000),
            elapsed_ms: 5_000,
            attach: false,
        }
    }

    #[test]
    fn a_record_from_the_widget_passes_the_workers_check_in_both_languages() {
        let config = config();
        for locale in Locale::ALL {
            for form in ["newsletter", "whitepaper", "seminar"] {
                let built = built(form);
                let answers = Answers {
                    topics: vec![built.topics[0].0],
                    ..answers()
                };
                let record = consent_record(built, locale, &answers, moment()).unwrap();
                let checked = record.check(&config, Method::Widget, None);
                assert!(checked.is_ok(), "{form} {locale}: {checked:?}");
            }
        }
    }

    #[test]
    fn the_record_carries_the_exact_text_shown_and_its_hash() {
        let built = built("newsletter");
        let record = consent_record(built, Locale::Ja, &answers(), moment()).unwrap();
        let (text, version) = built.consent(Locale::Ja);
        assert_eq!(record.consent_text, text);
        assert_eq!(record.consent_version, ConsentVersion::of(text));
        assert_eq!(record.consent_version, version);
        assert_eq!(record.record_id.len(), 22);
        assert_eq!(record.email, "Someone@Example.COM");
    }

    #[test]
    fn an_unticked_box_is_always_a_problem() {
        let unticked = Answers {
            consent: false,
            ..answers()
        };
        assert_eq!(problems(&unticked), vec![Problem::NoConsent]);
        assert!(problems(&answers()).is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once_in_form_order() {
        let all_wrong = Answers {
            email: "no-at-sign".into(),
            consent: false,
            topics: vec![],
            topics_offered: true,
            website: String::new(),
        };
        assert_eq!(
            problems(&all_wrong),
            vec![
                Problem::Email(EmailError::MissingAt),
                Problem::NoTopic,
                Problem::NoConsent
            ]
        );
    }

    #[test]
    fn only_offered_topics_are_kept_and_a_single_topic_goes_without_asking() {
        let two = built("newsletter");
        let ids: Vec<&str> = two.topics.iter().map(|t| t.0).collect();
        assert!(ids.len() > 1, "newsletter offers a choice");
        let picked = Answers::from_form(two, "a@b.example", true, &[ids[1], "nope"].join(","), "");
        assert_eq!(picked.topics, vec![ids[1]]);
        assert!(picked.topics_offered);
        let none = Answers::from_form(two, "a@b.example", true, "", "");
        assert_eq!(problems(&none), vec![Problem::NoTopic]);
        for form in ["whitepaper", "seminar"] {
            let one = built(form);
            if one.topics.len() == 1 {
                let sent = Answers::from_form(one, "a@b.example", true, "", "");
                assert_eq!(sent.topics, vec![one.topics[0].0]);
                assert!(!sent.topics_offered);
            }
        }
    }

    #[test]
    fn the_record_id_is_32_hex_digits_from_16_bytes() {
        let id = record_id(&[0xab; 16]).unwrap();
        assert_eq!(id.as_str(), "ab".repeat(16));
        assert_eq!(record_id(&[1; 15]), None);
    }

    #[test]
    fn the_page_url_loses_its_query_and_fragment() {
        assert_eq!(
            evidence_url("https://example.com/news?email=a@b.example#x"),
            "https://example.com/news"
        );
        assert_eq!(
            evidence_url("https://example.com/a#b?c"),
            "https://example.com/a"
        );
        assert_eq!(evidence_url("https://example.com/"), "https://example.com/");
    }

    #[test]
    fn no_topic_is_fine_when_none_was_offered() {
        let single = Answers {
            topics: vec![],
            topics_offered: false,
            ..answers()
        };
        assert!(problems(&single).is_empty());
    }

    #[test]
    fn problems_are_explained_in_both_languages() {
        for problem in [
            Problem::Email(EmailError::Empty),
            Problem::NoConsent,
            Problem::NoTopic,
        ] {
            assert_ne!(problem.message(Locale::Ja), problem.message(Locale::En));
        }
    }
}
