//! Folding a subscriber's events into their current state.
//!
//! The fold is where the rules of withdrawal live:
//! - an unsubscribe always takes effect;
//! - only [`EventKind::Resubscribed`] (fresh evidence) lifts an unsubscribe,
//!   and only if its writer had seen that unsubscribe: a resubscribe racing an
//!   unsubscribe it never saw loses, so a race ends in "no mail";
//! - [`EventKind::Subscribed`] (a signup, an import) never lifts one;
//! - a double opt-in signup is pending until [`EventKind::Confirmed`];
//! - the same event twice, or events in another order, fold the same.
//!
//! Events are applied in causal order (parents first), ties broken by time
//! and id, so the result does not depend on the order they were read in.

use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap};
use core::cmp::Reverse;
use serde::{Deserialize, Serialize};

use crate::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use crate::hash::{ConsentVersion, EventHash};
use crate::ledger::{heads, Ancestry, LoggedEvent};
use crate::slug::{FormId, FrequencyId, ListId, TopicId};
use crate::time::Timestamp;

/// Where a subscriber stands on one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Signed up with double opt-in, not confirmed yet: not sendable.
    Pending,
    /// Consented: sendable (subject to topics, pause, frequency).
    Active,
    /// Withdrew consent: not sendable until a resubscribe.
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
    /// Chosen frequency, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<FrequencyId>,
    /// No mail until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<Timestamp>,
    /// The consent this rests on (the latest effective one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentRef>,
    /// The unsubscribe in force, when status is unsubscribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Exit>,
    /// Unsubscribes a resubscribe must have seen to lift this one.
    #[serde(skip)]
    blocking: BTreeSet<EventHash>,
    /// Per topic: unsubscribes a preference change must have seen to re-add it.
    #[serde(skip)]
    topic_blocking: BTreeMap<TopicId, BTreeSet<EventHash>>,
}

/// Everything known about one subscriber, derived from their events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscriberState {
    /// Per list.
    pub lists: BTreeMap<ListId, ListState>,
    /// An unsubscribe from everything, if one is in force for new lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Exit>,
    /// Personal data was erased.
    #[serde(default)]
    pub erased: bool,
    /// The log's heads when folded (anchors for verification).
    pub heads: Vec<EventHash>,
    /// Events folded.
    pub events: usize,
    /// Time of the latest event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// Unsubscribes from everything in force (for lists that appear later).
    #[serde(skip)]
    global_blocking: BTreeSet<EventHash>,
}

/// What a new signup for a list means, given the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupKind {
    /// Never subscribed: record [`EventKind::Subscribed`].
    New,
    /// Already active: recording again is harmless (topics are merged).
    AlreadyActive,
    /// Waiting for confirmation: record again and resend the confirmation.
    AlreadyPending,
    /// Unsubscribed before: fresh consent is [`EventKind::Resubscribed`].
    Returning,
}

impl SubscriberState {
    /// The state on `list`, if they ever signed up or left it.
    pub fn list(&self, list: &ListId) -> Option<&ListState> {
        self.lists.get(list)
    }

    /// How to record a new, explicit signup to `list`.
    pub fn signup_kind(&self, list: &ListId) -> SignupKind {
        match self.lists.get(list).map(|l| l.status) {
            Some(Status::Active) => SignupKind::AlreadyActive,
            Some(Status::Pending) => SignupKind::AlreadyPending,
            Some(Status::Unsubscribed) => SignupKind::Returning,
            None if self.suppressed.is_some() => SignupKind::Returning,
            None => SignupKind::New,
        }
    }
}

fn consent_ref(id: &EventId, at: Timestamp, e: &Evidence) -> ConsentRef {
    ConsentRef {
        event: id.clone(),
        at,
        method: e.method.clone(),
        form: e.form.clone(),
        consent_version: e.consent_version,
    }
}

