//! Mailchimp's audience export (`Email Address`, `OPTIN_TIME`, `OPTIN_IP`,
//! `CONFIRM_TIME`, `CONFIRM_IP`, `LEID`, `EUID`, …; the unsubscribed and
//! cleaned files add `UNSUB_TIME` or `CLEAN_TIME`). Mailchimp writes its
//! times in UTC without an offset.
//!
//! The consent time is `OPTIN_TIME` (when the person signed up), else
//! `CONFIRM_TIME`. The opt-in was `confirmed` when the person confirmed
//! after signing up (a later `CONFIRM_TIME`: double opt-in), `single` when
//! Mailchimp recorded the IP they signed up from, and otherwise only
//! attested by the sender (`imported_attested`, e.g. a list the sender
//! uploaded to Mailchimp).

use doi_core::OptIn;

use super::{Common, Defaults, Found, Left, Line, Parsed};
use crate::input::Table;
use crate::outcome::Failure;
use crate::time;

pub(super) fn parse(table: &Table, defaults: &Defaults) -> Result<Parsed, Failure> {
    let email = table.require(&["Email Address"])?;
    let optin_time = table.column(&["OPTIN_TIME"]);
    let confirm_time = table.column(&["CONFIRM_TIME"]);
    let optin_ip = table.column(&["OPTIN_IP"]);
    let confirm_ip = table.column(&["CONFIRM_IP"]);
    let ids = [
        ("LEID", table.column(&["LEID"])),
        ("EUID", table.column(&["EUID"])),
    ];
    let gone = [
        ("unsubscribed", table.column(&["UNSUB_TIME"])),
        ("cleaned (bounced)", table.column(&["CLEAN_TIME"])),
    ];
    if optin_time.is_none() && confirm_time.is_none() {
        table.require(&["OPTIN_TIME", "CONFIRM_TIME"])?;
    }
    let common = Common::of(table);
    let mut parsed = Parsed::default();
    for row in &table.rows {
        let cell = |index: Option<usize>| {
            index
                .map(|i| (i, row.get(i).trim()))
                .filter(|(_, v)| !v.is_empty())
        };
        if let Some((why, _)) = gone.iter().find(|(_, c)| cell(*c).is_some()) {
            parsed.left.push(Left {
                line: row.line,
                why: format!("{why} in Mailchimp: not a consent (doi suppress it)"),
            });
            continue;
        }
        let at = |index: Option<usize>| match cell(index) {
            None => Ok(None),
            Some((i, text)) => time::mailchimp(text)
                .map(Some)
                .map_err(|e| table.error(row, i, e)),
        };
        let opted = at(optin_time)?;
        let confirmed = at(confirm_time)?;
        let Some(consented_at) = opted.or(confirmed) else {
            let column = optin_time.or(confirm_time).unwrap_or(email);
            return Err(table.error(row, column, "no opt-in or confirmation time"));
        };
        let mut source = String::from("Mailchimp audience export");
        for (name, index) in ids {
            if let Some((_, id)) = cell(index) {
                source.push_str(&format!("; {name} {id}"));
            }
        }
        if let Some(at) = opted {
            source.push_str(&format!("; opted in {}", time::show(at)));
            if let Some((_, ip)) = cell(optin_ip) {
                source.push_str(&format!(" from IP {ip}"));
            }
        }
        if let Some(at) = confirmed {
            source.push_str(&format!("; confirmed {}", time::show(at)));
            if let Some((_, ip)) = cell(confirm_ip) {
                source.push_str(&format!(" from IP {ip}"));
            }
        }
        let opt_in = match (opted, confirmed) {
            (Some(o), Some(c)) if c > o => OptIn::Confirmed,
            _ if cell(optin_ip).is_some() => OptIn::Single,
            _ => OptIn::ImportedAttested,
        };
        let found = Found {
            email: row.get(email).trim().to_string(),
            consented_at,
            source,
            opt_in: Some(opt_in),
        };
        let record = common.record(table, row, defaults, found)?;
        parsed.records.push(Line {
            line: row.line,
            record,
        });
    }
    Ok(parsed)
}
