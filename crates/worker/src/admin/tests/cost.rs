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
        let cookie = r
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
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
