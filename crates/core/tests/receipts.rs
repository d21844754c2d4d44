//! Consent receipts: a receipt is made for each consent, confirmation and
//! withdrawal, rebuilds to the very bytes that were signed from the stored
//! event and its metadata, and stops verifying when any byte of the event
//! (or of the claims) changes. Signed here with ed25519-compact, the crate
//! the Worker signs with.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use doi_core::config::Config;
use doi_core::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use doi_core::ledger::{self, LoggedEvent};
use doi_core::receipt::{self, Action, Context, Receipt, Stored};
use doi_core::{ConsentVersion, Event, FormId, ListId, Locale, SubscriberId, Timestamp, TopicId};
use ed25519_compact::{KeyPair, PublicKey, Seed, Signature};
use proptest::prelude::*;

fn config() -> Config {
    Config::from_toml(include_str!("../../../doi.toml")).unwrap()
}

fn evidence(form: Option<FormId>) -> Evidence {
    Evidence {
        method: Method::Widget,
        form,
        consent_version: ConsentVersion::of("同意します"),
        locale: Locale::Ja,
        page_url: None,
        client_time: None,
        user_agent: None,
        source: None,
        opt_in: None,
    }
}

fn kinds() -> impl Strategy<Value = EventKind> {
    let list = || ListId::parse("newsletter").unwrap();
    prop_oneof![
        Just(EventKind::Subscribed {
            list: list(),
            topics: vec![TopicId::parse("product").unwrap()],
            frequency: None,
            double_opt_in: true,
            evidence: evidence(config().forms.first().map(|f| f.id.clone())),
        }),
        Just(EventKind::Confirmed {
            list: list(),
            link_issued: None
        }),
        Just(EventKind::Unsubscribed {
            scope: UnsubscribeScope::All,
            via: Via::OneClick,
            reason: None,
        }),
        Just(EventKind::Unsubscribed {
            scope: UnsubscribeScope::Topic {
                list: list(),
                topic: TopicId::parse("events").unwrap(),
            },
            via: Via::Page,
            reason: None,
        }),
        Just(EventKind::Erased),
    ]
}

fn logged(kind: EventKind, at: u64, parents: Vec<doi_core::EventHash>) -> (LoggedEvent, Vec<u8>) {
    let event = Event {
        id: EventId::from_random([3; 16]),
        at: Timestamp(at),
        subscriber: SubscriberId([9; 16]),
        parents,
        kind,
    };
    let (hash, bytes) = ledger::seal(&event).unwrap();
    (LoggedEvent { hash, event }, bytes)
}

fn keypair() -> KeyPair {
    KeyPair::from_seed(Seed::new([7; 32]))
}

/// What the Worker stores in the event's metadata.
fn sign(logged: &LoggedEvent, context: &Context) -> Stored {
    let r = Receipt::of(logged, context).unwrap();
    let input = receipt::signing_input("r1", &r).unwrap();
    let sig = keypair().sk.sign(input.as_bytes(), None);
    Stored {
        k: "r1".into(),
        s: URL_SAFE_NO_PAD.encode(sig.as_ref()),
        c: context.clone(),
    }
}

fn verifies(jws: &str, pk: &PublicKey) -> bool {
    let Ok(parsed) = receipt::parse(jws) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&parsed.signature) else {
        return false;
    };
    pk.verify(parsed.signing_input.as_bytes(), &sig).is_ok()
}

