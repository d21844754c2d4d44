//! Provider webhooks end to end through the app, natively: deliveries
//! signed in the test with the test keys in `../data/` (made for these
//! tests, never a provider's), then `/v1/check` says what a sender sees.

mod signed;
mod sns;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Signer;
use p256::pkcs8::DecodePrivateKey;
use sha2::Sha256;

use super::*;

/// Unix seconds now, as the providers send them.
pub fn seconds(w: &World) -> String {
    (w.now() / 1000).to_string()
}

/// Someone who signed up and may be mailed.
pub fn subscribed(w: &World, email: &str, record_id: &str) {
    assert_eq!(
        w.subscribe(&record("whitepaper", email, record_id)).status,
        200
    );
    assert!(w.check(email, None).0, "{email} may be mailed before");
}

/// `/v1/check`'s answer for `email`: (allowed, reason code, via).
pub fn standing(w: &World, email: &str) -> (bool, String, Option<String>) {
    let (allowed, code, reason) = w.check(email, None);
    (allowed, code, reason["via"].as_str().map(str::to_string))
}

/// A SendGrid delivery signed with the test key at `timestamp`.
pub fn sendgrid(body: &str, timestamp: &str) -> Request {
    let key =
        p256::ecdsa::SigningKey::from_pkcs8_pem(include_str!("../data/sendgrid-test-key.pem"))
            .unwrap();
    let signature: p256::ecdsa::Signature = key.sign(format!("{timestamp}{body}").as_bytes());
    Request::new(Method::Post, "/v1/providers/sendgrid")
        .with_header("content-type", "application/json")
        .with_header(
            "x-twilio-email-event-webhook-signature",
            &STANDARD.encode(signature.to_der()),
        )
        .with_header("x-twilio-email-event-webhook-timestamp", timestamp)
        .with_body(body)
}

/// A Resend delivery signed the Svix way with the local secret.
pub fn resend(body: &str, id: &str, timestamp: &str) -> Request {
    let secret = crate::testing::local_var("DOI_RESEND_WEBHOOK_SECRET").unwrap();
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    Request::new(Method::Post, "/v1/providers/resend")
        .with_header("content-type", "application/json")
        .with_header("svix-id", id)
        .with_header("svix-timestamp", timestamp)
        .with_header(
            "svix-signature",
            &format!("v1,bm90IHRoaXMgb25l v1,{signature}"),
        )
        .with_body(body)
}

/// A Mailgun delivery of `event_data`, signed with the local key.
pub fn mailgun(event_data: Value, timestamp: &str, token: &str) -> Request {
    let key = crate::testing::local_var("DOI_MAILGUN_SIGNING_KEY").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{timestamp}{token}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let body = json!({
        "signature": {"timestamp": timestamp, "token": token, "signature": hex},
        "event-data": event_data
    });
    Request::new(Method::Post, "/v1/providers/mailgun")
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
}

/// A Postmark delivery with basic-auth `credentials`.
pub fn postmark(body: &Value, credentials: Option<&str>) -> Request {
    let mut r = Request::new(Method::Post, "/v1/providers/postmark")
        .with_header("content-type", "application/json")
        .with_body(body.to_string());
    if let Some(c) = credentials {
        r = r.with_header("authorization", &format!("Basic {}", STANDARD.encode(c)));
    }
    r
}

/// The local Postmark credentials.
pub fn postmark_credentials() -> String {
    crate::testing::local_var("DOI_POSTMARK_WEBHOOK_AUTH").unwrap()
}

#[test]
fn an_unknown_provider_is_a_404_and_a_get_is_a_405() {
    let w = World::new();
    let r = w.send(Request::new(Method::Post, "/v1/providers/sparkpost").with_body("{}"));
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let r = w.send(Request::new(Method::Get, "/v1/providers/sendgrid"));
    assert_eq!(r.status, 405);
}

