//! Leaving in one click (RFC 8058): urlencoded and multipart bodies, a
//! topic's link, and every topic's link, which is leaving the list.

use super::signup::{RID, WHO};
use super::*;

#[test]
fn one_click_urlencoded_unsubscribes_with_200_and_no_redirect() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let links = w.links(WHO, None);
    assert_eq!(links["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let url = links["unsubscribe_url"].as_str().unwrap();
    assert!(!url.to_lowercase().contains("taro"), "{url}");
    let r = w.send(one_click_urlencoded(&path_of(url)));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("location"), None);
    let (allowed, code, reason) = w.check(WHO, None);
    assert!(!allowed);
    assert_eq!(code, "unsubscribed");
    assert_eq!(reason["via"], "one_click");
    assert_eq!(reason["at"], T0);
}

#[test]
fn one_click_multipart_unsubscribes_and_repeating_it_is_harmless() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let url = w.link(WHO, None, "unsubscribe_url");
    for _ in 0..2 {
        let r = w.send(one_click_multipart(&path_of(&url)));
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(w.check(WHO, None).1, "unsubscribed");
    }
}

#[test]
fn a_topic_link_one_click_stops_only_that_topic() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    let url = w.link(WHO, Some("tips"), "unsubscribe_url");
    assert_eq!(w.send(one_click_urlencoded(&path_of(&url))).status, 200);
    assert_eq!(w.check(WHO, Some("tips")).1, "unsubscribed");
    assert_eq!(w.check(WHO, Some("product")).1, "consented");
    assert_eq!(
        w.check(WHO, None).1,
        "consented",
        "list-wide mail: one topic is left"
    );
}

#[test]
fn one_clicking_every_topic_link_is_leaving_the_list() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, RID));
    for topic in ["product", "tips"] {
        let url = w.link(WHO, Some(topic), "unsubscribe_url");
        assert_eq!(w.send(one_click_urlencoded(&path_of(&url))).status, 200);
    }
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
    let page = w.link(WHO, None, "preferences_url");
    let shown = w.send(Request::new(Method::Get, &path_of(&page))).text();
    assert!(shown.contains(doi_core::text::Msg::NowReceivingNothing.text(doi_core::Locale::Ja)));
}
