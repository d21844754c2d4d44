//! Reading Mailchimp, listmonk and plain CSV files into import records.

use std::path::Path;

use super::*;

fn table(text: &str) -> Table {
    Table::parse(Path::new("export.csv"), text.as_bytes()).unwrap()
}

fn defaults() -> Defaults {
    Defaults {
        list: "newsletter".into(),
        topics: vec!["product".into()],
        consent_text: Some("Yes, send me news".into()),
        locale: Some("en".into()),
        opt_in: None,
    }
}

const MAILCHIMP: &str = "\
Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS
taro@example.com,Taro,Yamada,2,2020-09-13 12:26:40,198.51.100.7,2020-09-13 12:30:00,198.51.100.8,,,,,,JP,,2020-09-13 12:30:00,1001,abc123,,
hanako@example.jp,Hanako,Sato,2,2021-01-02 03:04:05,203.0.113.9,2021-01-02 03:04:05,,,,,,,JP,,2021-01-02 03:04:05,1002,def456,,
old@example.com,,,1,,,2019-05-06 07:08:09,,,,,,,,,2019-05-06 07:08:09,1003,ghi789,,
";

#[test]
fn a_mailchimp_export_is_recognised_by_its_header() {
    assert_eq!(detect(&table(MAILCHIMP)), Some(Source::Mailchimp));
}

#[test]
fn a_mailchimp_record_keeps_its_opt_in_and_confirmation_times_and_ips() {
    let parsed = parse(&table(MAILCHIMP), Source::Mailchimp, &defaults()).unwrap();
    let taro = &parsed.records[0];
    assert_eq!(taro.line, 2);
    assert_eq!(taro.record.email, "taro@example.com");
    assert_eq!(taro.record.consented_at, 1_600_000_000_000);
    assert_eq!(
        taro.record.source,
        "Mailchimp audience export; LEID 1001; EUID abc123; \
         opted in 2020-09-13T12:26:40Z from IP 198.51.100.7; \
         confirmed 2020-09-13T12:30:00Z from IP 198.51.100.8"
    );
    assert_eq!(taro.record.opt_in, Some(OptIn::Confirmed));
    assert_eq!(
        taro.record.topics.as_deref(),
        Some(&["product".to_string()][..])
    );
    assert_eq!(taro.record.consent_text, "Yes, send me news");
}

#[test]
fn a_mailchimp_signup_without_a_later_confirmation_is_single_opt_in() {
    let parsed = parse(&table(MAILCHIMP), Source::Mailchimp, &defaults()).unwrap();
    assert_eq!(parsed.records[1].record.opt_in, Some(OptIn::Single));
}

#[test]
fn a_mailchimp_contact_added_by_the_sender_is_only_attested() {
    let parsed = parse(&table(MAILCHIMP), Source::Mailchimp, &defaults()).unwrap();
    let old = &parsed.records[2].record;
    assert_eq!(old.opt_in, Some(OptIn::ImportedAttested));
    assert_eq!(old.consented_at, 1_557_126_489_000);
}

#[test]
fn the_command_line_opt_in_wins_over_what_the_file_suggests() {
    let mut d = defaults();
    d.opt_in = Some(OptIn::ImportedAttested);
    let parsed = parse(&table(MAILCHIMP), Source::Mailchimp, &d).unwrap();
    assert!(parsed
        .records
        .iter()
        .all(|l| l.record.opt_in == Some(OptIn::ImportedAttested)));
}

#[test]
fn mailchimp_unsubscribed_and_cleaned_rows_are_not_consents() {
    let text = "Email Address,OPTIN_TIME,UNSUB_TIME,CLEAN_TIME\n\
                a@example.com,2020-09-13 12:26:40,2021-01-01 00:00:00,\n\
                b@example.com,2020-09-13 12:26:40,,2021-01-01 00:00:00\n\
                c@example.com,2020-09-13 12:26:40,,\n";
    let parsed = parse(&table(text), Source::Mailchimp, &defaults()).unwrap();
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].record.email, "c@example.com");
    let lines: Vec<u64> = parsed.left.iter().map(|l| l.line).collect();
    assert_eq!(lines, [2, 3]);
    assert!(parsed.left[0].why.starts_with("unsubscribed in Mailchimp"));
    assert!(parsed.left[1]
        .why
        .starts_with("cleaned (bounced) in Mailchimp"));
}

