//! The receipt page (`/r/{token}`): each signed receipt, newest first, in
//! the person's language, with until when the record is kept, where the
//! public keys are, and the signed file to download.

use doi_core::html::Escaped;
use doi_core::receipt::{Action, Parsed};
use doi_core::text::{t, Msg};
use doi_core::time::HOUR;
use doi_core::Timestamp;

use crate::pages::Shell;

/// A time in JST and UTC, as the proof of consent shows it.
pub fn jst_and_utc(at: Timestamp) -> String {
    let jst = Timestamp(at.millis().saturating_add(9 * HOUR)).to_string();
    format!(
        "{} JST ({at})",
        jst.trim_end_matches('Z').replacen('T', " ", 1)
    )
}

fn row(label: &str, value: &str, code: bool) -> String {
    let value = if code {
        format!("<code>{}</code>", Escaped(value))
    } else {
        Escaped(value).to_string()
    };
    format!("<dt>{}</dt><dd>{value}</dd>", Escaped(label))
}

/// The page.
pub fn render(
    shell: &Shell<'_>,
    receipts: &[&Parsed],
    until: Option<Timestamp>,
    jwks: &str,
    download: &str,
) -> String {
    let mut main = format!("<p>{}</p>", Escaped(&shell.with_sender(Msg::ReceiptLead)));
    if let Some(until) = until {
        let date = jst_and_utc(until);
        main.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            Escaped(&t(
                Msg::ReceiptRetain,
                shell.locale,
                &[("sender", shell.sender()), ("date", &date)]
            ))
        ));
    }
    if receipts.is_empty() {
        main.push_str(&format!("<p>{}</p>", Escaped(shell.t(Msg::ReceiptNone))));
    }
    for p in receipts.iter().rev() {
        let r = &p.receipt;
        let title = match r.action {
            Action::Consent => Msg::ReceiptConsent,
            Action::Confirmation => Msg::ReceiptConfirmation,
            Action::Withdrawal => Msg::ReceiptWithdrawal,
        };
        let purposes: Vec<String> = r
            .purposes
            .iter()
            .map(|purpose| match &purpose.list {
                None => shell.t(Msg::ReceiptAllLists).to_string(),
                Some(list) => {
                    let name = shell
                        .config
                        .list(list)
                        .map_or(list.as_str(), |l| l.name.get(shell.locale));
                    let topics: Vec<&str> = purpose
                        .topics
                        .iter()
                        .map(|topic| {
                            shell
                                .config
                                .list(list)
                                .and_then(|l| l.topic(topic))
                                .map_or(topic.as_str(), |t| t.name.get(shell.locale))
                        })
                        .collect();
                    if topics.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name}: {}", topics.join(", "))
                    }
                }
            })
            .collect();
        let mut rows = row(
            shell.t(Msg::ReceiptWhen),
            &jst_and_utc(Timestamp(r.at)),
            false,
        );
        rows.push_str(&row(
            shell.t(Msg::ReceiptPurposes),
            &purposes.join(" / "),
            false,
        ));
        rows.push_str(&row(shell.t(Msg::ReceiptMethod), &r.method, true));
        if let Some(v) = &r.consent_version {
            rows.push_str(&row(shell.t(Msg::ReceiptTextVersion), &v.to_string(), true));
        }
        rows.push_str(&row(shell.t(Msg::ReceiptHead), &r.head.to_string(), true));
        rows.push_str(&row(shell.t(Msg::ReceiptKey), &p.kid, true));
        main.push_str(&format!(
            "<section><h2>{}</h2><dl>{rows}</dl></section>",
            Escaped(shell.t(title))
        ));
    }
    main.push_str(&format!(
        "<p>{} <a href=\"{jwks}\">{jwks_text}</a></p><p><a href=\"{download}\" download>{}</a></p>",
        Escaped(shell.t(Msg::ReceiptVerify)),
        Escaped(shell.t(Msg::ReceiptDownload)),
        jwks = Escaped(jwks),
        jwks_text = Escaped(jwks),
        download = Escaped(download),
    ));
    shell.page(shell.t(Msg::ReceiptTitle), &main)
}
