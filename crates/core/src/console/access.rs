//! Cloudflare Access in front of the console: reading the
//! `Cf-Access-Jwt-Assertion` JWT and its team's key set, and checking the
//! claims. Access signs with RS256 and publishes its keys at
//! `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`; the token's
//! `aud` holds the application's audience tag, `iss` the team's URL.
//!
//! This module decides; the Worker fetches the keys and checks the RSA
//! signature over [`Jwt::signed`]. A token is accepted only if all of
//! these hold: three base64url parts, `alg` RS256 (never `none` or an HMAC
//! algorithm), a `kid` the key set has, the signature, the audience, the
//! issuer, `exp` in the future and `nbf`/`iat` not in the future (60 s of
//! clock skew allowed each way).

use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use crate::time::Timestamp;

/// Clock skew allowed, in seconds.
pub const LEEWAY_SECS: u64 = 60;

/// Largest token read (Access tokens are about 1 KB).
pub const TOKEN_LIMIT: usize = 8 * 1024;

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessError {
    /// Not a JWT, or its JSON is not what Access sends.
    Malformed,
    /// Not RS256.
    Algorithm,
    /// Its `kid` is not in the team's key set.
    UnknownKey,
    /// The RSA signature does not verify.
    Signature,
    /// Another application's token.
    Audience,
    /// Another team's token.
    Issuer,
    /// Past `exp`.
    Expired,
    /// Before `nbf` or `iat`.
    NotYetValid,
}

impl AccessError {
    /// A short reason for a log line.
    pub fn reason(self) -> &'static str {
        match self {
            AccessError::Malformed => "malformed",
            AccessError::Algorithm => "not RS256",
            AccessError::UnknownKey => "unknown key id",
            AccessError::Signature => "bad signature",
            AccessError::Audience => "wrong audience",
            AccessError::Issuer => "wrong issuer",
            AccessError::Expired => "expired",
            AccessError::NotYetValid => "not yet valid",
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

/// `aud` is a string or an array of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims the console reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    #[serde(deserialize_with = "audiences")]
    /// Audience tags.
    pub aud: Vec<String>,
    /// The team's URL.
    pub iss: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Not before, seconds.
    #[serde(default)]
    pub nbf: Option<u64>,
    /// Issued at, seconds.
    #[serde(default)]
    pub iat: Option<u64>,
    /// The identity's id.
    #[serde(default)]
    pub sub: String,
    /// The identity's address (shown on the console as who is signed in).
    #[serde(default)]
    pub email: Option<String>,
}

fn audiences<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Audience::deserialize(d)? {
        Audience::One(a) => vec![a],
        Audience::Many(a) => a,
    })
}

/// A parsed token, signature not yet checked.
#[derive(Debug, Clone)]
pub struct Jwt {
    /// The key id.
    pub kid: String,
    /// `header.payload`, the bytes the signature covers.
    pub signed: String,
    /// The signature.
    pub signature: Vec<u8>,
    /// The claims.
    pub claims: Claims,
}

/// Splits and decodes a token; refuses any algorithm but RS256.
pub fn parse(token: &str) -> Result<Jwt, AccessError> {
    let token = token.trim();
    if token.len() > TOKEN_LIMIT {
        return Err(AccessError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AccessError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| AccessError::Malformed)
    };
    let header: Header = serde_json::from_slice(&decode(h)?).map_err(|_| AccessError::Malformed)?;
    if header.alg != "RS256" {
        return Err(AccessError::Algorithm);
    }
    let claims: Claims = serde_json::from_slice(&decode(p)?).map_err(|_| AccessError::Malformed)?;
    let signature = decode(s)?;
    Ok(Jwt {
        kid: header.kid.ok_or(AccessError::UnknownKey)?,
        signed: format!("{h}.{p}"),
        signature,
        claims,
    })
}

/// The issuer a team's tokens carry: `https://<team>.cloudflareaccess.com`,
/// from the team name or domain as configured (with or without scheme).
pub fn issuer(team: &str) -> String {
    let team = team.trim().trim_end_matches('/');
    let host = team
        .strip_prefix("https://")
        .unwrap_or(team)
        .to_ascii_lowercase();
    if host.contains('.') {
        format!("https://{host}")
    } else {
        format!("https://{host}.cloudflareaccess.com")
    }
}

/// Where the team publishes its keys.
pub fn certs_url(team: &str) -> String {
    format!("{}/cdn-cgi/access/certs", issuer(team))
}

/// Checks audience, issuer and time; the signature is checked apart.
pub fn check(
    claims: &Claims,
    audience: &str,
    issuer: &str,
    now: Timestamp,
) -> Result<(), AccessError> {
    if audience.trim().is_empty() || !claims.aud.iter().any(|a| a == audience.trim()) {
        return Err(AccessError::Audience);
    }
    if claims.iss.trim_end_matches('/') != issuer {
        return Err(AccessError::Issuer);
    }
    let now = now.seconds();
    if claims.exp.saturating_add(LEEWAY_SECS) <= now {
        return Err(AccessError::Expired);
    }
    let early = |t: Option<u64>| t.is_some_and(|t| t > now.saturating_add(LEEWAY_SECS));
    if early(claims.nbf) || early(claims.iat) {
        return Err(AccessError::NotYetValid);
    }
    Ok(())
}

/// One RSA key of a key set: modulus and exponent, big-endian bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKey {
    /// Key id.
    pub kid: String,
    /// Modulus.
    pub n: Vec<u8>,
    /// Public exponent.
    pub e: Vec<u8>,
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

/// The RSA signing keys of a JWKS document (others are skipped).
pub fn key_set(json: &[u8]) -> Result<Vec<RsaKey>, AccessError> {
    let set: KeySet = serde_json::from_slice(json).map_err(|_| AccessError::Malformed)?;
    let text =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    Ok(set
        .keys
        .iter()
        .filter(|k| text(k, "kty").as_deref() == Some("RSA"))
        .filter(|k| text(k, "use").is_none_or(|u| u == "sig"))
        .filter(|k| text(k, "alg").is_none_or(|a| a == "RS256"))
        .filter_map(|k| {
            Some(RsaKey {
                kid: text(k, "kid")?,
                n: URL_SAFE_NO_PAD.decode(text(k, "n")?).ok()?,
                e: URL_SAFE_NO_PAD.decode(text(k, "e")?).ok()?,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests;
