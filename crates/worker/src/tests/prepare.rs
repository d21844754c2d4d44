//! `POST /v1/prepare`: a campaign's batch in one call — decisions in input
//! order, and for each recipient who may be mailed, working links, both
//! `List-Unsubscribe` headers and the footer.

use super::*;

fn prepare(w: &World, body: Value) -> Response {
    w.api(Method::Post, "/v1/prepare", Some(body))
}

#[test]
fn prepare_decides_in_input_order_and_gives_links_only_to_those_who_may_be_mailed() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "yes@example.com",
        "rec-prepare-0000001",
    ));
    w.subscribe(&record(
        "whitepaper",
        "left@example.com",
        "rec-prepare-0000002",
    ));
    let left = w.link("left@example.com", None, "unsubscribe_url");
    w.send(one_click_urlencoded(&path_of(&left)));
    let r = prepare(
        &w,
        json!({"list": "newsletter", "locale": "en",
               "recipients": ["ＹＥＳ@example.com", "left@example.com", "nope", "never@example.com"]}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = body_json(&r);
    let results = v["results"].as_array().unwrap();
    let codes: Vec<&str> = results
        .iter()
        .map(|l| l["reason"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["consented", "unsubscribed", "invalid_email", "no_consent"]
    );
    assert_eq!(
        results[0]["email"], "ＹＥＳ@example.com",
        "as the sender sent it"
    );
    assert_eq!(results[0]["allowed"], true);
    for refused in &results[1..] {
        assert_eq!(refused["allowed"], false);
        assert!(refused.get("unsubscribe_url").is_none(), "{refused}");
        assert!(refused.get("footer_text").is_none(), "{refused}");
    }
    let yes = &results[0];
    let unsubscribe = yes["unsubscribe_url"].as_str().unwrap();
    assert!(yes["list_unsubscribe"]
        .as_str()
        .unwrap()
        .contains(unsubscribe));
    assert_eq!(yes["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let sender = &config().sender;
    for footer in [&yes["footer_text"], &yes["footer_html"]] {
        let footer = footer.as_str().unwrap();
        assert!(footer.contains(sender.name.get(Locale::En)), "{footer}");
        assert!(footer.contains("Marunouchi"), "{footer}");
    }
    // The prepared link is the real one: one-click stops the mail.
    assert_eq!(
        w.send(one_click_multipart(&path_of(unsubscribe))).status,
        200
    );
    assert_eq!(w.check("yes@example.com", None).1, "unsubscribed");
}

#[test]
fn a_topic_campaign_prepares_links_that_stop_only_that_topic() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "topical@example.com",
        "rec-prepare-0000003",
    ));
    let r = prepare(
        &w,
        json!({"list": "newsletter", "topic": "tips", "frequency": "weekly",
               "recipients": ["topical@example.com"]}),
    );
    let v = body_json(&r);
    assert_eq!(v["locale"], "ja", "the sender's default language");
    let link = v["results"][0]["unsubscribe_url"]
        .as_str()
        .unwrap()
        .to_string();
    w.send(one_click_urlencoded(&path_of(&link)));
    assert_eq!(
        w.check("topical@example.com", Some("tips")).1,
        "unsubscribed"
    );
    assert_eq!(
        w.check("topical@example.com", Some("product")).1,
        "consented"
    );
    let monthly = prepare(
        &w,
        json!({"list": "newsletter", "topic": "product", "frequency": "monthly",
               "recipients": ["topical@example.com"]}),
    );
    let v = body_json(&monthly);
    assert_eq!(v["results"][0]["reason"]["code"], "other_frequency");
    assert!(v["results"][0].get("unsubscribe_url").is_none());
}

#[test]
fn prepare_refuses_a_batch_over_its_limit_and_unknown_lists() {
    let w = World::new();
    let many: Vec<String> = (0..=crate::api::prepare::MAX_PREPARE)
        .map(|i| format!("r{i}@example.com"))
        .collect();
    let r = prepare(&w, json!({"list": "newsletter", "recipients": many}));
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].clone()),
        (413, json!("batch_too_large"))
    );
    let r = prepare(&w, json!({"list": "nope", "recipients": []}));
    assert_eq!(body_json(&r)["error"]["code"], "unknown_list");
    let r = prepare(
        &w,
        json!({"list": "newsletter", "locale": "fr", "recipients": []}),
    );
    assert_eq!(body_json(&r)["error"]["code"], "invalid_request");
    let unauthorized = w.send(
        Request::new(Method::Post, "/v1/prepare")
            .with_header("content-type", "application/json")
            .with_body(json!({"list": "newsletter", "recipients": []}).to_string()),
    );
    assert_eq!(unauthorized.status, 401);
}
