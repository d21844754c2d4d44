//! Each provider's documented payload shapes, and the rules they share.

use crate::prelude::*;

use proptest::prelude::*;
use serde_json::json;

use super::ses::{is_sns_url, Digest, Envelope};
use super::*;

fn ses_notification(message: serde_json::Value) -> Vec<u8> {
    json!({
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback",
        "Subject": "Amazon SES Email Event Notification",
        "Message": message.to_string(),
        "Timestamp": "2026-12-01T12:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "c2ln",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
    })
    .to_string()
    .into_bytes()
}

fn ses_bounce(bounce_type: &str) -> Vec<u8> {
    ses_notification(json!({
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": "gone@example.com", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 <gone@example.com> no such user"},
                {"emailAddress": "also-gone@example.com"}
            ],
            "timestamp": "2026-12-01T11:59:59.000Z",
            "feedbackId": "0100018c-feedback"
        },
        "mail": {"messageId": "0100018c-mail", "destination": ["gone@example.com", "also-gone@example.com"]}
    }))
}

fn emails(reports: &[Report]) -> Vec<(&str, Kind)> {
    reports.iter().map(|r| (r.email.as_str(), r.kind)).collect()
}

#[test]
fn a_permanent_ses_bounce_reports_every_bounced_recipient() {
    let r = Provider::Ses.reports(&ses_bounce("Permanent"), "").unwrap();
    assert_eq!(
        emails(&r),
        [
            ("gone@example.com", Kind::Bounce),
            ("also-gone@example.com", Kind::Bounce)
        ]
    );
    assert_eq!(r[0].event, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
}

#[test]
fn transient_and_undetermined_ses_bounces_suppress_nothing() {
    for t in ["Transient", "Undetermined"] {
        assert!(
            Provider::Ses
                .reports(&ses_bounce(t), "")
                .unwrap()
                .is_empty(),
            "{t}"
        );
    }
}

#[test]
fn an_ses_complaint_reports_each_complainant_in_both_ses_formats() {
    for field in ["notificationType", "eventType"] {
        let body = ses_notification(json!({
            field: "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "angry@example.com"}],
                "complaintFeedbackType": "abuse",
                "feedbackId": "0100018c-complaint"
            },
            "mail": {"messageId": "m"}
        }));
        let r = Provider::Ses.reports(&body, "").unwrap();
        assert_eq!(
            emails(&r),
            [("angry@example.com", Kind::Complaint)],
            "{field}"
        );
    }
}

#[test]
fn ses_deliveries_and_subscription_confirmations_report_nothing() {
    let delivery = ses_notification(json!({"notificationType": "Delivery", "mail": {}}));
    assert!(Provider::Ses.reports(&delivery, "").unwrap().is_empty());
    let mut confirm: serde_json::Value = serde_json::from_slice(&delivery).unwrap();
    confirm["Type"] = json!("SubscriptionConfirmation");
    let body = confirm.to_string().into_bytes();
    assert!(Provider::Ses.reports(&body, "").unwrap().is_empty());
}

