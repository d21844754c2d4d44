//! Consent receipts and record keeping through whole flows over the
//! memory store: every consent and withdrawal gets a receipt in the export
//! that verifies with the published key; a missing key never stops a "no";
//! the last-prepared time is written at most once a day; erasure inside the
//! retention period takes a recorded legal reason.

use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use doi_core::receipt;
use ed25519_compact::{PublicKey, Signature};

/// The one export line of `email`, and its events' bytes as exported.
fn exported_raw(w: &World, email: &str) -> (Value, Vec<String>) {
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        events: Vec<&'a serde_json::value::RawValue>,
    }
    let r = w.api(Method::Get, "/v1/export", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    let line = text
        .lines()
        .find(|l| serde_json::from_str::<Value>(l).unwrap()["email"] == email)
        .unwrap();
    let raw: Raw<'_> = serde_json::from_str(line).unwrap();
    let events = raw.events.iter().map(|e| e.get().to_string()).collect();
    (serde_json::from_str(line).unwrap(), events)
}

/// The one export line of `email`.
fn exported(w: &World, email: &str) -> Value {
    exported_raw(w, email).0
}

fn published_key(w: &World) -> (String, PublicKey) {
    let jwks = body_json(&w.api(Method::Get, "/.well-known/jwks.json", None));
    let (kid, x) = receipt::jwk_key(&jwks["keys"][0]).unwrap();
    (kid, PublicKey::new(x))
}

#[test]
fn a_signup_and_a_one_click_each_get_a_receipt_that_verifies_with_the_published_key() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "rc@example.com",
        "rec-receipt-0000001",
    ));
    let url = w.link("rc@example.com", None, "unsubscribe_url");
    assert_eq!(w.send(one_click_urlencoded(&path_of(&url))).status, 200);
    let (line, events) = exported_raw(&w, "rc@example.com");
    let receipts = line["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 2, "{line}");
    let (kid, key) = published_key(&w);
    let hashes: Vec<String> = events
        .iter()
        .map(|e| doi_core::EventHash::of(e.as_bytes()).to_string())
        .collect();
    let mut actions = vec![];
    for jws in receipts {
        let parsed = receipt::parse(jws.as_str().unwrap()).unwrap();
        assert_eq!(parsed.kid, kid);
        let sig = Signature::from_slice(&parsed.signature).unwrap();
        assert!(key.verify(parsed.signing_input.as_bytes(), &sig).is_ok());
        assert_eq!(parsed.receipt.sub.to_string(), line["subscriber_id"]);
        assert!(hashes.contains(&parsed.receipt.head.to_string()));
        actions.push(parsed.receipt.action);
    }
    assert_eq!(
        actions,
        [receipt::Action::Consent, receipt::Action::Withdrawal]
    );
    // No address anywhere in a receipt.
    for jws in receipts {
        let payload = jws.as_str().unwrap().split('.').nth(1).unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert!(!text.contains("rc@example.com"), "{text}");
    }
}

#[test]
fn a_withdrawal_is_recorded_even_without_a_receipt_key() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "nokey@example.com",
        "rec-receipt-0000002",
    ));
    let url = w.link("nokey@example.com", None, "unsubscribe_url");
    *w.secrets.borrow_mut() = crate::testing::local_secrets_with(crate::secrets::RECEIPT_KEYS, "");
    assert_eq!(w.send(one_click_urlencoded(&path_of(&url))).status, 200);
    assert_eq!(w.check("nokey@example.com", None).1, "unsubscribed");
    assert!(w
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("without a receipt") && l.contains("DOI_RECEIPT_KEYS")));
    let jwks = w.api(Method::Get, "/.well-known/jwks.json", None);
    assert_eq!(jwks.status, 503);
}

#[test]
fn the_last_prepared_time_is_written_once_a_day_and_shown_as_retain_until() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "kept@example.com",
        "rec-receipt-0000003",
    ));
    let prepare = || {
        let body = json!({"list": "newsletter", "recipients": ["kept@example.com"]});
        let r = w.api(Method::Post, "/v1/prepare", Some(body));
        assert_eq!(r.status, 200, "{}", r.text());
    };
    let writes = || w.store.ops().writes;
    prepare();
    let first = w.store.peek(crate::retention::PREPARED).unwrap();
    let before = writes();
    w.advance(doi_core::time::HOUR);
    prepare();
    assert_eq!(writes(), before, "no write within the day");
    assert_eq!(w.store.peek(crate::retention::PREPARED).unwrap(), first);
    w.advance(doi_core::time::DAY);
    prepare();
    assert_eq!(writes(), before + 1, "one write once a day has passed");
    let stored: u64 = w
        .store
        .peek(crate::retention::PREPARED)
        .unwrap()
        .parse()
        .unwrap();
    let until =
        doi_core::Timestamp(stored + doi_core::retention::GRANULARITY + doi_core::retention::KEEP);
    assert_eq!(
        exported(&w, "kept@example.com")["retain_until"],
        until.to_string()
    );
    let proof = body_json(&w.api(Method::Get, "/v1/subscribers/kept@example.com", None));
    assert_eq!(proof["retain_until"], until.millis());
}

