//! The cross-field rules of `doi.toml`, checked once after parsing: ids
//! unique, every reference resolved, every text in both languages, URLs and
//! origins well formed. Each error names the field to fix.

use crate::prelude::*;

use super::{Config, ConfigError, Delivery, Localized};
use crate::locale::Locale;

/// The longest `consent_max_age_days` (100 years: longer is "never").
const MAX_CONSENT_AGE_DAYS: u32 = 36_500;

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

impl Config {
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
            if list
                .consent_max_age_days
                .is_some_and(|d| !(1..=MAX_CONSENT_AGE_DAYS).contains(&d))
            {
                return Err(invalid(
                    format!("{at}.consent_max_age_days"),
                    format!("must be between 1 and {MAX_CONSENT_AGE_DAYS} days"),
                ));
            }
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
            if let Some(t) = &form.turnstile {
                let k = &t.site_key;
                if k.is_empty()
                    || k.len() > 64
                    || !k
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(invalid(
                        format!("{at}.turnstile.site_key"),
                        "must be the site key Cloudflare shows (letters, digits, - and _)",
                    ));
                }
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
