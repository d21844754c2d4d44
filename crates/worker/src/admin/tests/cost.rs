//! What console views cost in KV operations, counted the way KV bills
//! them over the bench harness's store: a sign-in costs nothing, one
//! person's page and proof cost a few operations whatever the number of
//! subscribers, and the export page one listing. The README's table is
//! this test's output (`cargo test -p doi-worker --lib console_costs --
//! --nocapture`).

use crate::http::{Method, Request};
use crate::testing::world::{email, World};

fn form(path: &str, cookie: &str, body: String) -> Request {
    Request::new(Method::Post, path)
        .with_header("cookie", cookie)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body)
}

#[test]
fn console_costs_stay_a_few_kv_operations_per_view_whatever_the_number_of_subscribers() {
    for n in [1_000, 10_000] {
        let w = World::new();
        w.seed(0, n);
        let token = crate::testing::local_var("DOI_API_TOKEN").unwrap();
        let (r, sign_in) = w.calls(
            &Request::new(Method::Post, "/admin/sign-in").with_body(format!("token={token}")),
        );
        let cookie = super::flows::session_cookie(&r);
        let (home, home_calls) =
            w.calls(&Request::new(Method::Get, "/admin").with_header("cookie", &cookie));
        let csrf = super::flows::csrf_of(&home.text());
        let who = crate::formdata::percent_encode(&email(n / 2));
        let (person, person_calls) = w.calls(&form(
            "/admin/person",
            &cookie,
            format!("csrf={csrf}&email={who}"),
        ));
        assert_eq!(person.status, 200, "{}", person.text());
        let (_, proof_calls) = w.calls(&form(
            "/admin/proof",
            &cookie,
            format!("csrf={csrf}&email={who}"),
        ));
        let (_, export_calls) =
            w.calls(&Request::new(Method::Get, "/admin/export").with_header("cookie", &cookie));
        println!(
            "{n} subscribers: sign-in {}; home {}; person {}; proof {}; export page {}",
            sign_in.describe(),
            home_calls.describe(),
            person_calls.describe(),
            proof_calls.describe(),
            export_calls.describe()
        );
        assert_eq!(sign_in.total() + home_calls.total(), 0);
        assert!(
            person_calls.total() <= 3 && proof_calls.total() <= 4,
            "{person_calls:?} {proof_calls:?}"
        );
        assert_eq!(export_calls.total(), 1);
    }
}

/// A pass over `n` subscribers by the cron, one page a run: the KV calls
/// of each run, and then of one overview view.
fn overview_pass(
    w: &World,
) -> (
    usize,
    crate::testing::world::Calls,
    crate::testing::world::Calls,
) {
    let config = crate::config().unwrap();
    let mut runs = 0;
    let mut worst = crate::testing::world::Calls::default();
    loop {
        let before = w.store.calls.get();
        let now = doi_core::Timestamp(crate::testing::world::NOW);
        let run = crate::testing::block_on(crate::overview::run(&w.store, config, now, 1, false))
            .unwrap();
        let calls = w.store.calls.get().since(before);
        assert!(run.looked);
        runs += 1;
        if calls.total() > worst.total() {
            worst = calls;
        }
        if run.finished {
            break;
        }
    }
    let before = w.store.calls.get();
    let idle = crate::testing::block_on(crate::overview::run(
        &w.store,
        config,
        doi_core::Timestamp(crate::testing::world::NOW),
        1,
        false,
    ))
    .unwrap();
    assert!(!idle.looked, "a finished pass waits for its interval");
    let idle_calls = w.store.calls.get().since(before);
    assert_eq!(idle_calls.total(), 1, "an idle run is one read");
    (runs, worst, idle_calls)
}

#[test]
fn the_overview_costs_one_read_per_view_and_one_read_list_and_write_per_cron_run() {
    for n in [1_000, 10_000, 100_000] {
        let w = World::new();
        if n <= 10_000 {
            w.seed(0, n);
        } else {
            // 100,000 imports take minutes natively: the first 1,000 are
            // real, the rest copies of their snapshot keys (value and
            // metadata) under other ids — a pass reads only the listing.
            w.seed(0, 1_000);
            let listed = crate::testing::block_on(crate::store::list_all(
                &w.store.inner,
                crate::keys::SNAPSHOTS,
            ))
            .unwrap();
            for i in 1_000..n {
                let k = &listed[i % 1_000];
                let value =
                    crate::testing::block_on(crate::store::Store::get(&w.store.inner, &k.name))
                        .unwrap()
                        .unwrap();
                let mut b = [0u8; 16];
                b[..8].copy_from_slice(&(i as u64).to_be_bytes());
                let key = crate::keys::snapshot(&doi_core::SubscriberId(b));
                let options = crate::store::PutOptions {
                    ttl_secs: None,
                    metadata: k.metadata.clone(),
                };
                crate::testing::block_on(crate::store::Store::put(
                    &w.store.inner,
                    &key,
                    &value,
                    options,
                ))
                .unwrap();
            }
        }
        let (runs, per_run, idle) = overview_pass(&w);
        let token = crate::testing::local_var("DOI_API_TOKEN").unwrap();
        let (r, _) = w.calls(
            &Request::new(Method::Post, "/admin/sign-in").with_body(format!("token={token}")),
        );
        let cookie = super::flows::session_cookie(&r);
        let (page, view) = w.calls(
            &Request::new(Method::Get, "/admin/overview?lang=en").with_header("cookie", &cookie),
        );
        assert!(page
            .text()
            .contains(&format!("data-count=\"all.subscribers\">{n}<")));
        let (_, activity) = w.calls(
            &Request::new(Method::Get, "/admin/activity?lang=en").with_header("cookie", &cookie),
        );
        let stored = crate::testing::block_on(crate::store::Store::get(
            &w.store.inner,
            crate::overview::KEY,
        ))
        .unwrap()
        .unwrap();
        println!(
            "{n} subscribers: overview view {}; activity page {}; cron run during a pass {} ({runs} runs a pass); idle cron run {}; {} bytes stored",
            view.describe(),
            activity.describe(),
            per_run.describe(),
            idle.describe(),
            stored.len(),
        );
        assert_eq!((view.total(), activity.total()), (1, 1));
        assert_eq!((per_run.reads, per_run.lists, per_run.writes), (1, 1, 1));
        assert_eq!(per_run.bulk_reads, 0, "every snapshot has its summary");
        assert_eq!(runs, n.div_ceil(crate::overview::PAGE));
    }
}
