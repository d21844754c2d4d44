//! When storage, secrets or deliveries fail: nothing is claimed that did
//! not happen, nothing panics, and snapshots heal.

use super::*;
use crate::secrets::Secrets;

const WHO: &str = "fail@example.com";

#[test]
fn a_failed_event_write_is_a_retryable_503_and_nothing_is_claimed() {
    let w = World::new();
    w.store.fail_writes_to("ev/");
    let r = w.subscribe(&record("whitepaper", WHO, "rec-fail-000000001"));
    assert_eq!(r.status, 503);
    let e = body_json(&r);
    assert_eq!(e["error"]["code"], "storage_unavailable");
    assert_eq!(e["error"]["retryable"], true);
    assert!(!w
        .store
        .keys()
        .iter()
        .any(|k| k.starts_with("ev/") || k.starts_with("snap/")));
    w.store.heal();
    assert_eq!(w.check(WHO, None).1, "no_consent");
    assert_eq!(
        w.subscribe(&record("whitepaper", WHO, "rec-fail-000000001"))
            .status,
        200
    );
    assert!(w.check(WHO, None).0);
}

#[test]
fn a_failed_one_click_write_is_a_503_and_the_address_stays_as_it_was() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, "rec-fail-000000002"));
    let url = w.link(WHO, None, "unsubscribe_url");
    w.store.fail_writes_to("ev/");
    let r = w.send(one_click_urlencoded(&path_of(&url)));
    assert_eq!(r.status, 503);
    assert!(r.text().contains("しばらくしてから"));
    w.store.heal();
    assert_eq!(w.send(one_click_urlencoded(&path_of(&url))).status, 200);
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}

#[test]
fn a_failed_snapshot_write_still_answers_200_and_is_rebuilt_after_the_response() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, "rec-fail-000000003"));
    let url = w.link(WHO, None, "unsubscribe_url");
    w.store.fail_writes_to("snap/");
    let r = w.send(one_click_urlencoded(&path_of(&url)));
    assert_eq!(r.status, 200, "the unsubscribe event is written");
    assert_eq!(w.tasks.borrow().len(), 1);
    w.store.heal();
    let lines = w.run_tasks();
    assert!(lines[0].contains("rebuilt"), "{lines:?}");
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}

#[test]
fn the_scheduled_sweep_rebuilds_missing_and_stale_snapshots() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, "rec-fail-000000004"));
    w.subscribe(&record(
        "whitepaper",
        "other@example.com",
        "rec-fail-000000005",
    ));
    let url = w.link(WHO, None, "unsubscribe_url");
    w.store.fail_writes_to("snap/");
    w.send(one_click_urlencoded(&path_of(&url)));
    w.store.heal();
    w.tasks.borrow_mut().clear(); // the retries failed too
    w.store
        .remove(&format!("snap/{}", w.sid("other@example.com")));
    assert!(w.check(WHO, None).0, "stale snapshot");
    let sweep = w.settle();
    assert_eq!(
        (sweep.subscribers, sweep.repaired, sweep.complete),
        (2, 2, true)
    );
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
    assert_eq!(
        w.check("other@example.com", None).1,
        "consented",
        "the consent was not lost"
    );
    let p = body_json(&w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid("other@example.com")),
        None,
    ));
    assert_eq!(p["events"][0]["type"], "subscribed");
    assert_eq!(
        p["email"], "other@example.com",
        "the address comes back from the signup event's metadata"
    );
    let again = w.settle();
    assert_eq!(again.repaired, 0);
}

#[test]
fn a_missing_secret_is_a_503_naming_it_and_a_log_line_not_a_panic() {
    let w = World::new();
    *w.secrets.borrow_mut() = Secrets::from_lookup(|_| None);
    let r = w.subscribe(&record("whitepaper", WHO, "rec-fail-000000006"));
    assert_eq!(r.status, 503);
    let e = body_json(&r);
    assert_eq!(e["error"]["code"], "misconfigured");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("DOI_ID_KEY"));
    assert!(w.logs.borrow().iter().any(|l| l.contains("DOI_ID_KEY")));
    let r = w.send(Request::new(Method::Get, "/u/whatever"));
    assert_eq!(r.status, 503);
    assert!(w
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("DOI_SIGNING_KEYS")));
    let r = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "newsletter", "emails": []})),
    );
    assert_eq!(body_json(&r)["error"]["code"], "misconfigured");
    assert_eq!(w.send(Request::new(Method::Get, "/healthz")).status, 200);
}

#[test]
fn unreadable_storage_is_a_503_not_an_empty_answer() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, "rec-fail-000000007"));
    w.store.fail_reads();
    let r = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "newsletter", "emails": [WHO]})),
    );
    assert_eq!(r.status, 503);
}

/// The README's table of KV operations per request, by row name:
/// (reads, writes, lists, deletes).
fn readme_kv_table() -> std::collections::BTreeMap<String, crate::store::Ops> {
    let readme = include_str!("../../../../README.md");
    let table = readme
        .split("<!-- kv-table -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- /kv-table -->").next())
        .expect("README.md has a <!-- kv-table --> section");
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| request") && !l.starts_with("|---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let n = |i: usize| -> usize {
                let c: &str = cells[i];
                c.split_whitespace().next().unwrap().parse().unwrap()
            };
            (
                cells[0].to_string(),
                crate::store::Ops {
                    reads: n(1),
                    writes: n(2),
                    lists: n(3),
                    deletes: n(4),
                },
            )
        })
        .collect()
}

