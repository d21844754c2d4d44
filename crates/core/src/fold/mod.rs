//! Folding a subscriber's events into their current state: where the one
//! rule of withdrawal is applied.
//!
//! **A "no" wins at every scope.** A withdrawal (an [`EventKind::Unsubscribed`]
//! at any [`UnsubscribeScope`], or [`EventKind::Erased`]) stays in force for
//! every later decision inside its scope until an [`EventKind::Resubscribed`]
//! for that scope lifts it — and only one whose writer had seen it (it names
//! it among its ancestors), so a resubscribe racing a withdrawal it never
//! saw loses. Nothing else lifts one: not a signup ([`EventKind::Subscribed`],
//! an import), not a preference save, not a confirmation. Leaving the last
//! topic of a list is leaving the list. Duplicates and input order change
//! nothing: events are applied in causal order (parents first, ties by time,
//! id and hash).
//!
//! The fold is linear in the log: for each event it keeps only which of the
//! withdrawals *in force* it has seen (a handful), never a walk of the DAG.
//! [`SubscriberState::extend`] applies one new event written on top of
//! every head without reading the log at all (what a one-click does).
//!
//! [`EventKind::Subscribed`]: crate::event::EventKind::Subscribed
//! [`EventKind::Unsubscribed`]: crate::event::EventKind::Unsubscribed
//! [`EventKind::Resubscribed`]: crate::event::EventKind::Resubscribed
//! [`EventKind::Erased`]: crate::event::EventKind::Erased

use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet};
use serde::{Deserialize, Serialize};

use crate::event::{EventId, Method, UnsubscribeScope, Via};
use crate::hash::{ConsentVersion, EventHash};
use crate::ledger::{heads, LoggedEvent};
use crate::slug::{FormId, FrequencyId, ListId, TopicId};
use crate::time::Timestamp;

pub mod activity;
mod apply;
mod order;

use apply::apply;
use order::causal_order;

/// Where a subscriber stands on one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Signed up with double opt-in, not confirmed yet: not sendable.
    Pending,
    /// Consented: sendable (subject to topics, pause, frequency).
    Active,
    /// A withdrawal stops the whole list.
    Unsubscribed,
}

/// Which consent the current state rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRef {
    /// The event holding the evidence.
    pub event: EventId,
    /// When (server time).
    pub at: Timestamp,
    /// How.
    pub method: Method,
    /// Through which form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormId>,
    /// Which text.
    pub consent_version: ConsentVersion,
    /// For an import: when the person gave it, by the earlier system's
    /// record (earlier than `at`, the import's own time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<Timestamp>,
}

/// When and how someone left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    /// When.
    pub at: Timestamp,
    /// Through what.
    pub via: Via,
}

/// A subscriber's state on one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListState {
    /// Pending, active or unsubscribed.
    pub status: Status,
    /// Topics they receive.
    pub topics: Vec<TopicId>,
    /// Chosen frequency (the list's default unless they chose another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<FrequencyId>,
    /// No mail until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<Timestamp>,
    /// The consent this rests on (the latest effective one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentRef>,
    /// The withdrawal that stops the list, when status is unsubscribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Exit>,
    /// When the double opt-in of the current consent was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<Timestamp>,
}

impl ListState {
    /// When consent was last given, renewed or confirmed: what its age is
    /// counted from (see [`crate::decision::may_send_within`]).
    pub fn consent_since(&self) -> Option<Timestamp> {
        let consent = self.consent.as_ref()?;
        let at = consent.given.unwrap_or(consent.at);
        Some(self.confirmed.map_or(at, |c| c.max(at)))
    }
}

impl ListState {
    fn new(status: Status) -> ListState {
        ListState {
            status,
            topics: Vec::new(),
            frequency: None,
            paused_until: None,
            consent: None,
            exit: None,
            confirmed: None,
        }
    }
}

/// A withdrawal in force at one scope. Repeated withdrawals at the same
/// scope share one entry; `events` keeps only those no later one saw (two
/// racing writers leave two), so the entry stays small however often
/// someone clicks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// What it covers.
    #[serde(flatten)]
    pub scope: UnsubscribeScope,
    /// When the first of them was made.
    pub at: Timestamp,
    /// Through what the first came.
    pub via: Via,
    /// The withdrawal events a resubscribe must have seen to lift it.
    pub events: Vec<EventHash>,
    /// For a withdrawal from everything: the lists a resubscribe that saw it
    /// brought back (every other list stays stopped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<ListId>,
}

