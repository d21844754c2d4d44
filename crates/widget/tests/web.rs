//! Browser tests of the widget's Rust half, run by `cargo xtask test`
//! (suite `widget-browser`) in headless Chromium: what the loader gets from
//! `Form`, with the forms of doi.toml built in and addresses lower-cased by
//! the browser's own tables. The end-to-end
//! specs in `tests/widget-*.spec.mjs` cover the loader and the real Worker.
#![cfg(target_arch = "wasm32")]
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use doi_core::config::Config;
use doi_core::consent::ConsentRecord;
use doi_core::form::FormDefinition;
use doi_core::text::{email_error, Msg};
use doi_core::{EmailError, FormId, Locale, Method};
use doi_widget::forms::Refusal;
use doi_widget::{retry_delay, stylesheet, Form};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const RANDOM: [u8; 16] = [0x5a; 16];
const PAGE: &str = "https://shop.example/news?email=someone@example.com#top";
/// The Worker's origin, where the demo pages are.
const OWN: &str = "http://127.0.0.1:8787";

fn config() -> Config {
    Config::from_toml(include_str!("../../../doi.toml")).unwrap()
}

fn form(name: &str, hints: &str) -> Form {
    Form::new(name, hints, OWN, OWN).unwrap()
}

/// A record for `email` with the box ticked and every topic chosen.
fn record(form: &Form, email: &str) -> Option<String> {
    form.record(
        email,
        true,
        "product,tips,events",
        "",
        PAGE,
        1_800_000_000_000.0,
        5_000.0,
        &RANDOM,
        false,
    )
}

#[wasm_bindgen_test]
fn the_loaders_fallback_texts_are_the_catalogues() {
    // The fallback lives with the places it stands in.
    let loader = include_str!("../../../www/loader/page.js");
    for msg in [Msg::WidgetUnavailable, Msg::SignupElsewhere] {
        for locale in Locale::ALL {
            assert!(loader.contains(msg.text(locale)), "{msg:?} {locale}");
        }
    }
}

#[wasm_bindgen_test]
fn the_language_is_the_loaders_choice_then_the_senders_default() {
    assert_eq!(form("newsletter", "en").locale(), "en");
    assert_eq!(form("newsletter", "ja").locale(), "ja");
    let default = config().sender.default_locale;
    assert_eq!(form("newsletter", "").locale(), default.tag());
}

#[wasm_bindgen_test]
fn a_place_without_a_form_here_is_refused_saying_why() {
    let refused = |id: &str, page: &str| Form::new(id, "en", page, OWN).err().unwrap();
    assert_eq!(refused("", OWN), Refusal::NoId);
    assert_eq!(refused("Newsletter!", OWN), Refusal::BadId);
    assert_eq!(refused("no-such-form", OWN), Refusal::Unknown);
    let foreign = refused("newsletter", "https://elsewhere.example");
    assert_eq!(foreign, Refusal::Origin);
    let allowed = config().forms[0].allowed_origins[0].clone();
    assert!(Form::new("newsletter", "en", &allowed, "https://doi.example").is_ok());
}

#[wasm_bindgen_test]
fn the_layout_is_json_with_the_exact_consent_text_and_an_unticked_box() {
    for (hints, locale) in [("ja", Locale::Ja), ("en", Locale::En)] {
        let shown = form("newsletter", hints);
        let text = &FormDefinition::new(
            &config(),
            config()
                .form(&FormId::parse("newsletter").unwrap())
                .unwrap(),
        )
        .consent(locale)
        .text
        .clone();
        for attach in [false, true] {
            let layout = shown.layout(attach);
            let tree = js_sys::JSON::parse(&layout).unwrap();
            assert!(js_sys::Array::is_array(&tree));
            assert!(layout.contains(&serde_json::to_string(text).unwrap()));
            let consent = layout.find("\"doi-consent\"").unwrap();
            let tag_end = consent + layout[consent..].find('}').unwrap();
            assert!(!layout[consent..tag_end].contains("checked"));
        }
    }
}

