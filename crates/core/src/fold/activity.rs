//! What a subscriber did last, kept in their state for the console's
//! activity feed: the few latest events as references (kind, list, via,
//! time), never their evidence or an address, so the snapshot stays small
//! and the feed can be built from key metadata without reading any log.

use serde::{Deserialize, Serialize};

use crate::event::{EventKind, Via};
use crate::slug::ListId;
use crate::time::Timestamp;

use super::SubscriberState;

/// How many of a subscriber's latest events their state keeps.
pub const KEPT: usize = 3;

/// What kind of event it was, without its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A signup (or an import).
    Subscribed,
    /// A double opt-in confirmed.
    Confirmed,
    /// Topics, frequency or pause changed.
    Preferences,
    /// A withdrawal at some scope.
    Unsubscribed,
    /// A fresh consent after a withdrawal.
    Resubscribed,
    /// A consent renewed.
    Renewed,
    /// A reason given after leaving.
    Reason,
    /// Personal data erased.
    Erased,
}

/// One of a subscriber's latest events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// When (server time).
    pub at: Timestamp,
    /// What.
    pub kind: Kind,
    /// Which list, when the event names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListId>,
    /// Through what, for a withdrawal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

impl Activity {
    /// The reference to `kind` at `at`.
    pub fn of(kind: &EventKind, at: Timestamp) -> Activity {
        let (k, list, via) = match kind {
            EventKind::Subscribed { list, .. } => (Kind::Subscribed, Some(list.clone()), None),
            EventKind::Confirmed { list, .. } => (Kind::Confirmed, Some(list.clone()), None),
            EventKind::PreferencesChanged { list, .. } => {
                (Kind::Preferences, Some(list.clone()), None)
            }
            EventKind::Unsubscribed { scope, via, .. } => {
                (Kind::Unsubscribed, scope.list().cloned(), Some(*via))
            }
            EventKind::Resubscribed { list, .. } => (Kind::Resubscribed, Some(list.clone()), None),
            EventKind::Renewed { list, .. } => (Kind::Renewed, Some(list.clone()), None),
            EventKind::ReasonGiven { .. } => (Kind::Reason, None, None),
            EventKind::Erased => (Kind::Erased, None, Some(Via::Erasure)),
        };
        Activity {
            at,
            kind: k,
            list,
            via,
        }
    }
}

/// Records `kind` at `at` as the latest event, keeping the last [`KEPT`];
/// a reason given (one of [`crate::withdrawal::REASONS`]) is kept as the
/// subscriber's reason for leaving.
pub(super) fn record(s: &mut SubscriberState, kind: &EventKind, at: Timestamp) {
    if let EventKind::ReasonGiven { reason } = kind {
        if crate::withdrawal::REASONS.contains(&reason.as_str()) {
            s.reason = Some(reason.clone());
        }
    }
    s.activity.push(Activity::of(kind, at));
    if s.activity.len() > KEPT {
        let extra = s.activity.len() - KEPT;
        s.activity.drain(..extra);
    }
}
