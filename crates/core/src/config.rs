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

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
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

    /// Checks every cross-field rule.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.sender;
        nonempty("sender.name", &s.name)?;
        nonempty("sender.postal_address", &s.postal_address)?;
        if crate::email::Email::parse(&s.contact_email).is_err() {
            return Err(invalid(
                "sender.contact_email",
                "must be a valid email address",
            ));
        }
        if let Some(url) = &s.contact_url {
            web_url("sender.contact_url", url)?;
        }
        if let Some(m) = &self.mail.unsubscribe_mailto {
            if crate::email::Email::parse(m).is_err() {
                return Err(invalid(
                    "mail.unsubscribe_mailto",
                    "must be a valid email address",
                ));
            }
        }
        if self.lists.is_empty() {
            return Err(invalid("lists", "define at least one list"));
        }
        for (i, list) in self.lists.iter().enumerate() {
            let at = format!("lists[{i}]");
            if self.lists[..i].iter().any(|l| l.id == list.id) {
                return Err(invalid(
                    format!("{at}.id"),
                    format!("list id {:?} is used twice", list.id.as_str()),
                ));
            }
            nonempty(&format!("{at}.name"), &list.name)?;
            for (j, topic) in list.topics.iter().enumerate() {
                if list.topics[..j].iter().any(|t| t.id == topic.id) {
                    return Err(invalid(
                        format!("{at}.topics[{j}].id"),
                        format!("topic id {:?} is used twice", topic.id.as_str()),
                    ));
                }
                nonempty(&format!("{at}.topics[{j}].name"), &topic.name)?;
            }
            if list.frequencies.is_empty() {
                return Err(invalid(
                    format!("{at}.frequencies"),
                    "offer at least one frequency",
                ));
            }
            for (j, f) in list.frequencies.iter().enumerate() {
                if list.frequencies[..j].iter().any(|g| g.id == f.id) {
                    return Err(invalid(
                        format!("{at}.frequencies[{j}].id"),
                        format!("frequency id {:?} is used twice", f.id.as_str()),
                    ));
                }
                nonempty(&format!("{at}.frequencies[{j}].name"), &f.name)?;
            }
            if list.frequency(&list.default_frequency).is_none() {
                return Err(invalid(
                    format!("{at}.default_frequency"),
                    format!(
                        "{:?} is not one of this list's frequencies",
                        list.default_frequency.as_str()
                    ),
                ));
            }
        }
        for (i, form) in self.forms.iter().enumerate() {
            let at = format!("forms[{i}]");
            if self.forms[..i].iter().any(|f| f.id == form.id) {
                return Err(invalid(
                    format!("{at}.id"),
                    format!("form id {:?} is used twice", form.id.as_str()),
                ));
            }
            let Some(list) = self.list(&form.list) else {
                return Err(invalid(
                    format!("{at}.list"),
                    format!("no list has the id {:?}", form.list.as_str()),
                ));
            };
            nonempty(&format!("{at}.title"), &form.title)?;
            nonempty(&format!("{at}.consent"), &form.consent)?;
            for (j, t) in form.topics.iter().enumerate() {
                if list.topic(t).is_none() {
                    return Err(invalid(
                        format!("{at}.topics[{j}]"),
                        format!("list {:?} has no topic {:?}", list.id.as_str(), t.as_str()),
                    ));
                }
            }
            for (j, o) in form.allowed_origins.iter().enumerate() {
                origin(&format!("{at}.allowed_origins[{j}]"), o)?;
            }
            web_url(&format!("{at}.privacy_url"), &form.privacy_url)?;
            if form.min_fill_ms > 60_000 {
                return Err(invalid(
                    format!("{at}.min_fill_ms"),
                    "must be at most 60000 (one minute)",
                ));
            }
            if form.double_opt_in && self.confirmation.is_none() {
                return Err(invalid(
                    format!("{at}.double_opt_in"),
                    "needs a [confirmation] section saying how confirmation mails are delivered",
                ));
            }
        }
        if let Some(c) = &self.confirmation {
            if c.ttl_hours == 0 || c.ttl_hours > 24 * 30 {
                return Err(invalid(
                    "confirmation.ttl_hours",
                    "must be between 1 and 720 hours",
                ));
            }
            if c.max_per_address_per_day == 0 {
                return Err(invalid(
                    "confirmation.max_per_address_per_day",
                    "must be at least 1",
                ));
            }
            match &c.delivery {
                Delivery::Webhook { url } => web_url("confirmation.delivery.url", url)?,
                Delivery::Resend { from } => {
                    if crate::email::Email::parse(from).is_err() {
                        return Err(invalid(
                            "confirmation.delivery.from",
                            "must be a valid email address",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn nonempty(field: &str, text: &Localized) -> Result<(), ConfigError> {
    for l in Locale::ALL {
        if text.get(l).trim().is_empty() {
            return Err(invalid(format!("{field}.{l}"), "must not be empty"));
        }
    }
    Ok(())
}

fn web_url(field: &str, url: &str) -> Result<(), ConfigError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && !r.starts_with('/')
                && !url.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>'
                }) =>
        {
            Ok(())
        }
        _ => Err(invalid(
            field,
            format!("{url:?} must be an absolute http:// or https:// URL"),
        )),
    }
}

fn origin(field: &str, o: &str) -> Result<(), ConfigError> {
    web_url(field, o)?;
    let host = o.split_once("://").map_or("", |(_, h)| h);
    if host.contains('/') || o.ends_with('/') {
        return Err(invalid(
            field,
            format!(
                "{o:?} must be an origin like https://example.com, with no path or trailing slash"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../doi.toml");

    fn with(find: &str, replace: &str) -> Result<Config, ConfigError> {
        assert!(DEMO.contains(find), "test fixture out of date: {find}");
        Config::from_toml(&DEMO.replacen(find, replace, 1))
    }

    fn field_of(r: Result<Config, ConfigError>) -> String {
        match r {
            Err(ConfigError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn the_shipped_demo_config_loads() {
        let c = Config::from_toml(DEMO).unwrap();
        assert_eq!(c.lists.len(), 1);
        assert_eq!(c.lists[0].topics.len(), 3);
        assert_eq!(c.lists[0].frequencies.len(), 2);
        assert_eq!(c.forms.len(), 3);
        assert!(c.forms.iter().any(|f| f.mode == FormMode::Attach));
        for f in &c.forms {
            assert_ne!(f.consent_version(Locale::Ja), f.consent_version(Locale::En));
        }
    }

    #[test]
    fn syntax_errors_and_unknown_fields_are_reported() {
        assert!(matches!(
            Config::from_toml("[sender"),
            Err(ConfigError::Syntax(_))
        ));
        let e = with("[sender]", "[sender]\ncolour = \"red\"").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
    }

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(
            field_of(with("contact_email = \"", "contact_email = \"x@")),
            "sender.contact_email"
        );
        assert_eq!(
            field_of(with("list = \"newsletter\"", "list = \"nope\"")),
            "forms[0].list"
        );
        assert_eq!(
            field_of(with(
                "default_frequency = \"weekly\"",
                "default_frequency = \"daily\""
            )),
            "lists[0].default_frequency"
        );
        assert_eq!(
            field_of(with("privacy_url = \"https://", "privacy_url = \"ftp://")),
            "forms[0].privacy_url"
        );
        assert_eq!(
            field_of(with(
                "allowed_origins = [\"",
                "allowed_origins = [\"https://x.example/path\", \""
            )),
            "forms[0].allowed_origins[0]"
        );
        assert_eq!(
            field_of(with("topics = [\"product\"", "topics = [\"missing\"")),
            "forms[0].topics[0]"
        );
        assert_eq!(
            field_of(with("ttl_hours = 72", "ttl_hours = 0")),
            "confirmation.ttl_hours"
        );
        assert_eq!(
            field_of(with(
                "max_per_address_per_day = 3",
                "max_per_address_per_day = 0"
            )),
            "confirmation.max_per_address_per_day"
        );
        assert_eq!(
            field_of(with("min_fill_ms = 1500", "min_fill_ms = 600000")),
            "forms[0].min_fill_ms"
        );
        assert_eq!(
            field_of(with("unsubscribe_mailto = \"", "unsubscribe_mailto = \"@")),
            "mail.unsubscribe_mailto"
        );
        assert_eq!(
            field_of(with(
                "contact_url = \"https://",
                "contact_url = \"javascript:"
            )),
            "sender.contact_url"
        );
    }

    #[test]
    fn empty_texts_and_duplicates_are_refused() {
        let c = Config::from_toml(DEMO).unwrap();
        let mut bad = c.clone();
        bad.forms[1].consent.en = " ".into();
        assert_eq!(
            field_of(bad.validate().map(|_| bad.clone())),
            "forms[1].consent.en"
        );
        let mut bad = c.clone();
        let dup = bad.forms[0].clone();
        bad.forms.push(dup);
        assert_eq!(field_of(bad.validate().map(|_| bad.clone())), "forms[3].id");
        let mut bad = c.clone();
        let dup = bad.lists[0].topics[0].clone();
        bad.lists[0].topics.push(dup);
        assert_eq!(
            field_of(bad.validate().map(|_| bad.clone())),
            "lists[0].topics[3].id"
        );
        let mut bad = c.clone();
        bad.lists[0].frequencies.clear();
        assert_eq!(
            field_of(bad.validate().map(|_| bad.clone())),
            "lists[0].frequencies"
        );
        let mut bad = c.clone();
        let dup = bad.lists[0].clone();
        bad.lists.push(dup);
        assert_eq!(field_of(bad.validate().map(|_| bad.clone())), "lists[1].id");
        let mut bad = c.clone();
        bad.lists.clear();
        assert_eq!(field_of(bad.validate().map(|_| bad.clone())), "lists");
        let mut bad = c.clone();
        bad.confirmation = None;
        assert!(field_of(bad.validate().map(|_| bad.clone())).ends_with(".double_opt_in"));
        let mut bad = c;
        bad.confirmation.as_mut().unwrap().delivery = Delivery::Resend {
            from: "nobody".into(),
        };
        assert_eq!(
            field_of(bad.validate().map(|_| bad.clone())),
            "confirmation.delivery.from"
        );
    }

    #[test]
    fn json_round_trip_keeps_the_config() {
        let c = Config::from_toml(DEMO).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(Config::from_json(&json).unwrap(), c);
    }
}
