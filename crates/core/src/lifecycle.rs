//! Consent that ages and can be renewed: when a re-permission link is worth
//! mailing, and when a press on it may record a renewal.
//!
//! A renewal only refreshes a consent in force. It never lifts a withdrawal
//! (the fold ignores a [`EventKind::Renewed`] on a stopped or pending list
//! too), so a person who said no cannot be brought back by an old link.

use crate::prelude::*;

use crate::decision::{may_send_within, Reason, SendRequest};
use crate::event::{EventKind, Evidence};
use crate::fold::{Status, SubscriberState};
use crate::slug::ListId;
use crate::time::{Timestamp, DAY};

/// How long before consent goes stale a re-permission link is offered (at
/// most; a quarter of the list's window when that is shorter).
pub const RENEW_AHEAD: u64 = 30 * DAY;

/// Where a subscriber's consent to one list stands in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The list's consent never ages, or nothing is in force to age.
    NotApplicable,
    /// Fresh, and not due for renewal yet.
    Fresh,
    /// Still fresh, but stale within [`RENEW_AHEAD`]: time to ask.
    DueSoon,
    /// Stale: no mail until the person renews.
    Stale,
}

impl Freshness {
    /// Whether a re-permission link is worth sending now.
    pub fn offers_renewal(self) -> bool {
        matches!(self, Freshness::DueSoon | Freshness::Stale)
    }
}

/// How fresh the consent of `state` to `list` is at `now`, for a list whose
/// consent lasts `max_age` ms. Anyone who may not be mailed for another
/// reason (left, pending, erased, never consented) is
/// [`Freshness::NotApplicable`]: a renewal link is never offered to them.
pub fn freshness(
    state: &SubscriberState,
    list: &ListId,
    now: Timestamp,
    max_age: Option<u64>,
) -> Freshness {
    let Some(max) = max_age else {
        return Freshness::NotApplicable;
    };
    if !renewable(state, list) {
        return Freshness::NotApplicable;
    }
    let whole = SendRequest {
        list: list.clone(),
        topic: None,
        frequency: None,
    };
    match may_send_within(state, &whole, now, Some(max)).reason {
        Reason::ConsentStale { .. } => Freshness::Stale,
        _ => {
            let ahead = RENEW_AHEAD.min(max / 4);
            match state.list(list).and_then(|l| l.consent_since()) {
                Some(since) if now >= since.plus(max.saturating_sub(ahead)) => Freshness::DueSoon,
                _ => Freshness::Fresh,
            }
        }
    }
}

/// Whether a press on the re-permission page may renew `state`'s consent
/// to `list`: only a consent in force (active, not erased, no withdrawal
/// stopping the list).
pub fn renewable(state: &SubscriberState, list: &ListId) -> bool {
    !state.erased
        && state.list_stopped(list).is_none()
        && state
            .list(list)
            .is_some_and(|l| l.status == Status::Active && l.consent.is_some())
}

/// The event a press on the re-permission page records, when
/// [`renewable`]; `None` otherwise (the page records nothing).
pub fn renewal(state: &SubscriberState, list: &ListId, evidence: Evidence) -> Option<EventKind> {
    renewable(state, list).then(|| EventKind::Renewed {
        list: list.clone(),
        evidence,
    })
}

/// The re-permission link ("still want our mail?") for `subscriber` on
/// `list`, signed with the newest key at `now`: `{base_url}/n/{token}`.
pub fn renew_url(
    keys: &crate::token::Keyring,
    base_url: &str,
    subscriber: crate::id::SubscriberId,
    list: &ListId,
    now: Timestamp,
) -> String {
    let token = keys.sign(&crate::token::Claims {
        purpose: crate::token::Purpose::Renew,
        subscriber,
        list: list.clone(),
        topic: None,
        issued: now,
    });
    format!("{}/n/{token}", base_url.trim_end_matches('/'))
}
