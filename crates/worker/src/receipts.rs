//! Signing consent receipts (see [`doi_core::receipt`]) and publishing the
//! keys that verify them.
//!
//! The key set is the secret `DOI_RECEIPT_KEYS`: `kid:seed,kid:seed`, each
//! seed 32 random bytes in base64, newest first, like the link keys. The
//! newest signs; every key listed is published at
//! `GET /.well-known/jwks.json`, so receipts signed before a rotation keep
//! verifying as long as their key stays in the list.
//!
//! The receipt of an event is stored in the metadata of the event's own KV
//! key (field `r`), in the same write as the event: no KV operation of its
//! own. A missing or malformed key never stops a change from being
//! recorded (a withdrawal must always be): the event is stored without a
//! receipt and the log line says why.
//!
//! **CPU.** One Ed25519 signature costs about 157 µs of CPU as wasm in V8
//! and deriving a key pair from its seed about 150 µs (ed25519-compact
//! 2.6.1 at opt-level 3, measured with `process.threadCpuUsage`), so the
//! keys are derived once per isolate and a request signs at most
//! [`SIGN_BUDGET`] receipts (about 2.5 ms). Every flow about one person (a
//! signup, a confirmation, a one-click, a page, a mailto, an erasure)
//! signs its one receipt, and so does every change of an import or a
//! suppression call, whose batch is at most the same number
//! ([`doi_core::limits::CHANGE_BATCH`]). Only a provider's delivery can
//! carry more (SendGrid batches up to 1,000 events, and what a provider
//! reports cannot wait for a smaller call): it signs its first
//! [`SIGN_BUDGET`] suppressions and stores the rest unsigned, with a log
//! line, and [`deferred`] has the cron sign them within minutes.

use std::cell::RefCell;
use std::rc::Rc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use doi_core::receipt::{self, Context, Receipt, Stored};
use doi_core::LoggedEvent;
use ed25519_compact::{KeyPair, Seed};

use crate::ctx::{Ctx, Net};

pub mod deferred;
use crate::http::{ApiError, Response};
use crate::store::Store;

/// The metadata field of an event key that holds its receipt.
pub const FIELD: &str = "r";

/// Most receipts one request signs (about 157 µs of CPU each as wasm): a
/// whole import or suppression batch.
pub const SIGN_BUDGET: u32 = doi_core::limits::CHANGE_BATCH as u32;

/// KV's limit on a key's metadata, serialised.
pub const METADATA_MAX: usize = 1024;

/// The receipt keys, newest first.
pub struct ReceiptKeys(Vec<(String, KeyPair)>);

impl ReceiptKeys {
    /// Parses `kid:base64(32 bytes),…`.
    pub fn parse(text: &str) -> Result<ReceiptKeys, String> {
        let mut keys = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kid, seed) = part.split_once(':').ok_or_else(|| {
                format!(
                    "'{}…' is not kid:base64",
                    part.chars().take(4).collect::<String>()
                )
            })?;
            if !receipt::valid_kid(kid) {
                return Err(format!("key id '{kid}' must be 1 to 32 of A-Z a-z 0-9 - _"));
            }
            let bytes: [u8; 32] = STANDARD
                .decode(seed.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| format!("key {kid} is not 32 bytes of base64"))?;
            // `from_seed` panics on an all-zero seed: never on a secret's value.
            let pair = KeyPair::try_from_seed(Seed::new(bytes))
                .map_err(|_| format!("key {kid} is all zeros, not a random seed"))?;
            keys.push((kid.to_string(), pair));
        }
        if keys.is_empty() {
            return Err("no key".into());
        }
        Ok(ReceiptKeys(keys))
    }

    /// The public keys as a JWK set.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .0
            .iter()
            .map(|(kid, kp)| receipt::jwk(kid, &kp.pk))
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Signs `receipt` with the newest key: what the event's metadata keeps.
    pub fn sign(&self, receipt: &Receipt, context: &Context) -> Option<Stored> {
        let (kid, kp) = self.0.first()?;
        let input = receipt::signing_input(kid, receipt)?;
        let signature = kp.sk.sign(input.as_bytes(), None);
        Some(Stored {
            k: kid.clone(),
            s: URL_SAFE_NO_PAD.encode(signature.as_ref()),
            c: context.clone(),
        })
    }
}

thread_local! {
    /// The parsed keys of this isolate, with the secret they came from.
    static KEYS: RefCell<Option<(String, Rc<ReceiptKeys>)>> = const { RefCell::new(None) };
}

/// The receipt keys of this request, or why there are none; parsed (and
/// the key pairs derived) once per isolate and secret value.
pub fn keys<S: Store, N: Net>(ctx: &Ctx<S, N>) -> Result<Rc<ReceiptKeys>, ApiError> {
    let text = ctx.secrets.receipt_keys().ok_or_else(|| {
        ApiError::Misconfigured(format!(
            "the secret {} is not set; receipts are signed with it (npx wrangler secret put {})",
            crate::secrets::RECEIPT_KEYS,
            crate::secrets::RECEIPT_KEYS
        ))
    })?;
    if let Some(keys) = KEYS.with(|k| {
        k.borrow()
            .as_ref()
            .filter(|(t, _)| t == text)
            .map(|(_, keys)| Rc::clone(keys))
    }) {
        return Ok(keys);
    }
    let keys =
        Rc::new(ReceiptKeys::parse(text).map_err(|e| {
            ApiError::Misconfigured(format!("{}: {e}", crate::secrets::RECEIPT_KEYS))
        })?);
    KEYS.with(|k| *k.borrow_mut() = Some((text.to_string(), Rc::clone(&keys))));
    Ok(keys)
}

