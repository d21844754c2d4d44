//! Mailgun's webhooks: `{signature: {timestamp, token, signature},
//! "event-data": {…}}`. A `failed` event of `severity: permanent` is a bounce
//! (a `temporary` one Mailgun retries itself), `complained` a complaint,
//! `unsubscribed` an unsubscribe. The event id is `event-data.id`.

use crate::prelude::*;

use serde::Deserialize;

use super::{report, Kind, PayloadError, Provider, Report};

/// The signed part of a delivery, checked by the Worker.
#[derive(Debug, Clone, Deserialize)]
pub struct Signature {
    /// Seconds since the epoch, as text.
    pub timestamp: String,
    /// A random string Mailgun makes per delivery.
    pub token: String,
    /// Hex HMAC-SHA256 of `timestamp` + `token` with the signing key.
    pub signature: String,
}

#[derive(Deserialize)]
struct Delivery {
    signature: Signature,
    #[serde(rename = "event-data", default)]
    event_data: Option<EventData>,
}

#[derive(Deserialize)]
struct EventData {
    #[serde(default)]
    id: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    recipient: Option<String>,
}

/// The signature block of a delivery.
pub fn signature(body: &[u8]) -> Result<Signature, PayloadError> {
    serde_json::from_slice::<Delivery>(body)
        .map(|d| d.signature)
        .map_err(|e| PayloadError::shape(Provider::Mailgun, e))
}

/// The reports in a verified Mailgun delivery.
pub fn reports(body: &[u8]) -> Result<Vec<Report>, PayloadError> {
    let d: Delivery =
        serde_json::from_slice(body).map_err(|e| PayloadError::shape(Provider::Mailgun, e))?;
    let Some(e) = d.event_data else {
        return Ok(Vec::new());
    };
    let kind = match (e.event.as_str(), e.severity.as_deref()) {
        ("failed", Some("permanent")) => Kind::Bounce,
        ("complained", _) => Kind::Complaint,
        ("unsubscribed", _) => Kind::Unsubscribe,
        _ => return Ok(Vec::new()),
    };
    let id = if e.id.is_empty() {
        d.signature.token
    } else {
        e.id
    };
    Ok(e.recipient
        .iter()
        .map(|email| report(email, kind, &id))
        .collect())
}
