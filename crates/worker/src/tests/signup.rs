//! Signing up through the widget and checking; what a signup refuses.

use serde_json::json;

use super::*;

pub(super) const WHO: &str = "Taro.Yamada@Example.co.jp";
pub(super) const RID: &str = "rec-0123456789abcdef";

#[test]
fn signup_with_evidence_is_allowed_and_shows_the_exact_evidence() {
    let w = World::new();
    let r = w.subscribe(&record("whitepaper", WHO, RID));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        body_json(&r),
        json!({"ok": true, "record_id": RID, "double_opt_in": false, "status": "subscribed"})
    );
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(w.check(WHO, None).0);
    assert_eq!(w.check(WHO, Some("tips")).1, "consented");
    assert_eq!(w.check(WHO, Some("events")).1, "topic_not_chosen");

    let r = w.api(
        Method::Get,
        "/v1/subscribers/taro.yamada%40example.co.jp",
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = body_json(&r);
    assert_eq!(v["email"], "taro.yamada@example.co.jp");
    assert_eq!(v["verified"], true);
    let ev = &v["events"][0];
    assert_eq!(ev["type"], "subscribed");
    assert_eq!(ev["id"], RID);
    assert_eq!(ev["evidence"]["method"], "widget");
    assert_eq!(
        ev["evidence"]["page_url"],
        "https://sample-shoji.example/whitepaper"
    );
    assert_eq!(ev["evidence"]["user_agent"], "TestBrowser/1.0");
    assert_eq!(ev["at"], T0);
    let version = ev["evidence"]["consent_version"].as_str().unwrap();
    let form = config()
        .forms
        .iter()
        .find(|f| f.id.as_str() == "whitepaper")
        .unwrap();
    assert_eq!(v["consent_texts"][version]["text"], form.consent.ja);
    assert_eq!(v["consent_texts"][version]["form"], "whitepaper");
}

#[test]
fn a_signup_from_the_widgets_attach_mode_says_so_in_its_evidence() {
    let w = World::new();
    let mut attached = record("whitepaper", WHO, RID);
    attached["attach"] = json!(true);
    let r = w.subscribe(&attached);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = body_json(&w.api(
        Method::Get,
        "/v1/subscribers/taro.yamada%40example.co.jp",
        None,
    ));
    assert_eq!(v["events"][0]["evidence"]["method"], "widget_attach");
    let own = w.subscribe(&record(
        "whitepaper",
        "other@example.com",
        "rec-0123456789abcdee",
    ));
    assert_eq!(own.status, 200, "{}", own.text());
    let v = body_json(&w.api(Method::Get, "/v1/subscribers/other%40example.com", None));
    assert_eq!(v["events"][0]["evidence"]["method"], "widget");
}

#[test]
fn an_identical_repeat_signup_adds_no_event_and_answers_the_same() {
    let w = World::new();
    let first = w.subscribe(&record("whitepaper", WHO, RID));
    let again = w.subscribe(&record("whitepaper", WHO, "rec-repeat-0000000002"));
    let strip = |r: &Response| {
        let mut v = body_json(r);
        v["record_id"] = Value::Null;
        v
    };
    assert_eq!(strip(&first), strip(&again));
    let v = body_json(&w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid(WHO)),
        None,
    ));
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
}

#[test]
fn an_import_never_turns_a_stopped_topic_back_on() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let url = w.link(WHO, Some("tips"), "unsubscribe_url");
    w.send(one_click_urlencoded(&path_of(&url)));
    let records = json!({"records": [{"email": WHO, "list": "newsletter", "topics": ["product", "tips"],
        "consented_at": T0 - 1_000, "source": "CRM", "consent_text": "Yes", "locale": "en"}]});
    assert_eq!(w.api(Method::Post, "/v1/import", Some(records)).status, 200);
    assert_eq!(w.check(WHO, Some("tips")).1, "unsubscribed");
    assert_eq!(w.check(WHO, Some("product")).1, "consented");
}

