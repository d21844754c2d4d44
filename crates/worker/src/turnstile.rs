//! Cloudflare Turnstile on the forms that ask for it (`turnstile` in a form
//! of `doi.toml`): the token from the browser is checked with siteverify
//! before anything is stored. What an answer means is doi-core's
//! (`doi_core::turnstile`); this module makes the request.
//!
//! Secrets: `DOI_TURNSTILE_SECRETS`, `form:secret` entries separated by
//! commas (`*:secret` for every form without its own). Tests only:
//! `DOI_TURNSTILE_LOOPBACK=http://127.0.0.1:PORT` sends siteverify and the
//! client script to a stand-in there (Cloudflare cannot be reached from the
//! test machines), and only while the Worker itself answers on a loopback
//! origin (`wrangler dev`); a deployed Worker ignores it.

use doi_core::config::Form;
use doi_core::turnstile::{judge, token, Verdict, VerifyRequest, SCRIPT_URL, SITEVERIFY_URL};
use sha2::{Digest, Sha256};

use crate::ctx::{Ctx, Net, Outgoing};
use crate::http::ApiError;
use crate::store::Store;

/// Secret: the forms' Turnstile secret keys.
pub const SECRETS: &str = "DOI_TURNSTILE_SECRETS";
/// Variable, tests only: the origin of a local Turnstile stand-in.
pub const LOOPBACK: &str = "DOI_TURNSTILE_LOOPBACK";

/// The Turnstile secrets and the test-only stand-in, as found.
#[derive(Clone, Default)]
pub struct TurnstileSecrets {
    secrets: Option<String>,
    loopback: Option<String>,
}

impl TurnstileSecrets {
    /// Reads both names through `get`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> TurnstileSecrets {
        TurnstileSecrets {
            secrets: get(SECRETS),
            loopback: get(LOOPBACK).map(|u| u.trim().trim_end_matches('/').to_string()),
        }
    }

    /// The secret of `form`: its own entry, else the `*` entry.
    fn secret(&self, form: &str) -> Result<&str, ApiError> {
        let entries = self.secrets.as_deref().unwrap_or("");
        let find = |id: &str| {
            entries.split(',').find_map(|e| {
                let (f, s) = e.trim().split_once(':')?;
                (f.trim() == id && !s.trim().is_empty()).then_some(s.trim())
            })
        };
        find(form).or_else(|| find("*")).ok_or_else(|| {
            ApiError::Misconfigured(format!(
                "the secret {SECRETS} has no entry for the form {form:?}, which uses Turnstile \
                 (npx wrangler secret put {SECRETS}; entries 'form:secret', comma-separated)"
            ))
        })
    }
}

/// Whether the Worker at `base_url` may use the stand-in at `loopback`.
fn loopback_origin<'a>(base_url: &str, loopback: Option<&'a str>) -> Option<&'a str> {
    let local = |u: &str| {
        ["http://127.0.0.1:", "http://localhost:"]
            .iter()
            .any(|p| u.starts_with(p))
    };
    loopback.filter(|l| local(l) && local(base_url))
}

/// `GET /v1/turnstile.js`: a redirect to Turnstile's client script, set for
/// explicit rendering, which the widget loads for a form with Turnstile.
/// Through the Worker so that the widget, built once, follows the Worker's
/// configuration (Cloudflare's script, or the stand-in in tests). A host
/// page's CSP must allow `https://challenges.cloudflare.com` in
/// `script-src` and `frame-src` (README, "A bot shield").
pub fn script<S: Store, N: Net>(ctx: &Ctx<S, N>) -> crate::http::Response {
    let (_, script) = endpoints(ctx);
    crate::http::Response::new(302, "text/plain; charset=utf-8", "")
        .with_header("location", &format!("{script}?render=explicit"))
        .with_header("cache-control", "public, max-age=300")
}

/// Where siteverify and the client script are, for this request.
pub fn endpoints<S: Store, N: Net>(ctx: &Ctx<S, N>) -> (String, String) {
    match loopback_origin(&ctx.base_url, ctx.secrets.turnstile.loopback.as_deref()) {
        Some(o) => (
            format!("{o}/turnstile/v0/siteverify"),
            format!("{o}/turnstile/v0/api.js"),
        ),
        None => (SITEVERIFY_URL.to_string(), SCRIPT_URL.to_string()),
    }
}

