//! The sender API: authorisation, limits, erasure, export, import and
//! suppressions.

use super::*;

#[test]
fn the_sender_api_needs_the_exact_bearer_token() {
    let w = World::new();
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic dev-api-token-do-not-use-in-production"),
    ] {
        let mut req = Request::new(Method::Post, "/v1/check")
            .with_header("content-type", "application/json")
            .with_body(json!({"list": "newsletter", "emails": []}).to_string());
        if let Some(a) = auth {
            req = req.with_header("authorization", a);
        }
        let r = w.send(req);
        assert_eq!(r.status, 401);
        assert_eq!(body_json(&r)["error"]["code"], "unauthorized");
    }
}

#[test]
fn batches_and_bodies_over_the_limits_are_413() {
    let w = World::new();
    let emails: Vec<String> = (0..501).map(|i| format!("u{i}@example.com")).collect();
    let r = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "newsletter", "emails": emails})),
    );
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].as_str()),
        (413, Some("batch_too_large"))
    );
    let r = w.api(
        Method::Post,
        "/v1/links",
        Some(json!({"email": "x".repeat(300_000)})),
    );
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    let r = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "nope", "emails": []})),
    );
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].as_str()),
        (422, Some("unknown_list"))
    );
    let r = w.api(
        Method::Post,
        "/v1/links",
        Some(json!({"email": "a@example.com", "list": "newsletter", "topic": "nope"})),
    );
    assert_eq!(body_json(&r)["error"]["code"], "unknown_topic");
    assert_eq!(w.api(Method::Get, "/v1/check", None).status, 405);
    assert_eq!(w.api(Method::Get, "/v1/nothing", None).status, 404);
}

#[test]
fn check_answers_every_address_in_order_with_reasons() {
    let w = World::new();
    w.subscribe(&record("whitepaper", "a@example.com", "rec-check-00000001"));
    let r = w.api(
        Method::Post,
        "/v1/check",
        Some(json!({"list": "newsletter", "emails": ["a@example.com", "not an address", "b@example.com"]})),
    );
    let v = body_json(&r);
    let codes: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reason"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["consented", "invalid_email", "no_consent"]);
    assert_eq!(v["results"][1]["email"], "not an address");
    assert_eq!(v["results"][1]["allowed"], false);
    assert!(v["results"][0]["subscriber_id"].is_string());
}

#[test]
fn links_carry_headers_and_a_footer_with_sender_and_address() {
    let w = World::new();
    let l = w.links("a@example.com", None);
    let u = l["unsubscribe_url"].as_str().unwrap();
    assert!(u.starts_with("http://127.0.0.1:8787/u/"));
    assert!(l["list_unsubscribe"]
        .as_str()
        .unwrap()
        .starts_with(&format!("<{u}>")));
    let footer = l["footer_text"].as_str().unwrap();
    assert!(footer.contains(&config().sender.postal_address.ja));
    assert!(footer.contains(u));
    assert_eq!(l["subscriber_id"], w.sid("a@example.com").to_string());
}

#[test]
fn erasure_removes_personal_data_and_keeps_the_address_suppressed() {
    erasure_removes_personal_data(&World::new(), |_| {});
}

/// An erasure right after a signup, then what must hold once `wait` has
/// passed (nothing, over the memory store; minutes, over a stale one).
pub(super) fn erasure_removes_personal_data<S: TestStore>(w: &World<S>, wait: fn(&World<S>)) {
    w.subscribe(&record(
        "whitepaper",
        "gone@example.com",
        "rec-erase-00000001",
    ));
    let r = w.api(Method::Delete, "/v1/subscribers/gone@example.com", None);
    assert_eq!(r.status, 200, "{}", r.text());
    wait(w);
    let sid = w.sid("gone@example.com").to_string();
    assert_eq!(body_json(&r), json!({"erased": true, "subscriber_id": sid}));
    let v = body_json(&w.api(Method::Get, "/v1/subscribers/gone@example.com", None));
    assert_eq!(v["email"], Value::Null);
    assert_eq!(v["state"]["erased"], true);
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    assert_eq!(v["events"][0]["type"], "erased");
    let all = w
        .store
        .keys()
        .iter()
        .filter_map(|k| w.store.peek(k))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!all.contains("gone@example.com"));
    assert!(
        !all.contains("sample-shoji.example/whitepaper"),
        "evidence is gone"
    );
    assert_eq!(w.check("gone@example.com", None).1, "erased");
    // A later import cannot bring them back.
    let r = w.api(Method::Post, "/v1/import", Some(json!({"records": [{
        "email": "gone@example.com", "list": "newsletter", "consented_at": T0, "source": "crm", "consent_text": "yes", "locale": "en"
    }]})));
    assert_eq!(r.status, 200);
    assert!(!w.check("gone@example.com", None).0);
}

#[test]
fn unknown_subscribers_are_404() {
    let w = World::new();
    let r = w.api(Method::Get, "/v1/subscribers/nobody@example.com", None);
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let r = w.api(Method::Get, "/v1/subscribers/not-an-address", None);
    assert_eq!(r.status, 422);
}

