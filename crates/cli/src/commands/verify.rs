//! `doi verify export.ndjson`: offline, each subscriber's log in an export
//! checked with doi-core: every event's exact bytes hash to what its
//! children name (`ledger::verify`, with the state's heads as anchors, so a
//! log cut short at its newest events fails too), every event belongs to
//! the subscriber, and the events fold (`fold`) to the state the export
//! claims. Failures go to stdout, one a line; the summary to stderr.
//!
//! With `--keys` or `--keys-from` it also checks every signed receipt
//! (`receipts`): that is what shows a consistent rewrite of a whole log by
//! someone who can write the KV namespace; without, it cannot (see
//! ARCHITECTURE.md, "What the hash chain proves"). A subscriber whose change was still settling when the export
//! ran (KV is eventually consistent) may fail until exported again.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::time::Instant;

use doi_core::{ledger, SubscriberId, SubscriberState};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::receipts::Keys;
use crate::args::VerifyArgs;
use crate::outcome::{Failure, Outcome};
use crate::progress::Progress;

#[derive(Deserialize)]
struct Subscriber<'a> {
    subscriber_id: String,
    state: SubscriberState,
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
    #[serde(default)]
    receipts: Vec<String>,
}

/// What one line of an export holds, verified.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    /// Events in the log.
    pub events: usize,
    /// Receipts whose signature and head verify (none without keys).
    pub receipts: usize,
    /// Events no signed head commits to (none counted without keys).
    pub unsigned: usize,
}

/// Why one line of an export fails; else what it holds, verified
/// (receipts only with `keys`).
pub fn check_line(text: &str, keys: Option<&Keys>) -> Result<Checked, String> {
    let line: Subscriber<'_> = serde_json::from_str(text)
        .map_err(|e| format!("column {}: not a subscriber line: {e}", e.column()))?;
    let sid = SubscriberId::parse(&line.subscriber_id)
        .ok_or_else(|| format!("{:?} is not a subscriber id", line.subscriber_id))?;
    let entries: Vec<Vec<u8>> = line
        .events
        .iter()
        .map(|raw| raw.get().as_bytes().to_vec())
        .collect();
    let log = ledger::verify(sid, &entries, &line.state.heads).map_err(|e| e.to_string())?;
    let (receipts, unsigned) = match keys {
        Some(keys) => super::receipts::check(keys, sid, &log, &line.receipts)?,
        None => (0, 0),
    };
    let folded = doi_core::fold(&log);
    if folded != line.state {
        return Err(format!(
            "its state is not what its {} events fold to (changed, or still settling: export again)",
            log.len()
        ));
    }
    Ok(Checked {
        events: log.len(),
        receipts,
        unsigned,
    })
}

pub(super) fn run(args: &VerifyArgs) -> Result<Outcome, Failure> {
    let path = &args.export;
    let keys = Keys::load(args)?;
    let (mut signed, mut unsigned) = (0usize, 0usize);
    let file = File::open(path).map_err(|e| Failure::io(path, e))?;
    let size = file.metadata().map_err(|e| Failure::io(path, e))?.len();
    let started = Instant::now();
    let mut progress = Progress::new(size, "bytes");
    let mut reader = BufReader::new(file);
    let (mut verified, mut events, mut failed) = (0usize, 0usize, 0usize);
    let mut text = String::new();
    let mut number = 0u64;
    loop {
        text.clear();
        let n = reader
            .read_line(&mut text)
            .map_err(|e| Failure::io(path, e))?;
        if n == 0 {
            break;
        }
        number += 1;
        progress.advance(n as u64);
        if text.trim().is_empty() {
            continue;
        }
        match check_line(text.trim_end_matches(['\n', '\r']), keys.as_ref()) {
            Ok(checked) => {
                verified += 1;
                events += checked.events;
                signed += checked.receipts;
                unsigned += checked.unsigned;
            }
            Err(why) => {
                failed += 1;
                let who = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| {
                        v.get("subscriber_id")
                            .and_then(|s| s.as_str())
                            .map(str::to_string)
                    })
                    .map_or_else(String::new, |id| format!(" subscriber {id}"));
                println!("{}:{number}:{who} {why}", path.display());
            }
        }
    }
    progress.finish();
    if verified == 0 && failed == 0 {
        return Err(Failure::Input(format!(
            "{}: no subscriber lines (is it a doi export?)",
            path.display()
        )));
    }
    let receipts = if keys.is_some() {
        format!("{signed} receipts verify, {unsigned} events no receipt covers")
    } else {
        "receipts not checked (give --keys or --keys-from)".to_string()
    };
    eprintln!(
        "doi verify: {verified} subscribers verify ({events} events), {failed} fail; {receipts}; in {}",
        super::seconds(started)
    );
    Ok(Outcome::refused_if(failed))
}

