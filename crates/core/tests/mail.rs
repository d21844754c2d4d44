//! Every mail carries a working opt-out and the sender's identity.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::config::Config;
use doi_core::mail::{confirmation_mail, links, Recipient, ONE_CLICK};
use doi_core::token::{Keyring, Purpose};
use doi_core::{ListId, Locale, SubscriberId, Timestamp};

fn setup() -> (Config, Keyring) {
    let c = Config::from_toml(include_str!("../../../doi.toml")).unwrap();
    (c, Keyring::new(vec![("k1".into(), vec![1; 32])]).unwrap())
}

#[test]
fn links_carry_one_click_headers_and_verifiable_tokens() {
    let (c, keys) = setup();
    let list = ListId::parse("newsletter").unwrap();
    let l = links(
        &c,
        &keys,
        "https://doi.example/",
        &Recipient {
            subscriber: SubscriberId([5; 16]),
            list: list.clone(),
            topic: None,
        },
        Locale::En,
        Timestamp(1_000),
    );
    assert!(l.unsubscribe_url.starts_with("https://doi.example/u/"));
    assert!(l.preferences_url.starts_with("https://doi.example/p/"));
    assert_eq!(l.list_unsubscribe_post, ONE_CLICK);
    assert!(l
        .list_unsubscribe
        .starts_with(&format!("<{}>", l.unsubscribe_url)));
    // The mailto's subject carries a token of its own purpose for the same
    // subscriber and list.
    let (_, mailto) = l
        .list_unsubscribe
        .split_once(", <mailto:unsubscribe@sample-shoji.example?subject=unsubscribe%20")
        .unwrap();
    let mailto = keys
        .verify(
            mailto.trim_end_matches('>'),
            Purpose::Mailto,
            Timestamp(9_000_000_000_000),
            None,
        )
        .unwrap();
    assert_eq!(
        (mailto.subscriber, mailto.list),
        (SubscriberId([5; 16]), list.clone())
    );
    let token = l.unsubscribe_url.rsplit('/').next().unwrap();
    let claims = keys
        .verify(
            token,
            Purpose::Unsubscribe,
            Timestamp(9_000_000_000_000),
            None,
        )
        .unwrap();
    assert_eq!(claims.subscriber, SubscriberId([5; 16]));
}

#[test]
fn footer_names_sender_address_contact_and_links_in_both_languages() {
    let (c, keys) = setup();
    let list = ListId::parse("newsletter").unwrap();
    for locale in Locale::ALL {
        let l = links(
            &c,
            &keys,
            "https://doi.example",
            &Recipient {
                subscriber: SubscriberId([5; 16]),
                list: list.clone(),
                topic: None,
            },
            locale,
            Timestamp(1_000),
        );
        for part in [
            c.sender.name.get(locale),
            c.sender.postal_address.get(locale),
            l.unsubscribe_url.as_str(),
            l.preferences_url.as_str(),
        ] {
            assert!(
                l.footer_text.contains(part),
                "{locale}: text footer lacks {part}"
            );
        }
        assert!(l
            .footer_html
            .contains(&doi_core::html::escape(c.sender.name.get(locale))));
        assert!(l
            .footer_html
            .contains(&format!("href=\"{}\"", l.unsubscribe_url)));
    }
}

#[test]
fn the_confirmation_mail_has_a_not_me_link() {
    let (c, _) = setup();
    let m = confirmation_mail(
        &c,
        Locale::Ja,
        "https://d/c/CONF",
        "https://d/u/UNSUB",
        "https://d/p/PREF",
    );
    assert!(m.subject.contains("株式会社サンプル商事"));
    let not_me = "https://d/u/UNSUB?from=not_me";
    assert!(m.text.contains("https://d/c/CONF") && m.text.contains(not_me));
    assert!(m.html.contains("href=\"https://d/u/UNSUB?from=not_me\""));
    // The footer's own unsubscribe link stays plain.
    assert!(m.text.contains(": https://d/u/UNSUB\n"));
}