/// Folds a subscriber's log into their state. Duplicates (same event id) are
/// folded once; the input order does not matter.
pub fn fold(log: &[LoggedEvent]) -> SubscriberState {
    let order = causal_order(log);
    let ancestry = Ancestry::new(log);
    let mut s = SubscriberState {
        heads: heads(log),
        events: order.len(),
        ..Default::default()
    };
    for e in order {
        s.updated = Some(s.updated.map_or(e.event.at, |u| u.max(e.event.at)));
        apply(&mut s, e, &ancestry);
    }
    s
}

/// Whether the writer of `grant` had seen every unsubscribe in `blocking`.
fn saw_all(ancestry: &Ancestry<'_>, grant: &EventHash, blocking: &BTreeSet<EventHash>) -> bool {
    blocking.iter().all(|b| ancestry.saw(grant, b))
}

fn apply(s: &mut SubscriberState, e: &LoggedEvent, ancestry: &Ancestry<'_>) {
    let (h, at) = (e.hash, e.event.at);
    match &e.event.kind {
        EventKind::Subscribed {
            list,
            topics,
            frequency,
            double_opt_in,
            evidence,
        } => {
            let global = s.global_blocking.clone();
            let suppressed = s.suppressed.clone();
            let entry = s.lists.entry(list.clone()).or_insert_with(|| ListState {
                status: if global.is_empty() {
                    if *double_opt_in {
                        Status::Pending
                    } else {
                        Status::Active
                    }
                } else {
                    Status::Unsubscribed
                },
                topics: Vec::new(),
                frequency: None,
                paused_until: None,
                consent: None,
                exit: suppressed,
                blocking: global,
                topic_blocking: BTreeMap::new(),
            });
            if entry.status == Status::Unsubscribed {
                return; // a signup never lifts an unsubscribe
            }
            merge_topics(entry, topics, &h, ancestry);
            if frequency.is_some() {
                entry.frequency = frequency.clone();
            }
            if entry.status == Status::Pending || entry.consent.is_none() {
                entry.consent = Some(consent_ref(&e.event.id, at, evidence));
            }
        }
        EventKind::Confirmed { list } => {
            if let Some(entry) = s.lists.get_mut(list) {
                if entry.status == Status::Pending {
                    entry.status = Status::Active;
                }
            }
        }
        EventKind::Resubscribed {
            list,
            topics,
            frequency,
            double_opt_in,
            evidence,
        } => {
            let global = s.global_blocking.clone();
            let entry = s.lists.entry(list.clone()).or_insert_with(|| ListState {
                status: Status::Unsubscribed,
                topics: Vec::new(),
                frequency: None,
                paused_until: None,
                consent: None,
                exit: None,
                blocking: global.clone(),
                topic_blocking: BTreeMap::new(),
            });
            if !saw_all(ancestry, &h, &entry.blocking) || !saw_all(ancestry, &h, &global) {
                return; // raced an unsubscribe it never saw: the unsubscribe wins
            }
            entry.blocking.clear();
            entry.exit = None;
            entry.paused_until = None;
            entry.status = if *double_opt_in {
                Status::Pending
            } else {
                Status::Active
            };
            entry.topics.clear();
            for (t, b) in entry.topic_blocking.iter_mut() {
                if topics.contains(t) && saw_all(ancestry, &h, b) {
                    b.clear();
                }
            }
            merge_topics(entry, topics, &h, ancestry);
            entry.frequency = frequency.clone().or(entry.frequency.take());
            entry.consent = Some(consent_ref(&e.event.id, at, evidence));
        }
        EventKind::PreferencesChanged {
            list,
            topics,
            frequency,
            paused_until,
        } => {
            if let Some(entry) = s.lists.get_mut(list) {
                entry.topics.retain(|t| topics.contains(t));
                merge_topics(entry, topics, &h, ancestry);
                if frequency.is_some() {
                    entry.frequency = frequency.clone();
                }
                entry.paused_until = *paused_until;
            }
        }
        EventKind::Unsubscribed { scope, via, .. } => {
            let exit = Exit { at, via: *via };
            match scope {
                UnsubscribeScope::All => withdraw_everything(s, h, exit),
                UnsubscribeScope::List { list } => {
                    let global = s.global_blocking.clone();
                    let entry = s.lists.entry(list.clone()).or_insert_with(|| ListState {
                        status: Status::Unsubscribed,
                        topics: Vec::new(),
                        frequency: None,
                        paused_until: None,
                        consent: None,
                        exit: None,
                        blocking: global,
                        topic_blocking: BTreeMap::new(),
                    });
                    entry.status = Status::Unsubscribed;
                    entry.exit = Some(exit);
                    entry.blocking.insert(h);
                }
                UnsubscribeScope::Topic { list, topic } => {
                    if let Some(entry) = s.lists.get_mut(list) {
                        entry.topics.retain(|t| t != topic);
                        entry
                            .topic_blocking
                            .entry(topic.clone())
                            .or_default()
                            .insert(h);
                    }
                }
            }
        }
        EventKind::Erased => {
            withdraw_everything(s, h, Exit { at, via: Via::Api });
            s.erased = true;
            for entry in s.lists.values_mut() {
                entry.consent = None;
                entry.topics.clear();
            }
        }
    }
}

