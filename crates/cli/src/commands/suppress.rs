//! `doi suppress FILE [--reason bounce]`: the addresses of a CSV of bounces
//! or complaints (an `email` or Mailchimp `Email Address` column; a
//! `reason` column wins over `--reason`) suppressed through
//! `POST /v1/suppressions`, one reason per call, doi-core's `CHANGE_BATCH`
//! addresses a batch. Resumable like `doi import`, with
//! `FILE.suppress.journal` beside the input.

use std::time::Instant;

use serde::Deserialize;
use serde_json::json;

use super::import::{report_skipped, send_batches, HasLine, Skipped};
use super::recipients::EMAIL_COLUMNS;
use crate::args::{Reason, SuppressArgs};
use crate::client::Client;
use crate::input::Table;
use crate::journal;
use crate::outcome::{Failure, Outcome};

#[derive(Deserialize)]
struct Answer {
    suppressed: usize,
    skipped: Vec<Skipped>,
}

/// One address to suppress.
#[derive(Debug, Clone)]
struct Address {
    line: u64,
    email: String,
    reason: Reason,
}

impl HasLine for Address {
    fn line(&self) -> u64 {
        self.line
    }
}

pub(super) fn run(args: &SuppressArgs) -> Result<Outcome, Failure> {
    let table = Table::read(&args.input)?;
    let email = table.require(EMAIL_COLUMNS)?;
    let reason_column = table.column(&["reason"]);
    let mut addresses = Vec::new();
    for row in &table.rows {
        let reason = match reason_column.map(|i| (i, row.get(i).trim())) {
            None | Some((_, "")) => args.reason,
            Some((i, word)) => match word.to_ascii_lowercase().as_str() {
                "bounce" | "bounced" | "hard_bounce" | "cleaned" => Reason::Bounce,
                "complaint" | "spam" | "abuse" => Reason::Complaint,
                "manual" => Reason::Manual,
                "unsubscribe" | "unsubscribed" => Reason::Unsubscribe,
                _ => {
                    return Err(table.error(
                        row,
                        i,
                        format!("{word:?} is not bounce, complaint, manual or unsubscribe"),
                    ))
                }
            },
        };
        addresses.push(Address {
            line: row.line,
            email: row.get(email).trim().to_string(),
            reason,
        });
    }
    // One reason per call: batches of one reason each, in reason order.
    addresses.sort_by_key(|a| (a.reason, a.line));
    let mut batches: Vec<&[Address]> = Vec::new();
    for group in addresses.chunk_by(|a, b| a.reason == b.reason) {
        batches.extend(group.chunks(doi_core::limits::CHANGE_BATCH));
    }
    let key = journal::key(&[table.sha256.as_bytes(), args.reason.word().as_bytes()]);
    let client = Client::new(&args.server)?;
    let started = Instant::now();
    let tallies = send_batches(
        &journal::beside(&args.input, ".suppress.journal"),
        &key,
        args.fresh,
        "suppress",
        &batches,
        |group| {
            let reason = group.first().map_or(args.reason, |a| a.reason);
            let emails: Vec<&str> = group.iter().map(|a| a.email.as_str()).collect();
            let body = json!({ "emails": emails, "reason": reason.word() });
            let answer: Answer = client.post("/v1/suppressions", &body)?;
            Ok((answer.suppressed, answer.skipped))
        },
    )?;
    let suppressed: usize = tallies.iter().map(|t| t.done).sum();
    let mut skipped: Vec<(u64, String)> = tallies.into_iter().flat_map(|t| t.skipped).collect();
    skipped.sort();
    eprintln!(
        "doi suppress: {suppressed} addresses suppressed, {} not; {} calls in {}",
        skipped.len(),
        client.calls(),
        super::seconds(started)
    );
    report_skipped(&table, &skipped);
    Ok(Outcome::refused_if(skipped.len()))
}
