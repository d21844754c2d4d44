//! One file per command; each reads its input, talks to the API through
//! [`crate::client::Client`], writes its output and returns an [`Outcome`].

mod check;
mod export;
mod import;
mod prepare;
mod receipts;
mod recipients;
mod suppress;
mod verify;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::args::{Cli, Command, Scope};
use crate::outcome::{Failure, Outcome};

/// Runs the command `cli` names.
pub fn run(cli: Cli) -> Result<Outcome, Failure> {
    match cli.command {
        Command::Prepare(args) => prepare::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Suppress(args) => suppress::run(&args),
        Command::Verify(args) => verify::run(&args),
    }
}

/// The scope fields of a `/v1/check` or `/v1/prepare` body.
fn scope_body(scope: &Scope) -> serde_json::Map<String, Value> {
    let mut body = serde_json::Map::new();
    body.insert("list".into(), Value::String(scope.list.clone()));
    if let Some(topic) = &scope.topic {
        body.insert("topic".into(), Value::String(topic.clone()));
    }
    if let Some(frequency) = &scope.frequency {
        body.insert("frequency".into(), Value::String(frequency.clone()));
    }
    body
}

/// The decisions of `/v1/check` and `/v1/prepare`, each kept as the API
/// wrote it (the output passes it on).
#[derive(Deserialize)]
struct Decisions {
    results: Vec<Value>,
}

/// Whether a decision allows sending.
fn allowed(result: &Value) -> bool {
    result.get("allowed").and_then(Value::as_bool) == Some(true)
}

/// A decision's reason code (`consented`, `unsubscribed`, …).
fn reason_code(result: &Value) -> String {
    result
        .pointer("/reason/code")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string()
}

/// What else the reason says, for people: how and when someone left, until
/// when they paused, which frequency they chose.
fn reason_detail(result: &Value) -> String {
    let field = |name: &str| result.pointer(&format!("/reason/{name}")).cloned();
    let time = |v: Option<Value>| {
        v.and_then(|v| v.as_u64())
            .map(|ms| crate::time::show(doi_core::Timestamp(ms)))
    };
    let mut parts = Vec::new();
    if let Some(via) = field("via").as_ref().and_then(Value::as_str) {
        parts.push(format!("via {via}"));
    }
    if let Some(at) = time(field("at")) {
        parts.push(format!("at {at}"));
    }
    if let Some(until) = time(field("until")) {
        parts.push(format!("until {until}"));
    }
    if let Some(chosen) = field("chosen").as_ref().and_then(Value::as_str) {
        parts.push(format!("chose {chosen}"));
    }
    parts.join(", ")
}

/// A recipient who may not be mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The input line.
    pub line: u64,
    /// The address as given.
    pub email: String,
    /// The reason code.
    pub code: String,
    /// The reason's details.
    #[serde(default)]
    pub detail: String,
}

/// Counts by reason code, most frequent first, as `n code` lines.
fn summary_by_code<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for code in codes {
        *counts.entry(code).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
        .into_iter()
        .map(|(code, n)| format!("{n:>8}  {code}"))
        .collect()
}

/// How long something took, for the summary.
fn seconds(started: std::time::Instant) -> String {
    format!("{:.1} s", started.elapsed().as_secs_f64())
}
