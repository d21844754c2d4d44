//! One event applied to a subscriber's state: signups add, withdrawals are
//! recorded at their scope, and a resubscribe lifts only the withdrawals its
//! writer saw; then every list's status follows the withdrawals in force.

use crate::prelude::*;

use crate::event::{EventId, EventKind, Evidence, UnsubscribeScope, Via};
use crate::hash::EventHash;
use crate::slug::{FrequencyId, ListId, TopicId};
use crate::time::Timestamp;

use super::{ConsentRef, Exit, ListState, Status, SubscriberState, Withdrawal};

fn consent_ref(id: &EventId, at: Timestamp, e: &Evidence) -> ConsentRef {
    ConsentRef {
        event: id.clone(),
        at,
        method: e.method.clone(),
        form: e.form.clone(),
        consent_version: e.consent_version,
        // An import's consent was given when the earlier system says, not
        // when it was imported: its age counts from then.
        given: match e.method {
            crate::event::Method::Import => e.client_time.filter(|t| *t < at),
            _ => None,
        },
    }
}

/// Applies one event; `saw(h)` says whether its writer had seen event `h`.
pub(super) fn apply(
    s: &mut SubscriberState,
    h: EventHash,
    e: &crate::event::Event,
    saw: &dyn Fn(&EventHash) -> bool,
) {
    let at = e.at;
    s.updated = Some(s.updated.map_or(at, |u| u.max(at)));
    super::activity::record(s, &e.kind, at);
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
                entry.confirmed = None;
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
                    entry.confirmed = Some(at);
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
            entry.confirmed = None;
        }
        EventKind::Renewed { list, evidence } => {
            if s.erased || s.list_stopped(list).is_some() {
                return; // a renewal never lifts a withdrawal
            }
            if let Some(entry) = s.lists.get_mut(list) {
                // Only a consent in force can be renewed: not a pending
                // signup, not a list someone left.
                if entry.status == Status::Active && entry.consent.is_some() {
                    entry.consent = Some(consent_ref(&e.id, at, evidence));
                    entry.confirmed = None;
                }
            }
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
