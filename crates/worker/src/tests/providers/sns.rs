//! Amazon SES through SNS: signature versions 1 and 2 with the test
//! certificate served at an SNS URL by the recording network, the topic
//! and host rules, the certificate cache, and subscription confirmation.

use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha1::Sha1;
use sha2::Digest;

use super::*;
use doi_core::provider::ses::Envelope;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:doi-test-feedback";

/// A per-test certificate URL on an SNS host (the cache is per isolate).
fn cert_url(test: &str) -> String {
    format!("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{test}.pem")
}

fn serve_cert(w: &World, url: &str) {
    w.net
        .serve(url, 200, include_str!("../data/sns-test-cert.pem"));
}

/// The RFC 3339 form of the world's now, as SNS writes `Timestamp`.
fn timestamp(ms: u64) -> String {
    let days = ms / 86_400_000;
    let (y, m, d) = civil(days as i64);
    let rest = ms % 86_400_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// An SNS message `fields` signed with the test key (version `version`).
fn signed(mut fields: Value, version: &str) -> Request {
    fields["SignatureVersion"] = json!(version);
    fields["Signature"] = json!("");
    let text = Envelope::parse(fields.to_string().as_bytes())
        .unwrap()
        .string_to_sign()
        .unwrap();
    let key = RsaPrivateKey::from_pkcs8_pem(include_str!("../data/sns-test-key.pem")).unwrap();
    let signature = if version == "1" {
        key.sign(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(text.as_bytes()))
    } else {
        key.sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(text.as_bytes()),
        )
    }
    .unwrap();
    fields["Signature"] = json!(STANDARD.encode(signature));
    Request::new(Method::Post, "/v1/providers/ses")
        .with_header("content-type", "text/plain; charset=UTF-8")
        .with_header("x-amz-sns-message-type", fields["Type"].as_str().unwrap())
        .with_body(fields.to_string())
}

fn notification(w: &World, cert: &str, message: Value) -> Value {
    json!({
        "Type": "Notification",
        "MessageId": format!("msg-{cert}-{}", message["bounce"]["bounceType"].as_str().unwrap_or("c")),
        "TopicArn": TOPIC,
        "Message": message.to_string(),
        "Timestamp": timestamp(w.now()),
        "SigningCertURL": cert,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"
    })
}

fn bounce(email: &str, kind: &str) -> Value {
    json!({"notificationType": "Bounce",
           "bounce": {"bounceType": kind, "bounceSubType": "General",
                      "bouncedRecipients": [{"emailAddress": email, "action": "failed", "status": "5.1.1"}],
                      "timestamp": "2027-01-15T08:00:00.000Z", "feedbackId": "0100018c-fb"},
           "mail": {"timestamp": "2027-01-15T07:59:59.000Z", "messageId": "0100018c-m",
                    "source": "news@sample-shoji.example", "destination": [email]}})
}

#[test]
fn signed_ses_bounces_suppress_with_either_signature_version() {
    for version in ["1", "2"] {
        let w = World::new();
        let url = cert_url(&format!("v{version}"));
        serve_cert(&w, &url);
        let email = format!("ses-v{version}@example.com");
        subscribed(&w, &email, "rec-provider-ses0001");
        let r = w.send(signed(
            notification(&w, &url, bounce(&email, "Permanent")),
            version,
        ));
        assert_eq!(r.status, 200, "v{version}: {}", r.text());
        assert_eq!(
            standing(&w, &email).2.as_deref(),
            Some("bounce"),
            "v{version}"
        );
    }
}

#[test]
fn a_transient_ses_bounce_suppresses_nothing_and_a_complaint_does() {
    let w = World::new();
    let url = cert_url("kinds");
    serve_cert(&w, &url);
    subscribed(&w, "ses-soft@example.com", "rec-provider-ses0002");
    let r = w.send(signed(
        notification(&w, &url, bounce("ses-soft@example.com", "Transient")),
        "2",
    ));
    assert_eq!(
        (r.status, body_json(&r)["suppressed"].as_u64()),
        (200, Some(0))
    );
    assert!(w.check("ses-soft@example.com", None).0);
    let complaint = json!({"notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "ses-soft@example.com"}],
                      "complaintFeedbackType": "abuse", "feedbackId": "0100018c-c"},
        "mail": {"messageId": "0100018c-m2"}});
    let r = w.send(signed(notification(&w, &url, complaint), "2"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        standing(&w, "ses-soft@example.com").2.as_deref(),
        Some("complaint")
    );
}