#[test]
fn erasure_inside_the_retention_period_takes_a_legal_reason_that_its_receipt_records() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "keep@example.com",
        "rec-receipt-0000004",
    ));
    let body = json!({"list": "newsletter", "recipients": ["keep@example.com"]});
    assert_eq!(w.api(Method::Post, "/v1/prepare", Some(body)).status, 200);
    let refused = w.api(Method::Delete, "/v1/subscribers/keep@example.com", None);
    assert_eq!(refused.status, 422);
    assert_eq!(body_json(&refused)["error"]["code"], "retention_period");
    assert_eq!(
        w.check("keep@example.com", None).1,
        "consented",
        "nothing changed"
    );
    let bad = w.api(
        Method::Delete,
        "/v1/subscribers/keep@example.com?override=because",
        None,
    );
    assert_eq!(bad.status, 422);
    let r = w.api(
        Method::Delete,
        "/v1/subscribers/keep@example.com?override=gdpr_erasure",
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(body_json(&r)["retention_override"], "gdpr_erasure");
    let sid = w.sid("keep@example.com").to_string();
    let r = w.api(Method::Get, "/v1/export", None);
    let line: Value = r
        .text()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["subscriber_id"] == sid)
        .unwrap();
    let receipts = line["receipts"].as_array().unwrap();
    let erased = receipt::parse(receipts.last().unwrap().as_str().unwrap()).unwrap();
    assert_eq!(erased.receipt.method, "erasure");
    assert_eq!(
        erased.receipt.retention_override,
        Some(doi_core::retention::Override::GdprErasure)
    );
    // After the period, no reason is needed.
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "old@example.com",
        "rec-receipt-0000005",
    ));
    let body = json!({"list": "newsletter", "recipients": ["old@example.com"]});
    assert_eq!(w.api(Method::Post, "/v1/prepare", Some(body)).status, 200);
    w.advance(doi_core::retention::KEEP + doi_core::retention::GRANULARITY + 1);
    let r = w.api(Method::Delete, "/v1/subscribers/old@example.com", None);
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn the_receipt_page_shows_each_receipt_in_both_languages_and_offers_the_signed_file() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "page@example.com",
        "rec-receipt-0000006",
    ));
    let prefs = path_of(&w.link("page@example.com", None, "preferences_url"));
    let receipt_path = prefs.replacen("/p/", "/r/", 1);
    let preferences = w.send(Request::new(Method::Get, &prefs));
    assert!(preferences.text().contains(&format!(
        "href=\"{}",
        receipt_path.split('?').next().unwrap()
    )));
    let keys_before = w.store.keys();
    let ja = w.send(Request::new(
        Method::Get,
        &format!("{receipt_path}?lang=ja"),
    ));
    assert_eq!(ja.status, 200);
    let page = ja.text();
    assert!(page.contains("同意の記録"), "{page}");
    assert!(page.contains("JST"));
    assert!(page.contains("/.well-known/jwks.json"));
    let en = w
        .send(Request::new(
            Method::Get,
            &format!("{receipt_path}?lang=en"),
        ))
        .text();
    assert!(en.contains("Consent given"), "{en}");
    let file = w.send(Request::new(
        Method::Get,
        &format!("{receipt_path}?format=json"),
    ));
    assert_eq!(file.status, 200);
    assert!(file
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    let v = body_json(&file);
    let (_, key) = published_key(&w);
    let parsed = receipt::parse(v["receipts"][0].as_str().unwrap()).unwrap();
    let sig = Signature::from_slice(&parsed.signature).unwrap();
    assert!(key.verify(parsed.signing_input.as_bytes(), &sig).is_ok());
    assert_eq!(w.store.keys(), keys_before, "GET changes nothing");
    let forged = w.send(Request::new(Method::Get, "/r/not-a-token"));
    assert_eq!(forged.status, 400);
    let post = w.send(Request::new(Method::Post, &receipt_path));
    assert_eq!(post.status, 405);
}

/// The event keys stored, and how many of them carry a receipt.
fn events_and_signed(w: &World) -> (usize, usize) {
    let listed = block_on(crate::store::list_all(&w.store, crate::keys::EVENTS)).unwrap();
    let signed = listed
        .iter()
        .filter(|k| {
            k.metadata
                .as_ref()
                .is_some_and(|m| m.get(crate::receipts::FIELD).is_some())
        })
        .count();
    (listed.len(), signed)
}

