//! The provider webhooks' secrets, read with the others
//! ([`crate::secrets`]); each provider's route needs only its own, and
//! answers 503 `misconfigured`, naming it, while it is not set.

use crate::http::ApiError;
use crate::secrets::{
    MAILGUN_SIGNING_KEY, POSTMARK_WEBHOOK_AUTH, RESEND_WEBHOOK_SECRET, SENDGRID_VERIFICATION_KEY,
    SES_TOPIC_ARNS, SNS_LOOPBACK,
};

/// The secrets, as found (unparsed).
#[derive(Clone, Default)]
pub struct ProviderSecrets {
    ses_topics: Option<String>,
    sendgrid_key: Option<String>,
    postmark_auth: Option<String>,
    resend_secret: Option<String>,
    mailgun_key: Option<String>,
    /// `DOI_SNS_LOOPBACK=on` (tests only; see [`SNS_LOOPBACK`]).
    pub sns_loopback: bool,
}

fn missing(name: &str, what: &str) -> ApiError {
    ApiError::Misconfigured(format!(
        "the secret {name} is not set; {what} (npx wrangler secret put {name}; see README, Provider webhooks)"
    ))
}

impl ProviderSecrets {
    /// Reads each through `get` (empty values already count as unset).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ProviderSecrets {
        ProviderSecrets {
            ses_topics: get(SES_TOPIC_ARNS),
            sendgrid_key: get(SENDGRID_VERIFICATION_KEY),
            postmark_auth: get(POSTMARK_WEBHOOK_AUTH),
            resend_secret: get(RESEND_WEBHOOK_SECRET),
            mailgun_key: get(MAILGUN_SIGNING_KEY),
            sns_loopback: get(SNS_LOOPBACK).is_some_and(|v| v.trim() == "on"),
        }
    }

    /// The SNS topics whose notifications are read.
    pub fn ses_topics(&self) -> Result<Vec<&str>, ApiError> {
        let text = self.ses_topics.as_deref().ok_or_else(|| {
            missing(
                SES_TOPIC_ARNS,
                "name the SNS topic(s) SES publishes bounces and complaints to",
            )
        })?;
        Ok(text
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect())
    }

    /// SendGrid's verification key (base64 DER).
    pub fn sendgrid_key(&self) -> Result<&str, ApiError> {
        self.sendgrid_key.as_deref().ok_or_else(|| {
            missing(
                SENDGRID_VERIFICATION_KEY,
                "paste the Signed Event Webhook's verification key",
            )
        })
    }

    /// Postmark's `user:password`.
    pub fn postmark_auth(&self) -> Result<&str, ApiError> {
        self.postmark_auth.as_deref().ok_or_else(|| {
            missing(
                POSTMARK_WEBHOOK_AUTH,
                "set it to the user:password you put in the webhook URL",
            )
        })
    }

    /// Resend's `whsec_…` signing secret.
    pub fn resend_secret(&self) -> Result<&str, ApiError> {
        self.resend_secret.as_deref().ok_or_else(|| {
            missing(
                RESEND_WEBHOOK_SECRET,
                "paste the webhook's signing secret (whsec_…)",
            )
        })
    }

    /// Mailgun's webhook signing key.
    pub fn mailgun_key(&self) -> Result<&str, ApiError> {
        self.mailgun_key
            .as_deref()
            .ok_or_else(|| missing(MAILGUN_SIGNING_KEY, "paste the HTTP webhook signing key"))
    }
}
