//! Checking one record of consent the sender collected before Dōi, and the
//! event it becomes.
//!
//! An import is a [`EventKind::Subscribed`]: it never lifts a withdrawal at
//! any scope. It must say where it came from (`source`), the exact text the
//! person agreed to, when, and how strongly the earlier system proved the
//! address ([`OptIn`]); a list with topics needs the topics named, since an
//! empty choice is never "all topics". The same record imported twice is
//! the same event: its id is derived from what the record says.

use crate::prelude::*;

use serde::Deserialize;
use thiserror::Error;

use crate::config::Config;
use crate::email::Email;
use crate::event::{EventId, EventKind, Evidence, Method, OptIn};
use crate::hash::ConsentVersion;
use crate::id::{IdKey, SubscriberId};
use crate::locale::Locale;
use crate::slug::{ListId, TopicId};
use crate::time::Timestamp;

/// Longest `source` kept.
pub const MAX_SOURCE: usize = 500;
/// Longest consent text accepted.
pub const MAX_TEXT: usize = 10_000;

/// One record as the sender sends it (`POST /v1/import`, `doi import`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRecord {
    /// The address.
    pub email: String,
    /// The list consented to.
    pub list: String,
    /// The topics consented to (required when the list has topics).
    #[serde(default)]
    pub topics: Option<Vec<String>>,
    /// When consent was given, in milliseconds since the epoch.
    pub consented_at: u64,
    /// Where the record comes from (system, file, date).
    pub source: String,
    /// The exact text the person agreed to.
    pub consent_text: String,
    /// Its language, `ja` or `en`.
    pub locale: String,
    /// How the earlier system recorded the opt-in; the weakest claim,
    /// `imported_attested`, when not said.
    #[serde(default)]
    pub opt_in: Option<OptIn>,
}

/// Why a record cannot be imported. Nothing is stored for it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    /// The address is not valid.
    #[error("invalid email address: {0}")]
    Email(#[from] crate::email::EmailError),
    /// No such list.
    #[error("there is no list {0:?}")]
    UnknownList(String),
    /// The list has no such topic.
    #[error("the list has no topic {0:?}")]
    UnknownTopic(String),
    /// The list has topics and the record names none.
    #[error("the list has topics: name the ones the person consented to")]
    NoTopicChosen,
    /// Not `ja` or `en`.
    #[error("locale must be ja or en")]
    Locale,
    /// Empty or too long.
    #[error("source (1-{MAX_SOURCE} bytes) and consent_text (1-{MAX_TEXT} bytes) are required")]
    Provenance,
    /// A consent time in the future.
    #[error("consented_at is in the future")]
    FutureConsent,
}

impl ImportError {
    /// The stable code the API reports.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Email(_) => "invalid_email",
            ImportError::UnknownList(_) => "unknown_list",
            ImportError::UnknownTopic(_) => "unknown_topic",
            ImportError::NoTopicChosen => "no_topic_chosen",
            ImportError::Locale | ImportError::Provenance | ImportError::FutureConsent => {
                "invalid_request"
            }
        }
    }
}

/// A record that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedImport {
    /// The address.
    pub email: Email,
    /// Whose.
    pub subscriber: SubscriberId,
    /// The event's id (derived from the record: re-importing is idempotent).
    pub id: EventId,
    /// The event.
    pub kind: EventKind,
    /// The consent text, its version and language, to store once.
    pub text: (ConsentVersion, String, Locale),
}

impl ImportRecord {
    /// Checks the record against `config` at `now`.
    pub fn check(
        &self,
        config: &Config,
        id_key: &IdKey,
        now: Timestamp,
    ) -> Result<CheckedImport, ImportError> {
        let email = Email::parse(&self.email)?;
        let list = ListId::parse(&self.list)
            .and_then(|id| config.list(&id))
            .ok_or_else(|| ImportError::UnknownList(self.list.clone()))?;
        let mut topics: Vec<TopicId> = Vec::new();
        for t in self.topics.iter().flatten() {
            let id = TopicId::parse(t)
                .and_then(|id| list.topic(&id).map(|t| t.id.clone()))
                .ok_or_else(|| ImportError::UnknownTopic(t.clone()))?;
            topics.push(id);
        }
        topics.sort();
        topics.dedup();
        if topics.is_empty() && !list.topics.is_empty() {
            return Err(ImportError::NoTopicChosen);
        }
        let locale = Locale::from_tag(&self.locale).ok_or(ImportError::Locale)?;
        let source = self.source.trim();
        let text_ok = !self.consent_text.trim().is_empty() && self.consent_text.len() <= MAX_TEXT;
        if source.is_empty() || source.len() > MAX_SOURCE || !text_ok {
            return Err(ImportError::Provenance);
        }
        if Timestamp(self.consented_at) > now {
            return Err(ImportError::FutureConsent);
        }
        let version = ConsentVersion::of(&self.consent_text);
        let subscriber = id_key.subscriber_id(&email);
        let id = EventId::derive(
            b"doi import v2",
            &[
                &subscriber.0,
                list.id.as_str().as_bytes(),
                &self.consented_at.to_be_bytes(),
                &version.0,
                source.as_bytes(),
            ],
        );
        let evidence = Evidence {
            method: Method::Import,
            form: None,
            consent_version: version,
            locale,
            page_url: None,
            // For an import, when the sender's record says consent was given.
            client_time: Some(Timestamp(self.consented_at)),
            user_agent: None,
            source: Some(source.to_string()),
            opt_in: Some(self.opt_in.unwrap_or(OptIn::ImportedAttested)),
        };
        Ok(CheckedImport {
            email,
            subscriber,
            id,
            kind: EventKind::Subscribed {
                list: list.id.clone(),
                topics,
                frequency: Some(list.default_frequency.clone()),
                double_opt_in: false,
                evidence,
            },
            text: (version, self.consent_text.clone(), locale),
        })
    }
}
