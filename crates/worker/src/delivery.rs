//! Confirmation mail (and the preference-link mail of `/m`) out of the Worker: a signed webhook to the sender's own
//! system, or Resend's HTTP API. Building the requests is pure (and tested);
//! sending goes through [`Net`].
//!
//! Webhook signature (docs/api.md): header
//! `Doi-Signature: t=<unix secs>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! The receiver recomputes it over the raw body and rejects old `t` values.

use doi_core::config::Delivery;
use doi_core::mail::MailMessage;
use doi_core::{Email, Locale, Timestamp};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::ctx::{Ctx, Net, Outgoing};
use crate::http::ApiError;
use crate::store::Store;

/// Resend's send endpoint.
pub const RESEND_URL: &str = "https://api.resend.com/emails";

/// A confirmation mail and the links it carries.
#[derive(Debug, Clone)]
pub struct Confirmation<'a> {
    /// Recipient.
    pub to: &'a Email,
    /// Language of the mail.
    pub locale: Locale,
    /// Subject, text and HTML.
    pub mail: MailMessage,
    /// The confirm link.
    pub confirm_url: String,
    /// The unsubscribe link (the mail's "this wasn't me" link is this with
    /// [`doi_core::mail::NOT_ME_QUERY`]).
    pub unsubscribe_url: String,
}

#[derive(Serialize)]
struct WebhookBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    to: &'a str,
    locale: Locale,
    subject: &'a str,
    text: &'a str,
    html: &'a str,
    confirm_url: &'a str,
    unsubscribe_url: &'a str,
    not_me_url: String,
}

/// `t=…,v1=…` for `body` at `now`.
pub fn signature(secret: &str, now: Timestamp, body: &str) -> String {
    let t = now.seconds();
    #[allow(clippy::unreachable, reason = "HMAC takes keys of any length")]
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(format!("{t}.").as_bytes());
    mac.update(body.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("t={t},v1={}", doi_core::hash::hex(&tag))
}

/// A mail's request body that did not serialise: nothing is sent, rather
/// than an empty body.
fn unserialisable(_: serde_json::Error) -> ApiError {
    ApiError::DeliveryFailed("the mail could not be written as JSON".into())
}

/// The signed webhook request.
pub fn webhook_request(
    url: &str,
    secret: &str,
    now: Timestamp,
    c: &Confirmation<'_>,
) -> Result<Outgoing, ApiError> {
    let body = serde_json::to_string(&WebhookBody {
        kind: "confirmation",
        to: c.to.as_str(),
        locale: c.locale,
        subject: &c.mail.subject,
        text: &c.mail.text,
        html: &c.mail.html,
        confirm_url: &c.confirm_url,
        unsubscribe_url: &c.unsubscribe_url,
        not_me_url: doi_core::mail::not_me_url(&c.unsubscribe_url),
    })
    .map_err(unserialisable)?;
    Ok(signed_json(url, secret, now, body))
}

/// A JSON `body` to the sender's webhook at `url`, signed with `secret`
/// (`doi-signature`, see [`signature`]): every mail the webhook carries.
fn signed_json(url: &str, secret: &str, now: Timestamp, body: String) -> Outgoing {
    Outgoing {
        url: url.to_string(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("doi-signature".into(), signature(secret, now, &body)),
        ],
        body,
    }
}

/// Sends `request`; anything but a 2xx is a `delivery_failed` (retryable).
async fn deliver<S: Store, N: Net>(ctx: &Ctx<S, N>, request: &Outgoing) -> Result<(), ApiError> {
    match ctx.net.post(request).await {
        Ok(status) if (200..300).contains(&status) => Ok(()),
        Ok(status) => Err(ApiError::DeliveryFailed(format!(
            "the delivery endpoint answered {status}"
        ))),
        Err(e) => Err(ApiError::DeliveryFailed(e)),
    }
}

#[derive(Serialize)]
struct ResendBody<'a> {
    from: &'a str,
    to: [&'a str; 1],
    subject: &'a str,
    text: &'a str,
    html: &'a str,
    headers: ResendHeaders<'a>,
}

#[derive(Serialize)]
struct ResendHeaders<'a> {
    #[serde(rename = "List-Unsubscribe")]
    list_unsubscribe: String,
    #[serde(rename = "List-Unsubscribe-Post")]
    list_unsubscribe_post: &'a str,
}

/// The request to Resend's API.
pub fn resend_request(
    api_key: &str,
    from: &str,
    c: &Confirmation<'_>,
) -> Result<Outgoing, ApiError> {
    let body = serde_json::to_string(&ResendBody {
        from,
        to: [c.to.as_str()],
        subject: &c.mail.subject,
        text: &c.mail.text,
        html: &c.mail.html,
        headers: ResendHeaders {
            list_unsubscribe: format!("<{}>", c.unsubscribe_url),
            list_unsubscribe_post: doi_core::mail::ONE_CLICK,
        },
    })
    .map_err(unserialisable)?;
    Ok(Outgoing {
        url: RESEND_URL.to_string(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("authorization".into(), format!("Bearer {api_key}")),
        ],
        body,
    })
}

