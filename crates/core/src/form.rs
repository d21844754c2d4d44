//! What the widget needs to know about a form: the definition the Worker
//! serves at `GET /v1/forms/{id}` and the widget reads. Built from the config
//! here so both sides agree on every field.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::config::{Config, Form, FormMode, Localized};
use crate::hash::ConsentVersion;
use crate::locale::Locale;
use crate::slug::{FormId, ListId, TopicId};

/// A topic offered by a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedTopic {
    /// Its id.
    pub id: TopicId,
    /// What people see.
    pub name: Localized,
}

/// The consent text in one language with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentText {
    /// The exact text.
    pub text: String,
    /// SHA-256 of the text.
    pub version: ConsentVersion,
}

/// A form as the widget sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDefinition {
    /// Form id.
    pub id: FormId,
    /// The list it signs up to.
    pub list: ListId,
    /// Whole form or consent box.
    pub mode: FormMode,
    /// Heading.
    pub title: Localized,
    /// The sender's name.
    pub sender: Localized,
    /// Consent text in Japanese.
    pub consent_ja: ConsentText,
    /// Consent text in English.
    pub consent_en: ConsentText,
    /// Topics to choose from.
    pub topics: Vec<OfferedTopic>,
    /// Privacy policy URL.
    pub privacy_url: String,
    /// Whether a confirmation mail follows.
    pub double_opt_in: bool,
    /// Minimum time (ms) between showing and submitting.
    pub min_fill_ms: u64,
    /// The sender's default language.
    pub default_locale: Locale,
}

impl FormDefinition {
    /// The definition of `form` under `config`.
    pub fn new(config: &Config, form: &Form) -> FormDefinition {
        let text = |l| ConsentText {
            text: form.consent.get(l).to_string(),
            version: form.consent_version(l),
        };
        FormDefinition {
            id: form.id.clone(),
            list: form.list.clone(),
            mode: form.mode,
            title: form.title.clone(),
            sender: config.sender.name.clone(),
            consent_ja: text(Locale::Ja),
            consent_en: text(Locale::En),
            topics: config
                .offered_topics(form)
                .into_iter()
                .map(|t| OfferedTopic {
                    id: t.id.clone(),
                    name: t.name.clone(),
                })
                .collect(),
            privacy_url: form.privacy_url.clone(),
            double_opt_in: form.double_opt_in,
            min_fill_ms: form.min_fill_ms,
            default_locale: config.sender.default_locale,
        }
    }

    /// The consent text shown in `locale`.
    pub fn consent(&self, locale: Locale) -> &ConsentText {
        match locale {
            Locale::Ja => &self.consent_ja,
            Locale::En => &self.consent_en,
        }
    }
}