/// The origin of the client script (for a page's CSP).
pub fn script_origin<S: Store, N: Net>(ctx: &Ctx<S, N>) -> String {
    let (_, script) = endpoints(ctx);
    crate::http::split_url(&script).0
}

/// Checks `sent` (the `cf-turnstile-response` token) for `form`, when the
/// form uses Turnstile. `submission` names the submission (its record id),
/// so that a retry of the same one is verified with the same idempotency
/// key. A refusal is 422 `turnstile_failed`; siteverify out of reach is 503
/// `retry_later`. Either way nothing has been stored.
pub async fn check<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    form: &Form,
    sent: Option<&str>,
    remoteip: Option<&str>,
    submission: &str,
) -> Result<(), ApiError> {
    if form.turnstile.is_none() {
        return Ok(());
    }
    let verdict = match token(sent) {
        Err(v) => v,
        Ok(response) => {
            let secret = ctx.secrets.turnstile.secret(form.id.as_str())?;
            let key = idempotency_key(form.id.as_str(), submission);
            let body = VerifyRequest {
                secret,
                response,
                remoteip: remoteip.map(str::trim).filter(|ip| !ip.is_empty()),
                idempotency_key: &key,
            };
            let body = serde_json::to_string(&body).map_err(|_| ApiError::StorageUnavailable)?;
            let (url, _) = endpoints(ctx);
            let request = Outgoing {
                url,
                headers: vec![("content-type".into(), "application/json".into())],
                body,
            };
            match ctx.net.exchange(&request).await {
                Ok((status, answer)) => judge(status, &answer),
                Err(e) => {
                    ctx.log(format!("turnstile siteverify unreachable: {e}"));
                    Verdict::Unavailable
                }
            }
        }
    };
    match verdict {
        Verdict::Passed => Ok(()),
        Verdict::Failed(codes) => {
            ctx.log(format!(
                "turnstile refused a submission to form {}: {}",
                form.id,
                codes.join(",")
            ));
            Err(ApiError::invalid(
                "turnstile_failed",
                "the bot check (Cloudflare Turnstile) failed: try again".to_string(),
            ))
        }
        Verdict::Unavailable => Err(ApiError::RetryLater(
            "the bot check (Cloudflare Turnstile) could not be verified".into(),
        )),
    }
}

/// A UUID-shaped key derived from the form and the submission.
fn idempotency_key(form: &str, submission: &str) -> String {
    let h = Sha256::new()
        .chain_update(b"doi turnstile v1\0")
        .chain_update(form)
        .chain_update(b"\0")
        .chain_update(submission)
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forms_own_secret_wins_over_the_default_and_a_missing_one_is_named() {
        let s = TurnstileSecrets::from_lookup(|n| {
            (n == SECRETS).then(|| "a:sa, *:any ,b:".to_string())
        });
        assert_eq!(s.secret("a").unwrap(), "sa");
        assert_eq!(s.secret("b").unwrap(), "any");
        let none = TurnstileSecrets::default();
        assert!(none.secret("a").unwrap_err().to_string().contains(SECRETS));
    }

    #[test]
    fn the_stand_in_is_used_only_by_a_loopback_worker_for_a_loopback_origin() {
        let l = Some("http://127.0.0.1:9999");
        assert_eq!(loopback_origin("http://127.0.0.1:8787", l), l);
        assert_eq!(loopback_origin("https://doi.example", l), None);
        assert_eq!(
            loopback_origin("http://127.0.0.1:8787", Some("https://evil.example")),
            None
        );
    }

    #[test]
    fn idempotency_keys_are_uuids_stable_per_submission() {
        let k = idempotency_key("f", "rec-1");
        assert_eq!(k, idempotency_key("f", "rec-1"));
        assert_ne!(k, idempotency_key("f", "rec-2"));
        assert_eq!(k.len(), 36);
        assert_eq!(k.as_bytes()[14], b'4');
    }
}
