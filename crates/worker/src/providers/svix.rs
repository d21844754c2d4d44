//! Resend signs its webhooks the Svix way: `svix-signature` holds one or
//! more space-separated `v1,<base64>` values, each an HMAC-SHA256 of
//! `{svix-id}.{svix-timestamp}.{body}` with the secret's bytes (the base64
//! after `whsec_`); a timestamp more than five minutes from now is refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use doi_core::provider::{fresh, parse_unix_seconds};
use doi_core::time::SECOND;
use doi_core::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::http::{ApiError, Request};

/// How far `svix-timestamp` may be from now (Svix's own libraries' window).
pub const TOLERANCE_MS: u64 = 300 * SECOND;

/// Checks the delivery with `secret`; the delivery's `svix-id`, which stays
/// the same when Resend redelivers it.
pub fn verify(secret: &str, req: &Request, now: Timestamp) -> Result<String, ApiError> {
    let refuse = || ApiError::BadSignature("Resend");
    let key = STANDARD
        .decode(secret.trim().trim_start_matches("whsec_"))
        .map_err(|_| {
            ApiError::Misconfigured(format!(
                "{}: not a whsec_ secret (whsec_ and base64)",
                crate::secrets::RESEND_WEBHOOK_SECRET
            ))
        })?;
    let id = req.header("svix-id").ok_or_else(refuse)?;
    let timestamp = req.header("svix-timestamp").ok_or_else(refuse)?;
    let signatures = req.header("svix-signature").ok_or_else(refuse)?;
    if id.is_empty() || id.len() > 100 {
        return Err(refuse());
    }
    let signed = parse_unix_seconds(timestamp).ok_or_else(refuse)?;
    if !fresh(signed, now, TOLERANCE_MS) {
        return Err(refuse());
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| refuse())?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&req.body);
    let ok = signatures
        .split(' ')
        .take(10)
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|given| mac.clone().verify_slice(&given).is_ok());
    if ok {
        Ok(id.to_string())
    } else {
        Err(refuse())
    }
}
