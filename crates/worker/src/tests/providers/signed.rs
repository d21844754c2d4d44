//! SendGrid (ECDSA), Resend (Svix HMAC), Mailgun (HMAC) and Postmark (basic
//! auth): valid, forged, missing, old, redelivered, soft and hard.

use super::*;

fn sendgrid_bounce(email: &str, kind: &str, id: &str) -> String {
    json!([
        {"email": email, "timestamp": 1_800_000_000, "event": "bounce", "type": kind,
         "reason": "550 5.1.1 The email account that you tried to reach does not exist",
         "status": "5.1.1", "sg_event_id": id, "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001"}
    ])
    .to_string()
}

#[test]
fn a_signed_sendgrid_hard_bounce_suppresses_with_its_reason() {
    let w = World::new();
    subscribed(&w, "sg-hard@example.com", "rec-provider-sg00001");
    let r = w.send(sendgrid(
        &sendgrid_bounce("sg-hard@example.com", "bounce", "sg-ev-1"),
        &seconds(&w),
    ));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(body_json(&r)["suppressed"], 1);
    assert_eq!(
        standing(&w, "sg-hard@example.com"),
        (false, "unsubscribed".into(), Some("bounce".into()))
    );
    assert!(
        !w.everything_visible().contains("sg-hard@example.com"),
        "no address in keys or logs"
    );
}

#[test]
fn a_sendgrid_soft_bounce_suppresses_nothing() {
    let w = World::new();
    subscribed(&w, "sg-soft@example.com", "rec-provider-sg00002");
    let r = w.send(sendgrid(
        &sendgrid_bounce("sg-soft@example.com", "blocked", "sg-ev-2"),
        &seconds(&w),
    ));
    assert_eq!(
        (r.status, body_json(&r)["suppressed"].as_u64()),
        (200, Some(0))
    );
    assert!(w.check("sg-soft@example.com", None).0);
}