#[test]
fn an_import_and_a_suppression_call_at_their_maximum_sign_every_change() {
    let w = World::new();
    let n = doi_core::limits::CHANGE_BATCH;
    let records: Vec<Value> = (0..n)
        .map(|i| {
            json!({"email": format!("bulk{i}@example.com"), "list": "newsletter",
                "topics": ["product"], "consented_at": T0, "source": "crm",
                "consent_text": "yes", "locale": "en"})
        })
        .collect();
    let r = w.api(
        Method::Post,
        "/v1/import",
        Some(json!({ "records": records })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(body_json(&r)["imported"], n);
    assert_eq!(events_and_signed(&w), (n, n), "every consent is signed");
    let emails: Vec<String> = (0..n).map(|i| format!("gone{i}@example.com")).collect();
    let r = w.api(
        Method::Post,
        "/v1/suppressions",
        Some(json!({ "emails": emails, "reason": "manual" })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(body_json(&r)["suppressed"], n);
    assert_eq!(
        events_and_signed(&w),
        (2 * n, 2 * n),
        "every withdrawal too"
    );
}

#[test]
fn the_cron_signs_what_a_provider_delivery_past_the_budget_left_unsigned() {
    use crate::receipts::deferred;
    let w = World::new();
    let budget = crate::receipts::SIGN_BUDGET as usize;
    let n = budget + 9;
    let events: Vec<Value> = (0..n)
        .map(|i| json!({"email": format!("late{i}@example.com"), "event": "bounce", "type": "bounce", "sg_event_id": format!("sg-late-{i}")}))
        .collect();
    let body = Value::Array(events).to_string();
    let r = w.send(super::providers::sendgrid(
        &body,
        &super::providers::seconds(&w),
    ));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(body_json(&r)["suppressed"], n);
    assert_eq!(
        events_and_signed(&w),
        (n, budget),
        "no bounce is dropped or delayed for want of a signature"
    );
    let queued = |w: &World| {
        w.store
            .keys()
            .iter()
            .filter(|k| k.starts_with(deferred::UNSIGNED))
            .count()
    };
    assert_eq!(queued(&w), 9, "one queue key per change past the budget");
    assert!(
        w.store.keys().iter().all(|k| !k.contains('@')),
        "no address in a key"
    );
    // One of them is erased before the cron comes: it must not come back.
    let gone = w
        .store
        .keys()
        .into_iter()
        .find(|k| k.starts_with(deferred::UNSIGNED))
        .and_then(|q| {
            let rest = q.strip_prefix(deferred::UNSIGNED)?.to_string();
            Some(format!("{}{rest}", crate::keys::EVENTS))
        })
        .unwrap();
    block_on(crate::store::Store::delete(&w.store, &gone)).unwrap();

    let net = crate::testing::Recorder::default();
    let ctx = crate::testing::ctx(&w.store, &net, w.now(), 3);
    let run = block_on(deferred::run(&ctx)).unwrap();
    assert_eq!((run.looked, run.signed, run.gone), (true, 8, 1));
    assert_eq!(
        events_and_signed(&w),
        (n - 1, n - 1),
        "every stored change is signed now"
    );
    assert!(
        !w.store.keys().contains(&gone),
        "an erased event is not written back"
    );
    assert_eq!(queued(&w), 0);
    // Each receipt the cron signed verifies with the published key.
    let (_, key) = published_key(&w);
    let mut verified = 0;
    let text = w.api(Method::Get, "/v1/export", None).text();
    for line in text.lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        for jws in line["receipts"].as_array().unwrap() {
            let parsed = receipt::parse(jws.as_str().unwrap()).unwrap();
            let sig = Signature::from_slice(&parsed.signature).unwrap();
            assert!(key.verify(parsed.signing_input.as_bytes(), &sig).is_ok());
            verified += 1;
        }
    }
    assert_eq!(
        verified,
        n - 1,
        "the request's and the cron's receipts alike"
    );
    // The flag stays up until the queue has been empty for a while.
    assert!(w.store.keys().contains(&deferred::PENDING.to_string()));
    let soon = crate::testing::ctx(&w.store, &net, w.now() + 1_000, 4);
    block_on(deferred::run(&soon)).unwrap();
    assert!(w.store.keys().contains(&deferred::PENDING.to_string()));
    let later = crate::testing::ctx(&w.store, &net, w.now() + crate::repair::SETTLE_MS, 5);
    block_on(deferred::run(&later)).unwrap();
    assert!(!w.store.keys().contains(&deferred::PENDING.to_string()));
    let idle = crate::testing::ctx(&w.store, &net, w.now() + 2 * crate::repair::SETTLE_MS, 6);
    assert_eq!(
        block_on(deferred::run(&idle)).unwrap(),
        deferred::Signed::default(),
        "an idle cron reads one key"
    );
}
