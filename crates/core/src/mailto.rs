//! Unsubscribing by mail: the `mailto:` of `List-Unsubscribe` (RFC 2369)
//! and what a mail sent to it means.
//!
//! The mailto carries a signed token of its own purpose
//! ([`Purpose::Mailto`]) in its subject:
//! `<mailto:unsubscribe@example.com?subject=unsubscribe%20TOKEN>`, so a mail
//! client's "unsubscribe" sends `Subject: unsubscribe TOKEN` to the
//! configured address. The token, never the `From:` (which anyone can
//! write), names whom to unsubscribe, for the list (or topic) the mail was
//! sent on, as the one-click link does. It goes in the subject, not in the
//! address (`unsubscribe+TOKEN@…`), because a local part holds at most 64
//! octets, less than a token with its key id and list, and mail systems may
//! change a local part's case, which base64url cannot survive.
//!
//! A mail without a valid token changes nothing and gets no answer: a reply
//! or a bounce to a forged `From:` would be backscatter.

use crate::prelude::*;

use crate::event::{EventKind, UnsubscribeScope, Via};
use crate::time::Timestamp;
use crate::token::{Claims, Keyring, Purpose, TokenError, MAX_TOKEN_LEN};

/// The word the subject starts with, before the token.
pub const SUBJECT_WORD: &str = "unsubscribe";

/// The most of a subject that is read: a mail client's subject is short;
/// anything longer is cut, so no subject costs more than this to read.
pub const MAX_SUBJECT: usize = 1024;

/// The most words of a subject tried as tokens (each costs one HMAC).
const MAX_CANDIDATES: usize = 4;

/// The `mailto:` URI for `List-Unsubscribe`: to `address`, with the subject
/// `unsubscribe TOKEN` (the space percent-encoded, RFC 6068; a base64url
/// token needs no encoding).
pub fn mailto_uri(address: &str, token: &str) -> String {
    format!("mailto:{address}?subject={SUBJECT_WORD}%20{token}")
}

/// Why a mail to the unsubscribe address changed nothing. For the log line;
/// the sender of the mail is told nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Sent to an address that is not the configured unsubscribe address
    /// (or no such address is configured).
    NotOurAddress,
    /// No word of the subject looks like a token.
    NoToken,
    /// A word looked like a token and did not verify (forged, altered,
    /// another purpose, or signed by a retired key).
    BadToken(TokenError),
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Refusal::NotOurAddress => f.write_str("not sent to the unsubscribe address"),
            Refusal::NoToken => f.write_str("no token in the subject"),
            Refusal::BadToken(e) => write!(f, "{e}"),
        }
    }
}

/// Whether `to` (the envelope recipient) is the configured unsubscribe
/// address, ignoring case and a `+detail` after its local part (RFC 5233
/// subaddressing, which Email Routing can pass on).
pub fn is_unsubscribe_address(configured: &str, to: &str) -> bool {
    let (Some((want_local, want_domain)), Some((local, domain))) =
        (configured.rsplit_once('@'), to.trim().rsplit_once('@'))
    else {
        return false;
    };
    let local = local.split_once('+').map_or(local, |(base, _)| base);
    local.eq_ignore_ascii_case(want_local) && domain.eq_ignore_ascii_case(want_domain)
}

