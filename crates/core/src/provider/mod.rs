//! What a mail provider's webhook reports, in the words of the domain: which
//! addresses bounced for good, complained or unsubscribed, each with the
//! provider's own event id; and the withdrawal each becomes.
//!
//! Each provider's payload shapes are read in a file of its own (`ses`,
//! `sendgrid`, `postmark`, `resend`, `mailgun`); the rules are here, once:
//!
//! - a permanent bounce, a complaint and an unsubscribe suppress the address
//!   everywhere (an unsubscribe-all through [`Via::Bounce`],
//!   [`Via::Complaint`] or [`Via::Api`], the `via`s of `/v1/suppressions`);
//! - a transient ("soft") bounce, a delay, a delivery, an open suppress
//!   nothing: they are not a person's "no" nor a dead mailbox;
//! - the same delivery twice is one event: its id is derived from the
//!   provider and the provider's event id ([`event_id`]);
//! - nothing the provider wrote in free text (a bounce's diagnostic, which
//!   may quote addresses) is kept: only the provider, the kind and the id.
//!
//! Verifying that a delivery really comes from the provider is the Worker's
//! (`crates/worker/src/providers/`): it needs keys and crypto. The pure parts
//! of it (SNS's string to sign, its certificate-host rule, timestamp windows)
//! are here.

use crate::prelude::*;

use thiserror::Error;

use crate::event::{EventId, EventKind, UnsubscribeScope, Via};
use crate::withdrawal::suppression_via;

pub mod mailgun;
pub mod postmark;
pub mod resend;
pub mod sendgrid;
pub mod ses;
mod time;

pub use time::{fresh, parse_rfc3339, parse_unix_seconds};

/// A provider whose webhooks Dōi reads (`POST /v1/providers/{name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Amazon SES notifications through Amazon SNS.
    Ses,
    /// SendGrid's Event Webhook.
    Sendgrid,
    /// Postmark's bounce, spam-complaint and subscription-change webhooks.
    Postmark,
    /// Resend's webhooks (signed the Svix way).
    Resend,
    /// Mailgun's webhooks.
    Mailgun,
}

impl Provider {
    /// Every provider, in the order the docs list them.
    pub const ALL: [Provider; 5] = [
        Provider::Ses,
        Provider::Sendgrid,
        Provider::Postmark,
        Provider::Resend,
        Provider::Mailgun,
    ];

    /// The provider named in a route.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its name in routes, event ids and notes.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Ses => "ses",
            Provider::Sendgrid => "sendgrid",
            Provider::Postmark => "postmark",
            Provider::Resend => "resend",
            Provider::Mailgun => "mailgun",
        }
    }

    /// The reports in a verified delivery's body; `delivery` is the id a
    /// provider sends beside the body (Resend's `svix-id`), else empty.
    pub fn reports(self, body: &[u8], delivery: &str) -> Result<Vec<Report>, PayloadError> {
        match self {
            Provider::Ses => ses::reports(body),
            Provider::Sendgrid => sendgrid::reports(body),
            Provider::Postmark => postmark::reports(body),
            Provider::Resend => resend::reports(body, delivery),
            Provider::Mailgun => mailgun::reports(body),
        }
    }
}

/// Why a provider says an address must not be mailed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A permanent ("hard") bounce: the mailbox does not exist.
    Bounce,
    /// The person marked a mail as spam.
    Complaint,
    /// The person unsubscribed through the provider's own link.
    Unsubscribe,
}

impl Kind {
    /// The reason as `/v1/suppressions` names it.
    pub fn reason(self) -> &'static str {
        match self {
            Kind::Bounce => "bounce",
            Kind::Complaint => "complaint",
            Kind::Unsubscribe => "unsubscribe",
        }
    }

    /// The `via` of its withdrawal (the one `/v1/suppressions` records).
    pub fn via(self) -> Via {
        suppression_via(self.reason()).unwrap_or(Via::Api)
    }
}

/// One address a provider reports as not to be mailed again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The address as the provider wrote it (parsed by the caller).
    pub email: String,
    /// Why.
    pub kind: Kind,
    /// The provider's id of the event (or of the delivery that carried it).
    pub event: String,
}

/// Most reports (and events read) one delivery may carry: SendGrid batches
/// events, and the Worker's KV budget per request is bounded.
pub const MAX_EVENTS: usize = 1_000;

/// Longest provider event id kept in a note.
const MAX_EVENT_ID: usize = 100;

/// Why a verified delivery's body cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PayloadError {
    /// Not the JSON the provider documents.
    #[error("the body is not a {0} webhook payload: {1}")]
    Shape(&'static str, String),
    /// More events than one delivery may carry.
    #[error("at most {MAX_EVENTS} events per delivery")]
    TooMany,
}

impl PayloadError {
    fn shape(provider: Provider, e: impl core::fmt::Display) -> PayloadError {
        PayloadError::Shape(provider.name(), e.to_string())
    }
}

/// Refuses more than [`MAX_EVENTS`] events.
fn bounded<T>(items: Vec<T>) -> Result<Vec<T>, PayloadError> {
    if items.len() > MAX_EVENTS {
        Err(PayloadError::TooMany)
    } else {
        Ok(items)
    }
}

/// The id of the event a report becomes: the same provider event, delivered
/// again, is the same Dōi event, which is stored once.
pub fn event_id(provider: Provider, report: &Report) -> EventId {
    EventId::derive(
        b"doi provider v1",
        &[
            provider.name().as_bytes(),
            report.kind.reason().as_bytes(),
            report.event.as_bytes(),
        ],
    )
}

/// The withdrawal a report becomes: unsubscribed from everything, through
/// the report's `via`, with a note naming the provider and its event id
/// (never free text from the provider).
pub fn withdrawal(provider: Provider, report: &Report) -> EventKind {
    let id: String = report
        .event
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        .take(MAX_EVENT_ID)
        .collect();
    EventKind::Unsubscribed {
        scope: UnsubscribeScope::All,
        via: report.kind.via(),
        reason: Some(format!(
            "{} {} event {id}",
            provider.name(),
            report.kind.reason()
        )),
    }
}

/// A report, for the payload readers.
fn report(email: &str, kind: Kind, event: &str) -> Report {
    Report {
        email: email.to_string(),
        kind,
        event: event.to_string(),
    }
}

#[cfg(test)]
mod tests;
