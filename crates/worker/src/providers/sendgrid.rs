//! SendGrid's Signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature`
//! is a base64 DER ECDSA P-256 signature (SHA-256) over the
//! `X-Twilio-Email-Event-Webhook-Timestamp` header followed by the raw body,
//! checked with the verification key SendGrid shows (base64 DER public key).
//! A timestamp far from now is refused: SendGrid signs each POST when it
//! makes it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use doi_core::provider::{fresh, parse_unix_seconds};
use doi_core::time::SECOND;
use doi_core::Timestamp;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;

use crate::http::{ApiError, Request};

/// The signature header.
pub const SIGNATURE: &str = "x-twilio-email-event-webhook-signature";
/// The timestamp header.
pub const TIMESTAMP: &str = "x-twilio-email-event-webhook-timestamp";

/// How far the signed timestamp may be from now.
pub const TOLERANCE_MS: u64 = 600 * SECOND;

/// The verification key from its base64 DER (PEM armour tolerated).
fn key(text: &str) -> Result<VerifyingKey, ApiError> {
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.trim().chars())
        .collect();
    STANDARD
        .decode(b64)
        .ok()
        .and_then(|der| VerifyingKey::from_public_key_der(&der).ok())
        .ok_or_else(|| {
            ApiError::Misconfigured(format!(
                "{}: not a P-256 public key in base64 DER (copy it from SendGrid's Mail Settings)",
                crate::secrets::SENDGRID_VERIFICATION_KEY
            ))
        })
}

/// Checks the delivery with the verification key `public_key`.
pub fn verify(public_key: &str, req: &Request, now: Timestamp) -> Result<(), ApiError> {
    let key = key(public_key)?;
    let refuse = || ApiError::BadSignature("SendGrid");
    let signature = req.header(SIGNATURE).ok_or_else(refuse)?;
    let timestamp = req.header(TIMESTAMP).ok_or_else(refuse)?;
    let signed = parse_unix_seconds(timestamp).ok_or_else(refuse)?;
    if !fresh(signed, now, TOLERANCE_MS) {
        return Err(refuse());
    }
    let der = STANDARD.decode(signature.trim()).map_err(|_| refuse())?;
    let signature = Signature::from_der(&der).map_err(|_| refuse())?;
    let mut message = Vec::with_capacity(timestamp.len() + req.body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(&req.body);
    key.verify(&message, &signature).map_err(|_| refuse())
}
