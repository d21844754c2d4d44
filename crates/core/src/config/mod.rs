//! The sender's configuration, `doi.toml`: who sends, which lists, topics and
//! frequencies exist, and which forms ask for consent with which exact text.
//!
//! [`Config::from_toml`] parses and validates in one step; every error names
//! the field to fix (`forms[1].consent.en: ...`). A config that loads is
//! internally consistent: every form's list and topics exist, every id is
//! unique, every text exists in both languages.

use crate::prelude::*;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::hash::ConsentVersion;
use crate::locale::Locale;
use crate::slug::{FormId, FrequencyId, ListId, TopicId};

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ja => &self.ja,
            Locale::En => &self.en,
        }
    }
}

/// Who sends the mail: what 特定電子メール法 and CAN-SPAM require every mail
/// and page to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// The sender's name (company or person).
    pub name: Localized,
    /// Postal address.
    pub postal_address: Localized,
    /// Where people can reach the sender.
    pub contact_email: String,
    /// Optional contact page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_url: Option<String>,
    /// Language when nothing else decides.
    #[serde(default = "default_locale")]
    pub default_locale: Locale,
}

fn default_locale() -> Locale {
    Locale::Ja
}

/// A topic within a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Its id.
    pub id: TopicId,
    /// What people see.
    pub name: Localized,
}

/// A frequency a list offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    /// Its id.
    pub id: FrequencyId,
    /// What people see.
    pub name: Localized,
}

/// A mailing list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct List {
    /// Its id.
    pub id: ListId,
    /// What people see.
    pub name: Localized,
    /// Topics people can choose among (may be empty).
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// Frequencies, most frequent first (at least one).
    pub frequencies: Vec<Frequency>,
    /// The frequency a new subscriber gets.
    pub default_frequency: FrequencyId,
    /// Consent older than this many days (since the latest consent or
    /// confirmation) is stale: `/v1/check` answers `consent_stale` until the
    /// person renews it on the re-permission page. None: consent never ages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_max_age_days: Option<u32>,
}

impl List {
    /// The topic with `id`.
    pub fn topic(&self, id: &TopicId) -> Option<&Topic> {
        self.topics.iter().find(|t| &t.id == id)
    }

    /// The frequency with `id`.
    pub fn frequency(&self, id: &FrequencyId) -> Option<&Frequency> {
        self.frequencies.iter().find(|f| &f.id == id)
    }
}

/// How a form appears on the host page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormMode {
    /// The widget renders a whole signup form.
    Form,
    /// The widget adds a consent box to a form the site already has.
    Attach,
}

/// A place where people are asked for consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Its id.
    pub id: FormId,
    /// The list it signs people up to.
    pub list: ListId,
    /// Whole form or a consent box on the host's form.
    pub mode: FormMode,
    /// Heading of the form and the hosted page.
    pub title: Localized,
    /// The exact consent text beside the checkbox. Its SHA-256 is its version.
    pub consent: Localized,
    /// Topics offered (a subset of the list's; empty means all of them).
    #[serde(default)]
    pub topics: Vec<TopicId>,
    /// Send a confirmation mail and wait for the click before mailing.
    #[serde(default)]
    pub double_opt_in: bool,
    /// Origins (`scheme://host[:port]`) allowed to submit from a browser.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// The sender's privacy policy.
    pub privacy_url: String,
    /// Submissions faster than this after the form appeared are from bots.
    #[serde(default = "default_min_fill_ms")]
    pub min_fill_ms: u64,
    /// Cloudflare Turnstile on this form (its secret is the Worker secret
    /// `DOI_TURNSTILE_SECRETS`): nothing is stored without a passed check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile: Option<Turnstile>,
}

/// Cloudflare Turnstile settings of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turnstile {
    /// The widget's site key (public; Cloudflare's dashboard shows it).
    pub site_key: String,
}

fn default_min_fill_ms() -> u64 {
    1_500
}

impl Form {
    /// The version of the consent text shown in `locale`.
    pub fn consent_version(&self, locale: Locale) -> ConsentVersion {
        ConsentVersion::of(self.consent.get(locale))
    }

    /// Whether a browser at `origin` may submit this form. The Worker's own
    /// origin (the hosted page) is always allowed by the caller.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// How confirmation mails leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Delivery {
    /// POST a signed JSON message to the sender's own system.
    Webhook {
        /// Where to POST (the Worker variable `DOI_WEBHOOK_URL` overrides it).
        url: String,
    },
    /// Send through Resend's HTTP API (key in the `DOI_RESEND_API_KEY` secret).
    Resend {
        /// The From address, on a domain verified with the provider.
        from: String,
    },
}

/// Settings for double opt-in confirmations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// How long a confirmation link works.
    #[serde(default = "default_ttl_hours")]
    pub ttl_hours: u32,
    /// Most confirmation mails one address gets per day (anti mail-bombing).
    #[serde(default = "default_max_per_day")]
    pub max_per_address_per_day: u32,
    /// How the mail leaves.
    pub delivery: Delivery,
}

fn default_ttl_hours() -> u32 {
    72
}

fn default_max_per_day() -> u32 {
    3
}

/// Options for the links in every mail.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailOptions {
    /// Optional `mailto:` for `List-Unsubscribe` (RFC 2369), beside the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_mailto: Option<String>,
}

/// The whole of `doi.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who sends.
    pub sender: Sender,
    /// Mail link options.
    #[serde(default)]
    pub mail: MailOptions,
    /// Double opt-in settings (required when any form uses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
    /// Lists.
    pub lists: Vec<List>,
    /// Forms.
    #[serde(default)]
    pub forms: Vec<Form>,
}

/// A configuration problem, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// Not valid TOML, or a field has the wrong type or is unknown/missing.
    #[error("doi.toml: {0}")]
    Syntax(String),
    /// A field's value breaks a rule.
    #[error("doi.toml: {field}: {problem}")]
    Invalid {
        /// Path of the field, e.g. `forms[1].list`.
        field: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

impl Config {
    /// Parses and validates `doi.toml`.
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates the JSON form of a config (what the Worker may embed).
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let config: Config =
            serde_json::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The list with `id`.
    pub fn list(&self, id: &ListId) -> Option<&List> {
        self.lists.iter().find(|l| &l.id == id)
    }

    /// The form with `id`.
    pub fn form(&self, id: &FormId) -> Option<&Form> {
        self.forms.iter().find(|f| &f.id == id)
    }

    /// How long consent to `list` stays fresh, in milliseconds (None: forever).
    pub fn consent_max_age(&self, list: &ListId) -> Option<u64> {
        self.list(list)
            .and_then(|l| l.consent_max_age_days)
            .map(|d| u64::from(d) * crate::time::DAY)
    }

    /// The first form signing people up to `list` (the text a resubscribe shows).
    pub fn primary_form(&self, list: &ListId) -> Option<&Form> {
        self.forms.iter().find(|f| &f.list == list)
    }

    /// The topics `form` offers: its own selection, or all of its list's.
    pub fn offered_topics<'a>(&'a self, form: &'a Form) -> Vec<&'a Topic> {
        let Some(list) = self.list(&form.list) else {
            return Vec::new();
        };
        if form.topics.is_empty() {
            list.topics.iter().collect()
        } else {
            form.topics.iter().filter_map(|t| list.topic(t)).collect()
        }
    }
}

mod validate;

#[cfg(test)]
mod tests;
