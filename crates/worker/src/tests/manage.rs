//! "Lost the mail? Get a link" (`/m`): one answer for every address, the
//! mail only for a known one and only after the answer, a daily cap.

use super::*;

const KNOWN: &str = "shiro@example.jp";
const UNKNOWN: &str = "nobody-here@example.jp";

fn ask(w: &World, email: &str) -> Response {
    w.send(form_post(
        "/m?lang=en",
        &[("email", email), ("website", "")],
    ))
}

#[test]
fn known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail_later() {
    let w = World::new();
    w.subscribe(&record("whitepaper", KNOWN, "rec-manage-000000001"));
    let before = w.net.count();
    let known = ask(&w, KNOWN);
    let unknown = ask(&w, UNKNOWN);
    assert_eq!(known.status, 200);
    assert_eq!(
        (known.status, known.text()),
        (unknown.status, unknown.text())
    );
    assert_eq!(known.headers, unknown.headers);
    assert_eq!(w.net.count(), before, "nothing is sent before the answer");

    w.run_tasks();
    assert_eq!(w.net.count(), before + 1, "one mail: the known address's");
    let sent: Value = serde_json::from_str(&w.net.last().unwrap().body).unwrap();
    assert_eq!(sent["type"], "manage_link");
    assert_eq!(sent["to"], KNOWN);
    let prefs = path_of(sent["preferences_url"].as_str().unwrap());
    assert!(prefs.starts_with("/p/"), "{prefs}");
    assert_eq!(w.send(Request::new(Method::Get, &prefs)).status, 200);
    assert!(!w.everything_visible().contains(KNOWN));
}

#[test]
fn an_address_gets_at_most_three_links_a_day_and_the_answer_stays_the_same() {
    let w = World::new();
    w.subscribe(&record("whitepaper", KNOWN, "rec-manage-000000002"));
    let first = ask(&w, KNOWN).text();
    for _ in 0..5 {
        assert_eq!(ask(&w, KNOWN).text(), first);
    }
    let before = w.net.count();
    w.run_tasks();
    assert_eq!(w.net.count() - before, 3);
}

#[test]
fn every_page_and_every_mail_footer_links_the_page() {
    let w = World::new();
    let page = w
        .send(Request::new(Method::Get, "/f/whitepaper?lang=ja"))
        .text();
    assert!(page.contains("href=\"/m?lang=ja\""));
    let links = w.links(KNOWN, None);
    assert!(links["footer_text"]
        .as_str()
        .unwrap()
        .contains("/m?lang=ja"));
    assert!(links["footer_html"]
        .as_str()
        .unwrap()
        .contains("/m?lang=ja"));
    let form = w.send(Request::new(Method::Get, "/m?lang=en"));
    assert_eq!(form.status, 200);
    assert!(form.text().contains("name=\"email\""));
}

#[test]
fn a_malformed_address_is_refused_without_saying_anything_about_others() {
    let w = World::new();
    let r = ask(&w, "not-an-address");
    assert_eq!(r.status, 422);
    assert!(w.store.keys().is_empty());
}