fn withdraw_everything(s: &mut SubscriberState, h: EventHash, exit: Exit) {
    s.global_blocking.insert(h);
    s.suppressed = Some(exit.clone());
    for entry in s.lists.values_mut() {
        entry.status = Status::Unsubscribed;
        entry.exit = Some(exit.clone());
        entry.blocking.insert(h);
    }
}

/// Adds `topics` to the entry, except those a topic unsubscribe blocks that
/// the writer of `h` had not seen.
fn merge_topics(entry: &mut ListState, topics: &[TopicId], h: &EventHash, ancestry: &Ancestry<'_>) {
    for t in topics {
        let blocked = entry
            .topic_blocking
            .get(t)
            .is_some_and(|b| !saw_all(ancestry, h, b));
        if !blocked && !entry.topics.contains(t) {
            entry.topics.push(t.clone());
        }
    }
    entry.topics.sort();
}

/// One event per id (the earliest, then smallest hash), in causal order:
/// parents before children, ties by (time, id, hash).
fn causal_order(log: &[LoggedEvent]) -> Vec<&LoggedEvent> {
    let mut by_id: BTreeMap<&EventId, &LoggedEvent> = BTreeMap::new();
    for e in log {
        by_id
            .entry(&e.event.id)
            .and_modify(|k| {
                if (e.event.at, e.hash) < (k.event.at, k.hash) {
                    *k = e;
                }
            })
            .or_insert(e);
    }
    let chosen: BTreeMap<EventHash, &LoggedEvent> = by_id.values().map(|e| (e.hash, *e)).collect();
    let mut waiting: BTreeMap<EventHash, usize> = BTreeMap::new();
    let mut children: BTreeMap<EventHash, Vec<EventHash>> = BTreeMap::new();
    for (h, e) in &chosen {
        let parents: BTreeSet<&EventHash> = e
            .event
            .parents
            .iter()
            .filter(|p| chosen.contains_key(*p))
            .collect();
        waiting.insert(*h, parents.len());
        for p in parents {
            children.entry(*p).or_default().push(*h);
        }
    }
    let key = |h: &EventHash| {
        let e = chosen[h];
        Reverse((e.event.at, e.event.id.clone(), *h))
    };
    let mut ready: BinaryHeap<_> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(h, _)| key(h))
        .collect();
    let mut out = Vec::with_capacity(chosen.len());
    while let Some(Reverse((_, _, h))) = ready.pop() {
        out.push(chosen[&h]);
        for c in children.get(&h).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(n) = waiting.get_mut(c) {
                *n -= 1;
                if *n == 0 {
                    ready.push(key(c));
                }
            }
        }
    }
    out
}
