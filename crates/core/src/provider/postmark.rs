//! Postmark's webhooks: one JSON object per delivery, told apart by
//! `RecordType`. A `Bounce` suppresses only for the bounce types Postmark
//! itself treats as permanent (it deactivates the address for them); a
//! `SpamComplaint` is a complaint; a `SubscriptionChange` that turns
//! sending off is an unsubscribe (or the bounce or complaint it names).

use crate::prelude::*;

use serde::Deserialize;

use super::{report, Kind, PayloadError, Provider, Report};

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "RecordType", default)]
    record_type: String,
    #[serde(rename = "Type", default)]
    bounce_type: Option<String>,
    #[serde(rename = "ID", default)]
    id: Option<serde_json::Value>,
    #[serde(rename = "MessageID", default)]
    message_id: Option<String>,
    #[serde(rename = "Email", default)]
    email: Option<String>,
    #[serde(rename = "Recipient", default)]
    recipient: Option<String>,
    #[serde(rename = "SuppressSending", default)]
    suppress_sending: Option<bool>,
    #[serde(rename = "SuppressionReason", default)]
    suppression_reason: Option<String>,
    #[serde(rename = "ChangedAt", default)]
    changed_at: Option<String>,
}

/// Postmark's bounce types that mean the mailbox will not take mail again.
const PERMANENT: [&str; 3] = ["HardBounce", "BadEmailAddress", "ManuallyDeactivated"];

/// The reports in a verified Postmark delivery.
pub fn reports(body: &[u8]) -> Result<Vec<Report>, PayloadError> {
    let r: Record =
        serde_json::from_slice(body).map_err(|e| PayloadError::shape(Provider::Postmark, e))?;
    let id = match &r.id {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let found = match r.record_type.as_str() {
        "Bounce" => match r.bounce_type.as_deref() {
            Some(t) if PERMANENT.contains(&t) => Some((r.email.as_deref(), Kind::Bounce, id)),
            Some("SpamComplaint") => Some((r.email.as_deref(), Kind::Complaint, id)),
            Some("Unsubscribe") => Some((r.email.as_deref(), Kind::Unsubscribe, id)),
            _ => None,
        },
        "SpamComplaint" => Some((r.email.as_deref(), Kind::Complaint, id)),
        "SubscriptionChange" if r.suppress_sending == Some(true) => {
            let kind = match r.suppression_reason.as_deref() {
                Some("HardBounce") => Kind::Bounce,
                Some("SpamComplaint") => Kind::Complaint,
                _ => Kind::Unsubscribe,
            };
            // A subscription change has no ID of its own: the message and
            // the moment name it.
            let id = format!(
                "{}:{}",
                r.message_id.as_deref().unwrap_or(""),
                r.changed_at.as_deref().unwrap_or("")
            );
            Some((r.recipient.as_deref(), kind, id))
        }
        _ => None,
    };
    Ok(match found {
        Some((Some(email), kind, id)) => vec![report(email, kind, &id)],
        _ => Vec::new(),
    })
}
