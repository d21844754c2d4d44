//! The widget, the hosted page and the API decide a submission the same way:
//! each builds a `ConsentRecord` and asks `ConsentRecord::check`, so for any
//! input they accept and refuse alike and sign up for the same topics.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::config::Config;
use doi_core::consent::{chosen_topics, shows_topic_choice, ConsentRecord};
use doi_core::event::Method;
use doi_core::form::FormDefinition;
use doi_core::{Locale, Timestamp, TopicId};
use proptest::prelude::*;

fn config() -> Config {
    Config::from_toml(include_str!("../../../doi.toml")).unwrap()
}

fn record(config: &Config, form: usize, email: &str, topics: Vec<TopicId>) -> ConsentRecord {
    let form = &config.forms[form % config.forms.len()];
    let def = FormDefinition::new(config, form);
    let text = def.consent(Locale::En);
    ConsentRecord {
        record_id: "rec_0123456789abcdef".into(),
        form: form.id.clone(),
        email: email.into(),
        locale: Locale::En,
        consent_text: text.text.clone(),
        consent_version: text.version,
        consent: true,
        topics,
        page_url: String::new(),
        client_time: Timestamp(1_000),
        elapsed_ms: 60_000,
        website: String::new(),
        attach: false,
    }
}

fn topic_ids() -> impl Strategy<Value = Vec<TopicId>> {
    prop::collection::vec(
        prop::sample::select(vec!["product", "events", "tips", "nope"]),
        0..4,
    )
    .prop_map(|v| v.into_iter().map(|t| TopicId::parse(t).unwrap()).collect())
}

fn addresses() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("taro@example.com".to_string()),
        Just("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ".to_string()),
        Just("\u{3000}Taro@Example。com ".to_string()),
        Just("taro@@example.com".to_string()),
        "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}",
    ]
}

proptest! {
    #[test]
    fn every_surface_decides_a_submission_alike(form in 0usize..3, email in addresses(), topics in topic_ids()) {
        let c = config();
        let r = record(&c, form, &email, topics);
        let widget = r.check(&c, Method::Widget, None).map(|k| (k.email, k.topics));
        let page = r.check(&c, Method::HostedPage, None).map(|k| (k.email, k.topics));
        prop_assert_eq!(widget, page);
    }

    #[test]
    fn an_empty_choice_is_never_all_topics(offered in prop::collection::btree_set(prop::sample::select(vec!["a1", "b2", "c3", "d4"]), 0..4)) {
        let offered: Vec<TopicId> = offered.iter().map(|t| TopicId::parse(t).unwrap()).collect();
        match chosen_topics(&offered, &[]) {
            Ok(t) => {
                prop_assert!(!shows_topic_choice(&offered));
                prop_assert_eq!(t, offered);
            }
            Err(_) => prop_assert!(shows_topic_choice(&offered)),
        }
    }
}
