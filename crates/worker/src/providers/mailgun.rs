//! Mailgun signs each delivery with the account's webhook signing key:
//! `signature.signature` is the hex HMAC-SHA256 of `signature.timestamp`
//! followed by `signature.token`. Mailgun asks receivers to refuse old
//! timestamps too (a replayed delivery changes nothing here anyway: its
//! events are already recorded).

use doi_core::provider::{fresh, mailgun, parse_unix_seconds};
use doi_core::time::SECOND;
use doi_core::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::http::ApiError;

/// How far a delivery's timestamp may be from now.
pub const TOLERANCE_MS: u64 = 600 * SECOND;

/// Checks a delivery's signature block with `key`.
pub fn verify(key: &str, body: &[u8], now: Timestamp) -> Result<(), ApiError> {
    let refuse = || ApiError::BadSignature("Mailgun");
    let s = mailgun::signature(body).map_err(|_| refuse())?;
    let signed = parse_unix_seconds(&s.timestamp).ok_or_else(refuse)?;
    if !fresh(signed, now, TOLERANCE_MS) {
        return Err(refuse());
    }
    let given = hex_decode(s.signature.trim()).ok_or_else(refuse)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.trim().as_bytes()).map_err(|_| refuse())?;
    mac.update(s.timestamp.as_bytes());
    mac.update(s.token.as_bytes());
    mac.verify_slice(&given).map_err(|_| refuse())
}

/// Lower- or upper-case hex to bytes.
fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