#[test]
fn a_signup_records_the_lists_default_frequency() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let at = |f: &str| {
        let r = w.api(
            Method::Post,
            "/v1/check",
            Some(json!({"list": "newsletter", "frequency": f, "emails": [WHO]})),
        );
        body_json(&r)["results"][0]["reason"]["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(at("weekly"), "consented");
    assert_eq!(at("monthly"), "other_frequency");
}

#[test]
fn a_retried_signup_returns_the_same_answer_and_stores_nothing_new() {
    let w = World::new();
    let first = w.subscribe(&record("whitepaper", WHO, RID));
    let writes = w.store.ops().writes;
    let keys = w.store.keys();
    let again = w.subscribe(&record("whitepaper", WHO, RID));
    assert_eq!(first.body, again.body);
    assert_eq!(w.store.ops().writes, writes);
    assert_eq!(w.store.keys(), keys);
}

#[test]
fn signing_up_again_never_reveals_whether_the_address_was_subscribed() {
    let w = World::new();
    w.subscribe(&record(
        "newsletter",
        "known@example.com",
        "rec-aaaaaaaaaaaaaaaa",
    ));
    let known = w.subscribe(&record(
        "newsletter",
        "known@example.com",
        "rec-bbbbbbbbbbbbbbbb",
    ));
    let new = w.subscribe(&record(
        "newsletter",
        "new@example.com",
        "rec-bbbbbbbbbbbbbbbb",
    ));
    assert_eq!(known.status, new.status);
    assert_eq!(known.body, new.body);
    let unsubscribed = {
        let url = w.link("known@example.com", None, "unsubscribe_url");
        w.send(one_click_urlencoded(&path_of(&url)));
        w.subscribe(&record(
            "newsletter",
            "known@example.com",
            "rec-cccccccccccccccc",
        ))
    };
    let fresh = w.subscribe(&record(
        "newsletter",
        "other@example.com",
        "rec-cccccccccccccccc",
    ));
    assert_eq!(unsubscribed.body, fresh.body);
}

#[test]
fn fresh_consent_after_an_unsubscribe_is_a_resubscribe() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let url = w.link(WHO, None, "unsubscribe_url");
    w.send(one_click_urlencoded(&path_of(&url)));
    w.advance(1_000);
    w.subscribe(&record("whitepaper", WHO, "rec-0123456789abcdeX"));
    // Anyone can type anyone's address: a returning signup waits for the
    // mailbox owner's confirmation, even on a single opt-in form.
    assert_eq!(w.check(WHO, None).1, "pending_confirmation");
    let v = body_json(&w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid(WHO)),
        None,
    ));
    assert_eq!(v["events"][2]["type"], "resubscribed");
    assert_eq!(v["events"][2]["double_opt_in"], true);
    let hook: Value = serde_json::from_str(&w.net.last().unwrap().body).unwrap();
    let confirm = path_of(hook["confirm_url"].as_str().unwrap());
    assert_eq!(w.send(form_post(&confirm, &[])).status, 200);
    assert!(w.check(WHO, None).0);
}

#[test]
fn refused_submissions_get_their_code_and_store_nothing() {
    let w = World::new();
    let form = config()
        .forms
        .iter()
        .find(|f| f.id.as_str() == "whitepaper")
        .unwrap();
    let cases: Vec<(serde_json::Value, u16, &str)> = vec![
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["consent"] = json!(false);
                r
            },
            422,
            "consent_not_given",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["consent_text"] = json!("I agree to everything");
                r
            },
            422,
            "altered_consent_text",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["consent_text"] = json!("old text");
                r["consent_version"] = json!(doi_core::ConsentVersion::of("old text").to_string());
                r
            },
            422,
            "stale_consent_text",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["email"] = json!("taro@@example.com");
                r
            },
            422,
            "invalid_email",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["topics"] = json!(["events"]);
                r
            },
            422,
            "unknown_topic",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["website"] = json!("spam.example");
                r
            },
            422,
            "automated",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["record_id"] = json!("short");
                r
            },
            422,
            "bad_record_id",
        ),
        (
            {
                let mut r = record("whitepaper", WHO, RID);
                r["form"] = json!("nope");
                r
            },
            422,
            "unknown_form",
        ),
        (json!({"record_id": RID}), 400, "invalid_json"),
    ];
    assert!(!form.consent.ja.is_empty());
    for (body, status, code) in cases {
        let r = w.subscribe(&body);
        assert_eq!(
            (r.status, body_json(&r)["error"]["code"].as_str().unwrap()),
            (status, code),
            "{body}"
        );
    }
    let foreign = w.send(
        Request::new(Method::Post, "/v1/subscribe")
            .with_header("content-type", "application/json")
            .with_header("origin", "https://evil.example")
            .with_body(record("whitepaper", WHO, RID).to_string()),
    );
    assert_eq!(foreign.status, 403);
    assert_eq!(body_json(&foreign)["error"]["code"], "forbidden_origin");
    assert_eq!(foreign.header("access-control-allow-origin"), None);
    let oversized = w.subscribe(&json!({"junk": "x".repeat(20_000)}));
    assert_eq!(oversized.status, 413);
    assert_eq!(body_json(&oversized)["error"]["code"], "payload_too_large");
    assert!(w.store.keys().is_empty(), "{:?}", w.store.keys());
}

#[test]
fn form_definitions_are_served_with_cors_for_allowed_origins_only() {
    let w = World::new();
    let r = w.send(Request::new(Method::Get, "/v1/forms/newsletter").with_header("origin", ORIGIN));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    let v = body_json(&r);
    assert_eq!(v["id"], "newsletter");
    assert_eq!(v["double_opt_in"], true);
    let r = w.send(
        Request::new(Method::Get, "/v1/forms/newsletter")
            .with_header("origin", "https://evil.example"),
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = w.send(Request::new(Method::Options, "/v1/subscribe").with_header("origin", ORIGIN));
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(
        w.send(Request::new(Method::Get, "/v1/forms/nope")).status,
        404
    );
}

#[test]
fn no_address_appears_in_any_key_or_log_line() {
    let w = World::new();
    w.subscribe(&record("newsletter", WHO, RID));
    let url = w.link(WHO, None, "unsubscribe_url");
    w.send(one_click_urlencoded(&path_of(&url)));
    w.api(
        Method::Delete,
        "/v1/subscribers/taro.yamada%40example.co.jp",
        None,
    );
    let seen = w.everything_visible().to_lowercase();
    assert!(!seen.contains("taro"), "{seen}");
    assert!(!seen.contains("example.co.jp"), "{seen}");
}
