//! The receipt keys as JSON Web Keys (RFC 8037 §2: `OKP`, `Ed25519`), as
//! `/.well-known/jwks.json` publishes them and `doi verify` reads them.

use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// One public key as a JWK (RFC 8037 §2: `OKP`, `Ed25519`, `x`).
pub fn jwk(kid: &str, public_key: &[u8; 32]) -> serde_json::Value {
    serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(public_key),
        "kid": kid,
        "use": "sig",
        "alg": "EdDSA",
    })
}

/// The public key of a JWK, if it is an Ed25519 one.
pub fn jwk_key(jwk: &serde_json::Value) -> Option<(String, [u8; 32])> {
    let field = |name: &str| jwk.get(name).and_then(|v| v.as_str());
    if field("kty") != Some("OKP") || field("crv") != Some("Ed25519") {
        return None;
    }
    let x = URL_SAFE_NO_PAD.decode(field("x")?.as_bytes()).ok()?;
    Some((field("kid")?.to_string(), x.try_into().ok()?))
}
