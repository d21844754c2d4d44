//! Turnstile on a form: nothing is stored until siteverify said yes; the
//! request carries the form's secret, the token, the client's IP and an
//! idempotency key.

use doi_core::turnstile::{RESPONSE_FIELD, SITEVERIFY_URL};

use super::*;

const WHO: &str = "saburo@example.jp";

fn with_token(w: &World, record: &Value, token: Option<&str>) -> Response {
    let mut req = Request::new(Method::Post, "/v1/subscribe")
        .with_header("content-type", "application/json")
        .with_header("origin", ORIGIN)
        .with_header("cf-connecting-ip", "203.0.113.9")
        .with_body(record.to_string());
    if let Some(t) = token {
        req = req.with_header(RESPONSE_FIELD, t);
    }
    w.send(req)
}

fn events(w: &World) -> usize {
    w.store
        .keys()
        .iter()
        .filter(|k| k.starts_with("ev/"))
        .count()
}

#[test]
fn a_form_with_turnstile_stores_nothing_without_a_passed_check() {
    let w = World::new();
    let record = record("trial", WHO, "rec-turnstile-000001");
    let r = with_token(&w, &record, None);
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(body_json(&r)["error"]["code"], "turnstile_failed");
    assert_eq!(w.net.count(), 0, "no token: siteverify is not asked");

    w.net.serve(
        SITEVERIFY_URL,
        200,
        r#"{"success":false,"error-codes":["invalid-input-response"]}"#,
    );
    let r = with_token(&w, &record, Some("XXXX.DUMMY.TOKEN.XXXX"));
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(events(&w), 0);

    w.net.serve(SITEVERIFY_URL, 503, "");
    let r = with_token(&w, &record, Some("XXXX.DUMMY.TOKEN.XXXX"));
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(body_json(&r)["error"]["retryable"], true);
    assert_eq!(events(&w), 0);
}

#[test]
fn a_passed_check_lets_the_signup_through_and_siteverify_got_what_cloudflare_asks_for() {
    let w = World::new();
    w.net
        .serve(SITEVERIFY_URL, 200, r#"{"success":true,"error-codes":[]}"#);
    let record = record("trial", WHO, "rec-turnstile-000002");
    let r = with_token(&w, &record, Some("XXXX.DUMMY.TOKEN.XXXX"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(events(&w) > 0);
    let sent = w.net.last().unwrap();
    assert_eq!(sent.url, SITEVERIFY_URL);
    let body: Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(body["secret"], "1x0000000000000000000000000000000AA");
    assert_eq!(body["response"], "XXXX.DUMMY.TOKEN.XXXX");
    assert_eq!(body["remoteip"], "203.0.113.9");
    assert_eq!(body["idempotency_key"].as_str().unwrap().len(), 36);
    let line = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "updates", "emails": [WHO]})),
    );
    assert_eq!(body_json(&line)["results"][0]["allowed"], true);
}

#[test]
fn a_form_without_turnstile_never_asks_siteverify() {
    let w = World::new();
    let r = w.subscribe(&record("updates", WHO, "rec-turnstile-000003"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(w.net.last().is_none_or(|o| o.url != SITEVERIFY_URL));
}

#[test]
fn the_hosted_page_of_a_turnstile_form_loads_its_script_and_allows_it_in_the_csp() {
    let w = World::new();
    let r = w.send(Request::new(Method::Get, "/f/trial?lang=en"));
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("class=\"cf-turnstile\" data-sitekey=\"1x00000000000000000000AA\""));
    assert!(html.contains(doi_core::turnstile::SCRIPT_URL));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src https://challenges.cloudflare.com;"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-src https://challenges.cloudflare.com;"),
        "{csp}"
    );
    let plain = w.send(Request::new(Method::Get, "/f/updates"));
    assert!(!plain.text().contains("<script"));
    assert!(!plain
        .header("content-security-policy")
        .unwrap()
        .contains("script-src"));
}

#[test]
fn sign_ups_are_capped_per_address_per_day_with_the_same_refusal_for_any_address() {
    let w = World::new();
    *w.secrets.borrow_mut() = crate::testing::local_secrets_with("DOI_RATE_LIMITS", "on");
    let known = "known-cap@example.jp";
    w.subscribe(&record("updates", known, "rec-cap-000000000000"));
    let unknown = "unknown-cap@example.jp";
    let mut last = Vec::new();
    for (who, tag) in [(known, "k"), (unknown, "u")] {
        let mut statuses = Vec::new();
        for i in 0..crate::ratelimit::SIGNUPS_PER_ADDRESS_PER_DAY + 1 {
            let r = w.subscribe(&record("updates", who, &format!("rec-cap-{tag}-{i:012}")));
            statuses.push(r.status);
            if r.status == 429 {
                last.push(r.text());
            }
        }
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert!(refused >= 1, "{who}: {statuses:?}");
    }
    assert_eq!(
        last[0], last[1],
        "the refusal says nothing about the address"
    );
    assert!(!w.everything_visible().contains("known-cap"));
    // The next UTC day, the address may sign up again.
    w.advance(doi_core::time::DAY);
    let r = w.subscribe(&record("updates", unknown, "rec-cap-next-day-0001"));
    assert_eq!(r.status, 200, "{}", r.text());
}
