//! The repair under load: a backlog of marks (a big import) never delays
//! the repair of a withdrawal, and a run that cannot finish keeps the
//! cron looking.

use crate::repair;
use crate::store::{PutOptions, Store};

use super::*;

const WHO: &str = "backlog@example.com";

#[test]
fn a_backlog_of_imports_never_delays_a_withdrawals_repair() {
    let w = World::new();
    w.subscribe(&record("whitepaper", WHO, "rec-backlog-000000001"));
    let key = format!("snap/{}", w.sid(WHO));
    let before = w.store.peek(&key).unwrap();
    let url = w.link(WHO, None, "unsubscribe_url");
    assert_eq!(w.send(one_click_urlencoded(&path_of(&url))).status, 200);
    let records: Vec<Value> = (0..300)
        .map(|i| json!({"email": format!("import{i}@example.com"), "list": "newsletter", "topics": ["tips"],
                        "consented_at": T0 - 1_000, "source": "CRM", "consent_text": "Yes", "locale": "en"}))
        .collect();
    for batch in records.chunks(doi_core::limits::CHANGE_BATCH) {
        let r = w.api(
            Method::Post,
            "/v1/import",
            Some(json!({ "records": batch })),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // A writer elsewhere that read before the one-click writes its snapshot back.
    block_on(w.store.put(&key, &before, PutOptions::default())).unwrap();
    assert_eq!(w.check(WHO, None).1, "consented", "the damage KV allows");

    w.advance(repair::SETTLE_MS);
    let first = block_on(repair::sweep(&w.store, doi_core::Timestamp(w.now()), 200)).unwrap();
    assert!(
        !first.complete,
        "the backlog does not fit one small run: {first:?}"
    );
    assert!(first.operations <= 200, "{first:?}");
    assert_eq!(
        w.check(WHO, None).1,
        "unsubscribed",
        "the withdrawal was repaired first"
    );

    // The pulse is kept open: later runs go on until the backlog is done.
    let mut runs = 1;
    loop {
        w.advance(60_000);
        let s = w.sweep();
        assert!(s.looked, "run {runs}: {s:?}");
        runs += 1;
        if s.complete {
            break;
        }
        assert!(runs < 50, "the backlog never drained");
    }
    assert!(w.store.keys().iter().all(|k| !k.starts_with("mark/")));
}
