//! The command line, as clap reads it: `doi COMMAND [OPTIONS]`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Dōi's command-line tool for senders: prepare a campaign, check,
/// import, export, suppress, verify.
#[derive(Debug, Parser)]
#[command(name = "doi", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// What `doi --help` says about exit codes (the README has the table).
const EXIT_CODES: &str = "Exit codes: 0 done; 1 done, but some recipients may not be mailed, \
some records were not taken or some logs fail verification; 2 usage or input error \
(a bad file is named FILE:LINE:COLUMN); 3 server or network error after every retry \
(rerun the same command to go on where it stopped).

Environment: DOI_URL (the Worker), DOI_API_TOKEN (the sender API's bearer token).";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Who may be mailed, with their links, List-Unsubscribe headers and
    /// footer, ready to merge into a mail template; a summary of who may
    /// not, and why, on stderr.
    Prepare(PrepareArgs),
    /// May I send to these addresses? One line per address, with the reason.
    Check(CheckArgs),
    /// Every subscriber with their state and events, as NDJSON, to a file.
    Export(ExportArgs),
    /// Consents recorded before Dōi (Mailchimp, listmonk, a plain CSV),
    /// with their opt-in times, IPs and source as provenance.
    Import(ImportArgs),
    /// Suppress the addresses of a CSV of bounces or complaints.
    Suppress(SuppressArgs),
    /// Check every subscriber's log in an export offline: which fail, and why.
    Verify(VerifyArgs),
}

/// Where the Worker is and how to retry it. The bearer token comes from
/// `DOI_API_TOKEN` only, so that it never shows in a process list.
#[derive(Debug, Clone, Args)]
pub struct Server {
    /// The Worker's base URL.
    #[arg(long, env = "DOI_URL", default_value = "http://127.0.0.1:8787")]
    pub url: String,
    /// How often a failed call (network, 429, 5xx) is tried again, with
    /// backoff, before the command stops with exit code 3.
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
}

/// What a batch is about: a list, and optionally a topic and a frequency.
#[derive(Debug, Clone, Args)]
pub struct Scope {
    /// The list (an id from doi.toml).
    #[arg(long)]
    pub list: String,
    /// Only recipients who receive this topic of the list.
    #[arg(long)]
    pub topic: Option<String>,
    /// Only recipients who receive mail at this frequency.
    #[arg(long)]
    pub frequency: Option<String>,
}

/// Output file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated, with a header row.
    Csv,
    /// One JSON object a line.
    Ndjson,
}

/// Languages of links' pages and footers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// The tag the API takes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

/// `doi prepare`.
#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// A CSV with a header row and an `email` column (other columns are
    /// carried to the output for the template).
    pub input: PathBuf,
    /// The list, topic and frequency.
    #[command(flatten)]
    pub scope: Scope,
    /// Language of the footer and of the pages the links open.
    #[arg(long, value_enum)]
    pub locale: Option<Lang>,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write here instead of stdout (needed to resume an interrupted run).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Also write who may not be mailed, with the reason, to this CSV.
    #[arg(long)]
    pub refused: Option<PathBuf>,
    /// Ignore the journal of an earlier, interrupted run: start again.
    #[arg(long)]
    pub fresh: bool,
    /// The Worker.
    #[command(flatten)]
    pub server: Server,
}

/// `doi check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A CSV with a header row and an `email` column.
    pub input: Option<PathBuf>,
    /// An address to check (repeat for more).
    #[arg(long = "email", value_name = "ADDRESS")]
    pub emails: Vec<String>,
    /// The list, topic and frequency.
    #[command(flatten)]
    pub scope: Scope,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The Worker.
    #[command(flatten)]
    pub server: Server,
}

/// `doi export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The NDJSON file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Subscribers per page (at most doi-core's `EXPORT_PAGE_MAX`).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Ignore the journal of an earlier, interrupted run: start again.
    #[arg(long)]
    pub fresh: bool,
    /// The Worker.
    #[command(flatten)]
    pub server: Server,
}

/// Where an import file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// Mailchimp's audience export (`Email Address`, `OPTIN_TIME`, …).
    Mailchimp,
    /// listmonk's subscriber export (`uuid`, `email`, …, `created_at`).
    Listmonk,
    /// A plain CSV: `email`, `consented_at` and optional columns.
    Plain,
}

/// How the earlier system proved the opt-in (the API's `opt_in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptInArg {
    /// The person ticked a box; the address was not proven.
    Single,
    /// The person confirmed by a link sent to the address.
    Confirmed,
    /// You attest consent without a record of how.
    ImportedAttested,
}

/// `doi import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV export to import.
    pub input: PathBuf,
    /// Its format; by default recognised from its header row.
    #[arg(long, value_enum)]
    pub from: Option<Source>,
    /// The list these people consented to.
    #[arg(long)]
    pub list: String,
    /// The topics they consented to (comma-separated; required when the
    /// list has topics), unless the file has a `topics` column.
    #[arg(long, value_delimiter = ',')]
    pub topics: Vec<String>,
    /// The exact text they agreed to, unless the file has a
    /// `consent_text` column.
    #[arg(long)]
    pub consent_text: Option<String>,
    /// The same, read from a file (its exact bytes, as UTF-8).
    #[arg(long, conflicts_with = "consent_text")]
    pub consent_text_file: Option<PathBuf>,
    /// The language of that text, unless the file has a `locale` column.
    #[arg(long, value_enum)]
    pub locale: Option<Lang>,
    /// How the opt-in was proven, overriding what the file says.
    #[arg(long, value_enum)]
    pub opt_in: Option<OptInArg>,
    /// Ignore the journal: send every batch again.
    #[arg(long)]
    pub fresh: bool,
    /// The Worker.
    #[command(flatten)]
    pub server: Server,
}

/// Reasons the API records for a suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Reason {
    /// The address bounced.
    Bounce,
    /// The recipient reported the mail as spam.
    Complaint,
    /// Blocked by hand.
    Manual,
    /// They unsubscribed elsewhere.
    Unsubscribe,
}

impl Reason {
    /// The API's word.
    pub fn word(self) -> &'static str {
        match self {
            Reason::Bounce => "bounce",
            Reason::Complaint => "complaint",
            Reason::Manual => "manual",
            Reason::Unsubscribe => "unsubscribe",
        }
    }
}

/// `doi suppress`.
#[derive(Debug, Args)]
pub struct SuppressArgs {
    /// A CSV with a header row and an `email` column; a `reason` column
    /// (bounce, complaint, manual, unsubscribe) wins over `--reason`.
    pub input: PathBuf,
    /// The reason for rows that do not say.
    #[arg(long, value_enum, default_value = "bounce")]
    pub reason: Reason,
    /// Ignore the journal: send every batch again.
    #[arg(long)]
    pub fresh: bool,
    /// The Worker.
    #[command(flatten)]
    pub server: Server,
}

/// `doi verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// An NDJSON export, as `doi export` wrote it.
    pub export: PathBuf,
    /// Check the signed receipts too, with these public keys: a JWK set
    /// as the Worker serves it at `/.well-known/jwks.json`.
    #[arg(long, value_name = "JWKS_FILE", conflicts_with = "keys_from")]
    pub keys: Option<PathBuf>,
    /// Check the signed receipts too, fetching the keys once from this
    /// Worker (`URL/.well-known/jwks.json`).
    #[arg(long, value_name = "URL")]
    pub keys_from: Option<String>,
}
