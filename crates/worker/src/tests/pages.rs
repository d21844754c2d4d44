//! The hosted pages as a person uses them.

use super::*;

const WHO: &str = "jiro@example.com";

fn signed_up(w: &World) -> (String, String) {
    w.subscribe(&record("whitepaper", WHO, "rec-page-0000000001"));
    let l = w.links(WHO, None);
    (
        path_of(l["unsubscribe_url"].as_str().unwrap()),
        path_of(l["preferences_url"].as_str().unwrap()),
    )
}

#[test]
fn getting_token_pages_any_number_of_times_changes_nothing() {
    let w = World::new();
    let (u, p) = signed_up(&w);
    let writes = w.store.ops().writes;
    for path in [&u, &p, &u, &p] {
        let r = w.send(Request::new(Method::Get, path));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert!(r
            .header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    }
    assert_eq!(w.store.ops().writes, writes);
    assert!(w.check(WHO, None).0);
}

#[test]
fn the_unsubscribe_pages_first_and_largest_action_stops_everything() {
    let w = World::new();
    let (u, _) = signed_up(&w);
    let html = w
        .send(Request::new(Method::Get, &format!("{u}?lang=en")))
        .text();
    let first_form = html.find("<form").unwrap();
    let all_button = html.find("class=\"primary\"").unwrap();
    let stop_all = html
        .find("Stop all email from Sample Trading Co., Ltd.")
        .unwrap();
    assert!(first_form < all_button && all_button < stop_all);
    assert!(html[first_form..all_button].contains("value=\"unsubscribe_all\""));
    // Below it: topics, frequency, pause.
    let below = &html[stop_all..];
    for part in [
        "name=\"topics\"",
        "name=\"frequency\"",
        "name=\"pause\"",
        "Pause for 30 days",
    ] {
        assert!(below.contains(part), "{part}");
    }
    let r = w.send(form_post(
        &format!("{u}?lang=en"),
        &[("action", "unsubscribe_all")],
    ));
    assert_eq!(r.status, 200);
    assert!(r
        .text()
        .contains("You will receive no more email from Sample Trading Co., Ltd."));
    assert!(r.text().contains("You currently receive no email."));
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}

#[test]
fn pages_speak_the_language_asked_for() {
    let w = World::new();
    let (u, _) = signed_up(&w);
    let ja = w
        .send(Request::new(Method::Get, &u).with_header("accept-language", "ja-JP,en;q=0.5"))
        .text();
    assert!(ja.contains("<html lang=\"ja\"") && ja.contains("配信停止"));
    let en = w
        .send(Request::new(Method::Get, &u).with_header("accept-language", "en-US"))
        .text();
    assert!(en.contains("<html lang=\"en\"") && en.contains("Unsubscribe"));
    let forced = w
        .send(
            Request::new(Method::Get, &format!("{u}?lang=en")).with_header("accept-language", "ja"),
        )
        .text();
    assert!(forced.contains("<html lang=\"en\""));
    let default = w.send(Request::new(Method::Get, &u)).text();
    assert!(
        default.contains("<html lang=\"ja\""),
        "the sender's default"
    );
}

#[test]
fn preferences_drop_a_topic_change_frequency_pause_leave_and_return() {
    let w = World::new();
    let (_, p) = signed_up(&w);
    let en = format!("{p}?lang=en");
    let r = w.send(form_post(
        &en,
        &[
            ("action", "save"),
            ("topics", "product"),
            ("frequency", "monthly"),
            ("pause", "0"),
        ],
    ));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("Your preferences are saved."));
    assert!(r
        .text()
        .contains("You now receive: New products and services"));
    assert!(r.text().contains("How often: Monthly digest"));
    assert_eq!(w.check(WHO, Some("tips")).1, "topic_not_chosen");
    assert_eq!(w.check(WHO, Some("product")).1, "consented");
    let weekly = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "newsletter", "frequency": "weekly", "emails": [WHO]})),
    );
    assert_eq!(
        body_json(&weekly)["results"][0]["reason"]["code"],
        "other_frequency"
    );

    let r = w.send(form_post(
        &en,
        &[
            ("action", "save"),
            ("topics", "product"),
            ("frequency", "monthly"),
            ("pause", "30"),
        ],
    ));
    assert!(r.text().contains("Email is paused until"));
    assert_eq!(w.check(WHO, None).1, "paused");

    let r = w.send(form_post(
        &en,
        &[("action", "unsubscribe_all"), ("reason", "too_many")],
    ));
    assert!(r.text().contains("You will receive no more email from"));
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
    assert!(r.text().contains("value=\"resubscribe\""));

    w.advance(1_000);
    let form = config()
        .forms
        .iter()
        .find(|f| f.id.as_str() == "newsletter")
        .unwrap();
    let version = form.consent_version(doi_core::Locale::En).to_string();
    let r = w.send(form_post(
        &en,
        &[("action", "resubscribe"), ("consent_version", &version)],
    ));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("You&#39;re subscribed again."));
    assert_eq!(w.check(WHO, Some("events")).1, "consented");
}

