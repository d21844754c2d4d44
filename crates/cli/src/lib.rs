//! doi-cli: `doi`, the sender's command-line tool over Dōi's sender API.
//!
//! It prepares a campaign (who may be mailed, with their links, headers and
//! footer), checks addresses, imports consents recorded elsewhere (Mailchimp,
//! listmonk, a plain CSV), suppresses bounces and complaints, exports every
//! subscriber's proof of consent, and verifies such an export offline with
//! doi-core's ledger and fold. It decides nothing about consent itself: the
//! Worker (and so doi-core) answers, and batch sizes are doi-core's
//! [`doi_core::limits`].
//!
//! Work goes in batches; each finished batch is written to the output and
//! recorded in a [`journal`], so a rerun after a failure goes on where the
//! last one stopped. Every outcome maps to an [`Outcome`] exit code.

pub mod args;
pub mod client;
pub mod commands;
pub mod import;
pub mod input;
pub mod journal;
pub mod outcome;
pub mod progress;
pub mod retry;
pub mod time;

use std::process::ExitCode;

use clap::Parser;

pub use outcome::{Failure, Outcome};

/// Runs `doi` with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let args = args::Cli::parse();
    let outcome = match commands::run(args) {
        Ok(outcome) => outcome,
        Err(failure) => {
            eprintln!("doi: {failure}");
            failure.outcome()
        }
    };
    ExitCode::from(outcome.code())
}
