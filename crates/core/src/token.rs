//! Signed links: stateless tokens for unsubscribe, preference,
//! confirmation and re-permission URLs, and for the subject of an
//! unsubscribe mail.
//!
//! Layout (then base64url without padding), about 70 characters for a
//! typical list id:
//!
//! ```text
//! version(1) purpose(1) kid_len(1) kid issued_secs(5) subscriber(16)
//! list_len(1) list topic_len(1) topic  mac(16)
//! ```
//!
//! The MAC is HMAC-SHA256 over everything before it (plus a domain label),
//! truncated to 128 bits, and checked in constant time. Keys have ids so they
//! can rotate: new links are signed with the newest key, and links signed by
//! any key still in the keyring keep working. Unsubscribe and preference links
//! never expire (CAN-SPAM wants 30 days, CASL 60; people open old mail);
//! confirmation links expire after the configured time.

use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

use crate::id::{decode_base64, SubscriberId, ID_LEN};
use crate::slug::{ListId, TopicId};
use crate::time::{Timestamp, SECOND};

const VERSION: u8 = 1;
const MAC_LEN: usize = 16;
const MAX_KID: usize = 8;
/// Longest token text accepted (anything longer is not ours).
pub const MAX_TOKEN_LEN: usize = 200;

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `/u/{token}`: unsubscribe (page and RFC 8058 one-click).
    Unsubscribe,
    /// `/p/{token}`: preference page.
    Preferences,
    /// `/c/{token}`: confirm a double opt-in signup.
    Confirm,
    /// The subject of a mail to the `List-Unsubscribe` mailto address
    /// (see [`crate::mailto`]): unsubscribe, like the one-click link.
    Mailto,
    /// `/n/{token}`: the re-permission page, where one press renews a
    /// consent in force (see [`crate::lifecycle`]).
    Renew,
}

impl Purpose {
    fn byte(self) -> u8 {
        match self {
            Purpose::Unsubscribe => 1,
            Purpose::Preferences => 2,
            Purpose::Confirm => 3,
            Purpose::Mailto => 4,
            Purpose::Renew => 5,
        }
    }

    fn from_byte(b: u8) -> Option<Purpose> {
        match b {
            1 => Some(Purpose::Unsubscribe),
            2 => Some(Purpose::Preferences),
            3 => Some(Purpose::Confirm),
            4 => Some(Purpose::Mailto),
            5 => Some(Purpose::Renew),
            _ => None,
        }
    }
}

/// What a token says, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// What it is for.
    pub purpose: Purpose,
    /// Whose it is.
    pub subscriber: SubscriberId,
    /// Which list.
    pub list: ListId,
    /// Which topic, for a topic-only unsubscribe link.
    pub topic: Option<TopicId>,
    /// When it was made (whole seconds).
    pub issued: Timestamp,
}

/// Why a token was refused. Pages show one plain message for all of these;
/// the variants exist for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Not base64url, truncated, or fields out of range.
    #[error("the token is malformed or truncated")]
    Malformed,
    /// Made by a newer or unknown format.
    #[error("the token has an unsupported version")]
    UnsupportedVersion,
    /// A valid token for something else (e.g. a confirm token at /u/).
    #[error("the token is for another purpose")]
    WrongPurpose,
    /// Signed by a key that is not in the keyring (retired or forged).
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    /// The signature does not match.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// A confirmation link past its time.
    #[error("the token has expired")]
    Expired,
}

/// Why a keyring could not be read from its secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyringError {
    /// No keys at all.
    #[error("no signing keys: set DOI_SIGNING_KEYS to 'kid:base64key' entries, newest first, separated by commas")]
    Empty,
    /// An entry is not `kid:base64key`.
    #[error("signing key entry {0} is not 'kid:base64key' (kid: 1-8 characters a-z, 0-9)")]
    BadEntry(usize),
    /// A key shorter than 32 bytes.
    #[error("signing key {0:?} is shorter than 32 bytes")]
    ShortKey(String),
    /// The same key id twice.
    #[error("signing key id {0:?} appears twice")]
    DuplicateKid(String),
}

/// The signing keys, newest first. The first signs; all verify.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(String, Vec<u8>)>,
}

impl core::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|(k, _)| k.as_str()).collect();
        write!(f, "Keyring({kids:?})")
    }
}

fn valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= MAX_KID
        && kid
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

impl Keyring {
    /// A keyring from `(kid, key)` pairs, newest first.
    pub fn new(keys: Vec<(String, Vec<u8>)>) -> Result<Keyring, KeyringError> {
        if keys.is_empty() {
            return Err(KeyringError::Empty);
        }
        for (i, (kid, key)) in keys.iter().enumerate() {
            if !valid_kid(kid) {
                return Err(KeyringError::BadEntry(i));
            }
            if key.len() < 32 {
                return Err(KeyringError::ShortKey(kid.clone()));
            }
            if keys[..i].iter().any(|(k, _)| k == kid) {
                return Err(KeyringError::DuplicateKid(kid.clone()));
            }
        }
        Ok(Keyring { keys })
    }

