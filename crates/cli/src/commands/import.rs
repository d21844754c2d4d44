//! `doi import FILE --list … --consent-text …`: consents recorded before
//! Dōi, read by [`crate::import`] (Mailchimp, listmonk, plain CSV) and sent
//! to `POST /v1/import`, doi-core's `CHANGE_BATCH` records a batch. Records
//! the Worker answers `retry_later` (it records a bounded number per call)
//! are sent again until each is imported or skipped with a reason.
//!
//! Resumable: `FILE.import.journal`, beside the input, records each batch
//! done; a rerun sends only the batches not done, and a rerun of a finished
//! import sends nothing (`--fresh` sends everything again, which stores
//! nothing new: an imported event's id is derived from its record).

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::summary_by_code;
use crate::args::{ImportArgs, OptInArg};
use crate::client::Client;
use crate::import::{self, Defaults, Line};
use crate::input::Table;
use crate::journal::{self, Entry, Journal};
use crate::outcome::{Failure, Outcome};
use crate::progress::Progress;

/// Rounds of `retry_later` a batch may take before the run stops.
const MAX_ROUNDS: usize = 20;

/// What a batch counted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Tally {
    pub(super) done: usize,
    /// `(line, code)` of each record not taken.
    pub(super) skipped: Vec<(u64, String)>,
}

#[derive(Deserialize)]
struct Answer {
    imported: usize,
    skipped: Vec<Skipped>,
}

#[derive(Deserialize)]
pub(super) struct Skipped {
    pub(super) index: usize,
    pub(super) code: String,
}

pub(super) fn run(args: &ImportArgs) -> Result<Outcome, Failure> {
    let table = Table::read(&args.input)?;
    let source = match args.from.or_else(|| import::detect(&table)) {
        Some(source) => source,
        None => {
            return Err(Failure::Input(format!(
                "{}:1:1: not a Mailchimp, listmonk or plain CSV header ({}); say which with --from",
                table.path.display(),
                table.headers.join(", ")
            )))
        }
    };
    let consent_text = match &args.consent_text_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| Failure::io(path, e))?),
        None => args.consent_text.clone(),
    };
    let defaults = Defaults {
        list: args.list.clone(),
        topics: args.topics.clone(),
        consent_text,
        locale: args.locale.map(|l| l.tag().to_string()),
        opt_in: args.opt_in.map(|o| match o {
            OptInArg::Single => doi_core::OptIn::Single,
            OptInArg::Confirmed => doi_core::OptIn::Confirmed,
            OptInArg::ImportedAttested => doi_core::OptIn::ImportedAttested,
        }),
    };
    let parsed = import::parse(&table, source, &defaults)?;
    let records: Vec<&Line> = parsed.records.iter().collect();
    let batches: Vec<&[&Line]> = records.chunks(doi_core::limits::CHANGE_BATCH).collect();
    let key = journal::key(&[
        table.sha256.as_bytes(),
        format!("{source:?}").as_bytes(),
        &serde_json::to_vec(&records.iter().map(|l| &l.record).collect::<Vec<_>>())
            .map_err(|e| Failure::Input(e.to_string()))?,
    ]);
    let client = Client::new(&args.server)?;
    let path = journal::beside(&args.input, ".import.journal");
    let started = Instant::now();
    let tallies = send_batches(&path, &key, args.fresh, "import", &batches, |group| {
        let body =
            serde_json::json!({ "records": group.iter().map(|l| &l.record).collect::<Vec<_>>() });
        let answer: Answer = client.post("/v1/import", &body)?;
        Ok((answer.imported, answer.skipped))
    })?;
    let imported: usize = tallies.iter().map(|t| t.done).sum();
    let mut skipped: Vec<(u64, String)> = tallies.into_iter().flat_map(|t| t.skipped).collect();
    skipped.extend(parsed.left.iter().map(|l| (l.line, l.why.clone())));
    skipped.sort();
    eprintln!(
        "doi import: {imported} consents imported from {} ({source:?}), {} not; {} calls in {}",
        table.path.display(),
        skipped.len(),
        client.calls(),
        super::seconds(started)
    );
    report_skipped(&table, &skipped);
    Ok(Outcome::refused_if(skipped.len()))
}

/// Lists what was not taken: by code, then the first lines.
pub(super) fn report_skipped(table: &Table, skipped: &[(u64, String)]) {
    for line in summary_by_code(skipped.iter().map(|(_, code)| code.as_str())) {
        eprintln!("{line}");
    }
    for (line, code) in skipped.iter().take(20) {
        eprintln!("  {}:{line}: {code}", table.path.display());
    }
    if skipped.len() > 20 {
        eprintln!("  … and {} more", skipped.len() - 20);
    }
}

/// Sends each batch not done yet with `send` (which answers how many it
/// took and which it skipped, by index), sending `retry_later` ones again,
/// and records each batch in the journal at `path`. Returns every batch's
/// tally, the earlier runs' included.
pub(super) fn send_batches<T: HasLine>(
    path: &std::path::Path,
    key: &str,
    fresh: bool,
    command: &str,
    batches: &[&[T]],
    mut send: impl FnMut(&[&T]) -> Result<(usize, Vec<Skipped>), Failure>,
) -> Result<Vec<Tally>, Failure> {
    let mut journal: Journal<Tally> = Journal::open(path, command, key, None, fresh)?;
    if let Some(why) = &journal.restarted {
        eprintln!("doi: not resuming {}: {why}", journal.path().display());
    }
    if journal.finished {
        eprintln!(
            "doi: every batch was done by an earlier run ({}); --fresh sends them again",
            journal.path().display()
        );
    } else if !journal.done.is_empty() {
        eprintln!(
            "doi: resuming after batch {} of {} ({})",
            journal.done.len(),
            batches.len(),
            journal.path().display()
        );
    }
    let total: usize = batches.iter().map(|b| b.len()).sum();
    let mut progress = Progress::new(total as u64, "records");
    let done_before = if journal.finished {
        batches.len()
    } else {
        journal.done.len()
    };
    progress.advance(
        batches
            .iter()
            .take(done_before)
            .map(|b| b.len())
            .sum::<usize>() as u64,
    );
    for (number, group) in batches.iter().enumerate().skip(done_before) {
        let mut pending: Vec<&T> = group.iter().collect();
        let mut tally = Tally::default();
        for _ in 0..MAX_ROUNDS {
            let (took, skipped) = send(&pending)?;
            tally.done += took;
            let mut again = Vec::new();
            for s in skipped {
                let Some(item) = pending.get(s.index) else {
                    continue;
                };
                if s.code == "retry_later" {
                    again.push(*item);
                } else {
                    tally.skipped.push((item.line(), s.code));
                }
            }
            pending = again;
            if pending.is_empty() {
                break;
            }
        }
        if !pending.is_empty() {
            return Err(Failure::Server(format!(
                "the Worker kept answering retry_later for {} records of batch {}",
                pending.len(),
                number + 1
            )));
        }
        journal.record(Entry {
            batch: number as u64,
            offset: 0,
            cursor: None,
            tally,
        })?;
        progress.advance(group.len() as u64);
    }
    progress.finish();
    if !journal.finished {
        journal.finish()?;
    }
    Ok(journal.done.into_iter().map(|e| e.tally).collect())
}

/// Something sent in a batch that came from a line of the input.
pub(super) trait HasLine {
    /// The input line.
    fn line(&self) -> u64;
}

impl HasLine for &Line {
    fn line(&self) -> u64 {
        self.line
    }
}