#[test]
fn a_bad_mailchimp_time_names_its_line_and_column() {
    let text = "Email Address,First Name,OPTIN_TIME\na@example.com,A,2020-09-13 12:26:40\nb@example.com,B,13/09/2020\n";
    let error = parse(&table(text), Source::Mailchimp, &defaults()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "export.csv:3:3 (OPTIN_TIME): \"13/09/2020\" is not a time like 2020-09-13 12:26:40"
    );
}

const LISTMONK: &str = "\
uuid,email,name,attributes,status,created_at,updated_at
5e9f6c1e-0000-4000-8000-000000000001,taro@example.com,Taro,\"{\"\"city\"\": \"\"Tokyo\"\"}\",enabled,2020-09-13 21:26:40.5 +0900 JST,2021-01-01 00:00:00 +0000 UTC
5e9f6c1e-0000-4000-8000-000000000002,spam@example.com,X,{},blocklisted,2020-09-13 12:26:40 +0000 UTC,2020-09-13 12:26:40 +0000 UTC
";

#[test]
fn a_listmonk_export_is_recognised_by_its_header() {
    assert_eq!(detect(&table(LISTMONK)), Some(Source::Listmonk));
}

#[test]
fn a_listmonk_record_keeps_its_uuid_and_creation_time() {
    let parsed = parse(&table(LISTMONK), Source::Listmonk, &defaults()).unwrap();
    assert_eq!(parsed.records.len(), 1);
    let taro = &parsed.records[0].record;
    assert_eq!(taro.consented_at, 1_600_000_000_500);
    assert_eq!(
        taro.source,
        "listmonk subscriber export; uuid 5e9f6c1e-0000-4000-8000-000000000001; \
         created 2020-09-13T12:26:40.5Z"
    );
    assert_eq!(taro.opt_in, None);
    assert_eq!(parsed.left[0].line, 3);
    assert!(parsed.left[0].why.starts_with("blocklisted in listmonk"));
}

#[test]
fn a_plain_csv_takes_its_own_source_ip_topics_and_text() {
    let text = "email,consented_at,source,ip,topics,consent_text,locale,opt_in\n\
                a@example.com,2020-09-13T12:26:40Z,seminar sheet,192.0.2.1,events;tips,はい,ja,confirmed\n";
    let t = table(text);
    assert_eq!(detect(&t), Some(Source::Plain));
    let record = &parse(&t, Source::Plain, &defaults()).unwrap().records[0].record;
    assert_eq!(record.source, "seminar sheet; opted in from IP 192.0.2.1");
    assert_eq!(
        record.topics.as_deref(),
        Some(&["events".to_string(), "tips".to_string()][..])
    );
    assert_eq!(record.consent_text, "はい");
    assert_eq!(record.locale, "ja");
    assert_eq!(record.opt_in, Some(OptIn::Confirmed));
}

#[test]
fn a_plain_csv_with_an_unknown_opt_in_names_the_cell() {
    let text = "email,consented_at,opt_in\na@example.com,1600000000000,maybe\n";
    let error = parse(&table(text), Source::Plain, &defaults()).unwrap_err();
    assert!(error
        .to_string()
        .starts_with("export.csv:2:3 (opt_in): \"maybe\""));
}

#[test]
fn without_a_consent_text_nothing_is_imported() {
    let mut d = defaults();
    d.consent_text = None;
    let error = parse(&table(MAILCHIMP), Source::Mailchimp, &d).unwrap_err();
    assert!(error.to_string().contains("--consent-text"));
}

#[test]
fn an_unknown_header_is_not_guessed() {
    assert_eq!(detect(&table("address,when\na@example.com,now\n")), None);
}

#[test]
fn a_long_source_is_cut_at_a_character_boundary() {
    let long = "あ".repeat(400);
    let clipped = clip(long);
    assert!(clipped.len() <= doi_core::import::MAX_SOURCE);
    assert!(clipped.chars().all(|c| c == 'あ'));
}
