//! Import files: a Mailchimp audience export, a listmonk subscriber export
//! or a plain CSV, read into the records `POST /v1/import` takes, each
//! with its provenance (where it came from, when and from which IP the
//! person opted in and confirmed) in the record's `source`.
//!
//! The `source` carries only what stays the same between two exports of
//! the same person (ids, times, IPs; no file name or line number): the
//! Worker derives an imported event's id from it, so importing a later
//! export again stores nothing new for the people already imported.
//! Rows of people who left in the earlier system are not consents: they
//! are listed as skipped (suppress them with `doi suppress`).

mod listmonk;
mod mailchimp;
mod plain;

use doi_core::OptIn;
use serde::Serialize;

use crate::args::Source;
use crate::input::Table;
use crate::outcome::Failure;

/// One record for `POST /v1/import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The address.
    pub email: String,
    /// The list.
    pub list: String,
    /// The topics (absent: the list has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// When consent was given, ms since the epoch.
    pub consented_at: u64,
    /// Provenance.
    pub source: String,
    /// The exact text agreed to.
    pub consent_text: String,
    /// `ja` or `en`.
    pub locale: String,
    /// How the opt-in was proven.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_in: Option<OptIn>,
}

/// A record and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line in the file.
    pub line: u64,
    /// The record.
    pub record: Record,
}

/// A row that is not a consent to import, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    /// The line in the file.
    pub line: u64,
    /// Why (e.g. "unsubscribed in Mailchimp").
    pub why: String,
}

/// What the command line says for every row, unless a column says otherwise.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// The list.
    pub list: String,
    /// The topics (empty: none given).
    pub topics: Vec<String>,
    /// The consent text.
    pub consent_text: Option<String>,
    /// Its language.
    pub locale: Option<String>,
    /// How the opt-in was proven (wins over what a file says).
    pub opt_in: Option<OptIn>,
}

/// Everything read from an import file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Consents to import, in file order.
    pub records: Vec<Line>,
    /// Rows that are not consents.
    pub left: Vec<Left>,
}

/// Which export `table` is, from its header row.
pub fn detect(table: &Table) -> Option<Source> {
    let has = |name: &str| table.column(&[name]).is_some();
    if has("Email Address") && (has("OPTIN_TIME") || has("CONFIRM_TIME")) {
        Some(Source::Mailchimp)
    } else if has("uuid") && has("email") && has("status") && has("created_at") {
        Some(Source::Listmonk)
    } else if has("email") && has("consented_at") {
        Some(Source::Plain)
    } else {
        None
    }
}

/// Reads every row of `table` as `source`.
pub fn parse(table: &Table, source: Source, defaults: &Defaults) -> Result<Parsed, Failure> {
    match source {
        Source::Mailchimp => mailchimp::parse(table, defaults),
        Source::Listmonk => listmonk::parse(table, defaults),
        Source::Plain => plain::parse(table, defaults),
    }
}

/// What a format reads from a row itself.
struct Found {
    email: String,
    consented_at: doi_core::Timestamp,
    source: String,
    opt_in: Option<OptIn>,
}

/// The parts every format shares: text, locale, topics from the command
/// line or the row's own columns.
struct Common {
    text: Option<usize>,
    locale: Option<usize>,
    topics: Option<usize>,
}

impl Common {
    fn of(table: &Table) -> Common {
        Common {
            text: table.column(&["consent_text"]),
            locale: table.column(&["locale"]),
            topics: table.column(&["topics"]),
        }
    }

    /// A record for `row` of `table`, with what the format found.
    fn record(
        &self,
        table: &Table,
        row: &crate::input::Row,
        defaults: &Defaults,
        found: Found,
    ) -> Result<Record, Failure> {
        let cell = |index: Option<usize>| {
            index
                .map(|i| row.get(i).trim())
                .filter(|value| !value.is_empty())
        };
        let consent_text = match cell(self.text) {
            Some(_) => self.text.map(|i| row.get(i).to_string()),
            None => defaults.consent_text.clone(),
        }
        .ok_or_else(|| {
            Failure::Input(format!(
                "{}:{}: no consent text: give --consent-text (the exact text these people \
                 agreed to; an export does not carry it) or a consent_text column",
                table.path.display(),
                row.line
            ))
        })?;
        let locale = cell(self.locale)
            .map(str::to_string)
            .or_else(|| defaults.locale.clone())
            .ok_or_else(|| {
                Failure::Input(format!(
                    "{}:{}: no locale: give --locale ja|en (the language of the consent text) \
                     or a locale column",
                    table.path.display(),
                    row.line
                ))
            })?;
        let topics: Vec<String> = match cell(self.topics) {
            Some(list) => list
                .split([';', '|', ','])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            None => defaults.topics.clone(),
        };
        Ok(Record {
            email: found.email,
            list: defaults.list.clone(),
            topics: (!topics.is_empty()).then_some(topics),
            consented_at: found.consented_at.0,
            source: clip(found.source),
            consent_text,
            locale,
            opt_in: defaults.opt_in.or(found.opt_in),
        })
    }
}

/// `source` cut to what doi-core keeps, at a character boundary.
fn clip(mut source: String) -> String {
    let max = doi_core::import::MAX_SOURCE;
    if source.len() > max {
        let mut end = max;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        source.truncate(end);
    }
    source
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
