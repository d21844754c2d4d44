//! `doi prepare recipients.csv --list …`: for every recipient, in input
//! order, `POST /v1/prepare` (doi-core's `PREPARE_BATCH` a call) decides
//! whether they may be mailed; those who may are written to the output
//! with their input columns, links, both `List-Unsubscribe` headers and
//! the footer; a summary of who may not, and why, goes to stderr.
//!
//! With `-o FILE` the run is resumable: after each batch the output is
//! synced and `FILE.journal` records it; a rerun goes on after the last
//! batch done. A journal older than an hour is not resumed (decisions are
//! made again), and a finished run removes it: decisions must be fresh.

use std::io::Write;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::recipients::{self, Recipient};
use super::{allowed, reason_code, reason_detail, scope_body, summary_by_code, Decisions, Refusal};
use crate::args::{Format, PrepareArgs};
use crate::client::Client;
use crate::input::Table;
use crate::journal::{self, Entry, Journal, Output};
use crate::outcome::{Failure, Outcome};
use crate::progress::Progress;

/// The columns the API adds for a recipient who may be mailed.
pub const LINK_COLUMNS: &[&str] = &[
    "subscriber_id",
    "unsubscribe_url",
    "preferences_url",
    "list_unsubscribe",
    "list_unsubscribe_post",
    "footer_text",
    "footer_html",
];

/// How long an interrupted run's decisions may be resumed.
const MAX_RESUME_AGE: Duration = Duration::from_secs(3600);

/// What one batch counted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Tally {
    allowed: usize,
    refused: Vec<Refusal>,
}

pub(super) fn run(args: &PrepareArgs) -> Result<Outcome, Failure> {
    let table = Table::read(&args.input)?;
    let (recipients, duplicates) = recipients::read(&table)?;
    let client = Client::new(&args.server)?;
    let mut body = scope_body(&args.scope);
    if let Some(locale) = args.locale {
        body.insert("locale".into(), Value::String(locale.tag().into()));
    }
    let batch = doi_core::limits::PREPARE_BATCH;
    let batches: Vec<&[Recipient]> = recipients.chunks(batch).collect();

    let mut journal: Option<Journal<Tally>> = None;
    let mut sink = match &args.output {
        None => Sink::Stdout(std::io::stdout()),
        Some(path) => {
            let options = serde_json::to_vec(&body).map_err(|e| Failure::Input(e.to_string()))?;
            let format = format!("{:?}", args.format);
            let key = journal::key(&[table.sha256.as_bytes(), &options, format.as_bytes()]);
            let j = Journal::open(
                &journal::beside(path, ".journal"),
                "prepare",
                &key,
                Some(MAX_RESUME_AGE),
                args.fresh,
            )?;
            if let Some(why) = &j.restarted {
                eprintln!("doi: not resuming {}: {why}", j.path().display());
            }
            let keep = j.done.last().map_or(0, |e| e.offset);
            if !j.done.is_empty() {
                eprintln!(
                    "doi: resuming after batch {} of {} ({})",
                    j.done.len(),
                    batches.len(),
                    j.path().display()
                );
            }
            journal = Some(j);
            Sink::File(Output::open(path, keep)?)
        }
    };
    let mut tallies: Vec<Tally> = match &journal {
        Some(j) => j.done.iter().map(|e| e.tally.clone()).collect(),
        None => Vec::new(),
    };
    let done = tallies.len();
    let started = Instant::now();
    let mut progress = Progress::new(recipients.len() as u64, "recipients");
    progress.advance((done * batch).min(recipients.len()) as u64);
    if done == 0 && args.format == Format::Csv {
        let mut header: Vec<&str> = table.headers.iter().map(String::as_str).collect();
        header.extend(LINK_COLUMNS);
        sink.write(&csv_line(&header)?)?;
    }
    for (number, group) in batches.iter().enumerate().skip(done) {
        let mut ask = body.clone();
        let emails: Vec<Value> = group
            .iter()
            .map(|r| Value::String(r.email.clone()))
            .collect();
        ask.insert("recipients".into(), Value::Array(emails));
        let answer: Decisions = client.post("/v1/prepare", &ask)?;
        if answer.results.len() != group.len() {
            return Err(Failure::Server(format!(
                "POST /v1/prepare answered {} results for {} recipients",
                answer.results.len(),
                group.len()
            )));
        }
        let mut tally = Tally::default();
        let mut bytes = Vec::new();
        for (recipient, result) in group.iter().zip(&answer.results) {
            if allowed(result) {
                tally.allowed += 1;
                bytes.extend(render(args.format, &table, recipient, result)?);
            } else {
                tally.refused.push(Refusal {
                    line: recipient.row.line,
                    email: recipient.email.clone(),
                    code: reason_code(result),
                    detail: reason_detail(result),
                });
            }
        }
        sink.write(&bytes)?;
        let offset = sink.commit()?;
        if let Some(j) = journal.as_mut() {
            j.record(Entry {
                batch: number as u64,
                offset,
                cursor: None,
                tally: tally.clone(),
            })?;
        }
        tallies.push(tally);
        progress.advance(group.len() as u64);
    }
    progress.finish();
    tallies.push(Tally {
        allowed: 0,
        refused: duplicates,
    });
    if let Some(j) = journal {
        j.remove()?;
    }
    let may = tallies.iter().map(|t| t.allowed).sum::<usize>();
    let mut refused: Vec<Refusal> = tallies.into_iter().flat_map(|t| t.refused).collect();
    refused.sort_by_key(|r| r.line);
    if let Some(path) = &args.refused {
        write_refused(path, &refused)?;
    }
    eprintln!(
        "doi prepare: {may} may be mailed, {} may not; {} calls in {}",
        refused.len(),
        client.calls(),
        super::seconds(started)
    );
    for line in summary_by_code(refused.iter().map(|r| r.code.as_str())) {
        eprintln!("{line}");
    }
    for r in refused.iter().take(10) {
        let detail = if r.detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.detail)
        };
        eprintln!("  line {}: {} {}{detail}", r.line, r.email, r.code);
    }
    if refused.len() > 10 {
        let hint = if args.refused.is_some() {
            ""
        } else {
            " (--refused FILE lists them all)"
        };
        eprintln!("  … and {} more{hint}", refused.len() - 10);
    }
    Ok(Outcome::refused_if(refused.len()))
}

