//! The signed receipts of an export line checked offline against the
//! Worker's public keys (a JWK set, from a file or fetched once): each
//! receipt's Ed25519 signature (RFC 8037 EdDSA), its subject, and that the
//! head it signs is an event of the exported log — the check that catches
//! a log rewritten consistently by someone who can write KV but does not
//! hold the receipt key (ARCHITECTURE.md, "What the hash chain proves").

use std::collections::BTreeMap;

use doi_core::receipt;
use doi_core::{LoggedEvent, SubscriberId};
use ed25519_compact::{PublicKey, Signature};

use crate::args::VerifyArgs;
use crate::outcome::Failure;

/// The receipt keys by key id.
pub struct Keys(BTreeMap<String, PublicKey>);

impl Keys {
    /// Reads a JWK set; only its Ed25519 keys count.
    pub fn from_jwks(text: &str) -> Result<Keys, String> {
        let set: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a JWK set: {e}"))?;
        let keys: BTreeMap<String, PublicKey> = set
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or("not a JWK set: no \"keys\" array")?
            .iter()
            .filter_map(receipt::jwk_key)
            .map(|(kid, x)| (kid, PublicKey::new(x)))
            .collect();
        if keys.is_empty() {
            return Err("the JWK set has no Ed25519 key".into());
        }
        Ok(Keys(keys))
    }

    /// The keys `--keys` or `--keys-from` names; `None` when neither does.
    pub fn load(args: &VerifyArgs) -> Result<Option<Keys>, Failure> {
        let text = if let Some(path) = &args.keys {
            std::fs::read_to_string(path).map_err(|e| Failure::io(path, e))?
        } else if let Some(base) = &args.keys_from {
            let url = format!("{}/.well-known/jwks.json", base.trim_end_matches('/'));
            let mut response = ureq::get(&url)
                .call()
                .map_err(|e| Failure::Server(format!("GET {url}: {e}")))?;
            response
                .body_mut()
                .read_to_string()
                .map_err(|e| Failure::Server(format!("GET {url}: {e}")))?
        } else {
            return Ok(None);
        };
        Keys::from_jwks(&text)
            .map(Some)
            .map_err(|e| Failure::Input(format!("receipt keys: {e}")))
    }
}

/// Checks the receipts of `sid`'s verified `log`: the number checked, and
/// how many events of the log no signed head commits to (a provider's
/// delivery past the Worker's signing budget stores some unsigned; a
/// rewrite of those alone would not show).
pub fn check(
    keys: &Keys,
    sid: SubscriberId,
    log: &[LoggedEvent],
    receipts: &[String],
) -> Result<(usize, usize), String> {
    let times: Vec<u64> = receipts
        .iter()
        .filter_map(|r| receipt::parse(r).ok().map(|p| p.receipt.at))
        .collect();
    let newest = times.iter().copied().max().unwrap_or(0);
    for (i, jws) in receipts.iter().enumerate() {
        let parsed = receipt::parse(jws).map_err(|e| format!("receipt {}: {e}", i + 1))?;
        let key = keys.0.get(&parsed.kid).ok_or_else(|| {
            format!(
                "receipt {} is signed by unknown key {:?}",
                i + 1,
                parsed.kid
            )
        })?;
        let signature = Signature::from_slice(&parsed.signature)
            .map_err(|_| format!("receipt {}: not an Ed25519 signature", i + 1))?;
        if key
            .verify(parsed.signing_input.as_bytes(), &signature)
            .is_err()
        {
            return Err(format!(
                "receipt {} ({}) does not verify: the receipt or the event it signs was changed",
                i + 1,
                parsed.receipt.jti
            ));
        }
        if parsed.receipt.sub != sid {
            return Err(format!("receipt {} is another subscriber's", i + 1));
        }
        if !log.iter().any(|e| e.hash == parsed.receipt.head) {
            let which = if parsed.receipt.at >= newest {
                "its latest signed head"
            } else {
                "a signed head"
            };
            return Err(format!(
                "the log does not match {which} {} (receipt {}): it was rewritten",
                parsed.receipt.head, parsed.receipt.jti
            ));
        }
    }
    let heads = receipts
        .iter()
        .filter_map(|r| receipt::parse(r).ok().map(|p| p.receipt.head));
    Ok((receipts.len(), log.len() - committed(log, heads)))
}

/// How many events of `log` are `heads` or their ancestors.
pub(super) fn committed(
    log: &[LoggedEvent],
    heads: impl Iterator<Item = doi_core::EventHash>,
) -> usize {
    let parents: BTreeMap<_, _> = log.iter().map(|e| (e.hash, &e.event.parents)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<_> = heads.collect();
    while let Some(hash) = todo.pop() {
        if let Some(up) = parents.get(&hash) {
            if seen.insert(hash) {
                todo.extend(up.iter().copied());
            }
        }
    }
    seen.len()
}
