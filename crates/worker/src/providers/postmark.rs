//! Postmark signs nothing: it documents HTTP basic-auth credentials in the
//! webhook URL (`https://user:password@…`), which it sends as an
//! `Authorization: Basic` header. Compared in constant time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::http::{ApiError, Request};

/// Checks the delivery's credentials against `user:password`.
pub fn verify(expected: &str, req: &Request) -> Result<(), ApiError> {
    let refuse = || ApiError::BadSignature("Postmark");
    let given = req
        .header("authorization")
        .and_then(|h| {
            let (scheme, value) = h.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(value.trim())
        })
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or_else(refuse)?;
    // Hashed first, so that lengths leak nothing either.
    let a = Sha256::digest(&given);
    let b = Sha256::digest(expected.as_bytes());
    if !given.is_empty() && bool::from(a.ct_eq(&b)) {
        Ok(())
    } else {
        Err(refuse())
    }
}
