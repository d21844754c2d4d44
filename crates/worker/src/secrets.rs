//! Worker secrets and variables, read once per request from the environment
//! and parsed where they are used, so a missing or malformed secret breaks
//! only the routes that need it, with an error that names it (503
//! `misconfigured`) instead of a panic.

use doi_core::{IdKey, Keyring};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::http::ApiError;

/// Bearer token of the sender API.
pub const API_TOKEN: &str = "DOI_API_TOKEN";
/// Link-signing keys, `kid:base64,kid:base64`, newest first.
pub const SIGNING_KEYS: &str = "DOI_SIGNING_KEYS";
/// Key of the subscriber-id hash.
pub const ID_KEY: &str = "DOI_ID_KEY";
/// HMAC secret of webhook deliveries.
pub const WEBHOOK_SECRET: &str = "DOI_WEBHOOK_SECRET";
/// API key for delivery kind "resend".
pub const RESEND_API_KEY: &str = "DOI_RESEND_API_KEY";
/// Consent-receipt signing keys (Ed25519 seeds), `kid:base64,kid:base64`,
/// newest first (see `receipts`).
pub const RECEIPT_KEYS: &str = "DOI_RECEIPT_KEYS";
/// Variable: overrides doi.toml's webhook URL.
pub const WEBHOOK_URL: &str = "DOI_WEBHOOK_URL";
/// Variable: the origin links point at (empty: the request's).
pub const PUBLIC_URL: &str = "DOI_PUBLIC_URL";

/// SES through SNS: the SNS topic ARNs whose notifications are read,
/// comma-separated (any AWS account can make a topic and point it here).
pub const SES_TOPIC_ARNS: &str = "DOI_SES_TOPIC_ARNS";
/// SendGrid's Event Webhook verification key (base64 DER, as SendGrid shows it).
pub const SENDGRID_VERIFICATION_KEY: &str = "DOI_SENDGRID_VERIFICATION_KEY";
/// Postmark: `user:password`, the basic-auth credentials in the webhook URL.
pub const POSTMARK_WEBHOOK_AUTH: &str = "DOI_POSTMARK_WEBHOOK_AUTH";
/// Resend's webhook signing secret (`whsec_…`).
pub const RESEND_WEBHOOK_SECRET: &str = "DOI_RESEND_WEBHOOK_SECRET";
/// Mailgun's HTTP webhook signing key.
pub const MAILGUN_SIGNING_KEY: &str = "DOI_MAILGUN_SIGNING_KEY";
/// Variable, tests only: `on` lets SNS certificate and subscription URLs
/// point at 127.0.0.1, and only while the Worker itself answers on a
/// loopback origin (`wrangler dev`); a deployed Worker ignores it.
pub const SNS_LOOPBACK: &str = "DOI_SNS_LOOPBACK";

/// Every secret and variable the Worker reads, as found (unparsed).
#[derive(Clone, Default)]
pub struct Secrets {
    api_token: Option<String>,
    signing_keys: Option<String>,
    id_key: Option<String>,
    webhook_secret: Option<String>,
    resend_api_key: Option<String>,
    webhook_url: Option<String>,
    public_url: Option<String>,
    receipt_keys: Option<String>,
    /// The provider webhooks' secrets.
    pub providers: crate::providers::ProviderSecrets,
    /// The forms' Turnstile secrets (and the test-only stand-in).
    pub turnstile: crate::turnstile::TurnstileSecrets,
    /// Whether the rate limits and sign-up caps are on (`DOI_RATE_LIMITS`).
    pub rate_limits: bool,
    /// The console's Cloudflare Access settings.
    pub access: crate::admin::access::AccessConfig,
}

/// Secrets never appear in debug output.
impl core::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secrets(<hidden>)")
    }
}

fn missing(name: &str, what: &str) -> ApiError {
    ApiError::Misconfigured(format!(
        "the secret {name} is not set; {what} (npx wrangler secret put {name})"
    ))
}