#[test]
fn the_sns_string_to_sign_follows_the_documented_field_order() {
    let n = Envelope::parse(&ses_bounce("Permanent")).unwrap();
    let s = n.string_to_sign().unwrap();
    let names: Vec<&str> = s.lines().step_by(2).collect();
    assert_eq!(
        names,
        [
            "Message",
            "MessageId",
            "Subject",
            "Timestamp",
            "TopicArn",
            "Type"
        ]
    );
    assert!(s.ends_with("Type\nNotification\n"));
    assert_eq!(n.digest(), Some(Digest::Sha1));

    let c = Envelope::parse(
        json!({
            "Type": "SubscriptionConfirmation", "MessageId": "id", "Token": "tok",
            "TopicArn": "arn", "Message": "You have chosen to subscribe",
            "SubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
            "Timestamp": "2026-12-01T12:00:00.000Z", "SignatureVersion": "2",
            "Signature": "x", "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/c.pem"
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let s = c.string_to_sign().unwrap();
    let names: Vec<&str> = s.lines().step_by(2).collect();
    assert_eq!(
        names,
        [
            "Message",
            "MessageId",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type"
        ]
    );
    assert_eq!(c.digest(), Some(Digest::Sha256));
    assert!(c.is_subscription_confirmation());
}

#[test]
fn only_https_urls_on_an_sns_host_are_fetched() {
    for ok in [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.ap-northeast-1.amazonaws.com/?Action=ConfirmSubscription&Token=x",
    ] {
        assert!(is_sns_url(ok), "{ok}");
    }
    for bad in [
        "http://sns.us-east-1.amazonaws.com/c.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/c.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/c.pem",
        "https://user@sns.us-east-1.amazonaws.com/c.pem",
        "https://sns.us-east-1.amazonaws.com:8443/c.pem",
        "https://sns..amazonaws.com/c.pem",
        "https://s3.amazonaws.com/c.pem",
        "https://sns.US-EAST-1.amazonaws.com/c.pem",
    ] {
        assert!(!is_sns_url(bad), "{bad}");
    }
}

#[test]
fn sendgrid_reports_hard_bounces_complaints_and_unsubscribes_from_a_batch() {
    let body = json!([
        {"email": "hard@example.com", "timestamp": 1764590400, "event": "bounce", "type": "bounce",
         "reason": "550 5.1.1 unknown", "sg_event_id": "ev-hard", "sg_message_id": "m1"},
        {"email": "soft@example.com", "timestamp": 1764590400, "event": "bounce", "type": "blocked",
         "sg_event_id": "ev-soft"},
        {"email": "late@example.com", "timestamp": 1764590400, "event": "deferred", "sg_event_id": "ev-def"},
        {"email": "ok@example.com", "timestamp": 1764590400, "event": "delivered", "sg_event_id": "ev-ok"},
        {"email": "spam@example.com", "timestamp": 1764590400, "event": "spamreport", "sg_event_id": "ev-spam"},
        {"email": "bye@example.com", "timestamp": 1764590400, "event": "unsubscribe", "sg_event_id": "ev-bye"},
        {"email": "grp@example.com", "timestamp": 1764590400, "event": "group_unsubscribe", "asm_group_id": 7, "sg_event_id": "ev-grp"}
    ]);
    let r = Provider::Sendgrid
        .reports(body.to_string().as_bytes(), "")
        .unwrap();
    assert_eq!(
        emails(&r),
        [
            ("hard@example.com", Kind::Bounce),
            ("spam@example.com", Kind::Complaint),
            ("bye@example.com", Kind::Unsubscribe),
            ("grp@example.com", Kind::Unsubscribe),
        ]
    );
    assert_eq!(r[0].event, "ev-hard");
}

#[test]
fn a_delivery_with_more_events_than_the_bound_is_refused() {
    let many: Vec<serde_json::Value> = (0..=MAX_EVENTS)
        .map(|_| json!({"event": "delivered", "email": "a@example.com"}))
        .collect();
    let body = serde_json::to_vec(&many).unwrap();
    assert_eq!(
        Provider::Sendgrid.reports(&body, ""),
        Err(PayloadError::TooMany)
    );
}

#[test]
fn postmark_suppresses_for_permanent_bounce_types_only() {
    let bounce = |t: &str| {
        json!({"RecordType": "Bounce", "ID": 4323372036854775807_u64, "Type": t, "TypeCode": 1,
               "Email": "who@example.com", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
               "Description": "The server was unable to deliver your message", "Inactive": true})
        .to_string()
    };
    for (t, want) in [
        ("HardBounce", Some(Kind::Bounce)),
        ("BadEmailAddress", Some(Kind::Bounce)),
        ("SpamComplaint", Some(Kind::Complaint)),
        ("SoftBounce", None),
        ("Transient", None),
        ("DnsError", None),
        ("AutoResponder", None),
    ] {
        let r = Provider::Postmark
            .reports(bounce(t).as_bytes(), "")
            .unwrap();
        assert_eq!(r.first().map(|r| r.kind), want, "{t}");
    }
    let r = Provider::Postmark
        .reports(bounce("HardBounce").as_bytes(), "")
        .unwrap();
    assert_eq!(r[0].event, "4323372036854775807");
}

#[test]
fn postmark_complaints_and_subscription_changes_are_read() {
    let spam = json!({"RecordType": "SpamComplaint", "ID": 42, "Type": "SpamComplaint",
                      "Email": "spam@example.com", "MessageID": "m"});
    let r = Provider::Postmark
        .reports(spam.to_string().as_bytes(), "")
        .unwrap();
    assert_eq!(emails(&r), [("spam@example.com", Kind::Complaint)]);
    let change = |suppress: bool, reason: &str| {
        json!({"RecordType": "SubscriptionChange", "MessageID": "a4909a96-73d6-4c49-b148-a54522d3f70a",
               "ChangedAt": "2026-12-01T12:00:00Z", "Recipient": "pm@example.com",
               "Origin": "Recipient", "SuppressSending": suppress, "SuppressionReason": reason})
        .to_string()
    };
    let r = Provider::Postmark
        .reports(change(true, "ManualSuppression").as_bytes(), "")
        .unwrap();
    assert_eq!(emails(&r), [("pm@example.com", Kind::Unsubscribe)]);
    let r = Provider::Postmark
        .reports(change(true, "HardBounce").as_bytes(), "")
        .unwrap();
    assert_eq!(emails(&r), [("pm@example.com", Kind::Bounce)]);
    assert!(
        Provider::Postmark
            .reports(change(false, "").as_bytes(), "")
            .unwrap()
            .is_empty(),
        "a reactivation is no consent, and no withdrawal either"
    );
}

#[test]
fn resend_bounces_complaints_and_unsubscribed_contacts_are_read() {
    let bounced = |t: &str| {
        json!({"type": "email.bounced", "created_at": "2026-12-01T12:00:00.000Z",
               "data": {"email_id": "56761188-7520-42d8-8898-ff6fc54ce618", "from": "News <news@example.org>",
                        "to": ["gone@example.com"], "subject": "Hello",
                        "bounce": {"message": "550 no such user", "subType": "General", "type": t}}})
        .to_string()
    };
    let r = Provider::Resend
        .reports(bounced("Permanent").as_bytes(), "msg_2abc")
        .unwrap();
    assert_eq!(emails(&r), [("gone@example.com", Kind::Bounce)]);
    assert_eq!(r[0].event, "msg_2abc");
    assert!(Provider::Resend
        .reports(bounced("Transient").as_bytes(), "m")
        .unwrap()
        .is_empty());
    let complained = json!({"type": "email.complained", "data": {"to": ["spam@example.com"]}});
    let r = Provider::Resend
        .reports(complained.to_string().as_bytes(), "m")
        .unwrap();
    assert_eq!(emails(&r), [("spam@example.com", Kind::Complaint)]);
    let contact = json!({"type": "contact.updated", "data": {"id": "c", "email": "bye@example.com", "unsubscribed": true}});
    let r = Provider::Resend
        .reports(contact.to_string().as_bytes(), "m")
        .unwrap();
    assert_eq!(emails(&r), [("bye@example.com", Kind::Unsubscribe)]);
    let delivered = json!({"type": "email.delivered", "data": {"to": ["ok@example.com"]}});
    assert!(Provider::Resend
        .reports(delivered.to_string().as_bytes(), "m")
        .unwrap()
        .is_empty());
}

#[test]
fn mailgun_suppresses_permanent_failures_but_not_temporary_ones() {
    let failed = |severity: &str| {
        json!({"signature": {"timestamp": "1764590400", "token": "tok", "signature": "00"},
               "event-data": {"id": "CPgfbmQMTCKtHW6uIWtuVe", "event": "failed", "severity": severity,
                              "reason": "bounce", "recipient": "gone@example.com",
                              "delivery-status": {"code": 550, "message": "no such user"}}})
        .to_string()
    };
    let r = Provider::Mailgun
        .reports(failed("permanent").as_bytes(), "")
        .unwrap();
    assert_eq!(emails(&r), [("gone@example.com", Kind::Bounce)]);
    assert_eq!(r[0].event, "CPgfbmQMTCKtHW6uIWtuVe");
    assert!(Provider::Mailgun
        .reports(failed("temporary").as_bytes(), "")
        .unwrap()
        .is_empty());
    for (event, kind) in [
        ("complained", Kind::Complaint),
        ("unsubscribed", Kind::Unsubscribe),
    ] {
        let body = json!({"signature": {"timestamp": "1", "token": "t", "signature": "s"},
                          "event-data": {"id": "e", "event": event, "recipient": "x@example.com"}});
        let r = Provider::Mailgun
            .reports(body.to_string().as_bytes(), "")
            .unwrap();
        assert_eq!(emails(&r), [("x@example.com", kind)], "{event}");
    }
}

#[test]
fn a_body_that_is_not_the_providers_shape_is_an_error_naming_it() {
    for p in Provider::ALL {
        let e = p.reports(b"not json", "").unwrap_err();
        assert!(e.to_string().contains(p.name()), "{e}");
    }
}

#[test]
fn a_report_becomes_an_unsubscribe_from_everything_with_its_via_and_a_note() {
    let r = report("x@example.com", Kind::Complaint, "ev<x@example.com>1");
    let EventKind::Unsubscribed { scope, via, reason } = withdrawal(Provider::Sendgrid, &r) else {
        panic!("not a withdrawal")
    };
    assert_eq!((scope, via), (UnsubscribeScope::All, Via::Complaint));
    let note = reason.unwrap();
    assert_eq!(note, "sendgrid complaint event evxexample.com1");
    assert!(!note.contains('@'), "no address in the note");
    assert_eq!(Kind::Bounce.via(), Via::Bounce);
    assert_eq!(Kind::Unsubscribe.via(), Via::Api);
}

proptest! {
    #[test]
    fn the_same_provider_event_is_always_the_same_event_and_others_differ(
        a in "[a-zA-Z0-9-]{1,40}", b in "[a-zA-Z0-9-]{1,40}"
    ) {
        let ra = report("x@example.com", Kind::Bounce, &a);
        let rb = report("y@example.com", Kind::Bounce, &b);
        prop_assert_eq!(event_id(Provider::Ses, &ra), event_id(Provider::Ses, &ra.clone()));
        prop_assert_ne!(event_id(Provider::Ses, &ra), event_id(Provider::Mailgun, &ra));
        if a != b {
            prop_assert_ne!(event_id(Provider::Ses, &ra), event_id(Provider::Ses, &rb));
        }
    }

    #[test]
    fn no_sendgrid_soft_bounce_or_engagement_event_ever_suppresses(
        event in prop::sample::select(vec!["processed", "deferred", "delivered", "open", "click", "dropped"]),
        email in "[a-z]{1,10}@example\\.com",
    ) {
        let body = json!([
            {"email": email, "event": event, "sg_event_id": "e1"},
            {"email": email, "event": "bounce", "type": "blocked", "sg_event_id": "e2"}
        ]);
        prop_assert!(Provider::Sendgrid.reports(body.to_string().as_bytes(), "").unwrap().is_empty());
    }
}

#[test]
fn provider_names_round_trip() {
    for p in Provider::ALL {
        assert_eq!(Provider::from_name(p.name()), Some(p));
    }
    assert_eq!(Provider::from_name("sparkpost"), None);
}
