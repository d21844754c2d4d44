//! Amazon SES notifications through Amazon SNS: the SNS envelope (its
//! string to sign, its signing-certificate host rule, its kinds) and the SES
//! message inside it (bounce, complaint), in the shapes SES documents for
//! both notification topics (`notificationType`) and event publishing
//! (`eventType`).

use crate::prelude::*;

use serde::Deserialize;

use super::{bounded, report, Kind, PayloadError, Provider, Report};
use crate::time::Timestamp;

/// An SNS message as SNS POSTs it (JSON, whatever its content type says).
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct Envelope {
    /// `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "MessageId")]
    pub message_id: String,
    #[serde(rename = "Token", default)]
    pub token: Option<String>,
    #[serde(rename = "TopicArn")]
    pub topic_arn: String,
    #[serde(rename = "Subject", default)]
    pub subject: Option<String>,
    #[serde(rename = "Message")]
    pub message: String,
    #[serde(rename = "Timestamp")]
    pub timestamp: String,
    #[serde(rename = "SignatureVersion")]
    pub signature_version: String,
    #[serde(rename = "Signature")]
    pub signature: String,
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
    #[serde(rename = "SubscribeURL", default)]
    pub subscribe_url: Option<String>,
}

/// The digest an SNS signature is made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// SignatureVersion 1: SHA1withRSA.
    Sha1,
    /// SignatureVersion 2: SHA256withRSA.
    Sha256,
}

impl Envelope {
    /// Reads an SNS message.
    pub fn parse(body: &[u8]) -> Result<Envelope, PayloadError> {
        serde_json::from_slice(body).map_err(|e| PayloadError::shape(Provider::Ses, e))
    }

    /// Whether it asks us to confirm a subscription (visit `SubscribeURL`).
    pub fn is_subscription_confirmation(&self) -> bool {
        self.kind == "SubscriptionConfirmation"
    }

    /// The digest its `SignatureVersion` names; `None` for an unknown one.
    pub fn digest(&self) -> Option<Digest> {
        match self.signature_version.as_str() {
            "1" => Some(Digest::Sha1),
            "2" => Some(Digest::Sha256),
            _ => None,
        }
    }

    /// When SNS signed it.
    pub fn signed_at(&self) -> Option<Timestamp> {
        super::parse_rfc3339(&self.timestamp)
    }

    /// The bytes SNS signs: `name\nvalue\n` for each signed field, in the
    /// order SNS documents for the message's type (`Subject` only when
    /// present); `None` for an unknown type or a missing field.
    pub fn string_to_sign(&self) -> Option<String> {
        let mut fields: Vec<(&str, &str)> = vec![
            ("Message", self.message.as_str()),
            ("MessageId", self.message_id.as_str()),
        ];
        match self.kind.as_str() {
            "Notification" => {
                if let Some(subject) = &self.subject {
                    fields.push(("Subject", subject.as_str()));
                }
                fields.push(("Timestamp", self.timestamp.as_str()));
                fields.push(("TopicArn", self.topic_arn.as_str()));
            }
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
                fields.push(("SubscribeURL", self.subscribe_url.as_deref()?));
                fields.push(("Timestamp", self.timestamp.as_str()));
                fields.push(("Token", self.token.as_deref()?));
                fields.push(("TopicArn", self.topic_arn.as_str()));
            }
            _ => return None,
        }
        fields.push(("Type", self.kind.as_str()));
        let mut out = String::new();
        for (name, value) in fields {
            out.push_str(name);
            out.push('\n');
            out.push_str(value);
            out.push('\n');
        }
        Some(out)
    }
}

/// Whether `url` is one SNS itself serves (a signing certificate, a
/// subscription confirmation): `https://sns.<region>.amazonaws.com/…`, no
/// port, no credentials. Anything else could point our fetch anywhere.
pub fn is_sns_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some(region) = host
        .strip_prefix("sns.")
        .and_then(|h| h.strip_suffix(".amazonaws.com"))
    else {
        return false;
    };
    !region.is_empty()
        && region.len() <= 30
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && url.len() <= 1024
}

#[derive(Deserialize)]
struct Message {
    #[serde(rename = "notificationType", default)]
    notification_type: Option<String>,
    #[serde(rename = "eventType", default)]
    event_type: Option<String>,
    #[serde(default)]
    bounce: Option<Bounce>,
    #[serde(default)]
    complaint: Option<Complaint>,
}

#[derive(Deserialize)]
struct Bounce {
    #[serde(rename = "bounceType")]
    bounce_type: String,
    #[serde(rename = "bouncedRecipients", default)]
    bounced_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
struct Complaint {
    #[serde(rename = "complainedRecipients", default)]
    complained_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
struct Recipient {
    #[serde(rename = "emailAddress")]
    email_address: String,
}

/// The reports in a verified SNS `Notification` from SES: each recipient of
/// a `Permanent` bounce, each complainant. Transient and undetermined
/// bounces, deliveries and every other SNS type report nothing. The event id
/// is SNS's `MessageId` (SNS redelivers a message with the same id).
pub fn reports(body: &[u8]) -> Result<Vec<Report>, PayloadError> {
    let envelope = Envelope::parse(body)?;
    if envelope.kind != "Notification" {
        return Ok(Vec::new());
    }
    let message: Message = serde_json::from_str(&envelope.message)
        .map_err(|e| PayloadError::shape(Provider::Ses, e))?;
    let kind = message
        .notification_type
        .as_deref()
        .or(message.event_type.as_deref())
        .unwrap_or("");
    let id = &envelope.message_id;
    let out = match (kind, message.bounce, message.complaint) {
        ("Bounce", Some(b), _) if b.bounce_type == "Permanent" => bounded(b.bounced_recipients)?
            .iter()
            .map(|r| report(&r.email_address, Kind::Bounce, id))
            .collect(),
        ("Complaint", _, Some(c)) => bounded(c.complained_recipients)?
            .iter()
            .map(|r| report(&r.email_address, Kind::Complaint, id))
            .collect(),
        _ => Vec::new(),
    };
    Ok(out)
}
