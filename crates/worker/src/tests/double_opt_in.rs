//! Double opt-in: pending until the person presses the button in the mail.

use doi_core::time::HOUR;

use super::*;

const WHO: &str = "hanako@example.jp";

fn webhook(w: &World) -> Value {
    serde_json::from_str(&w.net.last().expect("a webhook was sent").body).unwrap()
}

#[test]
fn a_pending_signup_is_not_sendable_until_confirmed() {
    let w = World::new();
    let r = w.subscribe(&record("newsletter", WHO, "rec-doi-000000000001"));
    assert_eq!(body_json(&r)["status"], "pending");
    assert_eq!(w.check(WHO, None).1, "pending_confirmation");

    let hook = webhook(&w);
    assert_eq!(hook["type"], "confirmation");
    assert_eq!(hook["to"], WHO);
    assert_eq!(hook["locale"], "ja");
    let confirm = path_of(hook["confirm_url"].as_str().unwrap());
    assert!(confirm.starts_with("/c/"));

    // Opening the link (a mail scanner, a preview) changes nothing.
    let page = w.send(Request::new(Method::Get, &confirm));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("method=\"post\""));
    assert_eq!(w.check(WHO, None).1, "pending_confirmation");

    let done = w.send(form_post(&confirm, &[]));
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(
        done.text().contains("登録が完了しました"),
        "{}",
        done.text()
    );
    assert_eq!(w.check(WHO, None).1, "consented");
    // Confirming twice is confirming once.
    let events = w
        .store
        .keys()
        .iter()
        .filter(|k| k.starts_with("ev/"))
        .count();
    w.send(form_post(&confirm, &[]));
    assert_eq!(
        w.store
            .keys()
            .iter()
            .filter(|k| k.starts_with("ev/"))
            .count(),
        events
    );
}

#[test]
fn the_webhook_is_signed_with_hmac_over_time_and_body() {
    let w = World::new();
    w.subscribe(&record("newsletter", WHO, "rec-doi-000000000002"));
    let sent = w.net.last().unwrap();
    let sig = sent
        .headers
        .iter()
        .find(|(n, _)| n == "doi-signature")
        .unwrap()
        .1
        .clone();
    let expected = crate::delivery::signature(
        "dev-webhook-secret-do-not-use-in-production",
        doi_core::Timestamp(T0),
        &sent.body,
    );
    assert_eq!(sig, expected);
    assert_eq!(
        sent.url,
        "https://hooks.sample-shoji.example/doi/confirmation"
    );
}

#[test]
fn the_confirmation_mail_carries_a_working_this_wasnt_me_link() {
    let w = World::new();
    w.subscribe(&record("newsletter", WHO, "rec-doi-000000000003"));
    let hook = webhook(&w);
    let not_me = hook["not_me_url"].as_str().unwrap();
    assert!(hook["text"].as_str().unwrap().contains(not_me));
    assert!(hook["html"].as_str().unwrap().contains(not_me));
    assert!(not_me.ends_with("?from=not_me"), "{not_me}");
    let (_, path, query) = crate::http::split_url(not_me);
    let not_me = format!("{path}?{query}");
    let page = w.send(Request::new(Method::Get, &not_me));
    assert_eq!(page.status, 200);
    // The page's button posts back with the marker.
    assert!(page.text().contains("from=not_me"), "{}", page.text());
    let r = w.send(form_post(&not_me, &[("action", "unsubscribe_all")]));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("今後届きません"), "{}", r.text());
    let (_, code, reason) = w.check(WHO, None);
    assert_eq!(
        (code.as_str(), reason["via"].as_str()),
        ("unsubscribed", Some("not_me"))
    );
    // Confirming afterwards cannot bring the mail back.
    w.send(form_post(
        &path_of(hook["confirm_url"].as_str().unwrap()),
        &[],
    ));
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}

#[test]
fn expired_and_forged_confirm_links_get_a_plain_400_page() {
    let w = World::new();
    w.subscribe(&record("newsletter", WHO, "rec-doi-000000000004"));
    let confirm = path_of(webhook(&w)["confirm_url"].as_str().unwrap());
    let mut forged = confirm.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for path in [forged.as_str(), "/c/garbage", "/c/"] {
        let r = w.send(form_post(path, &[]));
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.status);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
    }
    w.advance(73 * HOUR);
    let r = w.send(form_post(&confirm, &[]));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("有効期限"), "{}", r.text());
    assert_eq!(w.check(WHO, None).1, "pending_confirmation");
}

#[test]
fn an_unsubscribe_link_cannot_confirm_and_a_confirm_link_cannot_unsubscribe() {
    let w = World::new();
    w.subscribe(&record("newsletter", WHO, "rec-doi-000000000005"));
    let hook = webhook(&w);
    let confirm_token = path_of(hook["confirm_url"].as_str().unwrap()).replace("/c/", "");
    let unsub_token = path_of(hook["unsubscribe_url"].as_str().unwrap()).replace("/u/", "");
    assert_eq!(
        w.send(form_post(&format!("/c/{unsub_token}"), &[])).status,
        400
    );
    assert_eq!(
        w.send(one_click_urlencoded(&format!("/u/{confirm_token}")))
            .status,
        400
    );
    assert_eq!(w.check(WHO, None).1, "pending_confirmation");
}

#[test]
fn confirmation_mails_to_one_address_are_limited_per_day_silently() {
    let w = World::new();
    let mut bodies = Vec::new();
    for i in 0..5 {
        let r = w.subscribe(&record(
            "newsletter",
            WHO,
            &format!("rec-doi-rate-00000{i}"),
        ));
        assert_eq!(r.status, 200);
        bodies.push(body_json(&r)["status"].clone());
    }
    assert_eq!(w.net.count(), 3, "max_per_address_per_day = 3");
    assert!(bodies.iter().all(|b| b == "pending"));
    w.advance(24 * HOUR);
    w.subscribe(&record("newsletter", WHO, "rec-doi-rate-nextday"));
    assert_eq!(w.net.count(), 4);
    let counter = w
        .store
        .keys()
        .into_iter()
        .find(|k| k.starts_with("rl/"))
        .unwrap();
    assert!(w.store.ttl_of(&counter).is_some());
}

#[test]
fn a_failed_delivery_is_a_retryable_502_and_the_retry_sends_again() {
    let w = World::new();
    w.net.answer(500);
    let rec = record("newsletter", WHO, "rec-doi-000000000006");
    let r = w.subscribe(&rec);
    assert_eq!(r.status, 502);
    let e = body_json(&r);
    assert_eq!(e["error"]["code"], "delivery_failed");
    assert_eq!(e["error"]["retryable"], true);
    w.net.answer(200);
    let r = w.subscribe(&rec);
    assert_eq!(r.status, 200);
    assert_eq!(w.net.count(), 2);
    assert_eq!(w.check(WHO, None).1, "pending_confirmation");
}

#[test]
fn an_already_active_address_gets_no_new_confirmation_mail() {
    let w = World::new();
    w.subscribe(&record("newsletter", WHO, "rec-doi-000000000007"));
    let confirm = path_of(webhook(&w)["confirm_url"].as_str().unwrap());
    w.send(form_post(&confirm, &[]));
    let sent = w.net.count();
    let r = w.subscribe(&record("newsletter", WHO, "rec-doi-000000000008"));
    assert_eq!(body_json(&r)["status"], "pending");
    assert_eq!(w.net.count(), sent);
    assert_eq!(w.check(WHO, None).1, "consented");
}
