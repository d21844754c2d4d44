//! SendGrid's Event Webhook: a JSON array of events, batched. A `bounce`
//! event of type `bounce` is permanent; of type `blocked` it is SendGrid's
//! soft bounce. `spamreport` is a complaint; `unsubscribe` and
//! `group_unsubscribe` are unsubscribes (Dōi knows no unsubscribe groups, so a
//! group's "no" stops everything: mailing less is never the wrong side).

use crate::prelude::*;

use serde::Deserialize;

use super::{bounded, report, Kind, PayloadError, Provider, Report};

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    event: String,
    #[serde(rename = "type", default)]
    bounce_type: Option<String>,
    #[serde(default)]
    sg_event_id: Option<String>,
    #[serde(default)]
    sg_message_id: Option<String>,
    #[serde(default)]
    timestamp: Option<u64>,
}

/// The reports in a verified Event Webhook delivery.
pub fn reports(body: &[u8]) -> Result<Vec<Report>, PayloadError> {
    let events: Vec<Event> =
        serde_json::from_slice(body).map_err(|e| PayloadError::shape(Provider::Sendgrid, e))?;
    let events = bounded(events)?;
    let mut out = Vec::new();
    for e in &events {
        let kind = match (e.event.as_str(), e.bounce_type.as_deref()) {
            ("bounce", Some("bounce") | None) => Kind::Bounce,
            ("spamreport", _) => Kind::Complaint,
            ("unsubscribe" | "group_unsubscribe", _) => Kind::Unsubscribe,
            _ => continue,
        };
        let Some(email) = e.email.as_deref() else {
            continue;
        };
        // SendGrid sends `sg_event_id` with every event; should one lack it,
        // what names the event uniquely stands in.
        let id = e.sg_event_id.clone().unwrap_or_else(|| {
            format!(
                "{}:{}:{}",
                e.sg_message_id.as_deref().unwrap_or(""),
                e.event,
                e.timestamp.unwrap_or(0)
            )
        });
        out.push(report(email, kind, &id));
    }
    Ok(out)
}