/// The words of `subject` that could be tokens, at most a few: base64url
/// only, of a token's length. `Re:`, `unsubscribe` and a client's own
/// words are skipped; the subject is read to [`MAX_SUBJECT`] bytes.
fn candidates(subject: &str) -> impl Iterator<Item = &str> {
    let mut end = subject.len().min(MAX_SUBJECT);
    while !subject.is_char_boundary(end) {
        end -= 1;
    }
    subject[..end]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '<' || c == '>')
        .filter(|word| {
            (32..=MAX_TOKEN_LEN).contains(&word.len())
                && word
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .take(MAX_CANDIDATES)
}

/// The claims of the mailto token in a mail's `subject`, verified with
/// `keys`; the first word that verifies wins.
pub fn claims_in_subject(keys: &Keyring, subject: &str, now: Timestamp) -> Result<Claims, Refusal> {
    let mut refusal = Refusal::NoToken;
    for word in candidates(subject) {
        match keys.verify(word, Purpose::Mailto, now, None) {
            Ok(claims) => return Ok(claims),
            Err(e) => refusal = Refusal::BadToken(e),
        }
    }
    Err(refusal)
}

/// The withdrawal a signed unsubscribe mail records: what its token is for
/// (its topic, or its list), `via: mailto`. The same scope as the
/// one-click link of the same mail.
pub fn mailto_event(claims: &Claims) -> EventKind {
    let scope = match &claims.topic {
        Some(topic) => UnsubscribeScope::Topic {
            list: claims.list.clone(),
            topic: topic.clone(),
        },
        None => UnsubscribeScope::List {
            list: claims.list.clone(),
        },
    };
    EventKind::Unsubscribed {
        scope,
        via: Via::Mailto,
        reason: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::id::SubscriberId;
    use crate::slug::{ListId, TopicId};

    fn keys() -> Keyring {
        Keyring::new(vec![("k1".into(), vec![7; 32])]).unwrap()
    }

    fn claims(purpose: Purpose) -> Claims {
        Claims {
            purpose,
            subscriber: SubscriberId([3; 16]),
            list: ListId::parse("newsletter").unwrap(),
            topic: None,
            issued: Timestamp(5_000),
        }
    }

    #[test]
    fn a_signed_subject_names_its_subscriber_and_list() {
        let token = keys().sign(&claims(Purpose::Mailto));
        let found =
            claims_in_subject(&keys(), &format!("unsubscribe {token}"), Timestamp(9)).unwrap();
        assert_eq!(found.subscriber, SubscriberId([3; 16]));
        assert_eq!(found.list.as_str(), "newsletter");
    }

    #[test]
    fn a_reply_prefix_or_a_folded_subject_still_finds_the_token() {
        let token = keys().sign(&claims(Purpose::Mailto));
        for subject in [
            format!("Re: unsubscribe {token}"),
            format!("unsubscribe\r\n {token}"),
        ] {
            assert!(
                claims_in_subject(&keys(), &subject, Timestamp(9)).is_ok(),
                "{subject}"
            );
        }
    }

    #[test]
    fn an_unsigned_subject_is_refused() {
        assert_eq!(
            claims_in_subject(&keys(), "unsubscribe", Timestamp(9)),
            Err(Refusal::NoToken)
        );
    }

    #[test]
    fn a_token_of_another_key_or_purpose_is_refused() {
        let other = Keyring::new(vec![("k1".into(), vec![8; 32])]).unwrap();
        let forged = other.sign(&claims(Purpose::Mailto));
        assert_eq!(
            claims_in_subject(&keys(), &format!("unsubscribe {forged}"), Timestamp(9)),
            Err(Refusal::BadToken(TokenError::BadSignature))
        );
        let link = keys().sign(&claims(Purpose::Unsubscribe));
        assert_eq!(
            claims_in_subject(&keys(), &format!("unsubscribe {link}"), Timestamp(9)),
            Err(Refusal::BadToken(TokenError::WrongPurpose))
        );
    }

    #[test]
    fn a_long_subject_is_read_only_so_far() {
        let token = keys().sign(&claims(Purpose::Mailto));
        let subject = format!("{} {token}", "x".repeat(MAX_SUBJECT));
        assert_eq!(
            claims_in_subject(&keys(), &subject, Timestamp(9)),
            Err(Refusal::NoToken)
        );
    }

    #[test]
    fn only_the_configured_address_is_ours_with_or_without_a_detail() {
        let ours = "unsubscribe@sample-shoji.example";
        assert!(is_unsubscribe_address(
            ours,
            "Unsubscribe@Sample-Shoji.example"
        ));
        assert!(is_unsubscribe_address(
            ours,
            "unsubscribe+x@sample-shoji.example"
        ));
        assert!(!is_unsubscribe_address(ours, "sales@sample-shoji.example"));
        assert!(!is_unsubscribe_address(
            ours,
            "unsubscribe@elsewhere.example"
        ));
        assert!(!is_unsubscribe_address(ours, "no address"));
    }

    #[test]
    fn a_mailto_unsubscribe_stops_what_its_token_is_for_via_mailto() {
        let mut topic = claims(Purpose::Mailto);
        topic.topic = Some(TopicId::parse("tips").unwrap());
        match mailto_event(&topic) {
            EventKind::Unsubscribed {
                scope: UnsubscribeScope::Topic { topic, .. },
                via: Via::Mailto,
                ..
            } => assert_eq!(topic.as_str(), "tips"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_uri_carries_the_token_in_its_subject() {
        assert_eq!(
            mailto_uri("u@d.example", "TOKEN"),
            "mailto:u@d.example?subject=unsubscribe%20TOKEN"
        );
    }
}
