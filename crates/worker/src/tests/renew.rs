//! Consent that ages: `consent_stale` from `/v1/check`, the re-permission
//! link from `/v1/prepare` and `/v1/links`, and its page `/n/{token}`.

use doi_core::time::DAY;

use super::*;

const WHO: &str = "jiro@example.jp";

fn check_updates(w: &World, email: &str) -> Value {
    let r = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "updates", "emails": [email]})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    body_json(&r)["results"][0].clone()
}

fn prepare_updates(w: &World, email: &str) -> Value {
    let r = w.api(
        Method::Post,
        "/v1/prepare",
        Some(json!({"list": "updates", "recipients": [email]})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    body_json(&r)["results"][0].clone()
}

fn consent_version_field(page: &str) -> String {
    let at = page.find("name=\"consent_version\" value=\"").unwrap() + 30;
    page[at..at + 64].to_string()
}

#[test]
fn consent_goes_stale_after_the_lists_maximum_age_and_one_press_renews_it() {
    let w = World::new();
    let r = w.subscribe(&record("updates", WHO, "rec-renew-0000000001"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(check_updates(&w, WHO)["allowed"], true);
    assert!(
        prepare_updates(&w, WHO).get("renew_url").is_none(),
        "not due yet"
    );

    w.advance(340 * DAY);
    let due = prepare_updates(&w, WHO);
    assert_eq!(due["allowed"], true, "still fresh, but due");
    let renew = path_of(due["renew_url"].as_str().unwrap());
    assert!(renew.starts_with("/n/"), "{renew}");

    w.advance(30 * DAY);
    let stale = check_updates(&w, WHO);
    assert_eq!(stale["allowed"], false);
    assert_eq!(stale["reason"]["code"], "consent_stale");
    let prepared = prepare_updates(&w, WHO);
    assert!(prepared.get("unsubscribe_url").is_none(), "no mail links");
    assert!(prepared["renew_url"].as_str().unwrap().contains("/n/"));

    // Opening the link (a scanner, a preview) changes nothing.
    let events = w.store.keys().len();
    let page = w.send(Request::new(Method::Get, &renew));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("method=\"post\""));
    assert_eq!(w.store.keys().len(), events);
    assert_eq!(check_updates(&w, WHO)["reason"]["code"], "consent_stale");

    let version = consent_version_field(&page.text());
    let done = w.send(form_post(&renew, &[("consent_version", &version)]));
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(
        done.text().contains("引き続きお届けします"),
        "{}",
        done.text()
    );
    assert_eq!(check_updates(&w, WHO)["allowed"], true);
    // Pressing again with the same link is the same renewal.
    let keys = w.store.keys().len();
    w.send(form_post(&renew, &[("consent_version", &version)]));
    assert_eq!(w.store.keys().len(), keys);
}

#[test]
fn a_withdrawn_subscriber_cannot_be_renewed() {
    let w = World::new();
    w.subscribe(&record("updates", WHO, "rec-renew-0000000002"));
    let renew = path_of(
        w.api(
            Method::Post,
            "/v1/links",
            Some(json!({"email": WHO, "list": "updates"})),
        )
        .text()
        .split('"')
        .find(|s| s.contains("/n/"))
        .unwrap(),
    );
    let version = consent_version_field(&w.send(Request::new(Method::Get, &renew)).text());
    let r = w.api(
        Method::Post,
        "/v1/suppressions",
        Some(json!({"emails": [WHO], "reason": "manual"})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let page = w.send(Request::new(Method::Get, &renew)).text();
    assert!(!page.contains("<form method=\"post\""), "no button: {page}");
    let done = w.send(form_post(&renew, &[("consent_version", &version)]));
    assert_eq!(done.status, 200);
    assert!(!done.text().contains("引き続きお届けします"));
    w.advance(400 * DAY);
    let line = check_updates(&w, WHO);
    assert_eq!(line["allowed"], false);
    assert_eq!(line["reason"]["code"], "unsubscribed");
}

#[test]
fn a_link_of_another_purpose_is_refused_on_the_renewal_page() {
    let w = World::new();
    w.subscribe(&record("updates", WHO, "rec-renew-0000000003"));
    let prefs = path_of(&w.link(WHO, None, "preferences_url"));
    let token = prefs.trim_start_matches("/p/");
    let r = w.send(form_post(&format!("/n/{token}"), &[]));
    assert_eq!(r.status, 400);
}