impl Withdrawal {
    /// Whether it stops all mail of `list`.
    pub fn stops_list(&self, list: &ListId) -> bool {
        self.scope.stops_list(list) && !self.except.contains(list)
    }

    fn exit(&self) -> Exit {
        Exit {
            at: self.at,
            via: self.via,
        }
    }
}

/// Everything known about one subscriber, derived from their events. This
/// (with no copy of the events) is what a snapshot stores.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscriberState {
    /// Per list.
    pub lists: BTreeMap<ListId, ListState>,
    /// Every withdrawal in force, at every scope.
    #[serde(default)]
    pub withdrawals: Vec<Withdrawal>,
    /// A withdrawal from everything, if one is in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Exit>,
    /// Personal data was erased.
    #[serde(default)]
    pub erased: bool,
    /// The log's heads when folded: what a new event names as parents.
    pub heads: Vec<EventHash>,
    /// Events folded.
    pub events: usize,
    /// Time of the latest event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// The latest reason given for leaving (one of
    /// [`crate::withdrawal::REASONS`]): only a reason, it stops nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The latest few events, as references (for the console's activity).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<activity::Activity>,
}

impl SubscriberState {
    /// The state on `list`, if they ever signed up or left it.
    pub fn list(&self, list: &ListId) -> Option<&ListState> {
        self.lists.get(list)
    }

    /// The withdrawal that stops all mail of `list`, if any (the earliest).
    pub fn list_stopped(&self, list: &ListId) -> Option<&Withdrawal> {
        self.withdrawals
            .iter()
            .filter(|w| w.stops_list(list))
            .min_by_key(|w| w.at)
    }

    /// Whether a withdrawal of `topic` of `list` is in force.
    pub fn topic_stopped(&self, list: &ListId, topic: &TopicId) -> bool {
        self.withdrawals.iter().any(|w| {
            matches!(&w.scope, UnsubscribeScope::Topic { list: l, topic: t } if l == list && t == topic)
        })
    }

    /// Applies `event` (stored as `hash`), written on top of every head of
    /// this state, without the log: a fold of the old log plus this event
    /// gives the same state. `false` (and no change) when the event does not
    /// name exactly these heads: then only a whole [`fold`] is right.
    pub fn extend(&mut self, hash: EventHash, event: &crate::event::Event) -> bool {
        let named: BTreeSet<&EventHash> = event.parents.iter().collect();
        let heads: BTreeSet<&EventHash> = self.heads.iter().collect();
        if named != heads {
            return false;
        }
        // Every event folded so far is an ancestor of some head, and the new
        // event names every head: it saw every withdrawal in force.
        apply(self, hash, event, &|_| true);
        self.heads = vec![hash];
        self.events += 1;
        true
    }
}

/// Folds a subscriber's log into their state. Duplicates (same event id) are
/// folded once; the input order does not matter. Linear in the log's length
/// (times the few withdrawals in force), plus the sort of the causal order.
pub fn fold(log: &[LoggedEvent]) -> SubscriberState {
    let order = causal_order(log);
    let mut s = SubscriberState {
        heads: heads(log),
        events: order.len(),
        ..Default::default()
    };
    // For each event folded: the withdrawals in force it had seen.
    let mut seen: BTreeMap<EventHash, Vec<EventHash>> = BTreeMap::new();
    for e in order {
        let in_force: BTreeSet<EventHash> = s
            .withdrawals
            .iter()
            .flat_map(|w| w.events.iter().copied())
            .collect();
        let mut saw: Vec<EventHash> = Vec::new();
        for p in &e.event.parents {
            if in_force.contains(p) {
                saw.push(*p);
            }
            for x in seen.get(p).map(Vec::as_slice).unwrap_or(&[]) {
                if in_force.contains(x) {
                    saw.push(*x);
                }
            }
        }
        saw.sort();
        saw.dedup();
        apply(&mut s, e.hash, &e.event, &|h| saw.binary_search(h).is_ok());
        seen.insert(e.hash, saw);
    }
    s
}
