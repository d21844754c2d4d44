//! Record keeping under 特定電子メール法 (施行規則4条): the record of a
//! person's consent is kept until at least one month after the last mail
//! sent to them.
//!
//! The Worker cannot afford a KV write per recipient per send (the free
//! plan allows 1,000 writes a day), so the time mail was last prepared is
//! kept coarsely and conservatively, for the whole sender: one value,
//! rewritten only when it is more than [`GRANULARITY`] old ([`should_record`]),
//! so the stored time is never more than [`GRANULARITY`] behind the true
//! last prepare. Each subscriber's `retain_until` is then:
//!
//! - for someone a withdrawal from everything stops: the earlier of that
//!   withdrawal and the stored last prepare (+ [`GRANULARITY`]) — no
//!   prepared send may include them after it — plus [`KEEP`];
//! - for everyone else who ever consented: the stored last prepare +
//!   [`GRANULARITY`] + [`KEEP`];
//! - for someone who never consented, or when mail was never prepared:
//!   nothing to keep (no mail can have been sent on that record).
//!
//! [`KEEP`] is 31 days, at least one calendar month from any date. The
//! result is never earlier than the true last prepare plus a month
//! (property-tested in `tests/retention.rs`); it may be later (a person the
//! sender did not mail that day), which only keeps a record longer.

use serde::{Deserialize, Serialize};

use crate::fold::SubscriberState;
use crate::time::{Timestamp, DAY};

/// How long after the last mail the record is kept: 31 days, at least one
/// calendar month.
pub const KEEP: u64 = 31 * DAY;

/// How far the stored last-prepared time may lag the true one: it is
/// rewritten only when older than this (at most one KV write a day).
pub const GRANULARITY: u64 = DAY;

/// Whether a prepare at `now` must rewrite the stored time `stored`.
pub fn should_record(stored: Option<Timestamp>, now: Timestamp) -> bool {
    match stored {
        None => true,
        Some(s) => now.millis() >= s.millis().saturating_add(GRANULARITY),
    }
}

/// The last moment mail may have been prepared for this subscriber, given
/// the sender's stored last-prepared time (`None`: never).
pub fn last_mail_bound(state: &SubscriberState, prepared: Option<Timestamp>) -> Option<Timestamp> {
    let prepared = prepared.map(|p| p.plus(GRANULARITY))?;
    Some(match &state.suppressed {
        Some(exit) if exit.at < prepared => exit.at,
        _ => prepared,
    })
}

/// Until when this subscriber's record of consent must be kept; `None`
/// when no mail can have been sent to them: mail was never prepared, or
/// they never consented (`may_send` refuses anyone without consent).
pub fn retain_until(state: &SubscriberState, prepared: Option<Timestamp>) -> Option<Timestamp> {
    if !state.lists.values().any(|l| l.consent.is_some()) {
        return None;
    }
    Some(last_mail_bound(state, prepared)?.plus(KEEP))
}

/// The sender's legal reason for erasing a record inside its retention
/// period. Recorded, signed, with the erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Override {
    /// GDPR art. 17: the sender judged that no exemption of art. 17(3)
    /// (a legal obligation such as 特定電子メール法) applies to this person.
    GdprErasure,
    /// The address was never this person's consent ("this wasn't me", a
    /// typo): there is no consent whose record the law asks to keep.
    NoConsentGiven,
    /// A court or a regulator ordered the erasure.
    LegalOrder,
}

impl Override {
    /// Parses the `override` query value.
    pub fn parse(s: &str) -> Option<Override> {
        match s {
            "gdpr_erasure" => Some(Override::GdprErasure),
            "no_consent_given" => Some(Override::NoConsentGiven),
            "legal_order" => Some(Override::LegalOrder),
            _ => None,
        }
    }

    /// Its name, as parsed.
    pub fn as_str(self) -> &'static str {
        match self {
            Override::GdprErasure => "gdpr_erasure",
            Override::NoConsentGiven => "no_consent_given",
            Override::LegalOrder => "legal_order",
        }
    }
}

/// Whether erasing at `now` needs an [`Override`]: the record is still
/// inside its retention period.
pub fn erasure_needs_override(
    state: &SubscriberState,
    prepared: Option<Timestamp>,
    now: Timestamp,
) -> bool {
    retain_until(state, prepared).is_some_and(|until| now < until)
}
