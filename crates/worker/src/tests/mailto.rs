//! Unsubscribing by mail: a mail to the `List-Unsubscribe` mailto address
//! whose subject carries its signed token unsubscribes that token's
//! subscriber (`via: mailto`); an unsigned, forged or misaddressed one
//! changes nothing; a failed write is an error, never a silent success.

use super::signup::{RID, WHO};
use super::*;
use crate::mailto::{self, Outcome};
use doi_core::mailto::Refusal;

const OURS: &str = "unsubscribe@sample-shoji.example";

/// The subject a mail client sends from the mailto of `email`'s links.
fn subject_for(w: &World, email: &str) -> String {
    let header = w.links(email, None)["list_unsubscribe"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, rest) = header.split_once("?subject=").unwrap();
    rest.trim_end_matches('>').replace("%20", " ")
}

/// Hands one mail to the `email` handler, as Email Routing would.
fn mail(w: &World, to: &str, subject: &str) -> Result<Outcome, crate::http::ApiError> {
    let c = ctx(&w.store, &w.net, w.now(), 77);
    let outcome = block_on(mailto::receive(&c, to, subject));
    w.logs.borrow_mut().extend(c.take_logs());
    outcome
}

#[test]
fn a_signed_unsubscribe_mail_unsubscribes_its_subscriber_via_mailto() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let subject = subject_for(&w, WHO);
    assert!(subject.starts_with("unsubscribe "), "{subject}");
    assert_eq!(
        mail(&w, OURS, &subject).unwrap(),
        Outcome::Unsubscribed(w.sid(WHO))
    );
    let (allowed, code, reason) = w.check(WHO, None);
    assert!(!allowed);
    assert_eq!(code, "unsubscribed");
    assert_eq!(reason["via"], "mailto");
    assert!(!w.everything_visible().contains(WHO));
}

#[test]
fn unsigned_forged_or_misaddressed_mail_changes_nothing() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let signed = subject_for(&w, WHO);
    let link = w.link(WHO, None, "unsubscribe_url");
    // After asking for links (which record the last-prepared time).
    let keys_before = w.store.keys();
    let link_token = link.rsplit('/').next().unwrap();
    // One character of the token changed, as a forger would guess.
    let middle = signed.len() - 20;
    let swap = if &signed[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let forged = format!("{}{swap}{}", &signed[..middle], &signed[middle + 1..]);
    for (to, subject) in [
        (OURS, "unsubscribe".to_string()),
        (OURS, forged),
        (OURS, format!("unsubscribe {link_token}")),
        ("sales@sample-shoji.example", signed.clone()),
    ] {
        assert!(
            matches!(mail(&w, to, &subject).unwrap(), Outcome::Ignored(_)),
            "{to} {subject}"
        );
    }
    assert_eq!(w.store.keys(), keys_before, "no key written or removed");
    assert_eq!(w.check(WHO, None).1, "consented");
    assert!(w
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("nothing changed")));
}

#[test]
fn a_mail_without_a_token_is_refused_as_such() {
    let w = World::new();
    assert_eq!(
        mail(&w, OURS, "please stop").unwrap(),
        Outcome::Ignored(Refusal::NoToken)
    );
}

#[test]
fn a_failed_write_is_an_error_and_claims_nothing() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let subject = subject_for(&w, WHO);
    w.store.fail_writes_to("");
    assert!(mail(&w, OURS, &subject).is_err());
    assert!(!w.logs.borrow().iter().any(|l| l.contains("unsubscribed")));
}
