//! A consent record becomes evidence only if it is exactly what the form showed.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::config::Config;
use doi_core::consent::{ConsentRecord, SubmissionError};
use doi_core::email::EmailError;
use doi_core::event::Method;
use doi_core::form::FormDefinition;
use doi_core::{ConsentVersion, FormId, Locale, Timestamp, TopicId};

fn config() -> Config {
    Config::from_toml(include_str!("../../../doi.toml")).unwrap()
}

fn record(config: &Config) -> ConsentRecord {
    let form = config.form(&FormId::parse("newsletter").unwrap()).unwrap();
    let def = FormDefinition::new(config, form);
    let text = def.consent(Locale::Ja);
    ConsentRecord {
        record_id: "rec_0123456789abcdef".into(),
        form: form.id.clone(),
        email: "Hanako@Example.jp".into(),
        locale: Locale::Ja,
        consent_text: text.text.clone(),
        consent_version: text.version,
        consent: true,
        topics: vec![TopicId::parse("tips").unwrap()],
        page_url: "http://127.0.0.1:8787/".into(),
        client_time: Timestamp(1_000),
        elapsed_ms: 5_000,
        website: String::new(),
        attach: false,
    }
}

#[test]
fn a_proper_record_becomes_evidence_with_the_exact_text_version() {
    let c = config();
    let checked = record(&c)
        .check(&c, Method::Widget, Some("Mozilla/5.0"))
        .unwrap();
    assert_eq!(checked.email.as_str(), "hanako@example.jp");
    assert_eq!(
        checked.evidence.consent_version,
        ConsentVersion::of(&c.forms[0].consent.ja)
    );
    assert_eq!(checked.evidence.locale, Locale::Ja);
    assert_eq!(
        checked.evidence.page_url.as_deref(),
        Some("http://127.0.0.1:8787/")
    );
    assert_eq!(checked.topics, vec![TopicId::parse("tips").unwrap()]);
}

#[test]
fn choosing_no_topic_where_the_form_offers_a_choice_is_an_error_never_all() {
    let c = config();
    let mut r = record(&c);
    r.topics.clear();
    assert_eq!(
        r.check(&c, Method::Widget, None),
        Err(SubmissionError::NoTopicChosen)
    );
}

#[test]
fn a_form_with_one_topic_and_no_choice_signs_up_for_that_topic() {
    let c = config();
    let form = c
        .forms
        .iter()
        .find(|f| f.topics.len() == 1)
        .unwrap()
        .clone();
    let mut r = record(&c);
    r.form = form.id.clone();
    r.consent_text = form.consent.get(r.locale).to_string();
    r.consent_version = form.consent_version(r.locale);
    r.elapsed_ms = form.min_fill_ms;
    r.topics.clear();
    assert_eq!(
        r.check(&c, Method::Widget, None).unwrap().topics,
        form.topics
    );
}

#[test]
fn each_bad_submission_is_refused_with_its_own_error() {
    let c = config();
    let refuse = |f: &dyn Fn(&mut ConsentRecord)| {
        let mut r = record(&c);
        f(&mut r);
        r.check(&c, Method::Widget, None).unwrap_err()
    };
    assert_eq!(
        refuse(&|r| r.consent = false),
        SubmissionError::ConsentNotGiven
    );
    assert_eq!(
        refuse(&|r| r.consent_text.push('!')),
        SubmissionError::AlteredText
    );
    assert_eq!(
        refuse(&|r| {
            r.consent_text = "I agreed to an older text".into();
            r.consent_version = ConsentVersion::of(&r.consent_text);
        }),
        SubmissionError::StaleText
    );
    assert_eq!(
        refuse(&|r| r.locale = Locale::En),
        SubmissionError::StaleText
    );
    assert_eq!(
        refuse(&|r| r.email = "nope".into()),
        SubmissionError::Email(EmailError::MissingAt)
    );
    assert_eq!(
        refuse(&|r| r.topics = vec![TopicId::parse("casino").unwrap()]),
        SubmissionError::UnknownTopic("casino".into())
    );
    assert_eq!(
        refuse(&|r| r.record_id = "short".into()),
        SubmissionError::BadRecordId
    );
    assert_eq!(
        refuse(&|r| r.page_url = "x".repeat(3000)),
        SubmissionError::PageUrlTooLong
    );
    assert_eq!(
        refuse(&|r| r.website = "http://spam".into()),
        SubmissionError::Automated
    );
    assert_eq!(refuse(&|r| r.elapsed_ms = 200), SubmissionError::Automated);
    assert_eq!(
        refuse(&|r| r.form = FormId::parse("gone").unwrap()),
        SubmissionError::UnknownForm("gone".into())
    );
}

#[test]
fn unknown_fields_in_a_submission_are_rejected() {
    let c = config();
    let mut v = serde_json::to_value(record(&c)).unwrap();
    v["pre_ticked"] = serde_json::Value::Bool(true);
    assert!(serde_json::from_value::<ConsentRecord>(v).is_err());
}
