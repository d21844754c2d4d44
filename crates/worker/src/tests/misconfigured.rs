//! Secrets that are missing or malformed in any way are a 503 naming them,
//! never a panic or a 500.

use super::*;

#[test]
fn malformed_secrets_of_every_kind_are_a_503_naming_them_never_a_500() {
    let bad_values = [
        "",
        " ",
        "x",
        "k1",
        "k1:",
        ":",
        "k1:!!!!",
        "k1:AAAA",
        "k1:short,k0:",
        "é",
        "\u{0}",
        "AAAA",
    ];
    for name in ["DOI_SIGNING_KEYS", "DOI_ID_KEY", "DOI_API_TOKEN"] {
        for bad in bad_values {
            let w = World::new();
            *w.secrets.borrow_mut() = crate::testing::local_secrets_with(name, bad);
            let requests = [
                Request::new(Method::Post, "/v1/subscribe")
                    .with_header("content-type", "application/json")
                    .with_header("origin", ORIGIN)
                    .with_body(
                        record("whitepaper", "s@example.com", "rec-secret-0000001").to_string(),
                    ),
                one_click_urlencoded("/u/whatever"),
                Request::new(Method::Get, "/p/whatever"),
                Request::new(Method::Post, "/v1/check")
                    .with_header(
                        "authorization",
                        "Bearer dev-api-token-do-not-use-in-production",
                    )
                    .with_header("content-type", "application/json")
                    .with_body(r#"{"list":"newsletter","emails":["s@example.com"]}"#),
            ];
            for req in requests {
                let r = w.send(req.clone());
                let what = format!("{name}={bad:?}: {:?} {}", req.method, req.path);
                assert_ne!(r.status, 500, "{what}");
                if r.status == 503 && r.header("content-type").unwrap().contains("json") {
                    let e = body_json(&r);
                    assert_eq!(e["error"]["code"], "misconfigured", "{what}");
                    assert_eq!(e["error"]["retryable"], false, "{what}");
                    assert!(
                        e["error"]["message"].as_str().unwrap().contains(name),
                        "{what}"
                    );
                }
            }
            if name != "DOI_API_TOKEN" || bad.trim().is_empty() {
                assert!(
                    w.logs.borrow().iter().any(|l| l.contains(name)),
                    "{name}={bad:?}: no log line names it: {:?}",
                    w.logs.borrow()
                );
            }
        }
    }
}