/// One recipient who may be mailed, as a CSV or NDJSON line.
fn render(
    format: Format,
    table: &Table,
    recipient: &Recipient,
    result: &Value,
) -> Result<Vec<u8>, Failure> {
    let text = |name: &str| result.get(name).and_then(Value::as_str).unwrap_or("");
    match format {
        Format::Csv => {
            let mut fields: Vec<&str> = recipient.row.fields.iter().map(String::as_str).collect();
            fields.extend(LINK_COLUMNS.iter().map(|c| text(c)));
            csv_line(&fields)
        }
        Format::Ndjson => {
            let mut line = Map::new();
            line.insert("line".into(), Value::from(recipient.row.line));
            let fields: Map<String, Value> = table
                .headers
                .iter()
                .zip(&recipient.row.fields)
                .map(|(h, v)| (h.clone(), Value::String(v.clone())))
                .collect();
            line.insert("fields".into(), Value::Object(fields));
            if let Value::Object(api) = result {
                line.extend(api.clone());
            }
            let mut bytes = serde_json::to_vec(&line).map_err(|e| Failure::Input(e.to_string()))?;
            bytes.push(b'\n');
            Ok(bytes)
        }
    }
}

/// `fields` as one CSV record (the csv crate quotes what needs it).
fn csv_line(fields: &[&str]) -> Result<Vec<u8>, Failure> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields)
        .map_err(|e| Failure::Input(e.to_string()))?;
    writer
        .into_inner()
        .map_err(|e| Failure::Input(e.to_string()))
}

/// Who may not be mailed, as a CSV: line, email, reason, detail.
fn write_refused(path: &std::path::Path, refused: &[Refusal]) -> Result<(), Failure> {
    let mut writer = csv::Writer::from_path(path).map_err(|e| Failure::Input(e.to_string()))?;
    let io = |e: csv::Error| Failure::Input(format!("{}: {e}", path.display()));
    writer
        .write_record(["line", "email", "reason", "detail"])
        .map_err(io)?;
    for r in refused {
        let line = r.line.to_string();
        writer
            .write_record([line.as_str(), &r.email, &r.code, &r.detail])
            .map_err(io)?;
    }
    writer.flush().map_err(|e| Failure::io(path, e))
}

/// Where prepared lines go: a resumable file, or stdout.
enum Sink {
    File(Output),
    Stdout(std::io::Stdout),
}

impl Sink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        match self {
            Sink::File(out) => out.write(bytes),
            Sink::Stdout(out) => out
                .write_all(bytes)
                .map_err(|e| Failure::Io("stdout".into(), e)),
        }
    }

    /// Flushes; for a file, syncs and returns its length.
    fn commit(&mut self) -> Result<u64, Failure> {
        match self {
            Sink::File(out) => out.commit(),
            Sink::Stdout(out) => out
                .flush()
                .map(|()| 0)
                .map_err(|e| Failure::Io("stdout".into(), e)),
        }
    }
}