impl Secrets {
    /// Reads every name through `lookup` (the Worker's `env`, or a map in tests).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Secrets {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        Secrets {
            api_token: get(API_TOKEN),
            signing_keys: get(SIGNING_KEYS),
            id_key: get(ID_KEY),
            webhook_secret: get(WEBHOOK_SECRET),
            resend_api_key: get(RESEND_API_KEY),
            webhook_url: get(WEBHOOK_URL),
            public_url: get(PUBLIC_URL).map(|u| u.trim().trim_end_matches('/').to_string()),
            receipt_keys: get(RECEIPT_KEYS),
            providers: crate::providers::ProviderSecrets::from_lookup(get),
            turnstile: crate::turnstile::TurnstileSecrets::from_lookup(get),
            rate_limits: crate::ratelimit::enabled(get(crate::ratelimit::SWITCH).as_deref()),
            access: crate::admin::access::AccessConfig::from_lookup(get),
        }
    }

    /// The keys that sign and verify links.
    pub fn keyring(&self) -> Result<Keyring, ApiError> {
        let text = self.signing_keys.as_deref().ok_or_else(|| {
            missing(
                SIGNING_KEYS,
                "set it to 'k1:<32 random bytes, base64>' (newest key first)",
            )
        })?;
        Keyring::parse(text).map_err(|e| ApiError::Misconfigured(format!("{SIGNING_KEYS}: {e}")))
    }

    /// The key that turns addresses into subscriber ids.
    pub fn id_key(&self) -> Result<IdKey, ApiError> {
        let text = self
            .id_key
            .as_deref()
            .ok_or_else(|| missing(ID_KEY, "set it to 32 random bytes, base64"))?;
        IdKey::from_base64(text).map_err(|e| ApiError::Misconfigured(format!("{ID_KEY}: {e}")))
    }

    /// Checks an `Authorization` header against the API token in constant
    /// time (both sides are hashed first, so lengths leak nothing either).
    pub fn authorize(&self, authorization: Option<&str>) -> Result<(), ApiError> {
        let token = self
            .api_token
            .as_deref()
            .ok_or_else(|| missing(API_TOKEN, "the sender API needs a bearer token"))?;
        let given = authorization
            .and_then(|h| {
                let (scheme, value) = h.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then_some(value.trim())
            })
            .unwrap_or("");
        let a = Sha256::digest(given.as_bytes());
        let b = Sha256::digest(token.as_bytes());
        if bool::from(a.ct_eq(&b)) && !given.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Unauthorized)
        }
    }

    /// The console's key (session cookies, CSRF tokens): derived from the
    /// API token, so replacing the token ends every console session.
    pub fn console_key(&self) -> Result<[u8; 32], ApiError> {
        use hmac::{Hmac, Mac};
        let token = self.api_token.as_deref().ok_or_else(|| {
            missing(
                API_TOKEN,
                "the console signs its sessions with a key made from it",
            )
        })?;
        let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes())
            .map_err(|_| ApiError::Misconfigured(API_TOKEN.into()))?;
        mac.update(b"doi console key v1");
        Ok(mac.finalize().into_bytes().into())
    }

    /// Checks an API token typed into the console's sign-in form, in
    /// constant time, as [`Secrets::authorize`] checks a bearer token.
    pub fn token_matches(&self, given: &str) -> Result<bool, ApiError> {
        let token = self
            .api_token
            .as_deref()
            .ok_or_else(|| missing(API_TOKEN, "the console's sign-in asks for it"))?;
        let a = Sha256::digest(given.trim().as_bytes());
        let b = Sha256::digest(token.as_bytes());
        Ok(bool::from(a.ct_eq(&b)) && !given.trim().is_empty())
    }

    /// The secret that signs webhook deliveries.
    pub fn webhook_secret(&self) -> Result<&str, ApiError> {
        self.webhook_secret.as_deref().ok_or_else(|| {
            missing(
                WEBHOOK_SECRET,
                "webhook deliveries are signed with it so the receiver can trust them",
            )
        })
    }

    /// The API key for Resend deliveries.
    pub fn resend_api_key(&self) -> Result<&str, ApiError> {
        self.resend_api_key.as_deref().ok_or_else(|| {
            missing(
                RESEND_API_KEY,
                "doi.toml delivers confirmation mail through Resend",
            )
        })
    }

    /// `DOI_WEBHOOK_URL`, when set.
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook_url.as_deref()
    }

    /// `DOI_RECEIPT_KEYS`, when set (parsed by `receipts::keys`).
    pub fn receipt_keys(&self) -> Option<&str> {
        self.receipt_keys.as_deref()
    }

    /// `DOI_PUBLIC_URL`, when set.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Secrets {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Secrets::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn a_missing_secret_is_a_misconfiguration_naming_it() {
        let s = with(&[]);
        for e in [
            s.keyring().unwrap_err(),
            s.id_key().map(|_| ()).unwrap_err(),
            s.authorize(Some("Bearer x")).unwrap_err(),
            s.webhook_secret().map(|_| ()).unwrap_err(),
        ] {
            assert_eq!(e.code(), "misconfigured");
            assert_eq!(e.status(), 503);
            assert!(e.to_string().contains("DOI_"), "{e}");
        }
    }

    #[test]
    fn a_malformed_secret_says_what_is_wrong() {
        let s = with(&[(SIGNING_KEYS, "k1:short"), (ID_KEY, "AAAA")]);
        assert!(s.keyring().unwrap_err().to_string().contains(SIGNING_KEYS));
        assert!(s.id_key().unwrap_err().to_string().contains(ID_KEY));
    }

    #[test]
    fn only_the_exact_bearer_token_is_accepted() {
        let s = with(&[(API_TOKEN, "sekret-token")]);
        assert!(s.authorize(Some("Bearer sekret-token")).is_ok());
        assert!(s.authorize(Some("bearer  sekret-token ")).is_ok());
        for bad in [
            None,
            Some(""),
            Some("Bearer"),
            Some("Bearer sekret"),
            Some("Basic sekret-token"),
        ] {
            assert_eq!(
                s.authorize(bad).unwrap_err(),
                ApiError::Unauthorized,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = with(&[(API_TOKEN, "sekret-token")]);
        assert!(!format!("{s:?}").contains("sekret"));
    }
}