#[test]
fn unticking_every_topic_is_leaving_the_list() {
    let w = World::new();
    let (_, p) = signed_up(&w);
    let r = w.send(form_post(
        &format!("{p}?lang=en"),
        &[("action", "save"), ("pause", "0")],
    ));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("You currently receive no email."));
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}

#[test]
fn a_resubscribe_with_an_outdated_text_is_refused() {
    let w = World::new();
    let (u, p) = signed_up(&w);
    w.send(form_post(&u, &[("action", "unsubscribe_all")]));
    let r = w.send(form_post(
        &p,
        &[
            ("action", "resubscribe"),
            ("consent_version", &"0".repeat(64)),
        ],
    ));
    assert_eq!(r.status, 422);
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}

#[test]
fn broken_links_get_a_plain_400_page_never_a_500() {
    let w = World::new();
    let (u, _) = signed_up(&w);
    let foreign = {
        let keys =
            doi_core::Keyring::parse("zz:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
        keys.sign(&doi_core::Claims {
            purpose: doi_core::Purpose::Unsubscribe,
            subscriber: w.sid(WHO),
            list: doi_core::ListId::parse("newsletter").unwrap(),
            topic: None,
            issued: doi_core::Timestamp(T0),
        })
    };
    for path in [
        u[..u.len() - 5].to_string(),
        format!("{u}x"),
        "/u/%3Cscript%3E".to_string(),
        format!("/u/{foreign}"),
        "/p/AAAA".to_string(),
    ] {
        for req in [
            Request::new(Method::Get, &path),
            one_click_urlencoded(&path),
        ] {
            let r = w.send(req);
            assert_eq!(r.status, 400, "{path}");
            assert!(r.text().contains("このリンクは使えません"));
            assert!(!r.text().contains("<script>"));
        }
    }
    assert!(w.check(WHO, None).0);
}

#[test]
fn the_hosted_signup_page_records_consent_without_javascript() {
    let w = World::new();
    let page = w.send(Request::new(Method::Get, "/f/whitepaper?lang=en"));
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(!html.contains("<script"));
    assert!(
        html.contains("name=\"consent\" value=\"yes\" required>"),
        "never pre-ticked"
    );
    assert!(!html.contains("name=\"consent\" value=\"yes\" checked"));
    assert!(html.contains("<label for=\"email\">"));
    let field = |name: &str| {
        let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let (record_id, version, rendered) = (
        field("record_id"),
        field("consent_version"),
        field("rendered_at"),
    );
    w.advance(5_000);
    let submit = |email: &str, consent: bool| {
        let mut f = vec![
            ("email", email),
            ("locale", "en"),
            ("consent_version", version.as_str()),
            ("record_id", record_id.as_str()),
            ("rendered_at", rendered.as_str()),
            ("website", ""),
            ("topics", "tips"),
        ];
        if consent {
            f.push(("consent", "yes"));
        }
        w.send(form_post("/f/whitepaper?lang=en", &f))
    };
    let r = submit("<script>alert(1)</script>@x.example", true);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!r.text().contains("<script>alert"));
    let r = submit("ken@example.com", false);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("Please tick the box"));
    let r = submit("ken@example.com", true);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("You&#39;re subscribed. Thank you."));
    assert_eq!(w.check("ken@example.com", Some("tips")).1, "consented");
    assert_eq!(
        w.check("ken@example.com", Some("product")).1,
        "topic_not_chosen"
    );
    let v = body_json(&w.api(Method::Get, "/v1/subscribers/ken@example.com", None));
    assert_eq!(v["events"][0]["evidence"]["method"], "hosted_page");
    assert_eq!(
        v["events"][0]["evidence"]["page_url"],
        "http://127.0.0.1:8787/f/whitepaper"
    );
    assert_eq!(v["events"][0]["evidence"]["locale"], "en");
}

#[test]
fn a_bot_that_submits_the_hosted_form_instantly_is_refused() {
    let w = World::new();
    let html = w.send(Request::new(Method::Get, "/f/newsletter")).text();
    let at = html.find("name=\"rendered_at\" value=\"").unwrap() + 26;
    let rendered = &html[at..at + html[at..].find('"').unwrap()];
    let form = config()
        .forms
        .iter()
        .find(|f| f.id.as_str() == "newsletter")
        .unwrap();
    let version = form.consent_version(doi_core::Locale::Ja).to_string();
    let r = w.send(form_post(
        "/f/newsletter",
        &[
            ("email", "bot@example.com"),
            ("consent", "yes"),
            ("locale", "ja"),
            ("consent_version", &version),
            ("record_id", "rec-bot-00000000001"),
            ("rendered_at", rendered),
        ],
    ));
    assert_eq!(r.status, 422);
    assert!(w.store.keys().is_empty());
}
