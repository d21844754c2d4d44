//! The consent record: what a browser submits when someone ticks the box,
//! and the rules it must pass before it becomes evidence.
//!
//! The widget builds a [`ConsentRecord`] (the exact text shown, its hash, the
//! page, the moment, a record id reused on retries) and the Worker checks it
//! with [`ConsentRecord::check`] against the form's *current* text: a record
//! whose text was altered, or shown before the text changed, is refused
//! rather than stored with evidence nobody can stand behind.

use crate::prelude::*;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::{Config, Form};
use crate::email::{Email, EmailError};
use crate::event::{EventId, Evidence, Method};
use crate::hash::ConsentVersion;
use crate::locale::Locale;
use crate::slug::{FormId, TopicId};
use crate::time::Timestamp;

/// Longest page URL kept as evidence.
pub const MAX_PAGE_URL: usize = 2048;
/// Longest user agent kept as evidence.
pub const MAX_USER_AGENT: usize = 512;

/// What the browser sends to `POST /v1/subscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecord {
    /// Random id made once per submission and reused on retries.
    pub record_id: String,
    /// Which form.
    pub form: FormId,
    /// The address as typed.
    pub email: String,
    /// The language the form was shown in.
    pub locale: Locale,
    /// The exact consent text shown beside the box.
    pub consent_text: String,
    /// SHA-256 of that text, computed in the browser.
    pub consent_version: ConsentVersion,
    /// Whether the box was ticked. Must be true.
    pub consent: bool,
    /// Topics chosen.
    #[serde(default)]
    pub topics: Vec<TopicId>,
    /// The page the form was on.
    #[serde(default)]
    pub page_url: String,
    /// The browser's clock at submission.
    pub client_time: Timestamp,
    /// Milliseconds from the form appearing to submission.
    pub elapsed_ms: u64,
    /// The honeypot field: people leave it empty.
    #[serde(default)]
    pub website: String,
    /// The widget's attach mode: its consent box was added to the site's
    /// own form (recorded as [`Method::WidgetAttach`]).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub attach: bool,
}

/// Why a submission is refused. Nothing is stored for any of these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SubmissionError {
    /// No form has that id.
    #[error("there is no form {0:?}")]
    UnknownForm(String),
    /// The box was not ticked.
    #[error("consent was not given: the box must be ticked")]
    ConsentNotGiven,
    /// The text and its hash disagree: altered on the way.
    #[error("the consent text does not match its hash")]
    AlteredText,
    /// The text is not the form's current text in that language.
    #[error("the consent text is not the form's current text; reload the form")]
    StaleText,
    /// The address is not valid.
    #[error("invalid email address: {0}")]
    Email(#[from] EmailError),
    /// A topic the form does not offer.
    #[error("the form does not offer the topic {0:?}")]
    UnknownTopic(String),
    /// The form offers a choice of topics and none was chosen.
    #[error("choose at least one topic")]
    NoTopicChosen,
    /// The record id is not 16-64 URL-safe characters.
    #[error("the record id must be 16-64 characters of A-Z, a-z, 0-9, '-' or '_'")]
    BadRecordId,
    /// The page URL is too long.
    #[error("the page URL is longer than {MAX_PAGE_URL} characters")]
    PageUrlTooLong,
    /// The honeypot was filled in or the form was submitted inhumanly fast.
    #[error("the submission looks automated")]
    Automated,
}

/// A submission that passed every check: ready to become an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedConsent {
    /// The event id (the record id).
    pub id: EventId,
    /// The address.
    pub email: Email,
    /// The form.
    pub form: Form,
    /// Topics (see [`chosen_topics`]).
    pub topics: Vec<TopicId>,
    /// The evidence to store.
    pub evidence: Evidence,
}

impl ConsentRecord {
    /// Checks the record against the current `config`. `user_agent` is the
    /// request's, `method` how it arrived (widget or hosted page).
    pub fn check(
        &self,
        config: &Config,
        method: Method,
        user_agent: Option<&str>,
    ) -> Result<CheckedConsent, SubmissionError> {
        let form = config
            .form(&self.form)
            .ok_or_else(|| SubmissionError::UnknownForm(self.form.to_string()))?;
        if !self.website.is_empty() || self.elapsed_ms < form.min_fill_ms {
            return Err(SubmissionError::Automated);
        }
        if !self.consent {
            return Err(SubmissionError::ConsentNotGiven);
        }
        if ConsentVersion::of(&self.consent_text) != self.consent_version {
            return Err(SubmissionError::AlteredText);
        }
        if self.consent_version != form.consent_version(self.locale) {
            return Err(SubmissionError::StaleText);
        }
        let id = EventId::parse(&self.record_id).ok_or(SubmissionError::BadRecordId)?;
        let email = Email::parse(&self.email)?;
        let offered: Vec<TopicId> = config
            .offered_topics(form)
            .into_iter()
            .map(|t| t.id.clone())
            .collect();
        let topics = chosen_topics(&offered, &self.topics)?;
        if self.page_url.len() > MAX_PAGE_URL {
            return Err(SubmissionError::PageUrlTooLong);
        }
        let evidence = Evidence {
            method,
            form: Some(form.id.clone()),
            consent_version: self.consent_version,
            locale: self.locale,
            page_url: (!self.page_url.is_empty()).then(|| self.page_url.clone()),
            client_time: Some(self.client_time),
            user_agent: user_agent.map(|ua| truncate(ua, MAX_USER_AGENT)),
            source: None,
            opt_in: None,
        };
        Ok(CheckedConsent {
            id,
            email,
            form: form.clone(),
            topics,
            evidence,
        })
    }
}

/// Whether a form that offers `offered` shows a choice of topics (two or
/// more). With one topic or none, the consent covers what the form offers.
pub fn shows_topic_choice(offered: &[TopicId]) -> bool {
    offered.len() >= 2
}

/// The topics a submission signs up for: those chosen, each one the form
/// offers. Where the form shows a choice, an empty choice is an error — never
/// "all topics"; where it shows none, the form's topics.
pub fn chosen_topics(
    offered: &[TopicId],
    chosen: &[TopicId],
) -> Result<Vec<TopicId>, SubmissionError> {
    if let Some(t) = chosen.iter().find(|t| !offered.contains(t)) {
        return Err(SubmissionError::UnknownTopic(t.to_string()));
    }
    let mut topics = match (chosen.is_empty(), shows_topic_choice(offered)) {
        (true, true) => return Err(SubmissionError::NoTopicChosen),
        (true, false) => offered.to_vec(),
        (false, _) => chosen.to_vec(),
    };
    topics.sort();
    topics.dedup();
    Ok(topics)
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}