#[test]
fn forged_foreign_old_and_misplaced_sns_messages_are_refused() {
    let w = World::new();
    let url = cert_url("refusals");
    serve_cert(&w, &url);
    subscribed(&w, "ses-keep@example.com", "rec-provider-ses0003");
    let good = notification(&w, &url, bounce("ses-keep@example.com", "Permanent"));
    let mut forged = signed(good.clone(), "1");
    forged.body = String::from_utf8(forged.body)
        .unwrap()
        .replace("ses-keep", "ses-kept")
        .into_bytes();
    let mut other_topic = good.clone();
    other_topic["TopicArn"] = json!("arn:aws:sns:us-east-1:999999999999:someone-elses");
    let mut old = good.clone();
    old["Timestamp"] = json!(timestamp(w.now() - 2 * doi_core::time::HOUR));
    let mut elsewhere = good.clone();
    elsewhere["SigningCertURL"] = json!("https://sns.us-east-1.amazonaws.com.evil.example/c.pem");
    w.net.serve(
        "https://sns.us-east-1.amazonaws.com.evil.example/c.pem",
        200,
        include_str!("../data/sns-test-cert.pem"),
    );
    let mut version = signed(good.clone(), "2");
    version.body = String::from_utf8(version.body)
        .unwrap()
        .replace("\"SignatureVersion\":\"2\"", "\"SignatureVersion\":\"3\"")
        .into_bytes();
    for (what, req) in [
        ("forged", forged),
        ("other topic", signed(other_topic, "1")),
        ("old", signed(old, "1")),
        ("certificate elsewhere", signed(elsewhere, "1")),
        ("unknown version", version),
    ] {
        let r = w.send(req);
        assert_eq!(r.status, 401, "{what}: {}", r.text());
    }
    assert!(
        !w.net.fetched.borrow().iter().any(|u| u.contains("evil")),
        "never fetched"
    );
    assert!(w.check("ses-keep@example.com", None).0);
}

#[test]
fn the_signing_certificate_is_fetched_once_per_isolate() {
    crate::providers::clear_certificates();
    let w = World::new();
    let url = cert_url("cache");
    serve_cert(&w, &url);
    for i in 0..3 {
        let email = format!("ses-cache{i}@example.com");
        let mut n = notification(&w, &url, bounce(&email, "Permanent"));
        n["MessageId"] = json!(format!("msg-cache-{i}"));
        assert_eq!(w.send(signed(n, "1")).status, 200);
    }
    assert_eq!(
        w.net.fetched.borrow().iter().filter(|u| **u == url).count(),
        1
    );
}

#[test]
fn a_certificate_sns_cannot_serve_now_is_a_retryable_503() {
    let w = World::new();
    let url = cert_url("missing");
    let r = w.send(signed(
        notification(&w, &url, bounce("ses-x@example.com", "Permanent")),
        "1",
    ));
    let v = body_json(&r);
    assert_eq!(
        (r.status, v["error"]["retryable"].as_bool()),
        (503, Some(true)),
        "{v}"
    );
}

fn confirmation(w: &World, cert: &str, subscribe: &str) -> Value {
    json!({
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
        "TopicArn": TOPIC,
        "Message": format!("You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message."),
        "SubscribeURL": subscribe,
        "Timestamp": timestamp(w.now()),
        "SigningCertURL": cert
    })
}

#[test]
fn a_signed_subscription_confirmation_visits_its_subscribe_url() {
    let w = World::new();
    let url = cert_url("confirm");
    serve_cert(&w, &url);
    let subscribe = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:doi-test-feedback&Token=2336";
    w.net
        .serve(subscribe, 200, "<ConfirmSubscriptionResponse/>");
    let r = w.send(signed(confirmation(&w, &url, subscribe), "1"));
    assert_eq!(
        (r.status, body_json(&r)["subscribed"].as_bool()),
        (200, Some(true)),
        "{}",
        r.text()
    );
    assert!(w.net.fetched.borrow().iter().any(|u| u == subscribe));
}

#[test]
fn a_subscribe_url_off_the_sns_hosts_is_never_visited() {
    let w = World::new();
    let url = cert_url("confirm-elsewhere");
    serve_cert(&w, &url);
    let subscribe = "https://attacker.example/?Action=ConfirmSubscription";
    let r = w.send(signed(confirmation(&w, &url, subscribe), "1"));
    assert_eq!(r.status, 401);
    assert!(!w.net.fetched.borrow().iter().any(|u| u == subscribe));
}

#[test]
fn loopback_certificate_urls_are_accepted_only_in_loopback_test_mode() {
    let url = "http://127.0.0.1:9/SimpleNotificationService-test.pem";
    // Allowed: DOI_SNS_LOOPBACK=on (.dev.vars.example) and a loopback Worker.
    let w = World::new();
    serve_cert(&w, url);
    let r = w.send(signed(
        notification(&w, url, bounce("ses-lo@example.com", "Permanent")),
        "1",
    ));
    assert_eq!(r.status, 200, "{}", r.text());
    // Off: the same message is refused before anything is fetched.
    let w = World::new();
    *w.secrets.borrow_mut() = crate::testing::local_secrets_with("DOI_SNS_LOOPBACK", "off");
    serve_cert(&w, url);
    let r = w.send(signed(
        notification(&w, url, bounce("ses-lo@example.com", "Permanent")),
        "1",
    ));
    assert_eq!(r.status, 401);
    assert!(w.net.fetched.borrow().is_empty());
}

#[test]
fn a_deployed_worker_never_fetches_a_loopback_certificate_even_with_the_test_switch_on() {
    let url = "http://127.0.0.1:9/SimpleNotificationService-deployed.pem";
    let w = World::new();
    serve_cert(&w, url);
    let mut c = crate::testing::ctx(&w.store, &w.net, w.now(), 7);
    c.base_url = "https://doi.sample-shoji.example".into();
    assert!(
        c.secrets.providers.sns_loopback,
        "the switch is on in .dev.vars.example"
    );
    let req = signed(
        notification(&w, url, bounce("ses-deployed@example.com", "Permanent")),
        "1",
    );
    let r = crate::testing::block_on(crate::app::handle(&c, &req));
    assert_eq!(r.status, 401);
    assert!(w.net.fetched.borrow().is_empty());
}
