//! Resend's webhooks: `{type, created_at, data}`. `email.bounced` is a
//! bounce (Resend sends it for permanent rejections; one whose
//! `data.bounce.type` says otherwise suppresses nothing), `email.complained`
//! a complaint, and `contact.updated` with `unsubscribed: true` an
//! unsubscribe. The event id is the delivery's `svix-id` header, which Resend
//! keeps the same when it retries (the caller passes it in).

use crate::prelude::*;

use serde::Deserialize;

use super::{report, Kind, PayloadError, Provider, Report};

#[derive(Deserialize)]
struct Delivery {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    data: Data,
}

#[derive(Deserialize, Default)]
struct Data {
    #[serde(default)]
    to: Vec<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    unsubscribed: Option<bool>,
    #[serde(default)]
    bounce: Option<Bounce>,
}

#[derive(Deserialize)]
struct Bounce {
    #[serde(rename = "type", default)]
    bounce_type: Option<String>,
}

/// The reports in a verified Resend delivery whose `svix-id` is `id`.
pub fn reports(body: &[u8], id: &str) -> Result<Vec<Report>, PayloadError> {
    let d: Delivery =
        serde_json::from_slice(body).map_err(|e| PayloadError::shape(Provider::Resend, e))?;
    let recipients = |kind| {
        super::bounded(d.data.to.clone()).map(|to| {
            to.iter()
                .map(|email| report(email, kind, id))
                .collect::<Vec<_>>()
        })
    };
    match d.kind.as_str() {
        "email.bounced" => {
            let permanent = d
                .data
                .bounce
                .as_ref()
                .and_then(|b| b.bounce_type.as_deref())
                .is_none_or(|t| t.eq_ignore_ascii_case("permanent"));
            if permanent {
                recipients(Kind::Bounce)
            } else {
                Ok(Vec::new())
            }
        }
        "email.complained" => recipients(Kind::Complaint),
        "contact.updated" if d.data.unsubscribed == Some(true) => Ok(d
            .data
            .email
            .iter()
            .map(|email| report(email, Kind::Unsubscribe, id))
            .collect()),
        _ => Ok(Vec::new()),
    }
}