/// The metadata value for `logged`'s receipt, signed now; `None` (with a
/// log line) for an event without a receipt or when no key is configured.
/// `retention_override` is the sender's legal reason for an erasure inside
/// the retention period.
pub fn sign<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    logged: &LoggedEvent,
    retention_override: Option<doi_core::retention::Override>,
) -> Option<serde_json::Value> {
    let mut context = Context::of(ctx.config, &logged.event, &ctx.base_url);
    context.retention_override = retention_override;
    let receipt = Receipt::of(logged, &context)?;
    let signed = ctx.receipts_signed.get();
    if signed >= SIGN_BUDGET {
        // The event's writer fills in its metadata (`defer_metadata`).
        ctx.deferred_receipts.borrow_mut().push((
            logged.event.subscriber,
            logged.event.id.clone(),
            None,
        ));
        return None;
    }
    ctx.receipts_signed.set(signed + 1);
    let keys = match keys(ctx) {
        Ok(k) => k,
        Err(e) => {
            ctx.log(format!(
                "event {} stored without a receipt: {e}",
                logged.event.id.as_str()
            ));
            return None;
        }
    };
    let stored = keys.sign(&receipt, &context)?;
    serde_json::to_value(stored).ok()
}

/// Whether `logged` is an event that gets a receipt (a consent, a
/// confirmation or a withdrawal).
pub fn applies<S: Store, N: Net>(ctx: &Ctx<S, N>, logged: &LoggedEvent) -> bool {
    let context = Context::of(ctx.config, &logged.event, &ctx.base_url);
    Receipt::of(logged, &context).is_some()
}

/// Records the metadata the event key of a change [`sign`] deferred is
/// written with, so the cron keeps it when it adds the receipt.
pub fn defer_metadata<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    id: &doi_core::EventId,
    metadata: Option<&serde_json::Value>,
) {
    if let Some(last) = ctx.deferred_receipts.borrow_mut().last_mut() {
        if &last.1 == id {
            last.2 = metadata.cloned();
        }
    }
}

/// Adds `receipt` to an event key's metadata `base`, unless the whole
/// would pass KV's metadata limit (then the receipt is left out, logged).
pub fn with_receipt<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    base: Option<serde_json::Value>,
    receipt: Option<serde_json::Value>,
) -> Option<serde_json::Value> {
    let Some(receipt) = receipt else {
        return base;
    };
    let mut map = match base {
        Some(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    map.insert(FIELD.to_string(), receipt);
    let value = serde_json::Value::Object(map);
    if serde_json::to_string(&value).map_or(usize::MAX, |s| s.len()) <= METADATA_MAX {
        return Some(value);
    }
    ctx.log("a receipt did not fit the event's metadata and was left out".to_string());
    let mut map = match value {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    map.remove(FIELD);
    (!map.is_empty()).then_some(serde_json::Value::Object(map))
}

/// The compact JWS of a stored event, from its metadata; `None` when it
/// has no receipt (or an unreadable one).
pub fn jws_of(logged: &LoggedEvent, metadata: Option<&serde_json::Value>) -> Option<String> {
    let stored: Stored = serde_json::from_value(metadata?.get(FIELD)?.clone()).ok()?;
    stored.jws(logged)
}

/// `GET /.well-known/jwks.json`: the public keys of every receipt key.
pub fn jwks<S: Store, N: Net>(ctx: &Ctx<S, N>) -> Result<Response, ApiError> {
    let keys = keys(ctx)?;
    Ok(Response::json(200, &keys.jwks())
        .with_header("content-type", "application/jwk-set+json")
        .with_header("cache-control", "public, max-age=300")
        .with_header("access-control-allow-origin", "*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_or_all_zero_key_is_refused_with_a_reason_not_a_panic() {
        for (text, why) in [
            ("", "no key"),
            ("r1", "kid:base64"),
            ("bad kid:AAAA", "key id"),
            ("r1:AAAA", "32 bytes"),
            (
                "r1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                "all zeros",
            ),
        ] {
            let e = ReceiptKeys::parse(text).err().unwrap();
            assert!(e.contains(why), "{text:?}: {e}");
        }
        let keys = ReceiptKeys::parse(
            "r2:Ek5A2NM00vYX61XiNK5rqZatQqzwOad3KozCQD7YgSo=, r1:9M9IL2GpOBY6EvgelYvJDT/mEY4YiBXMohwevcEM62M=",
        )
        .unwrap();
        let jwks = keys.jwks();
        assert_eq!(jwks["keys"][0]["kid"], "r2", "newest first");
        assert_eq!(jwks["keys"][1]["kid"], "r1", "older keys stay published");
        assert!(jwks.to_string().find("\"d\"").is_none(), "no private part");
    }
}