proptest! {
    #[test]
    fn a_stored_receipt_rebuilds_to_a_jws_that_verifies_and_names_the_event(
        kind in kinds(), at in 0u64..4_000_000_000_000,
    ) {
        let (logged, bytes) = logged(kind, at, vec![]);
        let context = Context::of(&config(), &logged.event, "https://doi.example");
        let stored = sign(&logged, &context);
        let jws = stored.jws(&ledger::open(&bytes).unwrap()).unwrap();
        prop_assert!(verifies(&jws, &keypair().pk));
        let parsed = receipt::parse(&jws).unwrap();
        prop_assert_eq!(parsed.kid, "r1");
        prop_assert_eq!(parsed.receipt.head, logged.hash);
        prop_assert_eq!(parsed.receipt.sub, logged.event.subscriber);
        prop_assert_eq!(parsed.receipt.jti.as_str(), logged.event.id.as_str());
        prop_assert_eq!(parsed.receipt.iat, at / 1000);
    }

    #[test]
    fn any_changed_byte_of_the_claims_fails_verification(
        kind in kinds(), index in any::<prop::sample::Index>(), flip in 1u8..=255,
    ) {
        let (logged, _) = logged(kind, 1_764_633_600_000, vec![]);
        let context = Context::of(&config(), &logged.event, "https://doi.example");
        let jws = sign(&logged, &context).jws(&logged).unwrap();
        let parsed = receipt::parse(&jws).unwrap();
        let mut payload = receipt::payload(&parsed.receipt).unwrap();
        let i = index.index(payload.len());
        payload[i] ^= flip;
        let (h, _) = parsed.signing_input.split_once('.').unwrap();
        let forged = format!("{h}.{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(&parsed.signature));
        prop_assert!(!verifies(&forged, &keypair().pk));
    }
}

#[test]
fn a_rewritten_event_no_longer_matches_its_receipt() {
    let (first, _) = logged(
        EventKind::Subscribed {
            list: ListId::parse("newsletter").unwrap(),
            topics: vec![TopicId::parse("product").unwrap()],
            frequency: None,
            double_opt_in: false,
            evidence: evidence(None),
        },
        1_000,
        vec![],
    );
    let context = Context::of(&config(), &first.event, "https://doi.example");
    let stored = sign(&first, &context);
    // The same event with another topic, as a rewrite of KV would store it.
    let mut rewritten = first.event.clone();
    if let EventKind::Subscribed { topics, .. } = &mut rewritten.kind {
        *topics = vec![TopicId::parse("events").unwrap()];
    }
    let (hash, _) = ledger::seal(&rewritten).unwrap();
    let jws = stored
        .jws(&LoggedEvent {
            hash,
            event: rewritten,
        })
        .unwrap();
    assert!(!verifies(&jws, &keypair().pk));
    // And another key's signature is not the Worker's.
    let other = KeyPair::from_seed(Seed::new([8; 32]));
    assert!(!verifies(&stored.jws(&first).unwrap(), &other.pk));
}

#[test]
fn only_consent_confirmation_and_withdrawal_have_receipts() {
    let context = Context {
        iss: "https://doi.example".into(),
        controller: "Example".into(),
        contact: "privacy@example.com".into(),
        policy: None,
        retention_override: None,
    };
    let (prefs, _) = logged(
        EventKind::PreferencesChanged {
            list: ListId::parse("newsletter").unwrap(),
            topics: vec![],
            frequency: None,
            paused_until: None,
        },
        5,
        vec![],
    );
    assert_eq!(Receipt::of(&prefs, &context), None);
    let (reason, _) = logged(
        EventKind::ReasonGiven {
            reason: "too_many".into(),
        },
        5,
        vec![],
    );
    assert_eq!(Receipt::of(&reason, &context), None);
    let (erased, _) = logged(EventKind::Erased, 5, vec![]);
    let r = Receipt::of(&erased, &context).unwrap();
    assert_eq!(r.action, Action::Withdrawal);
    assert_eq!(r.method, "erasure");
}

#[test]
fn a_consent_receipt_carries_the_form_policy_and_the_text_version() {
    let config = config();
    let form = config.forms.first().unwrap();
    let (signup, _) = logged(
        EventKind::Subscribed {
            list: form.list.clone(),
            topics: vec![],
            frequency: None,
            double_opt_in: false,
            evidence: evidence(Some(form.id.clone())),
        },
        5,
        vec![],
    );
    let context = Context::of(&config, &signup.event, "https://doi.example");
    assert_eq!(context.policy.as_deref(), Some(form.privacy_url.as_str()));
    let r = Receipt::of(&signup, &context).unwrap();
    assert_eq!(r.action, Action::Consent);
    assert_eq!(r.method, "widget");
    assert_eq!(r.jurisdiction, "JP");
    assert_eq!(r.consent_version, Some(ConsentVersion::of("同意します")));
    assert_eq!(r.purposes[0].list.as_ref(), Some(&form.list));
}

#[test]
fn what_kv_metadata_keeps_of_a_receipt_is_ascii_even_for_a_japanese_sender() {
    let config = config();
    let (logged, _) = logged(EventKind::Erased, 5, vec![]);
    let context = Context::of(&config, &logged.event, "https://doi.example");
    assert!(
        !context.controller.is_ascii(),
        "the sample sender's name is Japanese"
    );
    let stored = sign(&logged, &context);
    let text = serde_json::to_string(&stored).unwrap();
    assert!(text.is_ascii(), "{text}");
    let back: Stored = serde_json::from_str(&text).unwrap();
    assert_eq!(back, stored);
    assert_eq!(back.jws(&logged), stored.jws(&logged));
}

#[test]
fn a_jwk_is_an_okp_ed25519_key_that_reads_back() {
    let pk: [u8; 32] = *keypair().pk;
    let jwk = receipt::jwk("r1", &pk);
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(receipt::jwk_key(&jwk), Some(("r1".to_string(), pk)));
    assert!(receipt::header("bad kid").is_none());
    assert!(receipt::parse("a.b").is_err());
}
