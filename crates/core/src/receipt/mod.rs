//! Consent receipts: what the Worker signs for each consent, confirmation
//! and withdrawal, so that someone outside can tell a rewritten log from the
//! one they were given.
//!
//! A receipt holds the minimal fields of the Kantara Consent Receipt and of
//! ISO/IEC TS 27560 that apply to a mailing list: the controller (the sender
//! in `doi.toml`), the subject (the subscriber id, never the address), the
//! purposes (the list and its topics, or the scope withdrawn), the version
//! (SHA-256) of the consent text shown, the method, the time, the
//! jurisdiction, the privacy-policy URL and a receipt id — and the **head**
//! of the subscriber's log at that moment: the hash of the event itself,
//! which names its parents' hashes, so one signed head commits to every
//! event before it.
//!
//! It travels as a JWS in compact form (RFC 7515) signed with EdDSA over
//! Ed25519 (RFC 8037), header `{"alg":"EdDSA","kid":…,"typ":"JWT"}` and the
//! receipt as a JWT claims set (`iss`, `sub`, `iat`, `jti`), so any JOSE
//! library, or WebCrypto's `Ed25519`, verifies it with the key set at
//! `/.well-known/jwks.json`.
//!
//! **Where receipts are stored.** Nothing new is written for them: the
//! event's bytes are hashed (a receipt naming that hash cannot be inside
//! them), so the Worker puts the signature, the key id and the [`Context`]
//! (the few fields that come from `doi.toml` rather than from the event) in
//! the KV metadata of the event's own key, in the same write as the event.
//! The rest of the claims are [`Receipt::of`] the event, so the export and
//! the receipt page rebuild the exact payload bytes from the stored event
//! and its metadata, and a listing (which returns metadata) brings the
//! receipts along at no extra read. [`payload`] is therefore part of the
//! format: its field order and spelling must not change within
//! [`VERSION`].
//!
//! Signing and verifying are not here (doi-core has no key material): the
//! Worker signs [`signing_input`] with its secret key, and `doi verify`
//! checks [`parse`]d receipts with the published keys.

use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::event::{Event, EventKind, UnsubscribeScope};
use crate::hash::{ConsentVersion, EventHash};
use crate::id::SubscriberId;
use crate::ledger::LoggedEvent;
use crate::retention::Override;

mod jwk;
use crate::slug::{ListId, TopicId};
pub use jwk::{jwk, jwk_key};

/// The receipt format's name and version (`ver`).
pub const VERSION: &str = "doi-receipt/1";

/// The jurisdiction whose law the records are kept for (特定電子メール法).
pub const JURISDICTION: &str = "JP";

/// The fields a receipt takes from `doi.toml` at signing time, stored with
/// the signature so a later change of `doi.toml` does not change old
/// receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Who signs: the Worker's public origin (`iss`).
    pub iss: String,
    /// The controller's name, in the sender's default language.
    pub controller: String,
    /// Where the controller can be reached.
    pub contact: String,
    /// The privacy policy of the form consent was given on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// For an erasure inside the retention period: the sender's legal reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_override: Option<Override>,
}

impl Context {
    /// The context for `event` under `config`, signed by `iss`.
    pub fn of(config: &Config, event: &Event, iss: &str) -> Context {
        let sender = &config.sender;
        let policy = match &event.kind {
            EventKind::Subscribed { evidence, .. }
            | EventKind::Resubscribed { evidence, .. }
            | EventKind::Renewed { evidence, .. } => evidence
                .form
                .as_ref()
                .and_then(|f| config.forms.iter().find(|form| &form.id == f))
                .map(|f| f.privacy_url.clone()),
            _ => None,
        };
        Context {
            iss: iss.to_string(),
            controller: sender.name.get(sender.default_locale).to_string(),
            contact: sender.contact_email.clone(),
            policy,
            retention_override: None,
        }
    }
}

