//! Amazon SNS, which carries SES's bounces and complaints: a message is
//! read only from a configured topic, signed by SNS (SignatureVersion 1:
//! SHA1withRSA, 2: SHA256withRSA) with the certificate at `SigningCertURL`,
//! fetched only from an `https://sns.<region>.amazonaws.com` URL and kept per
//! isolate. A `SubscriptionConfirmation` is answered by visiting its
//! `SubscribeURL` (same host rule): that is how SNS starts delivering.
//!
//! Tests only: with `DOI_SNS_LOOPBACK=on` and the Worker itself on a
//! loopback origin (`wrangler dev`), `http://127.0.0.1:…` URLs are accepted
//! too, so that the end-to-end suite can serve a test certificate locally:
//! the real SNS hosts cannot be reached from the test machines.

use std::cell::RefCell;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use doi_core::provider::fresh;
use doi_core::provider::ses::{is_sns_url, Digest, Envelope};
use doi_core::time::HOUR;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use x509_cert::der::{DecodePem, Encode};
use x509_cert::Certificate;

use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Response};
use crate::store::Store;

/// How old a message's `Timestamp` may be: SNS retries an HTTP delivery
/// for up to an hour under the longest retry policy it allows.
pub const TOLERANCE_MS: u64 = HOUR;

/// Certificates kept per isolate (SNS rotates them rarely).
const CACHED: usize = 8;

/// Largest certificate accepted.
const CERT_LIMIT: usize = 16 * 1024;

thread_local! {
    static CERTIFICATES: RefCell<Vec<(String, RsaPublicKey)>> = const { RefCell::new(Vec::new()) };
}

/// Forgets every cached certificate (tests).
pub fn clear_certificates() {
    CERTIFICATES.with(|c| c.borrow_mut().clear());
}

/// What a verified message asks for.
pub enum Verified {
    /// A notification: read its SES message.
    Notification,
    /// Handled here (a subscription confirmed, an unsubscribe acknowledged).
    Answered(Response),
}

fn refuse() -> ApiError {
    ApiError::BadSignature("Amazon SNS")
}

/// Verifies an SNS message from one of `topics`.
pub async fn verify<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    topics: Vec<&str>,
    body: &[u8],
) -> Result<Verified, ApiError> {
    let message = Envelope::parse(body).map_err(|_| refuse())?;
    if !topics.contains(&message.topic_arn.as_str()) {
        return Err(refuse());
    }
    let digest = message.digest().ok_or_else(refuse)?;
    let signed_at = message.signed_at().ok_or_else(refuse)?;
    if !fresh(signed_at, ctx.now, TOLERANCE_MS) {
        return Err(refuse());
    }
    let text = message.string_to_sign().ok_or_else(refuse)?;
    let loopback = loopback_allowed(ctx);
    if !allowed(&message.signing_cert_url, loopback) {
        return Err(refuse());
    }
    let key = certificate(ctx, &message.signing_cert_url).await?;
    let signature = STANDARD
        .decode(message.signature.trim())
        .map_err(|_| refuse())?;
    let checked = match digest {
        Digest::Sha1 => key.verify(
            Pkcs1v15Sign::new::<Sha1>(),
            &Sha1::digest(text.as_bytes()),
            &signature,
        ),
        Digest::Sha256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(text.as_bytes()),
            &signature,
        ),
    };
    checked.map_err(|_| refuse())?;
    match message.kind.as_str() {
        "Notification" => Ok(Verified::Notification),
        "SubscriptionConfirmation" => {
            let url = message.subscribe_url.as_deref().unwrap_or("");
            if !allowed(url, loopback) {
                return Err(refuse());
            }
            match ctx.net.get(url).await {
                Ok((200..=299, _)) => {}
                Ok((status, _)) => return Err(unreachable_sns(format!("answered {status}"))),
                Err(e) => return Err(unreachable_sns(e)),
            }
            ctx.log(format!(
                "SNS subscription to {} confirmed",
                message.topic_arn
            ));
            Ok(Verified::Answered(Response::json(
                200,
                &serde_json::json!({ "subscribed": true }),
            )))
        }
        _ => Ok(Verified::Answered(Response::json(
            200,
            &serde_json::json!({ "subscribed": false }),
        ))),
    }
}

fn unreachable_sns(why: impl core::fmt::Display) -> ApiError {
    ApiError::RetryLater(format!(
        "Amazon SNS could not be reached ({why}); it will deliver again"
    ))
}

/// Whether the test-only loopback URLs are allowed for this request.
fn loopback_allowed<S: Store, N: Net>(ctx: &Ctx<S, N>) -> bool {
    ctx.secrets.providers.sns_loopback
        && ["http://127.0.0.1:", "http://localhost:"]
            .iter()
            .any(|p| ctx.base_url.starts_with(p))
}

/// Whether `url` may be fetched: an SNS URL, or a loopback one in tests.
fn allowed(url: &str, loopback: bool) -> bool {
    is_sns_url(url) || (loopback && url.starts_with("http://127.0.0.1:") && !url.contains('@'))
}

/// The public key of the certificate at `url`, from the isolate's cache or
/// fetched and parsed.
async fn certificate<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    url: &str,
) -> Result<RsaPublicKey, ApiError> {
    let cached = CERTIFICATES.with(|c| {
        c.borrow()
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, k)| k.clone())
    });
    if let Some(key) = cached {
        return Ok(key);
    }
    let pem = match ctx.net.get(url).await {
        Ok((200, body)) if body.len() <= CERT_LIMIT => body,
        Ok((status, _)) => return Err(unreachable_sns(format!("certificate answered {status}"))),
        Err(e) => return Err(unreachable_sns(e)),
    };
    let key = public_key(&pem).ok_or_else(refuse)?;
    CERTIFICATES.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHED {
            c.remove(0);
        }
        c.push((url.to_string(), key.clone()));
    });
    Ok(key)
}

/// The RSA public key of a PEM certificate.
fn public_key(pem: &[u8]) -> Option<RsaPublicKey> {
    let cert = Certificate::from_pem(pem).ok()?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    RsaPublicKey::from_public_key_der(&spki).ok()
}
