//! The overview and the activity over the in-memory store: a few people
//! through sign-up, confirmation-less pending, one-click and suppression,
//! recounted by "recount now"; the page's numbers are what `/v1/check`
//! answers for them, a snapshot without a summary (written before
//! summaries existed) is still counted, and the activity names people by
//! id only.

use super::flows::Viewer;
use crate::http::{Method, Request};
use crate::tests::{one_click_urlencoded, path_of, record, World};

/// The number the page shows for `key` (`data-count="{key}"`).
fn count(html: &str, key: &str) -> u64 {
    let marker = format!("data-count=\"{key}\">");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {key}")) + marker.len();
    html[at..].split('<').next().unwrap().parse().unwrap()
}

fn people(w: &World) {
    for (i, who) in ["a@example.jp", "c@example.jp", "d@example.jp"]
        .iter()
        .enumerate()
    {
        let r = w.subscribe(&record(
            "whitepaper",
            who,
            &format!("overview-record-{i:04}"),
        ));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let pending = w.subscribe(&record(
        "newsletter",
        "b@example.jp",
        "overview-record-0009",
    ));
    assert_eq!(pending.status, 200, "{}", pending.text());
    let link = w.link("c@example.jp", None, "unsubscribe_url");
    assert_eq!(w.send(one_click_urlencoded(&path_of(&link))).status, 200);
    let bounce = w.api(
        Method::Post,
        "/v1/suppressions",
        Some(serde_json::json!({"emails": ["d@example.jp"], "reason": "bounce"})),
    );
    assert_eq!(bounce.status, 200, "{}", bounce.text());
}

#[test]
fn the_overview_counts_what_check_answers_after_a_recount() {
    let w = World::new();
    people(&w);
    let v = Viewer::sign_in(&w);
    let before = w.send(
        Request::new(Method::Get, "/admin/overview?lang=en").with_header("cookie", &v.cookie),
    );
    assert_eq!(before.status, 200);
    assert!(
        before.text().contains("Not counted yet"),
        "{}",
        before.text()
    );
    let r = v.post("/admin/overview/recount", &[]);
    assert_eq!(
        (r.status, r.header("location")),
        (303, Some("/admin/overview?lang=en"))
    );
    let page = w.send(
        Request::new(Method::Get, "/admin/overview?lang=en").with_header("cookie", &v.cookie),
    );
    let html = page.text();
    assert!(html.contains("Counted as of"), "{html}");
    assert_eq!(count(&html, "all.subscribers"), 4);
    let n = |k: &str| count(&html, &format!("newsletter.{k}"));
    assert_eq!(
        (
            n("active"),
            n("pending"),
            n("unsubscribed"),
            n("suppressed")
        ),
        (1, 1, 1, 1)
    );
    assert_eq!((n("paused"), n("erased")), (0, 0));
    assert_eq!(
        (n("topic.product"), n("topic.tips"), n("topic.events")),
        (1, 1, 0)
    );
    assert_eq!((n("via.one_click"), n("via.bounce")), (1, 1));
    assert_eq!((n("source.whitepaper"), n("source.newsletter")), (3, 1));
    for (who, code) in [
        ("a@example.jp", "consented"),
        ("b@example.jp", "pending_confirmation"),
        ("c@example.jp", "unsubscribed"),
        ("d@example.jp", "unsubscribed"),
    ] {
        assert_eq!(w.check(who, None).1, code, "{who}");
    }
    assert_eq!(w.check("d@example.jp", None).2["via"], "bounce");
    assert!(html.contains("<svg") && html.contains("<rect") && html.contains("<title>"));
}

#[test]
fn a_snapshot_without_a_summary_is_read_and_counted() {
    let w = World::new();
    people(&w);
    // As a snapshot written before summaries existed: metadata {"n": …}.
    let key = crate::keys::snapshot(&w.sid("a@example.jp"));
    let text = crate::testing::TestStore::peek(&w.store, &key).unwrap();
    let listed =
        crate::testing::block_on(crate::store::Store::list(&w.store, &key, None, 1)).unwrap();
    let summary = listed.keys[0].metadata.as_ref().unwrap()["s"]
        .as_str()
        .unwrap();
    assert!(summary.contains(r#""newsletter":{"s":"a""#), "{summary}");
    let old = crate::store::PutOptions {
        ttl_secs: None,
        metadata: Some(serde_json::json!({"n": 1})),
    };
    crate::testing::block_on(crate::store::Store::put(&w.store, &key, &text, old)).unwrap();
    let v = Viewer::sign_in(&w);
    v.post("/admin/overview/recount", &[]);
    let html = w
        .send(Request::new(Method::Get, "/admin/overview?lang=en").with_header("cookie", &v.cookie))
        .text();
    assert_eq!(count(&html, "newsletter.active"), 1);
    assert!(!html.contains("have no summary yet"), "{html}");
}

#[test]
fn the_activity_names_people_by_id_and_opens_them_without_an_address_in_the_url() {
    let w = World::new();
    people(&w);
    let v = Viewer::sign_in(&w);
    v.post("/admin/overview/recount", &[]);
    let get = |path: &str| w.send(Request::new(Method::Get, path).with_header("cookie", &v.cookie));
    let html = get("/admin/activity?lang=en").text();
    assert!(
        !html.contains("@example.jp"),
        "no address in the feed: {html}"
    );
    let sid = w.sid("c@example.jp").to_string();
    let at = html.find(&sid).expect("c's one-click is in the feed");
    let first = html.find("<tbody>").unwrap();
    assert!(html[first..].contains("Unsubscribed (One-click"), "{html}");
    assert!(at > first);
    let person = get(&format!("/admin/subscriber/{sid}?lang=en"));
    assert_eq!(person.status, 200);
    assert!(person.text().contains("c@example.jp"));
    assert_eq!(get("/admin/subscriber/not-an-id?lang=en").status, 404);
    assert_eq!(get("/admin/activity?lang=en&page=99").status, 200);
}