/// A mail with a fresh preference link ("lost the mail? get a link").
#[derive(Debug, Clone)]
pub struct LinkMail<'a> {
    /// Recipient.
    pub to: &'a Email,
    /// Language of the mail.
    pub locale: Locale,
    /// Subject, text and HTML.
    pub mail: MailMessage,
    /// The preference link.
    pub preferences_url: String,
    /// The unsubscribe link.
    pub unsubscribe_url: String,
}

#[derive(Serialize)]
struct LinkBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    to: &'a str,
    locale: Locale,
    subject: &'a str,
    text: &'a str,
    html: &'a str,
    preferences_url: &'a str,
    unsubscribe_url: &'a str,
}

/// Sends a preference-link mail the way `doi.toml` delivers confirmations
/// (the webhook's `type` is `manage_link`).
pub async fn send_link<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    m: &LinkMail<'_>,
) -> Result<(), ApiError> {
    let Some(confirmation) = &ctx.config.confirmation else {
        return Err(ApiError::Misconfigured(
            "doi.toml has no [confirmation] section: it says how mail leaves".into(),
        ));
    };
    let request = match &confirmation.delivery {
        Delivery::Webhook { url } => {
            let url = ctx.secrets.webhook_url().unwrap_or(url);
            let body = serde_json::to_string(&LinkBody {
                kind: "manage_link",
                to: m.to.as_str(),
                locale: m.locale,
                subject: &m.mail.subject,
                text: &m.mail.text,
                html: &m.mail.html,
                preferences_url: &m.preferences_url,
                unsubscribe_url: &m.unsubscribe_url,
            })
            .map_err(unserialisable)?;
            signed_json(url, ctx.secrets.webhook_secret()?, ctx.now, body)
        }
        Delivery::Resend { from } => {
            let as_confirmation = Confirmation {
                to: m.to,
                locale: m.locale,
                mail: m.mail.clone(),
                confirm_url: String::new(),
                unsubscribe_url: m.unsubscribe_url.clone(),
            };
            resend_request(ctx.secrets.resend_api_key()?, from, &as_confirmation)?
        }
    };
    deliver(ctx, &request).await
}

/// Sends a confirmation the way `doi.toml` says. Any non-2xx answer is a
/// `delivery_failed` (retryable).
pub async fn send<S: Store, N: Net>(ctx: &Ctx<S, N>, c: &Confirmation<'_>) -> Result<(), ApiError> {
    let Some(confirmation) = &ctx.config.confirmation else {
        return Err(ApiError::Misconfigured(
            "doi.toml has no [confirmation] section".into(),
        ));
    };
    let request = match &confirmation.delivery {
        Delivery::Webhook { url } => {
            let url = ctx.secrets.webhook_url().unwrap_or(url);
            webhook_request(url, ctx.secrets.webhook_secret()?, ctx.now, c)?
        }
        Delivery::Resend { from } => resend_request(ctx.secrets.resend_api_key()?, from, c)?,
    };
    deliver(ctx, &request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirmation(to: &Email) -> Confirmation<'_> {
        Confirmation {
            to,
            locale: Locale::En,
            mail: MailMessage {
                subject: "Confirm".into(),
                text: "text".into(),
                html: "<p>html</p>".into(),
            },
            confirm_url: "https://w.example/c/T".into(),
            unsubscribe_url: "https://w.example/u/U".into(),
        }
    }

    #[test]
    fn webhook_signature_is_hmac_of_time_dot_body() {
        let to = Email::parse("taro@example.com").unwrap();
        let r = webhook_request(
            "https://hook.example/x",
            "s3cret",
            Timestamp(1_700_000_000_123),
            &confirmation(&to),
        )
        .unwrap();
        let sig = r
            .headers
            .iter()
            .find(|(n, _)| n == "doi-signature")
            .unwrap()
            .1
            .clone();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(format!("1700000000.{}", r.body).as_bytes());
        let expected = doi_core::hash::hex(&mac.finalize().into_bytes());
        assert_eq!(sig, format!("t=1700000000,v1={expected}"));
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["type"], "confirmation");
        assert_eq!(v["to"], "taro@example.com");
        assert_eq!(v["confirm_url"], "https://w.example/c/T");
        assert_eq!(v["unsubscribe_url"], "https://w.example/u/U");
        assert_eq!(v["not_me_url"], "https://w.example/u/U?from=not_me");
    }

    #[test]
    fn resend_request_carries_the_unsubscribe_headers() {
        let to = Email::parse("taro@example.com").unwrap();
        let r = resend_request("re_key", "news@sample.example", &confirmation(&to)).unwrap();
        assert_eq!(r.url, RESEND_URL);
        assert!(r
            .headers
            .contains(&("authorization".into(), "Bearer re_key".into())));
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["to"][0], "taro@example.com");
        assert_eq!(v["headers"]["List-Unsubscribe"], "<https://w.example/u/U>");
        assert_eq!(
            v["headers"]["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click"
        );
    }
}
