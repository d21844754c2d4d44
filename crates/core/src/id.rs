//! Subscriber ids: who a person is, without saying their address.
//!
//! A subscriber id is HMAC-SHA256 of the normalised address under a
//! long-lived secret id key, cut to 128 bits. KV keys, tokens and logs carry
//! this id and never the address; without the key the id cannot be linked
//! back to an address, and after erasure it is all that remains, enough to
//! keep the address suppressed.

use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use core::fmt;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use thiserror::Error;

use crate::email::Email;

/// Bytes in a subscriber id (128 bits: collisions are out of reach for any
/// realistic list, and tokens stay short).
pub const ID_LEN: usize = 16;

/// The secret that turns addresses into ids. Never rotate it: ids would change
/// and suppressions would stop matching.
#[derive(Clone)]
pub struct IdKey(Hmac<Sha256>);

/// Why an id key was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdKeyError {
    /// Shorter than 32 bytes.
    #[error("the id key must be at least 32 bytes (base64url or base64 encoded); got {0}")]
    TooShort(usize),
    /// Not base64.
    #[error("the id key is not base64 or base64url")]
    NotBase64,
}

impl IdKey {
    /// A key from raw bytes (at least 32).
    pub fn new(bytes: &[u8]) -> Result<IdKey, IdKeyError> {
        if bytes.len() < 32 {
            return Err(IdKeyError::TooShort(bytes.len()));
        }
        // HMAC takes keys of any length; the keyed state is computed once
        // and cloned per address (a batch check derives 500 ids).
        Hmac::<Sha256>::new_from_slice(bytes)
            .map(IdKey)
            .map_err(|_| IdKeyError::TooShort(bytes.len()))
    }

    /// A key from its base64 / base64url text, as stored in a secret.
    pub fn from_base64(text: &str) -> Result<IdKey, IdKeyError> {
        IdKey::new(&decode_base64(text).ok_or(IdKeyError::NotBase64)?)
    }

    /// The id of `email`.
    pub fn subscriber_id(&self, email: &Email) -> SubscriberId {
        let mut mac = self.0.clone();
        mac.update(b"doi subscriber id v1\0");
        mac.update(email.as_str().as_bytes());
        let full = mac.finalize().into_bytes();
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&full[..ID_LEN]);
        SubscriberId(id)
    }
}

impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdKey(<secret>)")
    }
}

/// Decodes standard or URL-safe base64, padded or not (secrets get pasted in
/// either form).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let t = text
        .trim()
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    URL_SAFE_NO_PAD.decode(t).ok()
}

/// A subscriber's id: 22 characters of base64url in text form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubscriberId(pub [u8; ID_LEN]);

impl SubscriberId {
    /// Parses the 22-character base64url form.
    pub fn parse(text: &str) -> Option<SubscriberId> {
        if text.len() != 22 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let id: [u8; ID_LEN] = bytes.try_into().ok()?;
        // Reject non-canonical encodings so one id has one spelling.
        let parsed = SubscriberId(id);
        (parsed.to_string() == text).then_some(parsed)
    }
}

impl fmt::Display for SubscriberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for SubscriberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubscriberId({self})")
    }
}

impl Serialize for SubscriberId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for SubscriberId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SubscriberId::parse(&s).ok_or_else(|| serde::de::Error::custom("not a subscriber id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> IdKey {
        IdKey::new(&[b; 32]).unwrap()
    }

    #[test]
    fn same_person_same_id_whatever_the_spelling() {
        let a = Email::parse("Taro@Example.com").unwrap();
        let b = Email::parse(" taro@example.COM").unwrap();
        assert_eq!(key(1).subscriber_id(&a), key(1).subscriber_id(&b));
    }

    #[test]
    fn id_depends_on_key_and_never_shows_the_address() {
        let e = Email::parse("taro@example.com").unwrap();
        let id = key(1).subscriber_id(&e);
        assert_ne!(id, key(2).subscriber_id(&e));
        assert!(!id.to_string().contains("taro"));
        assert_eq!(id.to_string().len(), 22);
        assert_eq!(SubscriberId::parse(&id.to_string()), Some(id));
    }

    #[test]
    fn short_or_garbled_keys_are_refused() {
        assert_eq!(IdKey::new(&[0; 31]).unwrap_err(), IdKeyError::TooShort(31));
        assert_eq!(
            IdKey::from_base64("!!!").unwrap_err(),
            IdKeyError::NotBase64
        );
        assert!(IdKey::from_base64(&"QUFB".repeat(11)).is_ok());
    }

    #[test]
    fn ids_parse_only_in_canonical_form() {
        assert_eq!(SubscriberId::parse("short"), None);
        assert_eq!(SubscriberId::parse("AAAAAAAAAAAAAAAAAAAAAB"), None);
        assert!(SubscriberId::parse("AAAAAAAAAAAAAAAAAAAAAA").is_some());
    }
}
