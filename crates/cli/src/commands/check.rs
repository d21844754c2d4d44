//! `doi check (FILE | --email ADDRESS…) --list …`: may I send to these?
//! One line per address, in input order, with the reason, from
//! `POST /v1/check` (doi-core's `CHECK_BATCH` a call). Nothing is stored,
//! so a check is simply run again rather than resumed.

use std::io::Write;
use std::time::Instant;

use serde_json::Value;

use super::recipients::{self, Recipient};
use super::{allowed, reason_code, reason_detail, scope_body, summary_by_code, Decisions};
use crate::args::{CheckArgs, Format};
use crate::client::Client;
use crate::input::{Row, Table};
use crate::outcome::{Failure, Outcome};
use crate::progress::Progress;

pub(super) fn run(args: &CheckArgs) -> Result<Outcome, Failure> {
    let mut recipients: Vec<Recipient> = Vec::new();
    let mut duplicates = Vec::new();
    if let Some(path) = &args.input {
        let (r, d) = recipients::read(&Table::read(path)?)?;
        recipients = r;
        duplicates = d;
    }
    recipients.extend(args.emails.iter().map(|e| Recipient {
        row: Row {
            line: 0,
            fields: vec![e.clone()],
        },
        email: e.clone(),
    }));
    if recipients.is_empty() {
        return Err(Failure::Input(
            "nothing to check: give a CSV file or --email ADDRESS".into(),
        ));
    }
    let client = Client::new(&args.server)?;
    let started = Instant::now();
    let mut progress = Progress::new(recipients.len() as u64, "addresses");
    let mut results: Vec<(u64, Value)> = Vec::new();
    for group in recipients.chunks(doi_core::limits::CHECK_BATCH) {
        let mut ask = scope_body(&args.scope);
        let emails = group
            .iter()
            .map(|r| Value::String(r.email.clone()))
            .collect();
        ask.insert("emails".into(), Value::Array(emails));
        let answer: Decisions = client.post("/v1/check", &ask)?;
        if answer.results.len() != group.len() {
            return Err(Failure::Server(format!(
                "POST /v1/check answered {} results for {} addresses",
                answer.results.len(),
                group.len()
            )));
        }
        results.extend(group.iter().map(|r| r.row.line).zip(answer.results));
        progress.advance(group.len() as u64);
    }
    progress.finish();

    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| Failure::io(path, e))?),
        None => Box::new(std::io::stdout()),
    };
    let write_error = |e: std::io::Error| Failure::Io("output".into(), e);
    match args.format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            let csv_error = |e: csv::Error| Failure::Input(format!("output: {e}"));
            writer
                .write_record(["line", "email", "allowed", "reason", "detail"])
                .map_err(csv_error)?;
            for (line, result) in &results {
                let email = result.get("email").and_then(Value::as_str).unwrap_or("");
                writer
                    .write_record([
                        line.to_string().as_str(),
                        email,
                        if allowed(result) { "true" } else { "false" },
                        &reason_code(result),
                        &reason_detail(result),
                    ])
                    .map_err(csv_error)?;
            }
            for d in &duplicates {
                let line = d.line.to_string();
                writer
                    .write_record([line.as_str(), &d.email, "false", &d.code, &d.detail])
                    .map_err(csv_error)?;
            }
            writer.flush().map_err(write_error)?;
        }
        Format::Ndjson => {
            for (line, result) in &results {
                let mut object = serde_json::Map::new();
                object.insert("line".into(), Value::from(*line));
                if let Value::Object(api) = result {
                    object.extend(api.clone());
                }
                let text =
                    serde_json::to_string(&object).map_err(|e| Failure::Input(e.to_string()))?;
                writeln!(out, "{text}").map_err(write_error)?;
            }
        }
    }
    out.flush().map_err(write_error)?;
    let refused = results.iter().filter(|(_, r)| !allowed(r)).count() + duplicates.len();
    eprintln!(
        "doi check: {} may be mailed, {refused} may not; {} calls in {}",
        results.len() + duplicates.len() - refused,
        client.calls(),
        super::seconds(started)
    );
    let codes = results
        .iter()
        .filter(|(_, r)| !allowed(r))
        .map(|(_, r)| reason_code(r))
        .chain(duplicates.iter().map(|d| d.code.clone()))
        .collect::<Vec<String>>();
    for line in summary_by_code(codes.iter().map(String::as_str)) {
        eprintln!("{line}");
    }
    Ok(Outcome::refused_if(refused))
}
