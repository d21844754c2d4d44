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

use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap};
use core::cmp::Reverse;
use serde::{Deserialize, Serialize};

use crate::event::{EventId, EventKind, Evidence, Method, UnsubscribeScope, Via};
use crate::hash::{ConsentVersion, EventHash};
use crate::ledger::{heads, LoggedEvent};
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

/// Applies one event; `saw(h)` says whether its writer had seen event `h`.
fn apply(
    s: &mut SubscriberState,
    h: EventHash,
    e: &crate::event::Event,
    saw: &dyn Fn(&EventHash) -> bool,
) {
    let at = e.at;
    s.updated = Some(s.updated.map_or(at, |u| u.max(at)));
    match &e.kind {
        EventKind::Subscribed {
            list,
            topics,
            frequency,
            double_opt_in,
            evidence,
        } => {
            if s.list_stopped(list).is_some() {
                return; // a signup never lifts a withdrawal
            }
            let wanted = unstopped(s, list, topics);
            if !topics.is_empty() && wanted.is_empty() {
                return; // every topic it names was stopped
            }
            let status = if *double_opt_in {
                Status::Pending
            } else {
                Status::Active
            };
            let entry = s
                .lists
                .entry(list.clone())
                .or_insert_with(|| ListState::new(status));
            if entry.status == Status::Unsubscribed {
                return;
            }
            add_topics(entry, wanted);
            if entry.frequency.is_none() {
                entry.frequency = frequency.clone();
            }
            if entry.status == Status::Pending || entry.consent.is_none() {
                entry.consent = Some(consent_ref(&e.id, at, evidence));
            }
        }
        EventKind::Confirmed { list, link_issued } => {
            if s.list_stopped(list).is_some() {
                return;
            }
            if let Some(entry) = s.lists.get_mut(list) {
                // Links carry their issue time in whole seconds.
                let for_this_signup = match (link_issued, &entry.consent) {
                    (Some(issued), Some(c)) => issued.millis() + 999 >= c.at.millis(),
                    _ => true,
                };
                if entry.status == Status::Pending && for_this_signup {
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
            lift(s, list, topics, frequency.as_ref(), saw);
            if s.list_stopped(list).is_some() {
                return; // raced a withdrawal it never saw: the withdrawal wins
            }
            let wanted = unstopped(s, list, topics);
            if !topics.is_empty() && wanted.is_empty() {
                return;
            }
            let entry = s
                .lists
                .entry(list.clone())
                .or_insert_with(|| ListState::new(Status::Unsubscribed));
            entry.status = if *double_opt_in {
                Status::Pending
            } else {
                Status::Active
            };
            entry.exit = None;
            entry.paused_until = None;
            entry.topics.clear();
            add_topics(entry, wanted);
            if entry.frequency.is_none() {
                entry.frequency = frequency.clone();
            }
            entry.consent = Some(consent_ref(&e.id, at, evidence));
        }
        EventKind::PreferencesChanged {
            list,
            topics,
            frequency,
            paused_until,
        } => {
            if s.list_stopped(list).is_some() {
                return;
            }
            let wanted = unstopped(s, list, topics);
            if let Some(entry) = s.lists.get_mut(list) {
                if !wanted.is_empty() {
                    entry.topics.clear();
                    add_topics(entry, wanted);
                }
                if frequency.is_some() {
                    entry.frequency = frequency.clone();
                }
                entry.paused_until = *paused_until;
            }
        }
        EventKind::Unsubscribed { scope, via, .. } => {
            withdraw(s, scope.clone(), h, at, *via, saw);
            if let UnsubscribeScope::Topic { list, topic } = scope {
                let emptied = s.lists.get_mut(list).is_some_and(|entry| {
                    let had = entry.topics.contains(topic);
                    entry.topics.retain(|t| t != topic);
                    had && entry.topics.is_empty()
                });
                if emptied {
                    // Leaving the last topic of a list is leaving the list.
                    let scope = UnsubscribeScope::List { list: list.clone() };
                    withdraw(s, scope, h, at, *via, saw);
                }
            }
            settle(s);
        }
        EventKind::ReasonGiven { .. } => {}
        EventKind::Erased => {
            withdraw(s, UnsubscribeScope::All, h, at, Via::Erasure, saw);
            s.erased = true;
            for entry in s.lists.values_mut() {
                entry.consent = None;
                entry.topics.clear();
            }
            settle(s);
        }
    }
}

/// Records a withdrawal at `scope`. Earlier ones at the same scope that
/// this one saw are covered by it and dropped; racing ones stay.
fn withdraw(
    s: &mut SubscriberState,
    scope: UnsubscribeScope,
    h: EventHash,
    at: Timestamp,
    via: Via,
    saw: &dyn Fn(&EventHash) -> bool,
) {
    if let Some(w) = s.withdrawals.iter_mut().find(|w| w.scope == scope) {
        w.events.retain(|x| !saw(x));
        if !w.events.contains(&h) {
            w.events.push(h);
        }
        w.except.clear();
        return;
    }
    s.withdrawals.push(Withdrawal {
        scope,
        at,
        via,
        events: vec![h],
        except: Vec::new(),
    });
}

/// Lifts every withdrawal a resubscribe to `list` (these topics, this
/// frequency) covers and whose every event its writer saw.
fn lift(
    s: &mut SubscriberState,
    list: &ListId,
    topics: &[TopicId],
    frequency: Option<&FrequencyId>,
    saw: &dyn Fn(&EventHash) -> bool,
) {
    s.withdrawals.retain_mut(|w| {
        let covered = match &w.scope {
            UnsubscribeScope::All => true,
            UnsubscribeScope::List { list: l } => l == list,
            UnsubscribeScope::Topic { list: l, topic } => l == list && topics.contains(topic),
            UnsubscribeScope::Frequency {
                list: l,
                frequency: f,
            } => l == list && frequency == Some(f),
        };
        if !covered || !w.events.iter().all(saw) {
            return true;
        }
        if w.scope == UnsubscribeScope::All {
            if !w.except.contains(list) {
                w.except.push(list.clone());
                w.except.sort();
            }
            return true;
        }
        false
    });
    s.suppressed = first_all(s);
}

/// Brings list statuses in line with the withdrawals in force.
fn settle(s: &mut SubscriberState) {
    let stops: Vec<(ListId, Exit)> = s
        .lists
        .keys()
        .filter_map(|l| s.list_stopped(l).map(|w| (l.clone(), w.exit())))
        .collect();
    for (list, exit) in stops {
        let entry = s
            .lists
            .entry(list)
            .or_insert_with(|| ListState::new(Status::Unsubscribed));
        entry.status = Status::Unsubscribed;
        entry.exit = Some(exit);
    }
    let lists: Vec<ListId> = s
        .withdrawals
        .iter()
        .filter_map(|w| match &w.scope {
            UnsubscribeScope::List { list } => Some(list.clone()),
            _ => None,
        })
        .collect();
    for list in lists {
        if !s.lists.contains_key(&list) {
            let exit = s.list_stopped(&list).map(Withdrawal::exit);
            let mut entry = ListState::new(Status::Unsubscribed);
            entry.exit = exit;
            s.lists.insert(list, entry);
        }
    }
    s.suppressed = first_all(s);
}

fn first_all(s: &SubscriberState) -> Option<Exit> {
    s.withdrawals
        .iter()
        .find(|w| w.scope == UnsubscribeScope::All)
        .map(Withdrawal::exit)
}

/// The topics of `topics` no withdrawal stops.
fn unstopped(s: &SubscriberState, list: &ListId, topics: &[TopicId]) -> Vec<TopicId> {
    topics
        .iter()
        .filter(|t| !s.topic_stopped(list, t))
        .cloned()
        .collect()
}

fn add_topics(entry: &mut ListState, topics: Vec<TopicId>) {
    for t in topics {
        if !entry.topics.contains(&t) {
            entry.topics.push(t);
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
        Reverse((e.event.at, &e.event.id, *h))
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