/// What a receipt records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Consent given (a signup, an import, a resubscribe).
    Consent,
    /// A double opt-in confirmed.
    Confirmation,
    /// Consent withdrawn (an unsubscribe at any scope, or an erasure).
    Withdrawal,
}

/// A purpose: a list, and its topics where it has some (for a withdrawal,
/// the topic withdrawn; empty for the whole list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// The list; absent for a withdrawal from everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListId>,
    /// Topics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicId>,
}

/// The claims of a consent receipt. Field order is the payload's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// [`VERSION`].
    pub ver: String,
    /// Who signed (the Worker's origin).
    pub iss: String,
    /// The subscriber id.
    pub sub: SubscriberId,
    /// Seconds since the epoch (the event's time, cut to seconds).
    pub iat: u64,
    /// The receipt id: the event's id (one receipt per event).
    pub jti: String,
    /// The event's time in milliseconds.
    pub at: u64,
    /// The controller's name.
    pub controller: String,
    /// The controller's contact.
    pub contact: String,
    /// [`JURISDICTION`].
    pub jurisdiction: String,
    /// The privacy policy, where consent was given on a form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// What is recorded.
    pub action: Action,
    /// How: the evidence's method, `confirmation_link`, or the withdrawal's `via`.
    pub method: String,
    /// For which purposes.
    pub purposes: Vec<Purpose>,
    /// The version of the consent text shown, for a consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_version: Option<ConsentVersion>,
    /// The head of the subscriber's log once this event is in it.
    pub head: EventHash,
    /// For an erasure inside the retention period: the sender's legal reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_override: Option<Override>,
}

fn snake<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl Receipt {
    /// The receipt for `logged` under `context`; `None` for an event that
    /// neither gives nor takes consent (a preference save, a reason).
    pub fn of(logged: &LoggedEvent, context: &Context) -> Option<Receipt> {
        let event = &logged.event;
        let one = |list: &ListId, topics: &[TopicId]| {
            vec![Purpose {
                list: Some(list.clone()),
                topics: topics.to_vec(),
            }]
        };
        let (action, method, purposes, consent_version) = match &event.kind {
            EventKind::Subscribed {
                list,
                topics,
                evidence,
                ..
            }
            | EventKind::Resubscribed {
                list,
                topics,
                evidence,
                ..
            } => (
                Action::Consent,
                snake(&evidence.method),
                one(list, topics),
                Some(evidence.consent_version),
            ),
            // A renewal is fresh consent to what the person already gets.
            EventKind::Renewed { list, evidence } => (
                Action::Consent,
                snake(&evidence.method),
                one(list, &[]),
                Some(evidence.consent_version),
            ),
            EventKind::Confirmed { list, .. } => (
                Action::Confirmation,
                "confirmation_link".to_string(),
                one(list, &[]),
                None,
            ),
            EventKind::Unsubscribed { scope, via, .. } => {
                let purposes = match scope {
                    UnsubscribeScope::All => vec![Purpose {
                        list: None,
                        topics: vec![],
                    }],
                    UnsubscribeScope::List { list } => one(list, &[]),
                    UnsubscribeScope::Topic { list, topic } => {
                        one(list, core::slice::from_ref(topic))
                    }
                    UnsubscribeScope::Frequency { list, .. } => one(list, &[]),
                };
                (Action::Withdrawal, snake(via), purposes, None)
            }
            EventKind::Erased => (
                Action::Withdrawal,
                "erasure".to_string(),
                vec![Purpose {
                    list: None,
                    topics: vec![],
                }],
                None,
            ),
            EventKind::PreferencesChanged { .. } | EventKind::ReasonGiven { .. } => return None,
        };
        Some(Receipt {
            ver: VERSION.to_string(),
            iss: context.iss.clone(),
            sub: event.subscriber,
            iat: event.at.seconds(),
            jti: event.id.as_str().to_string(),
            at: event.at.millis(),
            controller: context.controller.clone(),
            contact: context.contact.clone(),
            jurisdiction: JURISDICTION.to_string(),
            policy: context.policy.clone(),
            action,
            method,
            purposes,
            consent_version,
            head: logged.hash,
            retention_override: context.retention_override,
        })
    }
}

