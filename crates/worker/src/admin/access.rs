//! Cloudflare Access in front of `/admin`: the `Cf-Access-Jwt-Assertion`
//! header's RS256 signature, checked with the RSA implementation the SNS
//! webhook already links, against the team's key set from
//! `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs` (kept per
//! isolate for an hour; an unknown key id fetches again, at most once a
//! minute). The claim checks are doi-core's ([`doi_core::console::access`]).
//!
//! Tests only: `DOI_ACCESS_CERTS_URL` may point the key set at
//! `http://127.0.0.1:…` while the Worker itself answers on a loopback
//! origin (`wrangler dev`), so that the suite can serve a key set it
//! generated; a deployed Worker ignores it, as it does `DOI_SNS_LOOPBACK`.

use std::cell::RefCell;

use doi_core::console::access::{self, AccessError, RsaKey};
use doi_core::time::{HOUR, SECOND};
use doi_core::Timestamp;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::ctx::{Ctx, Net};
use crate::store::Store;

/// Worker variable: the Access team (`myteam` or `myteam.cloudflareaccess.com`).
pub const TEAM: &str = "DOI_ACCESS_TEAM";
/// Worker variable: the Access application's audience (AUD) tag.
pub const AUDIENCE: &str = "DOI_ACCESS_AUD";
/// Variable, tests only: the key set's URL on 127.0.0.1 (see the module doc).
pub const CERTS_URL: &str = "DOI_ACCESS_CERTS_URL";

/// How long a fetched key set is used.
const KEEP_MS: u64 = HOUR;
/// How soon an unknown key id may fetch the key set again.
const REFETCH_MS: u64 = 60 * SECOND;
/// Largest key set read.
const CERTS_LIMIT: usize = 64 * 1024;

thread_local! {
    static KEYS: RefCell<Option<(String, Timestamp, Vec<RsaKey>)>> = const { RefCell::new(None) };
}

/// Forgets the cached key set (tests).
pub fn clear_keys() {
    KEYS.with(|k| k.borrow_mut().take());
}

/// Access as configured: team and audience both set, or not at all.
#[derive(Debug, Clone, Default)]
pub struct AccessConfig {
    /// The team, as configured.
    pub team: Option<String>,
    /// The audience tag.
    pub audience: Option<String>,
    /// The test-only key-set URL.
    pub certs_url: Option<String>,
}

impl AccessConfig {
    /// Reads the three variables.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> AccessConfig {
        AccessConfig {
            team: get(TEAM).map(|t| t.trim().to_string()),
            audience: get(AUDIENCE).map(|a| a.trim().to_string()),
            certs_url: get(CERTS_URL).map(|u| u.trim().to_string()),
        }
    }

    /// Whether the console is behind Access (then token sign-in is off).
    pub fn enabled(&self) -> bool {
        self.team.is_some() || self.audience.is_some()
    }
}

/// Who Access signed in: `sub`, and the address to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The identity's id (binds the CSRF token).
    pub sub: String,
    /// Shown as who is signed in.
    pub email: Option<String>,
}

/// Verifies the Access token of a request, or says why not.
pub async fn verify<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    config: &AccessConfig,
    token: Option<&str>,
) -> Result<Identity, AccessError> {
    let (Some(team), Some(audience)) = (&config.team, &config.audience) else {
        // Half configured: refuse everything rather than guess.
        return Err(AccessError::Audience);
    };
    let jwt = access::parse(token.ok_or(AccessError::Malformed)?)?;
    access::check(&jwt.claims, audience, &access::issuer(team), ctx.now)?;
    let url = certs_url(ctx, config, team);
    let key = key(ctx, &url, &jwt.kid).await?;
    let public = RsaPublicKey::new(
        BigUint::from_bytes_be(&key.n),
        BigUint::from_bytes_be(&key.e),
    )
    .map_err(|_| AccessError::UnknownKey)?;
    public
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(jwt.signed.as_bytes()),
            &jwt.signature,
        )
        .map_err(|_| AccessError::Signature)?;
    Ok(Identity {
        sub: jwt.claims.sub,
        email: jwt.claims.email,
    })
}

/// The team's key-set URL, or the loopback one in tests.
fn certs_url<S: Store, N: Net>(ctx: &Ctx<S, N>, config: &AccessConfig, team: &str) -> String {
    let loopback_worker = ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|p| ctx.base_url.starts_with(p));
    match &config.certs_url {
        Some(u) if loopback_worker && u.starts_with("http://127.0.0.1:") && !u.contains('@') => {
            u.clone()
        }
        _ => access::certs_url(team),
    }
}

/// The key `kid` of the set at `url`, cached or fetched.
async fn key<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    url: &str,
    kid: &str,
) -> Result<RsaKey, AccessError> {
    let cached = KEYS.with(|k| k.borrow().clone());
    let mut fetched_at = None;
    if let Some((_, at, keys)) = cached.filter(|(u, _, _)| u == url) {
        if ctx.now.millis() < at.millis().saturating_add(KEEP_MS) {
            if let Some(k) = keys.iter().find(|k| k.kid == kid) {
                return Ok(k.clone());
            }
            fetched_at = Some(at);
        }
    }
    if fetched_at.is_some_and(|at| ctx.now.millis() < at.millis().saturating_add(REFETCH_MS)) {
        return Err(AccessError::UnknownKey);
    }
    let keys = match ctx.net.get(url).await {
        Ok((200, body)) if body.len() <= CERTS_LIMIT => access::key_set(&body)?,
        Ok((status, _)) => {
            ctx.log(format!("console: the Access key set answered {status}"));
            return Err(AccessError::UnknownKey);
        }
        Err(e) => {
            ctx.log(format!(
                "console: the Access key set could not be fetched ({e})"
            ));
            return Err(AccessError::UnknownKey);
        }
    };
    let found = keys.iter().find(|k| k.kid == kid).cloned();
    KEYS.with(|k| *k.borrow_mut() = Some((url.to_string(), ctx.now, keys)));
    found.ok_or(AccessError::UnknownKey)
}