#[test]
fn the_same_sendgrid_event_delivered_twice_is_recorded_once() {
    let w = World::new();
    subscribed(&w, "sg-twice@example.com", "rec-provider-sg00003");
    let body = sendgrid_bounce("sg-twice@example.com", "bounce", "sg-ev-3");
    assert_eq!(
        body_json(&w.send(sendgrid(&body, &seconds(&w))))["suppressed"],
        1
    );
    let events = |w: &World| {
        w.store
            .keys()
            .iter()
            .filter(|k| k.starts_with("ev/"))
            .count()
    };
    let before = events(&w);
    w.advance(1_000);
    let again = body_json(&w.send(sendgrid(&body, &seconds(&w))));
    assert_eq!(
        (again["suppressed"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(events(&w), before, "no second event");
    // Even once the event has left the snapshot's recent list.
    w.advance(crate::subscribers::RECENT_MS * 2);
    let later = body_json(&w.send(sendgrid(&body, &seconds(&w))));
    assert_eq!(later["duplicates"], 1);
    assert_eq!(events(&w), before);
}

#[test]
fn forged_missing_and_old_sendgrid_signatures_are_refused() {
    let w = World::new();
    subscribed(&w, "sg-forged@example.com", "rec-provider-sg00004");
    let body = sendgrid_bounce("sg-forged@example.com", "bounce", "sg-ev-4");
    let now = seconds(&w);
    // Signed, then altered: another address in the same signature.
    let mut forged = sendgrid(&body, &now);
    forged.body = sendgrid_bounce("sg-forgeD@example.com", "bounce", "sg-ev-4").into_bytes();
    // Signed for one timestamp, sent with another.
    let mut moved = sendgrid(&body, &now);
    moved
        .headers
        .retain(|(n, _)| n != "x-twilio-email-event-webhook-timestamp");
    moved = moved.with_header(
        "x-twilio-email-event-webhook-timestamp",
        &(w.now() / 1000 + 1).to_string(),
    );
    let mut unsigned = sendgrid(&body, &now);
    unsigned
        .headers
        .retain(|(n, _)| n != "x-twilio-email-event-webhook-signature");
    let old = sendgrid(&body, &(w.now() / 1000 - 601).to_string());
    for (what, req) in [
        ("forged", forged),
        ("moved", moved),
        ("unsigned", unsigned),
        ("old", old),
    ] {
        assert_eq!(w.send(req).status, 401, "{what}");
    }
    assert!(w.check("sg-forged@example.com", None).0);
    let fresh = w.send(sendgrid(&body, &(w.now() / 1000 - 590).to_string()));
    assert_eq!(fresh.status, 200, "a little under the window is fine");
}

#[test]
fn postmark_deliveries_need_the_webhook_urls_credentials() {
    let w = World::new();
    subscribed(&w, "pm-hard@example.com", "rec-provider-pm00001");
    subscribed(&w, "pm-soft@example.com", "rec-provider-pm00002");
    let bounce = |email: &str, kind: &str, id: u64| {
        json!({"RecordType": "Bounce", "MessageStream": "outbound", "ID": id, "Type": kind,
               "TypeCode": 1, "Name": "Hard bounce", "Tag": "", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
               "Description": "The server was unable to deliver your message", "Details": "smtp;550 5.1.1",
               "Email": email, "From": "news@sample-shoji.example", "BouncedAt": "2027-01-15T08:00:00Z",
               "Inactive": true, "CanActivate": true, "Subject": "News"})
    };
    let good = postmark_credentials();
    let hard = bounce(
        "pm-hard@example.com",
        "HardBounce",
        4_323_372_036_854_775_807,
    );
    for bad in [None, Some("postmark:wrong"), Some("")] {
        assert_eq!(w.send(postmark(&hard, bad)).status, 401, "{bad:?}");
    }
    assert_eq!(w.send(postmark(&hard, Some(&good))).status, 200);
    assert_eq!(
        standing(&w, "pm-hard@example.com").2.as_deref(),
        Some("bounce")
    );
    let soft = bounce("pm-soft@example.com", "SoftBounce", 42);
    assert_eq!(
        body_json(&w.send(postmark(&soft, Some(&good))))["suppressed"],
        0
    );
    assert!(w.check("pm-soft@example.com", None).0);
    let again = body_json(&w.send(postmark(&hard, Some(&good))));
    assert_eq!(again["duplicates"], 1);
}

#[test]
fn postmark_complaints_and_unsubscribes_suppress() {
    let w = World::new();
    subscribed(&w, "pm-spam@example.com", "rec-provider-pm00003");
    subscribed(&w, "pm-bye@example.com", "rec-provider-pm00004");
    let good = postmark_credentials();
    let spam = json!({"RecordType": "SpamComplaint", "ID": 43, "Type": "SpamComplaint", "TypeCode": 512,
                      "Email": "pm-spam@example.com", "MessageID": "m-1", "BouncedAt": "2027-01-15T08:00:00Z"});
    assert_eq!(w.send(postmark(&spam, Some(&good))).status, 200);
    assert_eq!(
        standing(&w, "pm-spam@example.com").2.as_deref(),
        Some("complaint")
    );
    let change = json!({"RecordType": "SubscriptionChange", "MessageID": "m-2", "ServerID": 23,
                        "MessageStream": "broadcast", "ChangedAt": "2027-01-15T08:00:00Z",
                        "Recipient": "pm-bye@example.com", "Origin": "Recipient",
                        "SuppressSending": true, "SuppressionReason": "ManualSuppression"});
    assert_eq!(w.send(postmark(&change, Some(&good))).status, 200);
    assert_eq!(standing(&w, "pm-bye@example.com").1, "unsubscribed");
}

#[test]
fn resend_deliveries_are_verified_the_svix_way() {
    let w = World::new();
    subscribed(&w, "rs-hard@example.com", "rec-provider-rs00001");
    let body = json!({"type": "email.bounced", "created_at": "2027-01-15T08:00:00.000Z",
                      "data": {"email_id": "56761188-7520-42d8-8898-ff6fc54ce618", "from": "news@sample-shoji.example",
                               "to": ["rs-hard@example.com"], "subject": "News",
                               "bounce": {"message": "550 no such user", "subType": "General", "type": "Permanent"}}})
    .to_string();
    let now = seconds(&w);
    let mut forged = resend(&body, "msg_2pGxAbc", &now);
    forged.body.extend_from_slice(b" ");
    let old = resend(&body, "msg_2pGxAbc", &(w.now() / 1000 - 301).to_string());
    let mut other_id = resend(&body, "msg_2pGxAbc", &now);
    other_id.headers.retain(|(n, _)| n != "svix-id");
    other_id = other_id.with_header("svix-id", "msg_other");
    let mut unsigned = resend(&body, "msg_2pGxAbc", &now);
    unsigned.headers.retain(|(n, _)| n != "svix-signature");
    for (what, req) in [
        ("forged", forged),
        ("old", old),
        ("other id", other_id),
        ("unsigned", unsigned),
    ] {
        assert_eq!(w.send(req).status, 401, "{what}");
    }
    assert!(w.check("rs-hard@example.com", None).0);
    let r = w.send(resend(&body, "msg_2pGxAbc", &now));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        standing(&w, "rs-hard@example.com").2.as_deref(),
        Some("bounce")
    );
    let again = body_json(&w.send(resend(&body, "msg_2pGxAbc", &now)));
    assert_eq!(again["duplicates"], 1, "Resend's retry keeps its svix-id");
}

#[test]
fn mailgun_deliveries_are_verified_and_temporary_failures_ignored() {
    let w = World::new();
    subscribed(&w, "mg-hard@example.com", "rec-provider-mg00001");
    subscribed(&w, "mg-soft@example.com", "rec-provider-mg00002");
    let failed = |email: &str, severity: &str, id: &str| {
        json!({"id": id, "timestamp": 1_800_000_000.5, "log-level": "error", "event": "failed",
               "severity": severity, "reason": "bounce", "recipient": email,
               "delivery-status": {"code": 550, "message": "5.1.1 no such user"},
               "message": {"headers": {"message-id": "20270115.1@sample-shoji.example"}}})
    };
    let now = seconds(&w);
    let hard = failed("mg-hard@example.com", "permanent", "CPgfbmQMTCKtHW6uIWtuVe");
    let mut forged = mailgun(
        hard.clone(),
        &now,
        "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
    );
    forged.body = String::from_utf8(forged.body)
        .unwrap()
        .replace("a8ce0", "b8ce0")
        .into_bytes();
    let old = mailgun(hard.clone(), &(w.now() / 1000 - 601).to_string(), "tok-old");
    for (what, req) in [("forged", forged), ("old", old)] {
        assert_eq!(w.send(req).status, 401, "{what}");
    }
    let r = w.send(mailgun(hard.clone(), &now, "tok-1"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        standing(&w, "mg-hard@example.com").2.as_deref(),
        Some("bounce")
    );
    let soft = failed("mg-soft@example.com", "temporary", "Ase8Jd8Tyuiq");
    assert_eq!(
        body_json(&w.send(mailgun(soft, &now, "tok-2")))["suppressed"],
        0
    );
    assert!(w.check("mg-soft@example.com", None).0);
    let again = body_json(&w.send(mailgun(hard, &now, "tok-3")));
    assert_eq!(again["duplicates"], 1, "the same event id, a new delivery");
}
