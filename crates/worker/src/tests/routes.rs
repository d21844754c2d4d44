//! Every route the Worker answers, with good and bad input, carries the
//! hardening headers: a strict Content-Security-Policy that frames nothing,
//! no referrer (tokens are in URLs), no MIME sniffing — and pages reached
//! through a token, like every JSON answer, are never cached.

use super::*;

/// What every response must carry; the problems found.
fn problems(r: &Response) -> Vec<String> {
    let mut p = Vec::new();
    let csp = r.header("content-security-policy").unwrap_or("");
    if !csp.split(';').any(|d| d.trim() == "frame-ancestors 'none'") {
        p.push(format!("CSP frames: {csp:?}"));
    }
    let scripts = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .or_else(|| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with("default-src"))
        })
        .unwrap_or("");
    if scripts.is_empty()
        || [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "*",
            "http:",
            "https:",
            "data:",
        ]
        .iter()
        .any(|loose| scripts.split_whitespace().any(|s| s == *loose))
    {
        p.push(format!("CSP scripts: {csp:?}"));
    }
    if r.header("referrer-policy") != Some("no-referrer") {
        p.push("Referrer-Policy".into());
    }
    if r.header("x-content-type-options") != Some("nosniff") {
        p.push("X-Content-Type-Options".into());
    }
    if r.header("content-type").is_none() {
        p.push("Content-Type".into());
    }
    if r.header("access-control-allow-origin") == Some("*") {
        p.push("ACAO *".into());
    }
    if r.status >= 500 {
        p.push(format!("status {}", r.status));
    }
    p
}

fn no_store(r: &Response) -> bool {
    r.header("cache-control")
        .is_some_and(|c| c.contains("no-store"))
}

#[test]
fn every_route_carries_the_hardening_headers_and_token_pages_are_not_cached() {
    let w = World::new();
    let who = "routes@example.com";
    w.subscribe(&record("whitepaper", who, "rec-routes-00000001"));
    let links = w.links(who, Some("tips"));
    let u = path_of(links["unsubscribe_url"].as_str().unwrap());
    let p = path_of(links["preferences_url"].as_str().unwrap());
    w.subscribe(&record(
        "newsletter",
        "pending@example.com",
        "rec-routes-00000002",
    ));
    let hook: Value = serde_json::from_str(&w.net.last().unwrap().body).unwrap();
    let c = path_of(hook["confirm_url"].as_str().unwrap());
    let bearer = (
        "authorization",
        "Bearer dev-api-token-do-not-use-in-production",
    );
    let json_post = |path: &str, body: Value| {
        Request::new(Method::Post, path)
            .with_header(bearer.0, bearer.1)
            .with_header("content-type", "application/json")
            .with_body(body.to_string())
    };
    let token_pages: Vec<Request> = vec![
        Request::new(Method::Get, &u),
        Request::new(Method::Get, &format!("{p}?lang=en")),
        Request::new(Method::Get, &c),
        form_post(
            &p,
            &[
                ("action", "save"),
                ("topics", "tips"),
                ("frequency", "monthly"),
            ],
        ),
        form_post(&p, &[("action", "reason"), ("reason", "other")]),
        form_post(&c, &[]),
        one_click_multipart(&u),
        form_post(&u, &[("action", "unsubscribe_all")]),
        Request::new(Method::Get, "/u/not-a-token"),
        Request::new(Method::Get, "/p/not-a-token"),
        Request::new(Method::Get, "/c/not-a-token"),
        one_click_urlencoded("/u/not-a-token"),
        Request::new(Method::Delete, &u),
    ];
    let others: Vec<Request> = vec![
        Request::new(Method::Get, "/healthz"),
        Request::new(Method::Get, "/no-such-page"),
        Request::new(Method::Get, "/f/whitepaper"),
        Request::new(Method::Get, "/f/newsletter?lang=en"),
        Request::new(Method::Get, "/f/no-such-form"),
        form_post("/f/whitepaper", &[("email", "x")]),
        Request::new(Method::Get, "/v1/forms/newsletter").with_header("origin", ORIGIN),
        Request::new(Method::Get, "/v1/forms/nope"),
        Request::new(Method::Options, "/v1/subscribe").with_header("origin", ORIGIN),
        Request::new(Method::Post, "/v1/subscribe")
            .with_header("origin", ORIGIN)
            .with_header("content-type", "application/json")
            .with_body("{"),
        json_post("/v1/links", json!({"email": who, "list": "newsletter"})),
        json_post("/v1/check", json!({"list": "newsletter", "emails": [who]})),
        json_post("/v1/import", json!({"records": []})),
        json_post(
            "/v1/suppressions",
            json!({"emails": [], "reason": "manual"}),
        ),
        Request::new(Method::Get, "/v1/export?limit=1").with_header(bearer.0, bearer.1),
        Request::new(Method::Get, &format!("/v1/subscribers/{}", w.sid(who)))
            .with_header(bearer.0, bearer.1),
        Request::new(Method::Delete, "/v1/subscribers/gone%40example.com")
            .with_header(bearer.0, bearer.1),
        Request::new(Method::Post, "/v1/check").with_body("{}"),
        Request::new(Method::Get, "/v1/nothing"),
        Request::new(Method::Other, "/v1/check"),
    ];
    let mut failures = Vec::new();
    for (req, token_page) in token_pages
        .into_iter()
        .map(|r| (r, true))
        .chain(others.into_iter().map(|r| (r, false)))
    {
        let r = w.send(req.clone());
        let mut found = problems(&r);
        let json = r.header("content-type").unwrap_or("").contains("json");
        // Form definitions are public and the same for everyone.
        let public = req.path.starts_with("/v1/forms/");
        if (token_page || json && !public) && !no_store(&r) {
            found.push("cacheable".into());
        }
        if !found.is_empty() {
            failures.push(format!(
                "{:?} {} ({}): {}",
                req.method,
                req.path,
                r.status,
                found.join(", ")
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