#[wasm_bindgen_test]
fn an_unticked_box_or_a_bad_address_gives_no_record_and_says_why() {
    let shown = form("newsletter", "en");
    let said = shown.problems("not-an-address", false, "tips", false);
    assert_eq!(said[0], email_error(&EmailError::MissingAt, Locale::En));
    assert_eq!(said[1], "");
    assert_eq!(said[2], Msg::ConsentRequired.text(Locale::En));
    let unticked = shown.record(
        "someone@example.com",
        false,
        "tips",
        "",
        PAGE,
        0.0,
        5_000.0,
        &RANDOM,
        false,
    );
    assert_eq!(unticked, None);
    assert_eq!(record(&shown, "no-at-sign"), None);
    let no_topic = shown.problems("someone@example.com", true, "", false);
    assert_eq!(no_topic[1], Msg::TopicRequired.text(Locale::En));
}

#[wasm_bindgen_test]
fn in_attach_mode_an_unticked_box_is_silent_and_records_nothing() {
    let shown = form("whitepaper", "ja");
    let said = shown.problems("not-an-address", false, "", true);
    assert!(said.iter().all(|s| s.is_empty()), "{said:?}");
    let ticked = shown.problems("not-an-address", true, "", true);
    assert!(!ticked[0].is_empty());
}

#[wasm_bindgen_test]
fn addresses_are_lowercased_and_international_ones_pass() {
    let shown = form("newsletter", "en");
    for address in ["Someone@EXAMPLE.com", "taro@例え.テスト", "ÄRGER@bücher.de"] {
        let said = shown.problems(address, true, "tips", false);
        assert!(said.iter().all(|s| s.is_empty()), "{address}: {said:?}");
    }
}

#[wasm_bindgen_test]
fn a_ticked_box_gives_a_record_the_worker_accepts() {
    for hints in ["ja", "en"] {
        let shown = form("newsletter", hints);
        let json = record(&shown, " Taro@Example.jp ").unwrap();
        let sent: ConsentRecord = serde_json::from_str(&json).unwrap();
        assert!(
            sent.check(&config(), Method::Widget, None).is_ok(),
            "{json}"
        );
        assert_eq!(sent.email, "Taro@Example.jp");
        assert_eq!(sent.locale.tag(), hints);
        assert_eq!(sent.record_id, "5a".repeat(16));
        assert_eq!(sent.page_url, "https://shop.example/news");
        let topics: Vec<&str> = sent.topics.iter().map(|t| t.as_str()).collect();
        // In the form's order, whatever order they were ticked in.
        assert_eq!(topics, ["product", "events", "tips"]);
    }
}

#[wasm_bindgen_test]
fn the_same_random_bytes_give_the_same_record_id_and_others_are_refused() {
    let shown = form("newsletter", "en");
    let id = |json: String| {
        serde_json::from_str::<ConsentRecord>(&json)
            .unwrap()
            .record_id
    };
    assert_eq!(
        id(record(&shown, "a@example.com").unwrap()),
        id(record(&shown, "a@example.com").unwrap())
    );
    let short = shown.record(
        "a@example.com",
        true,
        "tips",
        "",
        PAGE,
        0.0,
        0.0,
        &[1; 8],
        false,
    );
    assert_eq!(short, None);
}

#[wasm_bindgen_test]
fn every_message_is_the_catalogues_in_both_languages() {
    for (hints, locale) in [("ja", Locale::Ja), ("en", Locale::En)] {
        let shown = form("newsletter", hints);
        assert_eq!(shown.says("sending"), Msg::Sending.text(locale));
        assert_eq!(shown.says("retrying"), Msg::Retrying.text(locale));
        assert_eq!(
            shown.accepted("pending", true),
            Msg::CheckInbox.text(locale)
        );
        assert_eq!(
            shown.accepted("subscribed", false),
            Msg::Subscribed.text(locale)
        );
        assert_eq!(shown.failed(0, ""), Msg::NetworkFailed.text(locale));
        assert_eq!(
            shown.failed(429, "rate_limited"),
            Msg::TooManyRequests.text(locale)
        );
    }
}

#[wasm_bindgen_test]
fn retries_wait_longer_each_time_and_stop_after_three() {
    let waits: Vec<i32> = (1..=4).map(|n| retry_delay(n, 0, None)).collect();
    assert!(waits[0] > 0 && waits[0] < waits[1] && waits[1] < waits[2]);
    assert_eq!(waits[3], -1);
    assert_eq!(retry_delay(1, 422, Some(false)), -1);
    assert!(stylesheet().contains(":host{all:initial"));
}