/// The payload bytes: the receipt as compact JSON, fields in declaration
/// order (deterministic: the export rebuilds exactly these bytes).
/// Serialising our own plain struct does not fail; if it ever did, there
/// is no receipt rather than one over empty bytes.
pub fn payload(receipt: &Receipt) -> Option<Vec<u8>> {
    serde_json::to_vec(receipt).ok()
}

/// The protected header for key `kid` (a key id is `[A-Za-z0-9_-]`: see
/// [`valid_kid`]; anything else has no header).
pub fn header(kid: &str) -> Option<String> {
    valid_kid(kid).then(|| format!(r#"{{"alg":"EdDSA","kid":"{kid}","typ":"JWT"}}"#))
}

/// Whether `kid` may name a receipt key: 1 to 32 of `[A-Za-z0-9_-]`.
pub fn valid_kid(kid: &str) -> bool {
    (1..=32).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What is signed: `BASE64URL(header) "." BASE64URL(payload)` (RFC 7515 §5.1).
pub fn signing_input(kid: &str, receipt: &Receipt) -> Option<String> {
    Some(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header(kid)?),
        URL_SAFE_NO_PAD.encode(payload(receipt)?)
    ))
}

/// The compact JWS: the signing input and the 64-byte signature.
pub fn compact(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// What is stored in an event key's metadata (field `r`) for its receipt.
/// KV carries metadata in an HTTP header, which takes ASCII only, so the
/// context (a Japanese sender name) is stored as base64url of its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// The key id that signed.
    pub k: String,
    /// The signature, base64url.
    pub s: String,
    /// The context signed with it.
    #[serde(with = "ascii_json")]
    pub c: Context,
}

/// A value as base64url of its JSON: ASCII whatever it holds.
mod ascii_json {
    use super::*;

    pub fn serialize<T: Serialize, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_vec(v).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&URL_SAFE_NO_PAD.encode(json))
    }

    pub fn deserialize<'de, T: serde::de::DeserializeOwned, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)?;
        serde_json::from_slice(&bytes).map_err(serde::de::Error::custom)
    }
}

impl Stored {
    /// The compact JWS for `logged`, rebuilt from the event and this.
    pub fn jws(&self, logged: &LoggedEvent) -> Option<String> {
        let receipt = Receipt::of(logged, &self.c)?;
        Some(format!("{}.{}", signing_input(&self.k, &receipt)?, self.s))
    }
}

/// A compact JWS taken apart, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The key id the header names.
    pub kid: String,
    /// The bytes the signature covers.
    pub signing_input: String,
    /// The signature.
    pub signature: Vec<u8>,
    /// The claims.
    pub receipt: Receipt,
}

/// Why a text is not a receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// Not three base64url parts, or their JSON does not read.
    #[error("not a compact JWS receipt: {0}")]
    Malformed(&'static str),
    /// Another algorithm than EdDSA.
    #[error("the header's algorithm is not EdDSA")]
    Algorithm,
}

/// Takes a compact JWS receipt apart (the signature is the caller's to check).
pub fn parse(jws: &str) -> Result<Parsed, ReceiptError> {
    #[derive(Deserialize)]
    struct Header {
        alg: String,
        kid: String,
    }
    let mut parts = jws.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReceiptError::Malformed("three parts expected"));
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part.as_bytes()).ok();
    let header: Header = decode(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(ReceiptError::Malformed("header"))?;
    if header.alg != "EdDSA" {
        return Err(ReceiptError::Algorithm);
    }
    let receipt: Receipt = decode(p)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(ReceiptError::Malformed("payload"))?;
    let signature = decode(s)
        .filter(|b| b.len() == 64)
        .ok_or(ReceiptError::Malformed("signature"))?;
    Ok(Parsed {
        kid: header.kid,
        signing_input: format!("{h}.{p}"),
        signature,
        receipt,
    })
}