#[test]
fn kv_operations_per_request_match_the_readme() {
    use crate::store::Ops;
    let table = readme_kv_table();
    let row = |name: &str| {
        *table
            .get(name)
            .unwrap_or_else(|| panic!("README row {name:?}"))
    };
    let w = World::new();
    let cost = |f: &dyn Fn()| {
        let before = w.store.ops();
        f();
        let after = w.store.ops();
        Ops {
            reads: after.reads - before.reads,
            writes: after.writes - before.writes,
            lists: after.lists - before.lists,
            deletes: after.deletes - before.deletes,
        }
    };
    let first = cost(&|| {
        w.subscribe(&record(
            "whitepaper",
            "first@example.com",
            "rec-ops-0000000001",
        ));
    });
    assert_eq!(first, row("first sign-up with a new consent text"));
    let single = cost(&|| {
        w.subscribe(&record(
            "whitepaper",
            "second@example.com",
            "rec-ops-0000000002",
        ));
    });
    assert_eq!(single, row("sign-up, single opt-in"));
    let repeat = cost(&|| {
        w.subscribe(&record(
            "whitepaper",
            "second@example.com",
            "rec-ops-0000000012",
        ));
    });
    assert_eq!(repeat, row("the same sign-up again"));
    w.subscribe(&record(
        "newsletter",
        "warmup@example.com",
        "rec-ops-0000000003",
    ));
    let double = cost(&|| {
        w.subscribe(&record(
            "newsletter",
            "doi@example.com",
            "rec-ops-0000000004",
        ));
    });
    assert_eq!(double, row("sign-up, double opt-in"));
    let confirm = {
        let hook: Value = serde_json::from_str(&w.net.last().unwrap().body).unwrap();
        path_of(hook["confirm_url"].as_str().unwrap())
    };
    assert_eq!(
        cost(&|| {
            w.send(form_post(&confirm, &[]));
        }),
        row("confirming it")
    );
    let url = w.link("second@example.com", None, "unsubscribe_url");
    assert_eq!(
        cost(&|| {
            w.send(Request::new(Method::Get, &path_of(&url)));
        }),
        row("showing a `/u` or `/p` page")
    );
    assert_eq!(
        cost(&|| {
            w.send(one_click_urlencoded(&path_of(&url)));
        }),
        row("one-click or page unsubscribe")
    );
    let preferences = w.link("first@example.com", None, "preferences_url");
    assert_eq!(
        cost(&|| {
            w.send(form_post(
                &path_of(&preferences),
                &[
                    ("action", "save"),
                    ("topics", "tips"),
                    ("frequency", "monthly"),
                ],
            ));
        }),
        row("preference change")
    );
    // The repair of each changed subscriber once its marks are due: seven
    // changes (the repeat made none) of four subscribers (first, second,
    // warm-up, doi).
    w.advance(crate::repair::SETTLE_MS);
    let swept = cost(&|| {
        w.sweep();
    });
    let per = row("its repair, later (per changed subscriber)");
    let run = row("cron run, marks due");
    let (marks, subscribers) = (7, 4);
    assert_eq!(
        swept,
        Ops {
            reads: run.reads + subscribers * per.reads,
            writes: run.writes + subscribers * per.writes,
            lists: run.lists + subscribers * per.lists,
            deletes: run.deletes + marks,
        }
    );
    w.advance(10 * 60_000);
    let idle = cost(&|| {
        w.sweep();
    });
    assert_eq!(idle, row("cron run, idle"));
}

#[test]
fn a_one_click_racing_a_preference_save_leaves_a_snapshot_that_says_no_mail() {
    use crate::subscribers::{self, Address};
    use doi_core::{EventKind, ListId, UnsubscribeScope, Via};
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, "rec-race-000000001"));
    let sid = w.sid(WHO);
    let list = ListId::parse("newsletter").unwrap();
    let one_click = ctx(&w.store, &w.net, T0 + 10, 1);
    let save = ctx(&w.store, &w.net, T0 + 10, 2);
    // Both read the log before either writes.
    let seen_by_one_click = block_on(subscribers::load(&w.store, sid)).unwrap();
    let seen_by_save = block_on(subscribers::load(&w.store, sid)).unwrap();
    let unsubscribe = EventKind::Unsubscribed {
        scope: UnsubscribeScope::List { list: list.clone() },
        via: Via::OneClick,
        reason: None,
    };
    let change = EventKind::PreferencesChanged {
        list,
        topics: vec![],
        frequency: None,
        paused_until: None,
    };
    block_on(subscribers::append(
        &one_click,
        &seen_by_one_click,
        one_click.fresh_id(),
        unsubscribe,
        Address::Keep,
    ))
    .unwrap();
    // The save's snapshot is written last, from a log read before the
    // one-click: it reads the snapshot again before writing, sees the
    // one-click's, and folds both.
    block_on(subscribers::append(
        &save,
        &seen_by_save,
        save.fresh_id(),
        change,
        Address::Keep,
    ))
    .unwrap();
    assert_eq!(w.check(WHO, None).1, "unsubscribed");
}
