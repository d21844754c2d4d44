//! `doi export -o FILE`: every page of `GET /v1/export`, following
//! `Doi-Next-Cursor`, written to FILE byte for byte as the API returns it
//! (NDJSON: one subscriber with their state and events a line), so that
//! `doi verify` can hash each event's stored bytes.
//!
//! Resumable: `FILE.journal` records each page written (the file's length
//! after it and the next cursor); a rerun goes on from there. A finished
//! run removes the journal, so the next export starts afresh.

use std::time::{Duration, Instant};

use crate::args::ExportArgs;
use crate::client::Client;
use crate::journal::{self, Entry, Journal, Output};
use crate::outcome::{Failure, Outcome};

/// How long an interrupted export's cursors may be resumed.
const MAX_RESUME_AGE: Duration = Duration::from_secs(3600);

pub(super) fn run(args: &ExportArgs) -> Result<Outcome, Failure> {
    let max = doi_core::limits::EXPORT_PAGE_MAX;
    let limit = args.limit.unwrap_or(doi_core::limits::EXPORT_PAGE_DEFAULT);
    if !(1..=max).contains(&limit) {
        return Err(Failure::Input(format!("--limit must be 1 to {max}")));
    }
    let client = Client::new(&args.server)?;
    let key = journal::key(&[args.server.url.as_bytes(), limit.to_string().as_bytes()]);
    let mut journal: Journal<usize> = Journal::open(
        &journal::beside(&args.output, ".journal"),
        "export",
        &key,
        Some(MAX_RESUME_AGE),
        args.fresh,
    )?;
    if let Some(why) = &journal.restarted {
        eprintln!("doi: not resuming {}: {why}", journal.path().display());
    }
    let last = journal.done.last().cloned();
    if let Some(last) = &last {
        eprintln!(
            "doi: resuming after page {} ({})",
            last.batch + 1,
            journal.path().display()
        );
    }
    let mut output = Output::open(&args.output, last.as_ref().map_or(0, |e| e.offset))?;
    let mut cursor = last.as_ref().and_then(|e| e.cursor.clone());
    let finished_before = last.is_some() && cursor.is_none();
    let started = Instant::now();
    let mut page = journal.done.len() as u64;
    let mut progress = crate::progress::Progress::counting("pages");
    let mut more = !finished_before;
    while more {
        let mut path = format!("/v1/export?limit={limit}");
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(c);
        }
        let answer = client.get(&path)?;
        output.write(&answer.body)?;
        let offset = output.commit()?;
        let lines = answer.body.iter().filter(|b| **b == b'\n').count();
        journal.record(Entry {
            batch: page,
            offset,
            cursor: answer.next_cursor.clone(),
            tally: lines,
        })?;
        progress.advance(1);
        page += 1;
        cursor = answer.next_cursor;
        more = cursor.is_some();
    }
    progress.finish();
    let subscribers: usize = journal.done.iter().map(|e| e.tally).sum();
    journal.remove()?;
    eprintln!(
        "doi export: {subscribers} subscribers in {page} pages to {}; {} calls in {}",
        args.output.display(),
        client.calls(),
        super::seconds(started)
    );
    Ok(Outcome::Done)
}
