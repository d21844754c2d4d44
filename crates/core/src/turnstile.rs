//! Cloudflare Turnstile, the bot check a form may ask for (`turnstile` in a
//! form of `doi.toml`): what the Worker sends to siteverify and what its
//! answer means. Pure: the Worker makes the request.
//!
//! As Cloudflare documents it: the token is at most 2,048 characters and
//! valid once, for 300 seconds; siteverify takes `secret`, `response`,
//! optionally `remoteip` and an `idempotency_key` (so that a retried
//! verification of the same token is answered as the first one was), and
//! answers `{"success": bool, "error-codes": [...], ...}`.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

/// Longest token Cloudflare issues.
pub const MAX_TOKEN_LEN: usize = 2_048;

/// The form field (hosted page) and request header (widget) that carry the
/// token: the name Turnstile's script gives its hidden input.
pub const RESPONSE_FIELD: &str = "cf-turnstile-response";

/// Where tokens are verified.
pub const SITEVERIFY_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/// Turnstile's client script (implicit rendering).
pub const SCRIPT_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/api.js";

/// The body of a siteverify request (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyRequest<'a> {
    /// The form's secret key.
    pub secret: &'a str,
    /// The token from the browser.
    pub response: &'a str,
    /// The visitor's IP, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remoteip: Option<&'a str>,
    /// The same key for the same submission: a retry is answered alike.
    pub idempotency_key: &'a str,
}

/// What siteverify answers (the fields used).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VerifyAnswer {
    /// Whether the token is valid.
    pub success: bool,
    /// Why not.
    #[serde(default, rename = "error-codes")]
    pub error_codes: Vec<String>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A person, as far as Turnstile can tell: go on.
    Passed,
    /// No token, a token too long, or siteverify said no: store nothing.
    Failed(Vec<String>),
    /// Siteverify could not be asked or gave no readable answer: store
    /// nothing, but the person may try again.
    Unavailable,
}

/// The token as sent, if it can be one (present, not empty, not too long).
pub fn token(sent: Option<&str>) -> Result<&str, Verdict> {
    match sent.map(str::trim) {
        None | Some("") => Err(Verdict::Failed(vec!["missing-input-response".into()])),
        Some(t) if t.len() > MAX_TOKEN_LEN => {
            Err(Verdict::Failed(vec!["invalid-input-response".into()]))
        }
        Some(t) => Ok(t),
    }
}

/// What siteverify's HTTP answer (`status`, `body`) means. An error code
/// about the secret (`missing-input-secret`, `invalid-input-secret`) or an
/// `internal-error` is the sender's or Cloudflare's problem, not the
/// person's: [`Verdict::Unavailable`].
pub fn judge(status: u16, body: &[u8]) -> Verdict {
    if !(200..300).contains(&status) {
        return Verdict::Unavailable;
    }
    let Ok(answer) = serde_json::from_slice::<VerifyAnswer>(body) else {
        return Verdict::Unavailable;
    };
    if answer.success {
        return Verdict::Passed;
    }
    let ours = [
        "missing-input-secret",
        "invalid-input-secret",
        "internal-error",
    ];
    if answer
        .error_codes
        .iter()
        .any(|c| ours.contains(&c.as_str()))
    {
        return Verdict::Unavailable;
    }
    Verdict::Failed(answer.error_codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_oversized_token_fails_without_asking() {
        assert!(matches!(token(None), Err(Verdict::Failed(_))));
        assert!(matches!(token(Some("  ")), Err(Verdict::Failed(_))));
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(token(Some(&long)), Err(Verdict::Failed(_))));
        assert_eq!(
            token(Some("XXXX.DUMMY.TOKEN.XXXX")),
            Ok("XXXX.DUMMY.TOKEN.XXXX")
        );
    }

    #[test]
    fn siteverify_answers_mean_pass_fail_or_unavailable() {
        assert_eq!(
            judge(200, br#"{"success":true,"error-codes":[]}"#),
            Verdict::Passed
        );
        assert_eq!(
            judge(
                200,
                br#"{"success":false,"error-codes":["invalid-input-response"]}"#
            ),
            Verdict::Failed(vec!["invalid-input-response".into()])
        );
        assert_eq!(
            judge(
                200,
                br#"{"success":false,"error-codes":["timeout-or-duplicate"]}"#
            ),
            Verdict::Failed(vec!["timeout-or-duplicate".into()])
        );
        assert_eq!(
            judge(
                200,
                br#"{"success":false,"error-codes":["invalid-input-secret"]}"#
            ),
            Verdict::Unavailable
        );
        assert_eq!(judge(500, b"{}"), Verdict::Unavailable);
        assert_eq!(judge(200, b"<html>"), Verdict::Unavailable);
    }
}