    /// Parses the secret's text: `kid:base64key,kid:base64key`, newest first.
    pub fn parse(text: &str) -> Result<Keyring, KeyringError> {
        let mut keys = Vec::new();
        for (i, entry) in text
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
        {
            let (kid, key) = entry.split_once(':').ok_or(KeyringError::BadEntry(i))?;
            let key = decode_base64(key).ok_or(KeyringError::BadEntry(i))?;
            keys.push((kid.trim().to_string(), key));
        }
        Keyring::new(keys)
    }

    /// The id of the key that signs new tokens.
    pub fn current_kid(&self) -> &str {
        self.keys.first().map_or("", |(k, _)| k.as_str())
    }

    fn mac(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
        #[allow(clippy::unreachable, reason = "HMAC takes keys of any length")]
        let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(b"doi token v1\0");
        mac.update(body);
        mac
    }

    /// Makes a token for `claims` with the newest key.
    pub fn sign(&self, claims: &Claims) -> String {
        #[allow(
            clippy::unreachable,
            reason = "Keyring::new refuses an empty list and nothing removes keys"
        )]
        let (kid, key) = match self.keys.first() {
            Some(k) => k,
            None => unreachable!("a keyring is never empty"),
        };
        let mut body = Vec::with_capacity(64);
        body.push(VERSION);
        body.push(claims.purpose.byte());
        body.push(kid.len() as u8);
        body.extend_from_slice(kid.as_bytes());
        body.extend_from_slice(&claims.issued.seconds().to_be_bytes()[3..]);
        body.extend_from_slice(&claims.subscriber.0);
        let list = claims.list.as_str().as_bytes();
        body.push(list.len() as u8);
        body.extend_from_slice(list);
        let topic = claims
            .topic
            .as_ref()
            .map_or(&b""[..], |t| t.as_str().as_bytes());
        body.push(topic.len() as u8);
        body.extend_from_slice(topic);
        let tag = Self::mac(key, &body).finalize().into_bytes();
        body.extend_from_slice(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(body)
    }

    /// Checks a token for `purpose`. `max_age` (for confirmation links) makes
    /// tokens older than that, at `now`, expire.
    pub fn verify(
        &self,
        token: &str,
        purpose: Purpose,
        now: Timestamp,
        max_age: Option<u64>,
    ) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| TokenError::Malformed)?;
        let mut r = Reader(&bytes);
        let version = r.byte()?;
        if version != VERSION {
            return Err(TokenError::UnsupportedVersion);
        }
        let found = Purpose::from_byte(r.byte()?).ok_or(TokenError::Malformed)?;
        let kid_len = usize::from(r.byte()?);
        let kid = core::str::from_utf8(r.take(kid_len)?).map_err(|_| TokenError::Malformed)?;
        let mut secs = [0u8; 8];
        secs[3..].copy_from_slice(r.take(5)?);
        let issued = Timestamp(u64::from_be_bytes(secs) * SECOND);
        let mut sid = [0u8; ID_LEN];
        sid.copy_from_slice(r.take(ID_LEN)?);
        let list_len = usize::from(r.byte()?);
        let list = r.take(list_len)?;
        let topic_len = usize::from(r.byte()?);
        let topic = r.take(topic_len)?;
        if r.0.len() != MAC_LEN {
            return Err(TokenError::Malformed);
        }
        let body = &bytes[..bytes.len() - MAC_LEN];
        let key = self
            .keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, key)| key)
            .ok_or(TokenError::UnknownKey)?;
        Self::mac(key, body)
            .verify_truncated_left(r.0)
            .map_err(|_| TokenError::BadSignature)?;
        // Authentic from here on: the fields are ours.
        if found != purpose {
            return Err(TokenError::WrongPurpose);
        }
        let list = ListId::parse(utf8(list)?).ok_or(TokenError::Malformed)?;
        let topic = match topic_len {
            0 => None,
            _ => Some(TopicId::parse(utf8(topic)?).ok_or(TokenError::Malformed)?),
        };
        if let Some(max) = max_age {
            if now.millis() > issued.millis().saturating_add(max) {
                return Err(TokenError::Expired);
            }
        }
        Ok(Claims {
            purpose,
            subscriber: SubscriberId(sid),
            list,
            topic,
            issued,
        })
    }
}

fn utf8(b: &[u8]) -> Result<&str, TokenError> {
    core::str::from_utf8(b).map_err(|_| TokenError::Malformed)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TokenError> {
        if self.0.len() < n {
            return Err(TokenError::Malformed);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, TokenError> {
        Ok(self.take(1)?[0])
    }
}