#[cfg(test)]
mod tests {
    use doi_core::{Event, LoggedEvent};

    use super::*;

    const SID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

    /// A sealed event from its JSON, on top of `parents`.
    fn sealed(kind: &str, id: &str, at: u64, parents: &[&LoggedEvent]) -> (LoggedEvent, String) {
        let parents: Vec<String> = parents.iter().map(|p| format!("\"{}\"", p.hash)).collect();
        let text = format!(
            r#"{{"id":"{id}","at":{at},"subscriber":"{SID}","parents":[{}],{kind}}}"#,
            parents.join(",")
        );
        let event: Event = serde_json::from_str(&text).unwrap();
        let (hash, bytes) = ledger::seal(&event).unwrap();
        (
            LoggedEvent { hash, event },
            String::from_utf8(bytes).unwrap(),
        )
    }

    /// An export line of a signup and a bounce, with its folded state.
    fn export_line() -> (String, Vec<String>) {
        let version = "0".repeat(64);
        let signup = format!(
            r#""type":"subscribed","list":"newsletter","topics":[],"double_opt_in":false,"evidence":{{"method":"import","consent_version":"{version}","locale":"en"}}"#
        );
        let (first, a) = sealed(&signup, "aaaaaaaaaaaaaaaa", 1_000, &[]);
        let bounce = r#""type":"unsubscribed","scope":"all","via":"bounce""#;
        let (second, b) = sealed(bounce, "bbbbbbbbbbbbbbbb", 2_000, &[&first]);
        let state = doi_core::fold(&[first, second]);
        let line = format!(
            r#"{{"subscriber_id":"{SID}","email":"a@example.com","state":{},"events":[{a},{b}]}}"#,
            serde_json::to_string(&state).unwrap()
        );
        (line, vec![a, b])
    }

    #[test]
    fn an_untouched_log_verifies() {
        let (line, _) = export_line();
        let checked = check_line(&line, None).unwrap();
        assert_eq!((checked.events, checked.receipts), (2, 0));
    }

    #[test]
    fn a_changed_byte_in_an_older_event_breaks_its_child_link() {
        let (line, events) = export_line();
        let tampered = events[0].replace("\"at\":1000", "\"at\":1001");
        let why = check_line(&line.replace(&events[0], &tampered), None).unwrap_err();
        assert!(why.contains("which is not in the log"), "{why}");
    }

    #[test]
    fn a_removed_newest_event_is_missing_from_the_recorded_heads() {
        let (line, events) = export_line();
        let cut = line.replace(&format!(",{}", events[1]), "");
        let why = check_line(&cut, None).unwrap_err();
        assert!(why.starts_with("recorded head"), "{why}");
    }

    #[test]
    fn a_state_that_its_events_do_not_fold_to_fails() {
        let (line, _) = export_line();
        let forged = line.replacen("\"erased\":false", "\"erased\":true", 1);
        assert_ne!(forged, line);
        let why = check_line(&forged, None).unwrap_err();
        assert!(why.contains("fold to"), "{why}");
    }

    #[test]
    fn a_signed_head_commits_to_itself_and_every_event_before_it() {
        let signup = r#""type":"subscribed","list":"n","topics":[],"double_opt_in":false,"evidence":{"method":"import","consent_version":"0000000000000000000000000000000000000000000000000000000000000000","locale":"en"}"#;
        let (first, _) = sealed(signup, "aaaaaaaaaaaaaaaa", 1_000, &[]);
        let bounce = r#""type":"unsubscribed","scope":"all","via":"bounce""#;
        let (second, _) = sealed(bounce, "bbbbbbbbbbbbbbbb", 2_000, &[&first]);
        let (third, _) = sealed(bounce, "cccccccccccccccc", 3_000, &[&second]);
        let log = [first.clone(), second.clone(), third];
        assert_eq!(super::super::receipts::committed(&log, [].into_iter()), 0);
        assert_eq!(
            super::super::receipts::committed(&log, [first.hash].into_iter()),
            1
        );
        assert_eq!(
            super::super::receipts::committed(&log, [second.hash, first.hash].into_iter()),
            2
        );
        assert_eq!(
            super::super::receipts::committed(&log, [log[2].hash].into_iter()),
            3
        );
    }

    #[test]
    fn a_line_that_is_not_json_says_where() {
        let why = check_line("{\"subscriber_id\": ", None).unwrap_err();
        assert!(why.starts_with("column "), "{why}");
    }

    #[test]
    fn a_line_with_a_bad_subscriber_id_fails() {
        let line =
            r#"{"subscriber_id":"nope","state":{"lists":{},"heads":[],"events":0},"events":[]}"#;
        assert!(check_line(line, None)
            .unwrap_err()
            .contains("not a subscriber id"));
    }
}