#[test]
fn a_provider_whose_secret_is_missing_answers_503_naming_it() {
    for (provider, secret) in [
        ("ses", "DOI_SES_TOPIC_ARNS"),
        ("sendgrid", "DOI_SENDGRID_VERIFICATION_KEY"),
        ("postmark", "DOI_POSTMARK_WEBHOOK_AUTH"),
        ("resend", "DOI_RESEND_WEBHOOK_SECRET"),
        ("mailgun", "DOI_MAILGUN_SIGNING_KEY"),
    ] {
        let w = World::new();
        *w.secrets.borrow_mut() = crate::testing::local_secrets_with(secret, "");
        let r = w
            .send(Request::new(Method::Post, &format!("/v1/providers/{provider}")).with_body("{}"));
        let v = body_json(&r);
        assert_eq!(
            (r.status, v["error"]["code"].as_str()),
            (503, Some("misconfigured")),
            "{provider}"
        );
        assert!(
            v["error"]["message"].as_str().unwrap().contains(secret),
            "{provider}: {v}"
        );
    }
}

#[test]
fn unsigned_deliveries_to_every_provider_are_refused_with_401_and_change_nothing() {
    let w = World::new();
    subscribed(&w, "keep@example.com", "rec-provider-keep001");
    let keys_before = w.store.keys();
    let bounce = json!([{"email": "keep@example.com", "event": "bounce", "type": "bounce", "sg_event_id": "x"}]);
    for provider in ["ses", "sendgrid", "postmark", "resend", "mailgun"] {
        let r = w.send(
            Request::new(Method::Post, &format!("/v1/providers/{provider}"))
                .with_header("content-type", "application/json")
                .with_body(bounce.to_string()),
        );
        let v = body_json(&r);
        assert_eq!(
            (r.status, v["error"]["code"].as_str()),
            (401, Some("invalid_signature")),
            "{provider}"
        );
    }
    assert_eq!(w.store.keys(), keys_before);
    assert!(w.check("keep@example.com", None).0);
}

#[test]
fn a_provider_body_over_the_limit_is_a_413() {
    let w = World::new();
    let r = w.send(
        Request::new(Method::Post, "/v1/providers/sendgrid").with_body(vec![
            b' ';
            crate::providers::BODY_LIMIT
                + 1
        ]),
    );
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}

#[test]
fn a_batch_beyond_one_requests_kv_budget_is_finished_by_the_redelivery() {
    let w = World::new();
    let events: Vec<Value> = (0..400)
        .map(|i| json!({"email": format!("bulk{i}@example.com"), "event": "spamreport", "sg_event_id": format!("sg-bulk-{i}")}))
        .collect();
    let body = Value::Array(events).to_string();
    let first = w.send(sendgrid(&body, &seconds(&w)));
    let v = body_json(&first);
    assert_eq!(
        (first.status, v["error"]["code"].as_str()),
        (503, Some("retry_later")),
        "{v}"
    );
    assert_eq!(v["error"]["retryable"], true);
    // KV bills a bulk read of up to 100 keys as one operation; the memory
    // store counts each key: 400 snapshots and 400 event keys, in 8 calls.
    let ops = w.store.ops();
    let billed = ops.reads - 800 + 8 + ops.writes + ops.lists + ops.deletes;
    assert!(billed <= 1_000, "{billed} KV operations: {ops:?}");
    // SendGrid redelivers what was not answered 2xx; each delivery writes
    // what the last did not, until one finishes.
    let mut deliveries = 1;
    let last = loop {
        deliveries += 1;
        let r = w.send(sendgrid(&body, &seconds(&w)));
        if r.status == 200 || deliveries == 5 {
            break body_json(&r);
        }
    };
    assert_eq!(
        last["suppressed"].as_u64().unwrap() + last["duplicates"].as_u64().unwrap(),
        400,
        "{last}"
    );
    assert!(last["duplicates"].as_u64().unwrap() > 0);
    let events = w
        .store
        .keys()
        .iter()
        .filter(|k| k.starts_with("ev/"))
        .count();
    assert_eq!(
        events, 400,
        "each complaint written once, over {deliveries} deliveries"
    );
    assert_eq!(
        standing(&w, "bulk399@example.com").2.as_deref(),
        Some("complaint")
    );
}