#[test]
fn export_pages_through_every_subscriber_with_a_cursor() {
    let w = World::new();
    for i in 0..5 {
        w.subscribe(&record(
            "whitepaper",
            &format!("e{i}@example.com"),
            &format!("rec-export-0000000{i}"),
        ));
    }
    let mut seen = Vec::new();
    let mut path = "/v1/export?limit=2".to_string();
    loop {
        let r = w.api(Method::Get, &path, None);
        assert_eq!(r.status, 200);
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/x-ndjson"));
        for line in r.text().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["events"][0]["evidence"]["method"], "widget");
            seen.push(v["email"].as_str().unwrap().to_string());
        }
        match r.header("doi-next-cursor") {
            Some(c) => path = format!("/v1/export?limit=2&cursor={c}"),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        (0..5)
            .map(|i| format!("e{i}@example.com"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        w.api(Method::Get, "/v1/export?limit=1001", None).status,
        422
    );
}

#[test]
fn import_records_provenance_is_idempotent_and_never_lifts_an_unsubscribe() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "left@example.com",
        "rec-import-0000001",
    ));
    let url = w.link("left@example.com", None, "unsubscribe_url");
    w.send(one_click_urlencoded(&path_of(&url)));
    let records = json!({"records": [
        {"email": "old@example.com", "list": "newsletter", "topics": ["tips"], "consented_at": 1_600_000_000_000u64,
         "source": "CRM export 2020-09", "consent_text": "Yes, send me tips", "locale": "en"},
        {"email": "left@example.com", "list": "newsletter", "topics": ["tips"], "consented_at": 1_600_000_000_000u64,
         "source": "CRM export 2020-09", "consent_text": "Yes, send me tips", "locale": "en"},
        {"email": "bad", "list": "newsletter", "consented_at": 1, "source": "x", "consent_text": "y", "locale": "en"},
        {"email": "c@example.com", "list": "nope", "consented_at": 1, "source": "x", "consent_text": "y", "locale": "en"}
    ]});
    let r = w.api(Method::Post, "/v1/import", Some(records.clone()));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = body_json(&r);
    assert_eq!(v["imported"], 2);
    assert_eq!(
        v["skipped"],
        json!([{"index": 2, "code": "invalid_email"}, {"index": 3, "code": "unknown_list"}])
    );
    assert_eq!(w.check("old@example.com", Some("tips")).1, "consented");
    assert_eq!(w.check("left@example.com", None).1, "unsubscribed");
    let p = body_json(&w.api(Method::Get, "/v1/subscribers/old@example.com", None));
    assert_eq!(p["events"][0]["evidence"]["source"], "CRM export 2020-09");
    assert_eq!(p["events"][0]["evidence"]["method"], "import");
    let writes = w.store.ops().writes;
    assert_eq!(
        body_json(&w.api(Method::Post, "/v1/import", Some(records))),
        v
    );
    assert_eq!(
        w.store.ops().writes,
        writes,
        "a re-import stores nothing new"
    );
}

#[test]
fn suppressions_block_every_list_with_their_reason() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "bounce@example.com",
        "rec-suppress-00001",
    ));
    let r = w.api(
        Method::Post,
        "/v1/suppressions",
        Some(
            json!({"emails": ["bounce@example.com", "never@example.com", "x"], "reason": "bounce"}),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = body_json(&r);
    assert_eq!(v["suppressed"], 2);
    assert_eq!(v["skipped"], json!([{"index": 2, "code": "invalid_email"}]));
    let (_, code, reason) = w.check("bounce@example.com", None);
    assert_eq!(
        (code.as_str(), reason["via"].as_str()),
        ("unsubscribed", Some("bounce"))
    );
    // Never subscribed, yet suppressed: the suppression is what stands in
    // the way (and a signup would need fresh, confirmed evidence).
    let (allowed, code, reason) = w.check("never@example.com", None);
    assert_eq!(
        (allowed, code.as_str(), reason["via"].as_str()),
        (false, "unsubscribed", Some("bounce"))
    );
    let r = w.api(
        Method::Post,
        "/v1/suppressions",
        Some(json!({"emails": [], "reason": "boredom"})),
    );
    assert_eq!(r.status, 422);
}

#[test]
fn a_full_import_batch_stays_within_a_workers_kv_operations() {
    let w = World::new();
    let max = doi_core::limits::CHANGE_BATCH;
    let records: Vec<Value> = (0..max)
        .map(|i| json!({"email": format!("bulk{i}@example.com"), "list": "newsletter", "topics": ["tips"], "consented_at": T0,
                        "source": "CRM", "consent_text": "Yes please", "locale": "en"}))
        .collect();
    let body = json!({ "records": records });
    let first = body_json(&w.api(Method::Post, "/v1/import", Some(body.clone())));
    let ops = w.store.ops();
    assert!(ops.writes <= crate::api::WRITES_PER_CALL, "{ops:?}");
    assert_eq!(first["imported"].as_u64().unwrap() as usize, max);
    assert_eq!(first["skipped"], json!([]));
    let again = body_json(&w.api(Method::Post, "/v1/import", Some(body)));
    assert_eq!(
        again["imported"].as_u64().unwrap() as usize,
        max,
        "a re-import counts, stores nothing"
    );
    assert!(w.check(&format!("bulk{}@example.com", max - 1), None).0);
    let over: Vec<Value> = (0..=max)
        .map(|i| json!({"email": format!("more{i}@example.com"), "list": "newsletter", "topics": ["tips"], "consented_at": T0,
                        "source": "CRM", "consent_text": "Yes please", "locale": "en"}))
        .collect();
    let refused = w.api(Method::Post, "/v1/import", Some(json!({ "records": over })));
    assert_eq!(
        refused.status, 413,
        "one record over the maximum is refused whole"
    );
}
