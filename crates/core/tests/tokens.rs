//! Signed links: tamper-proof, rotatable, purpose-bound.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::token::{Claims, Keyring, KeyringError, Purpose, TokenError};
use doi_core::{ListId, SubscriberId, Timestamp, TopicId};
use proptest::prelude::*;

fn ring(spec: &[(&str, u8)]) -> Keyring {
    Keyring::new(
        spec.iter()
            .map(|(k, b)| (k.to_string(), vec![*b; 32]))
            .collect(),
    )
    .unwrap()
}

fn claims(purpose: Purpose, topic: Option<&str>) -> Claims {
    Claims {
        purpose,
        subscriber: SubscriberId([3; 16]),
        list: ListId::parse("newsletter").unwrap(),
        topic: topic.map(|t| TopicId::parse(t).unwrap()),
        issued: Timestamp(1_764_000_000_000),
    }
}

const NOW: Timestamp = Timestamp(1_800_000_000_000);

#[test]
fn a_signed_token_verifies_and_stays_short() {
    let keys = ring(&[("k1", 1)]);
    for topic in [None, Some("product")] {
        let c = claims(Purpose::Unsubscribe, topic);
        let t = keys.sign(&c);
        assert!(t.len() < 100, "{} chars", t.len());
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(keys.verify(&t, Purpose::Unsubscribe, NOW, None), Ok(c));
    }
}

#[test]
fn unsubscribe_links_never_expire_but_confirm_links_do() {
    let keys = ring(&[("k1", 1)]);
    let far_future = Timestamp(4_000_000_000_000);
    let u = keys.sign(&claims(Purpose::Unsubscribe, None));
    assert!(keys
        .verify(&u, Purpose::Unsubscribe, far_future, None)
        .is_ok());
    let c = keys.sign(&claims(Purpose::Confirm, None));
    let day = 86_400_000;
    assert!(keys
        .verify(
            &c,
            Purpose::Confirm,
            Timestamp(1_764_000_000_000 + day),
            Some(3 * day)
        )
        .is_ok());
    assert_eq!(
        keys.verify(
            &c,
            Purpose::Confirm,
            Timestamp(1_764_000_000_000 + 4 * day),
            Some(3 * day)
        ),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_token_for_one_purpose_is_refused_for_another() {
    let keys = ring(&[("k1", 1)]);
    let c = keys.sign(&claims(Purpose::Confirm, None));
    assert_eq!(
        keys.verify(&c, Purpose::Unsubscribe, NOW, None),
        Err(TokenError::WrongPurpose)
    );
    assert_eq!(
        keys.verify(&c, Purpose::Preferences, NOW, None),
        Err(TokenError::WrongPurpose)
    );
}

#[test]
fn old_keys_verify_after_rotation_and_unknown_keys_do_not() {
    let old = ring(&[("k1", 1)]);
    let token = old.sign(&claims(Purpose::Preferences, None));
    let rotated = ring(&[("k2", 2), ("k1", 1)]);
    assert_eq!(rotated.current_kid(), "k2");
    assert!(rotated
        .verify(&token, Purpose::Preferences, NOW, None)
        .is_ok());
    let retired = ring(&[("k2", 2)]);
    assert_eq!(
        retired.verify(&token, Purpose::Preferences, NOW, None),
        Err(TokenError::UnknownKey)
    );
    // Same key id, different secret: a forgery.
    let forged = ring(&[("k1", 9)]);
    assert_eq!(
        forged.verify(&token, Purpose::Preferences, NOW, None),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn truncated_garbled_and_oversized_tokens_are_malformed() {
    let keys = ring(&[("k1", 1)]);
    let t = keys.sign(&claims(Purpose::Unsubscribe, None));
    for bad in [&t[..t.len() - 3], &t[..10], "", "!!!!", &"A".repeat(300)] {
        let e = keys
            .verify(bad, Purpose::Unsubscribe, NOW, None)
            .unwrap_err();
        assert!(
            matches!(e, TokenError::Malformed | TokenError::BadSignature),
            "{bad:?}: {e:?}"
        );
    }
    let v2 = format!("E{}", &t[1..]); // version byte 0x11
    assert_eq!(
        keys.verify(&v2, Purpose::Unsubscribe, NOW, None),
        Err(TokenError::UnsupportedVersion)
    );
}

#[test]
fn keyrings_parse_from_the_secret_and_explain_mistakes() {
    let b64 = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE"; // 32 bytes
    assert_eq!(
        Keyring::parse(&format!("k2:{b64}, k1:{b64}"))
            .unwrap()
            .current_kid(),
        "k2"
    );
    assert_eq!(Keyring::parse("").unwrap_err(), KeyringError::Empty);
    assert_eq!(
        Keyring::parse("nokey").unwrap_err(),
        KeyringError::BadEntry(0)
    );
    assert_eq!(
        Keyring::parse(&format!("K1:{b64}")).unwrap_err(),
        KeyringError::BadEntry(0)
    );
    assert_eq!(
        Keyring::parse("k1:c2hvcnQ").unwrap_err(),
        KeyringError::ShortKey("k1".into())
    );
    assert_eq!(
        Keyring::parse(&format!("k1:{b64},k1:{b64}")).unwrap_err(),
        KeyringError::DuplicateKid("k1".into())
    );
}

proptest! {
    #[test]
    fn any_changed_byte_fails_verification(at in any::<prop::sample::Index>(), flip in 1u8..=255, topic in prop::option::of("[a-z]{1,12}")) {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let keys = ring(&[("k1", 1), ("k0", 0)]);
        let token = keys.sign(&claims(Purpose::Unsubscribe, topic.as_deref()));
        let mut bytes = engine.decode(&token).unwrap();
        let i = at.index(bytes.len());
        bytes[i] ^= flip;
        let altered = engine.encode(&bytes);
        prop_assert!(keys.verify(&altered, Purpose::Unsubscribe, NOW, None).is_err());
    }

    #[test]
    fn arbitrary_text_never_verifies_or_panics(s in "\\PC{0,160}") {
        let keys = ring(&[("k1", 1)]);
        prop_assert!(keys.verify(&s, Purpose::Unsubscribe, NOW, None).is_err());
    }
}
